-- 0011: the issues map and custom facets (issue #15).
--
-- sealed.facets gains the `issue` facet (what went wrong, "" when resolved) and the tenant's
-- custom facet answers (`custom`, by facet key; null where unanswered). Both are inside the
-- boundary like every facet.
ALTER TABLE sealed.facets ADD COLUMN IF NOT EXISTS issue text NOT NULL DEFAULT '';
ALTER TABLE sealed.facets ADD COLUMN IF NOT EXISTS custom jsonb NOT NULL DEFAULT '{}'::jsonb;

-- A tenant's custom facet definitions: its own questions, asked in the same tagging call. The slot
-- (1-10) is the facet's place in the model's answer; UNIQUE (tenant_id, slot) with the CHECK caps a
-- tenant at ten definitions even when two admins add one at the same moment.
CREATE TABLE IF NOT EXISTS app.custom_facets (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
  key text NOT NULL,
  slot smallint NOT NULL CHECK (slot BETWEEN 1 AND 10),
  question text NOT NULL,
  type text NOT NULL CHECK (type IN ('enum', 'boolean', 'number', 'short_text')),
  -- enum values, number range, offline keyword rules
  definition jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (tenant_id, key),
  UNIQUE (tenant_id, slot)
);
GRANT SELECT, INSERT, UPDATE, DELETE ON app.custom_facets TO silhouette_api;
GRANT SELECT ON app.custom_facets TO silhouette_worker;

-- Clustering runs of the maps beside the topic tree: 'issues', and 'custom:<key>' for each
-- short_text custom facet. Earlier runs are the topic tree.
ALTER TABLE sealed.cluster_runs ADD COLUMN IF NOT EXISTS map text NOT NULL DEFAULT 'topics';
CREATE INDEX IF NOT EXISTS cluster_runs_map_idx ON sealed.cluster_runs (tenant_id, map, started_at DESC);

-- Published clusters of those maps, per snapshot (same gates as insights.clusters).
CREATE TABLE IF NOT EXISTS insights.map_clusters (
  snapshot_id uuid NOT NULL REFERENCES insights.snapshots (id) ON DELETE CASCADE,
  tenant_id uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
  map text NOT NULL,
  cluster_id uuid NOT NULL,
  level integer NOT NULL,
  parent_id uuid,
  is_other boolean NOT NULL DEFAULT false,
  name text NOT NULL,
  description text NOT NULL,
  conversations integer NOT NULL,
  distinct_users integer NOT NULL,
  metrics jsonb NOT NULL,
  PRIMARY KEY (snapshot_id, map, cluster_id)
);
CREATE INDEX IF NOT EXISTS insights_map_clusters_tree_idx
  ON insights.map_clusters (snapshot_id, map, level, parent_id);
GRANT SELECT ON insights.map_clusters TO silhouette_api;
GRANT SELECT, INSERT, UPDATE, DELETE ON insights.map_clusters TO silhouette_worker;
