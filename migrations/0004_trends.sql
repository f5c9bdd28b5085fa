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
