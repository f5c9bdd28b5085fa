-- 0003: embeddings, clustering runs with stable cluster identity, and published snapshots.
--
-- sealed: per-conversation embeddings, runs, clusters (centroids) and memberships: derived from
-- content, worker only. insights: versioned snapshots that passed the privacy gates; the API reads
-- nothing else about a tenant's usage.

-- One row per conversation and embedding space. The dimension varies by model (offline LSA 96,
-- OpenAI 1536…), so the column is an untyped vector with its dimension recorded beside it; HNSW
-- indexes are partial per dimension (sealed.ensure_embedding_index).
CREATE TABLE sealed.conversation_embeddings (
  conversation_id uuid PRIMARY KEY REFERENCES sealed.conversations (id) ON DELETE CASCADE,
  tenant_id uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
  model text NOT NULL,
  dimension integer NOT NULL CHECK (dimension > 0),
  embedding vector NOT NULL,
  embedded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX conversation_embeddings_tenant_idx ON sealed.conversation_embeddings (tenant_id, model);

CREATE FUNCTION sealed.ensure_embedding_index(p_dimension integer) RETURNS void
LANGUAGE plpgsql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
DECLARE
  -- The search path is pinned (SECURITY DEFINER), so name pgvector's schema explicitly.
  v_schema text := (SELECT extnamespace::regnamespace::text FROM pg_extension WHERE extname = 'vector');
BEGIN
  IF p_dimension < 1 OR p_dimension > 2000 THEN
    RAISE EXCEPTION 'embedding dimension % is outside 1..2000 (HNSW limit)', p_dimension;
  END IF;
  EXECUTE format(
    'CREATE INDEX IF NOT EXISTS conversation_embeddings_hnsw_%s ON sealed.conversation_embeddings
       USING hnsw ((embedding::%s.vector(%s)) %s.vector_cosine_ops) WITH (m = 16, ef_construction = 64)
       WHERE dimension = %s',
    p_dimension, v_schema, p_dimension, v_schema, p_dimension);
END
$$;
REVOKE ALL ON FUNCTION sealed.ensure_embedding_index(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sealed.ensure_embedding_index(integer) TO silhouette_worker;

CREATE TABLE sealed.cluster_runs (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
  started_at timestamptz NOT NULL DEFAULT now(),
  finished_at timestamptz,
  status text NOT NULL DEFAULT 'running' CHECK (status IN ('running', 'done', 'failed')),
  embedding_model text NOT NULL,
  dimension integer NOT NULL,
  conversations integer NOT NULL DEFAULT 0,
  -- The fitted offline embedding model (so conversations arriving later join this run's space).
  embedder_state bytea,
  params jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX cluster_runs_tenant_idx ON sealed.cluster_runs (tenant_id, started_at DESC);

-- Cluster ids are stable across runs: a cluster matched to one of the previous run keeps its id.
CREATE TABLE sealed.clusters (
  run_id uuid NOT NULL REFERENCES sealed.cluster_runs (id) ON DELETE CASCADE,
  id uuid NOT NULL,
  tenant_id uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
  level integer NOT NULL CHECK (level >= 0),
  parent_id uuid,
  centroid vector NOT NULL,
  size integer NOT NULL,
  name text NOT NULL,
  description text NOT NULL,
  lineage text NOT NULL CHECK (lineage IN ('continued', 'new', 'split', 'merged')),
  lineage_sources uuid[] NOT NULL DEFAULT '{}',
  PRIMARY KEY (run_id, id)
);

CREATE TABLE sealed.cluster_members (
  run_id uuid NOT NULL REFERENCES sealed.cluster_runs (id) ON DELETE CASCADE,
  conversation_id uuid NOT NULL REFERENCES sealed.conversations (id) ON DELETE CASCADE,
  cluster_id uuid NOT NULL,
  similarity real NOT NULL,
  -- false: assigned to the nearest base cluster after the run (between full re-clusterings).
  from_run boolean NOT NULL DEFAULT true,
  PRIMARY KEY (run_id, conversation_id)
);
CREATE INDEX cluster_members_cluster_idx ON sealed.cluster_members (run_id, cluster_id);

-- Published snapshots -------------------------------------------------------------------------

CREATE TABLE insights.snapshots (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
  run_id uuid NOT NULL,
  version integer NOT NULL,
  published_at timestamptz NOT NULL DEFAULT now(),
  period_start timestamptz,
  period_end timestamptz,
  overview jsonb NOT NULL,
  evidence jsonb NOT NULL,
  UNIQUE (tenant_id, version)
);

CREATE TABLE insights.clusters (
  snapshot_id uuid NOT NULL REFERENCES insights.snapshots (id) ON DELETE CASCADE,
  tenant_id uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
  cluster_id uuid NOT NULL,
  level integer NOT NULL,
  parent_id uuid,
  -- An "other" node pools children too small to show on their own.
  is_other boolean NOT NULL DEFAULT false,
  name text NOT NULL,
  description text NOT NULL,
  conversations integer NOT NULL,
  distinct_users integer NOT NULL,
  minutes_saved_total real NOT NULL,
  metrics jsonb NOT NULL,
  goals jsonb NOT NULL DEFAULT '[]'::jsonb,
  lineage jsonb NOT NULL DEFAULT '{}'::jsonb,
  PRIMARY KEY (snapshot_id, cluster_id)
);
CREATE INDEX insights_clusters_tree_idx ON insights.clusters (snapshot_id, level, parent_id);

CREATE TABLE insights.breakdowns (
  snapshot_id uuid NOT NULL REFERENCES insights.snapshots (id) ON DELETE CASCADE,
  tenant_id uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
  facet text NOT NULL,
  value text NOT NULL,
  is_other boolean NOT NULL DEFAULT false,
  conversations integer NOT NULL,
  distinct_users integer NOT NULL,
  minutes_saved_total real NOT NULL,
  PRIMARY KEY (snapshot_id, facet, value)
);

GRANT SELECT ON insights.snapshots, insights.clusters, insights.breakdowns TO silhouette_api;
