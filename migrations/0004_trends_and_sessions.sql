-- 0004: published time series per facet value (trends), gated per bucket like every other cell.

CREATE TABLE insights.trends (
  snapshot_id uuid NOT NULL REFERENCES insights.snapshots (id) ON DELETE CASCADE,
  tenant_id uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
  facet text NOT NULL,
  interval text NOT NULL CHECK (interval IN ('week', 'month')),
  bucket text NOT NULL,
  value text NOT NULL,
  is_other boolean NOT NULL DEFAULT false,
  conversations integer NOT NULL,
  distinct_users integer NOT NULL,
  minutes_saved_total real NOT NULL,
  PRIMARY KEY (snapshot_id, facet, interval, bucket, value)
);

GRANT SELECT ON insights.trends TO silhouette_api;

-- Dashboard sessions: a signed-in browser holds an httpOnly cookie whose hash is stored here; the
-- session acts with the scope of the key it was opened with, and dies with that key.
CREATE TABLE app.sessions (
  token_hash text PRIMARY KEY,
  tenant_id uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
  key_id uuid NOT NULL REFERENCES app.api_keys (id) ON DELETE CASCADE,
  csrf_token text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_expiry_idx ON app.sessions (expires_at);

GRANT SELECT, INSERT, DELETE ON app.sessions TO silhouette_api;
