-- Readable cluster names (issue #14): the offline namer now writes a short phrase as the name,
-- and the c-TF-IDF terms it used to join into the name are kept as the cluster's keywords, shown
-- apart from the name. Each keyword is a term that at least k_users distinct users wrote and that
-- passed the PII gate (and, with a model, the privacy auditor) before it is published.
ALTER TABLE sealed.clusters ADD COLUMN IF NOT EXISTS keywords text[] NOT NULL DEFAULT '{}';
ALTER TABLE insights.clusters ADD COLUMN IF NOT EXISTS keywords jsonb NOT NULL DEFAULT '[]'::jsonb;

-- Grants are per table, so the new columns follow the existing ones; restated for the record.
GRANT SELECT ON insights.clusters TO silhouette_api;
GRANT SELECT, INSERT, UPDATE, DELETE ON sealed.clusters TO silhouette_worker;
GRANT SELECT, INSERT, UPDATE, DELETE ON insights.clusters TO silhouette_worker;
