-- 0009: user-level differential privacy (issue #11): the per-tenant budget ledger, the noisy cells
-- each release published (noised once, reused by every later snapshot), and noise intervals on the
-- published rows. README "Privacy" has the claim and the mechanism.

-- One row per publication that spent budget: which month it is charged to, what it released and
-- how (mechanism, parameters), and what it cost in zCDP (rho) and in threshold delta. The planner
-- and the cap read the sums per (tenant, period_start).
CREATE TABLE IF NOT EXISTS insights.privacy_ledger (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
  period_start date NOT NULL,
  kind text NOT NULL CHECK (kind IN ('scheduled', 'requested')),
  published_at timestamptz NOT NULL DEFAULT now(),
  -- The snapshot this publication produced (set in the same transaction).
  snapshot_id uuid,
  mechanism text NOT NULL,
  parameters jsonb NOT NULL,
  rho double precision NOT NULL CHECK (rho >= 0),
  -- Part of rho spent on closed weeks (released once) and on the current week.
  rho_closed_weeks double precision NOT NULL CHECK (rho_closed_weeks >= 0),
  rho_current_week double precision NOT NULL CHECK (rho_current_week >= 0),
  delta double precision NOT NULL CHECK (delta >= 0 AND delta < 1),
  -- The cap in force when it was charged (epsilon at delta_cap), as rho.
  rho_cap double precision NOT NULL CHECK (rho_cap > 0),
  epsilon_cap double precision NOT NULL CHECK (epsilon_cap > 0),
  delta_cap double precision NOT NULL CHECK (delta_cap > 0 AND delta_cap < 1)
);
CREATE INDEX IF NOT EXISTS privacy_ledger_period_idx
  ON insights.privacy_ledger (tenant_id, period_start, published_at);

-- The noisy figures of every released (ISO week, family, key): exact bounded value plus discrete
-- Gaussian noise, possibly negative (sums are clamped only after adding). A closed week is
-- released once (the partial unique index refuses a second final release); the current week's
-- cells are provisional and replaced by the next publication's.
CREATE TABLE IF NOT EXISTS insights.dp_cells (
  tenant_id uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
  publication_id uuid NOT NULL REFERENCES insights.privacy_ledger (id) ON DELETE CASCADE,
  bucket text NOT NULL CHECK (bucket ~ '^[0-9]{4}-W[0-9]{2}$'),
  final boolean NOT NULL,
  family text NOT NULL,
  key text NOT NULL,
  figures jsonb NOT NULL,
  sigma jsonb NOT NULL,
  PRIMARY KEY (publication_id, bucket, family, key)
);
CREATE UNIQUE INDEX IF NOT EXISTS dp_cells_final_once
  ON insights.dp_cells (tenant_id, bucket, family, key) WHERE final;
CREATE INDEX IF NOT EXISTS dp_cells_tenant_idx ON insights.dp_cells (tenant_id, final, bucket);

-- The 90% noise interval of each published figure (dp mode; NULL in threshold mode).
ALTER TABLE insights.breakdowns ADD COLUMN IF NOT EXISTS noise jsonb;
ALTER TABLE insights.trends ADD COLUMN IF NOT EXISTS noise jsonb;
ALTER TABLE insights.clusters ADD COLUMN IF NOT EXISTS noise jsonb;

GRANT SELECT, INSERT, UPDATE, DELETE ON insights.privacy_ledger, insights.dp_cells TO silhouette_worker;
GRANT SELECT ON insights.privacy_ledger TO silhouette_api;
-- Cells below the display threshold stay inside the worker (the API reads snapshots only).
REVOKE ALL ON insights.dp_cells FROM silhouette_api;
