-- 0021: the issues map and short-text maps (issue #15) publish keywords like the topic tree
-- (0015): the c-TF-IDF terms of a map cluster's texts, each written by at least k_users distinct
-- users, through the PII gate (and, with a model, the privacy auditor) before it is published.
ALTER TABLE insights.map_clusters ADD COLUMN IF NOT EXISTS keywords jsonb NOT NULL DEFAULT '[]'::jsonb;

-- Grants are per table, so the new column follows the existing ones; restated for the record.
GRANT SELECT ON insights.map_clusters TO silhouette_api;
GRANT SELECT, INSERT, UPDATE, DELETE ON insights.map_clusters TO silhouette_worker;
