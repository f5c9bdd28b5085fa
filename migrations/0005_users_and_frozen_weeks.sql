-- 0005: user accounts for the dashboard (per tenant, scope read or admin), sign-in throttling,
-- and frozen weekly figures.

-- People who sign in to the dashboard: the customer's own staff, never end users of the
-- assistant. The email is their personal data, used only to sign in. Passwords are stored as
-- scrypt hashes with a per-user salt (`scrypt$N$r$p$salt$hash`), never in a default select.
CREATE TABLE app.users (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
  email text NOT NULL CHECK (email = lower(email) AND length(email) BETWEEN 3 AND 254),
  scope text NOT NULL CHECK (scope IN ('read', 'admin')),
  password_hash text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_sign_in_at timestamptz,
  -- Disabled users cannot sign in, and their sessions stop working at once.
  disabled_at timestamptz,
  UNIQUE (tenant_id, email)
);

GRANT SELECT, INSERT ON app.users TO silhouette_api;
GRANT UPDATE (last_sign_in_at, disabled_at) ON app.users TO silhouette_api;

-- A session is opened with either an API key or a user account, and dies with either.
ALTER TABLE app.sessions ALTER COLUMN key_id DROP NOT NULL;
ALTER TABLE app.sessions ADD COLUMN user_id uuid REFERENCES app.users (id) ON DELETE CASCADE;
ALTER TABLE app.sessions
  ADD CONSTRAINT sessions_one_credential CHECK ((key_id IS NULL) <> (user_id IS NULL));
CREATE INDEX sessions_user_idx ON app.sessions (user_id);

-- Failed password sign-ins per account and per client address, in fixed windows, shared by every
-- API process. Buckets are SHA-256 hashes ("account:<tenant>/<email>", "ip:<address>"), so the
-- table holds neither emails nor addresses in clear; rows of unknown accounts count the same as
-- rows of real ones, so throttling does not reveal which accounts exist.
CREATE TABLE app.sign_in_failures (
  bucket text PRIMARY KEY,
  failures integer NOT NULL,
  window_start timestamptz NOT NULL
);

GRANT SELECT, INSERT, UPDATE, DELETE ON app.sign_in_failures TO silhouette_api;

-- Frozen weeks: once an ISO week is over and has been published, its tenant-level weekly figures
-- (the overview's weekly row and the weekly trend rows by domain, task type and top-level cluster)
-- are kept as first published. Later publications copy them instead of recomputing, and count
-- conversations that arrive late for a frozen week in the week of publication. README, "Frozen
-- weeks", has the rule and what erasure does to it.
CREATE TABLE insights.frozen_weeks (
  tenant_id uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
  week text NOT NULL CHECK (week ~ '^[0-9]{4}-W[0-9]{2}$'),
  -- The snapshot that first published the figures (kept as a plain id: the figures stand alone).
  snapshot_id uuid NOT NULL,
  figures jsonb NOT NULL,
  frozen_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, week)
);

GRANT SELECT ON insights.frozen_weeks TO silhouette_api;

-- Which frozen week's figures a conversation is counted in (NULL: none). A conversation dated in a
-- frozen week but not marked arrived late, and is counted in the week of publication instead.
ALTER TABLE sealed.facets ADD COLUMN frozen_week text;
CREATE INDEX facets_frozen_week_idx ON sealed.facets (tenant_id, frozen_week)
  WHERE frozen_week IS NOT NULL;

-- Erasures not yet applied to frozen weeks: per week, how many erased people had conversations in
-- it, and how many conversations. Inside the boundary: a count of erased people per week is never
-- published. A week is recomputed once the pending erasures form a cell that meets the tenant's
-- thresholds, so no change of a frozen figure isolates fewer than k_users people.
CREATE TABLE sealed.frozen_week_erasures (
  tenant_id uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
  week text NOT NULL,
  users integer NOT NULL,
  conversations integer NOT NULL,
  PRIMARY KEY (tenant_id, week)
);

-- Pages of one level of the tree (the base level of a large tenant has tens of thousands of
-- clusters), in the list's order: size, then id.
CREATE INDEX insights_clusters_page_idx
  ON insights.clusters (snapshot_id, level, conversations DESC, cluster_id);
