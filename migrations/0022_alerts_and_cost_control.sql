-- 0022: alerts, cost control and sampling (issue #15, items 3 to 5).
--
-- Alerts: rules per tenant (control plane), and the alerts they raised, evaluated by the worker on
-- published snapshots only. One alert per rule, subject and period: the unique key makes a
-- re-evaluation (a retried job, two workers, a republished snapshot) raise it once.
-- Cost control: what the LLM cost per tenant and month, each tenant's budget and sample rate,
-- and the ingest-time token count of each conversation's tagging prompt, so a backlog can be
-- priced before anything is sent (the API cannot open sealed content).
-- Sampling: a tenant may tag a deterministic share of its conversations, chosen by a hash of
-- the conversation's pseudonym (`sealed.sample_bucket`), so 20% is always a subset of 50%.

CREATE TABLE app.alert_rules (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
  name text NOT NULL,
  kind text NOT NULL CHECK (kind IN ('failure_rate_rise', 'new_cluster', 'minutes_saved_drop', 'tagging_failures')),
  -- Thresholds and scope of the rule, validated by libs/contracts (alertRuleParamsSchema).
  params jsonb NOT NULL,
  recipients text[] NOT NULL DEFAULT '{}',
  webhook_url text,
  -- Signs webhook bodies (HMAC-SHA256, as report webhooks); shown to the admin once.
  webhook_secret text,
  enabled boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX alert_rules_tenant_idx ON app.alert_rules (tenant_id);

CREATE TABLE insights.alerts (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
  -- No foreign key: alerts stay listed after their rule is deleted (as reports do).
  rule_id uuid NOT NULL,
  rule_name text NOT NULL,
  kind text NOT NULL,
  -- What the alert is about: a stable cluster id, a team value, or 'tenant'.
  subject_key text NOT NULL,
  subject_label text NOT NULL,
  -- The period it belongs to: an ISO week ('2026-W49').
  period text NOT NULL,
  snapshot_id uuid REFERENCES insights.snapshots (id) ON DELETE SET NULL,
  -- Slack-compatible one-paragraph summary, built from published figures only.
  message text NOT NULL,
  -- The published figures compared (current, previous, threshold).
  figures jsonb NOT NULL,
  raised_at timestamptz NOT NULL DEFAULT now(),
  UNIQUE (rule_id, subject_key, period)
);
CREATE INDEX alerts_tenant_idx ON insights.alerts (tenant_id, raised_at DESC);

CREATE TABLE insights.alert_deliveries (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  alert_id uuid NOT NULL REFERENCES insights.alerts (id) ON DELETE CASCADE,
  tenant_id uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
  channel text NOT NULL CHECK (channel IN ('email', 'webhook')),
  target text NOT NULL,
  status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts integer NOT NULL DEFAULT 0,
  failure_reason text,
  delivered_at timestamptz,
  UNIQUE (alert_id, channel, target)
);
CREATE INDEX alert_deliveries_pending_idx ON insights.alert_deliveries (alert_id)
  WHERE status = 'pending';

CREATE TABLE app.tenant_cost_settings (
  tenant_id uuid PRIMARY KEY REFERENCES app.tenants (id) ON DELETE CASCADE,
  -- NULL: no tenant budget (the deployment's LLM_BUDGET_USD_PER_MONTH still applies).
  llm_budget_usd_per_month double precision CHECK (llm_budget_usd_per_month >= 0),
  -- Share of conversations tagged, in (0, 1].
  sample_rate double precision NOT NULL DEFAULT 1 CHECK (sample_rate > 0 AND sample_rate <= 1),
  updated_at timestamptz NOT NULL DEFAULT now()
);

-- Model calls per tenant, UTC month, task and model: counts and money, no content.
CREATE TABLE app.llm_spend (
  tenant_id uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
  month date NOT NULL,
  task text NOT NULL,
  model text NOT NULL,
  calls integer NOT NULL DEFAULT 0,
  prompt_tokens bigint NOT NULL DEFAULT 0,
  completion_tokens bigint NOT NULL DEFAULT 0,
  cost_usd double precision NOT NULL DEFAULT 0,
  -- Calls of a model with no price in LLM_PRICES (counted, cost unknown).
  unpriced_calls integer NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant_id, month, task, model)
);
CREATE INDEX llm_spend_month_idx ON app.llm_spend (month);

-- Estimated tokens of the conversation as the tagger renders it (clipped, truncated from the
-- middle), counted by the API at ingest; NULL for conversations stored before 0022.
ALTER TABLE sealed.conversations ADD COLUMN IF NOT EXISTS prompt_tokens integer;

-- paused_budget: waiting for the month's LLM budget (resumed next month or when it is raised);
-- not_sampled: outside the tenant's sample, never sent to a model.
ALTER TABLE sealed.conversations DROP CONSTRAINT IF EXISTS conversations_status_check;
ALTER TABLE sealed.conversations ADD CONSTRAINT conversations_status_check
  CHECK (status IN ('accepted', 'waiting_for_idle', 'tagged', 'embedded', 'failed', 'paused_budget', 'not_sampled'));
CREATE INDEX IF NOT EXISTS conversations_paused_idx ON sealed.conversations (tenant_id)
  WHERE status = 'paused_budget';

-- A conversation's place in [0, 2^32) for sampling: the first 32 bits of sha256(pseudonym).
-- In the sample at rate r when sample_bucket < r * 2^32.
CREATE FUNCTION sealed.sample_bucket(p_key text) RETURNS bigint
LANGUAGE sql
IMMUTABLE
STRICT
AS $$
  SELECT ('x' || substr(encode(sha256(convert_to(p_key, 'UTF8')), 'hex'), 1, 8))::bit(32)::bigint
$$;

-- The API's door, as in 0018, now also storing the ingest-time token count (`prompt_tokens`).
CREATE OR REPLACE FUNCTION intake.accept_conversations(
  p_tenant uuid,
  p_key_id integer,
  p_ephemeral_public_key bytea,
  p_records jsonb,
  p_wait_for_idle boolean DEFAULT false
) RETURNS TABLE (external_id text, conversation_id uuid, outcome text)
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  WITH input AS (
    SELECT r.*
      FROM jsonb_to_recordset(p_records) AS r(
        external_id text, user_pseudonym text, started_at timestamptz, message_count integer,
        content_bytes integer, message_hashes text[], nonce text, ciphertext text,
        prompt_tokens integer
      )
     WHERE EXISTS (
       SELECT 1 FROM app.tenant_sealing_keys k WHERE k.tenant_id = p_tenant AND k.key_id = p_key_id
     )
  ),
  classified AS (
    SELECT i.*, c.id AS stored_id, c.message_hashes AS stored_hashes,
           CASE
             WHEN c.id IS NULL THEN 'accepted'
             WHEN c.user_pseudonym <> i.user_pseudonym THEN 'user_conflict'
             WHEN c.message_hashes IS NULL OR i.message_hashes IS NULL THEN 'duplicate'
             WHEN c.message_hashes = i.message_hashes THEN 'duplicate'
             WHEN cardinality(i.message_hashes) < cardinality(c.message_hashes)
                  AND c.message_hashes[1:cardinality(i.message_hashes)] = i.message_hashes THEN 'duplicate'
             WHEN cardinality(i.message_hashes) > cardinality(c.message_hashes)
                  AND i.message_hashes[1:cardinality(c.message_hashes)] = c.message_hashes THEN 'updated'
             ELSE 'conflict'
           END AS outcome
      FROM input i
      LEFT JOIN sealed.conversations c ON c.tenant_id = p_tenant AND c.external_id = i.external_id
  ),
  inserted AS (
    INSERT INTO sealed.conversations AS c (
      tenant_id, external_id, user_pseudonym, started_at, message_count, content_bytes,
      message_hashes, key_id, ephemeral_public_key, nonce, ciphertext, status, content_sealed_at,
      prompt_tokens
    )
    SELECT p_tenant, k.external_id, k.user_pseudonym, k.started_at, k.message_count,
           k.content_bytes, k.message_hashes, p_key_id, p_ephemeral_public_key,
           decode(k.nonce, 'base64'), decode(k.ciphertext, 'base64'),
           CASE WHEN p_wait_for_idle THEN 'waiting_for_idle' ELSE 'accepted' END, now(),
           k.prompt_tokens
      FROM classified k
     WHERE k.outcome = 'accepted'
    ON CONFLICT (tenant_id, external_id) DO NOTHING
    RETURNING c.external_id, c.id
  ),
  updated AS (
    UPDATE sealed.conversations c
       SET message_count = k.message_count, content_bytes = k.content_bytes,
           message_hashes = k.message_hashes, key_id = p_key_id,
           ephemeral_public_key = p_ephemeral_public_key, nonce = decode(k.nonce, 'base64'),
           ciphertext = decode(k.ciphertext, 'base64'), content_deleted_at = NULL,
           content_sealed_at = now(), prompt_tokens = k.prompt_tokens,
           started_at = coalesce(c.started_at, k.started_at), revision = c.revision + 1,
           status = 'waiting_for_idle', status_at = now(), last_error = NULL
      FROM classified k
     WHERE k.outcome = 'updated' AND c.id = k.stored_id AND c.message_hashes = k.stored_hashes
    RETURNING c.external_id, c.id
  )
  SELECT k.external_id,
         coalesce(i.id, u.id, k.stored_id),
         CASE
           WHEN k.outcome = 'accepted' AND i.id IS NULL THEN 'retry'
           WHEN k.outcome = 'updated' AND u.id IS NULL THEN 'retry'
           ELSE k.outcome
         END
    FROM classified k
    LEFT JOIN inserted i ON i.external_id = k.external_id
    LEFT JOIN updated u ON u.external_id = k.external_id
$$;

-- What tagging the backlog would send, in numbers only (the API prices it; it cannot read the
-- sealed schema). The backlog is everything not tagged yet (accepted, waiting for idle, paused,
-- failed) inside the tenant's sample at `p_sample_rate`. Rows stored before 0022 have no token
-- count: they are counted apart with their content bytes, capped like the tagger's truncation.
CREATE FUNCTION intake.backlog_estimate(p_tenant uuid, p_sample_rate double precision, p_max_tokens integer)
RETURNS TABLE (
  backlog integer,
  in_sample integer,
  measured integer,
  measured_tokens bigint,
  unmeasured integer,
  unmeasured_tokens bigint,
  tagged integer,
  mean_completion_tokens double precision
)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  WITH backlog AS (
    SELECT c.prompt_tokens, c.content_bytes,
           sealed.sample_bucket(c.external_id) < p_sample_rate * 4294967296 AS sampled
      FROM sealed.conversations c
     WHERE c.tenant_id = p_tenant
       AND c.status IN ('accepted', 'waiting_for_idle', 'paused_budget', 'failed')
  )
  SELECT (SELECT count(*)::integer FROM backlog),
         (SELECT count(*)::integer FROM backlog WHERE sampled),
         (SELECT count(*)::integer FROM backlog WHERE sampled AND prompt_tokens IS NOT NULL),
         (SELECT coalesce(sum(prompt_tokens), 0)::bigint FROM backlog WHERE sampled AND prompt_tokens IS NOT NULL),
         (SELECT count(*)::integer FROM backlog WHERE sampled AND prompt_tokens IS NULL),
         (SELECT coalesce(sum(least(ceil(content_bytes / 4.0), p_max_tokens)), 0)::bigint
            FROM backlog WHERE sampled AND prompt_tokens IS NULL),
         (SELECT count(*)::integer FROM sealed.facets f WHERE f.tenant_id = p_tenant),
         (SELECT avg(f.completion_tokens)::double precision FROM sealed.facets f
           WHERE f.tenant_id = p_tenant AND f.completion_tokens > 0)
$$;

GRANT SELECT, INSERT, UPDATE, DELETE ON app.alert_rules TO silhouette_api;
GRANT SELECT ON insights.alerts, insights.alert_deliveries TO silhouette_api;
GRANT SELECT, INSERT, UPDATE ON app.tenant_cost_settings TO silhouette_api;
GRANT SELECT ON app.llm_spend TO silhouette_api;
REVOKE ALL ON FUNCTION intake.backlog_estimate(uuid, double precision, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION intake.backlog_estimate(uuid, double precision, integer)
  TO silhouette_api, silhouette_worker;
REVOKE ALL ON FUNCTION sealed.sample_bucket(text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION sealed.sample_bucket(text) TO silhouette_worker;
GRANT SELECT, INSERT, UPDATE, DELETE ON app.alert_rules, insights.alerts, insights.alert_deliveries,
  app.tenant_cost_settings, app.llm_spend TO silhouette_worker;
