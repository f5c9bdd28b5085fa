-- 0007: fixes from the outside privacy review (issue #10).
--
-- 1. The operator's privacy evidence names every suppressed cell (scope, key, size). It moves
--    into the sealed schema, which the API cannot read; `insights.snapshots.evidence` keeps the
--    tenant's view (counts per kind of scope and reason). The failures view still needs to know
--    which clusters a snapshot pooled (`was_pooled`): their ids, and nothing else, are kept on the
--    snapshot.
-- 2. An erasure marks its tenant as needing a publication, so the next snapshot drops the person
--    even when nothing new is tagged. The publisher settles the request once a snapshot built
--    after it is saved.

CREATE TABLE sealed.snapshot_evidence (
  snapshot_id uuid PRIMARY KEY REFERENCES insights.snapshots (id) ON DELETE CASCADE,
  tenant_id uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
  evidence jsonb NOT NULL,
  recorded_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX snapshot_evidence_tenant_idx ON sealed.snapshot_evidence (tenant_id);

ALTER TABLE insights.snapshots ADD COLUMN pooled_clusters uuid[] NOT NULL DEFAULT '{}';

-- Snapshots published before this migration: their full evidence moves, the tenant's copy loses
-- the list of suppressed cells (the API hides the ids and weeks left in its per-scope counts).
INSERT INTO sealed.snapshot_evidence (snapshot_id, tenant_id, evidence, recorded_at)
  SELECT id, tenant_id, evidence, published_at FROM insights.snapshots
   WHERE evidence ? 'suppressedCells';
UPDATE insights.snapshots SET evidence = evidence - 'suppressedCells'
 WHERE evidence ? 'suppressedCells';

CREATE TABLE sealed.publication_requests (
  tenant_id uuid PRIMARY KEY REFERENCES app.tenants (id) ON DELETE CASCADE,
  -- Why a publication is owed ('erasure'); the latest request wins.
  reason text NOT NULL,
  requested_at timestamptz NOT NULL DEFAULT now(),
  -- Bumped by every new request: a publication settles the generation it saw when it began, so a
  -- request made while it was building stays pending (no clock comparison between machines).
  generation bigint NOT NULL DEFAULT 1
);

GRANT SELECT, INSERT, UPDATE, DELETE ON sealed.snapshot_evidence, sealed.publication_requests
  TO silhouette_worker;
