-- 0024: the noisy cells of a publication, one row per (publication, week, family) instead of one
-- per cell (0009's insights.dp_cells).
--
-- A first publication of a 1M-conversation tenant releases every cluster's and map node's figures
-- for 13 weeks. As rows, each with three B-tree entries on its text keys, writing them was the
-- largest write of the whole cluster job (README, "Scale check"). A week's family is released
-- and read together, so it is stored together: `cells` maps each key to its noisy figures and
-- their noise σ, exactly as before.
CREATE TABLE IF NOT EXISTS insights.dp_cell_sets (
  tenant_id uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
  publication_id uuid NOT NULL REFERENCES insights.privacy_ledger (id) ON DELETE CASCADE,
  bucket text NOT NULL CHECK (bucket ~ '^[0-9]{4}-W[0-9]{2}$'),
  final boolean NOT NULL,
  family text NOT NULL,
  -- key → {"figures": {figure: noisy value}, "sigma": {figure: σ}}
  cells jsonb NOT NULL CHECK (jsonb_typeof(cells) = 'object'),
  PRIMARY KEY (publication_id, bucket, family)
);
-- A closed week is released once: a second final release of any of its families is refused.
CREATE UNIQUE INDEX IF NOT EXISTS dp_cell_sets_final_once
  ON insights.dp_cell_sets (tenant_id, bucket, family) WHERE final;
CREATE INDEX IF NOT EXISTS dp_cell_sets_tenant_idx ON insights.dp_cell_sets (tenant_id, final, bucket);

INSERT INTO insights.dp_cell_sets (tenant_id, publication_id, bucket, final, family, cells)
SELECT tenant_id, publication_id, bucket, final, family,
       jsonb_object_agg(key, jsonb_build_object('figures', figures, 'sigma', sigma))
  FROM insights.dp_cells
 GROUP BY tenant_id, publication_id, bucket, final, family;

DROP TABLE insights.dp_cells;

-- The cells one per row, for reading (operators' queries, tests); nothing writes through it.
CREATE VIEW insights.dp_cells AS
SELECT s.tenant_id, s.publication_id, s.bucket, s.final, s.family, c.key,
       c.value -> 'figures' AS figures, c.value -> 'sigma' AS sigma
  FROM insights.dp_cell_sets s
 CROSS JOIN LATERAL jsonb_each(s.cells) AS c (key, value);

GRANT SELECT, INSERT, UPDATE, DELETE ON insights.dp_cell_sets TO silhouette_worker;
GRANT SELECT ON insights.dp_cells TO silhouette_worker;
-- Cells below the display threshold stay inside the worker (the API reads snapshots only); the
-- schema's default privileges would let the API read new tables.
REVOKE ALL ON insights.dp_cell_sets, insights.dp_cells FROM silhouette_api;
