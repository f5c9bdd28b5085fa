-- 0006: scheduled impact and quality reports (issue #6), and the per-bucket figures they need.
--
-- A report is a publication: the worker builds it from `insights` rows only (never from `sealed`),
-- and stores all of its files in one transaction, so a report is either complete or absent.

-- Per-bucket interval of minutes saved (the "all" series of a snapshot), for period reports.
ALTER TABLE insights.trends ADD COLUMN minutes_saved_low real;
ALTER TABLE insights.trends ADD COLUMN minutes_saved_high real;

CREATE TABLE app.report_schedules (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
  name text NOT NULL,
  report_type text NOT NULL CHECK (report_type IN ('impact', 'quality')),
  cron text NOT NULL,
  timezone text NOT NULL,
  period jsonb NOT NULL,
  formats text[] NOT NULL,
  recipients text[] NOT NULL DEFAULT '{}',
  webhook_url text,
  -- Signs webhook bodies (HMAC-SHA256); shown to the admin once, at creation.
  webhook_secret text,
  enabled boolean NOT NULL DEFAULT true,
  -- The newest schedule time already turned into a report: the tick resumes after it.
  last_slot_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX report_schedules_tenant_idx ON app.report_schedules (tenant_id);

CREATE TABLE insights.reports (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
  -- NULL for a report requested by hand. No foreign key: past reports stay listed under their
  -- schedule after it is deleted.
  schedule_id uuid,
  report_type text NOT NULL CHECK (report_type IN ('impact', 'quality')),
  formats text[] NOT NULL,
  period jsonb NOT NULL,
  -- The schedule time (or request time) this report belongs to.
  slot_at timestamptz NOT NULL,
  -- Idempotency: one report per schedule and schedule time, however many workers tick.
  idempotency_key text NOT NULL UNIQUE,
  status text NOT NULL DEFAULT 'pending'
    CHECK (status IN ('pending', 'rendering', 'ready', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  failure_reason text,
  title text,
  period_start timestamptz,
  period_end timestamptz,
  period_label text,
  snapshot_id uuid REFERENCES insights.snapshots (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz
);
CREATE INDEX reports_tenant_idx ON insights.reports (tenant_id, created_at DESC);
-- The worker's reconciler looks for unfinished reports and deliveries every minute.
CREATE INDEX reports_unfinished_idx ON insights.reports (created_at)
  WHERE status IN ('pending', 'rendering');

CREATE TABLE insights.report_files (
  report_id uuid NOT NULL REFERENCES insights.reports (id) ON DELETE CASCADE,
  tenant_id uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
  name text NOT NULL,
  format text NOT NULL CHECK (format IN ('html', 'pdf', 'csv')),
  content_type text NOT NULL,
  content bytea NOT NULL,
  sha256 text NOT NULL,
  PRIMARY KEY (report_id, name)
);

CREATE TABLE insights.report_deliveries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  report_id uuid NOT NULL REFERENCES insights.reports (id) ON DELETE CASCADE,
  tenant_id uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
  channel text NOT NULL CHECK (channel IN ('email', 'webhook')),
  target text NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  failure_reason text,
  delivered_at timestamptz,
  UNIQUE (report_id, channel, target)
);
CREATE INDEX report_deliveries_pending_idx ON insights.report_deliveries (report_id)
  WHERE status = 'pending';

GRANT SELECT, INSERT, UPDATE, DELETE ON app.report_schedules TO silhouette_api;
GRANT SELECT, INSERT ON insights.reports TO silhouette_api;
GRANT SELECT ON insights.report_files, insights.report_deliveries TO silhouette_api;
GRANT SELECT, INSERT, UPDATE, DELETE ON app.report_schedules, insights.reports,
  insights.report_files, insights.report_deliveries TO silhouette_worker;
