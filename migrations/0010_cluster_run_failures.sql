-- 0010: why a clustering attempt failed, so that `silhouette process` (and operators) can say it.
--
-- Every failed attempt leaves a `failed` row: the run it started, or, when it failed before a run
-- began (embeddings endpoint down, tenant settings, a dead-lettered job), a row of its own with no
-- embedding model. The reason is content-free: error class messages carry status codes, model
-- names and counts, never conversation text.
ALTER TABLE sealed.cluster_runs ADD COLUMN IF NOT EXISTS failure text;

-- Runs are found per tenant by time; failed attempts must not slow down the search for the last
-- finished one.
CREATE INDEX IF NOT EXISTS cluster_runs_done_idx ON sealed.cluster_runs (tenant_id, started_at DESC)
  WHERE status = 'done';

GRANT SELECT, INSERT, UPDATE, DELETE ON sealed.cluster_runs TO silhouette_worker;
