-- 0001: schemas, roles, tenants and keys, the sealed conversation store and its intake door.
--
-- Boundary: `sealed` holds content and per-conversation derived data and is reachable only by
-- silhouette_worker. The API (silhouette_api) writes new conversations through one SECURITY
-- DEFINER function in `intake` and can never read them back. `insights` holds what may be
-- published; `app` is the control plane (tenants, API keys, audit log).

CREATE EXTENSION IF NOT EXISTS vector;

DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'silhouette_api') THEN
    CREATE ROLE silhouette_api NOLOGIN;
  END IF;
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'silhouette_worker') THEN
    CREATE ROLE silhouette_worker NOLOGIN;
  END IF;
  -- A non-superuser owner must be a member to act as these roles (SET ROLE) on its own pools.
  IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
    EXECUTE format('GRANT silhouette_api, silhouette_worker TO %I', current_user);
  END IF;
END
$$;

CREATE SCHEMA IF NOT EXISTS app;
CREATE SCHEMA IF NOT EXISTS intake;
CREATE SCHEMA IF NOT EXISTS sealed;
CREATE SCHEMA IF NOT EXISTS insights;
REVOKE ALL ON SCHEMA sealed FROM PUBLIC;
REVOKE ALL ON SCHEMA intake FROM PUBLIC;

-- Control plane -------------------------------------------------------------------------------

CREATE TABLE app.tenants (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  name text NOT NULL,
  k_users integer NOT NULL DEFAULT 5 CHECK (k_users >= 2),
  min_conversations integer NOT NULL DEFAULT 10 CHECK (min_conversations >= 2),
  -- NULL: delete content as soon as it has been processed; otherwise keep it this many days.
  retention_days integer CHECK (retention_days IS NULL OR retention_days >= 0),
  settings jsonb NOT NULL DEFAULT '{}'::jsonb,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE app.api_keys (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
  scope text NOT NULL CHECK (scope IN ('ingest', 'read', 'admin')),
  label text NOT NULL DEFAULT '',
  -- Shown in listings so a key can be recognised; the full key is shown once, at creation.
  key_prefix text NOT NULL,
  -- SHA-256 of the whole key (keys are 256-bit random, so a fast hash is the right tool).
  key_hash text NOT NULL UNIQUE,
  created_at timestamptz NOT NULL DEFAULT now(),
  last_used_at timestamptz,
  revoked_at timestamptz
);
CREATE INDEX api_keys_tenant_idx ON app.api_keys (tenant_id);

-- Public halves of the per-tenant sealing keys: the API encrypts with them, cannot decrypt.
CREATE TABLE app.tenant_sealing_keys (
  tenant_id uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
  key_id integer NOT NULL,
  public_key bytea NOT NULL,
  active boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, key_id)
);
CREATE UNIQUE INDEX tenant_sealing_keys_one_active ON app.tenant_sealing_keys (tenant_id) WHERE active;

CREATE TABLE app.audit_log (
  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  tenant_id uuid REFERENCES app.tenants (id) ON DELETE CASCADE,
  actor text NOT NULL,
  action text NOT NULL,
  resource text NOT NULL,
  details jsonb NOT NULL DEFAULT '{}'::jsonb,
  at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_tenant_at_idx ON app.audit_log (tenant_id, at);

CREATE TABLE app.erasure_requests (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
  user_pseudonym text NOT NULL,
  requested_at timestamptz NOT NULL DEFAULT now(),
  completed_at timestamptz,
  conversations_erased integer
);

-- Sealed store --------------------------------------------------------------------------------

-- Private halves, wrapped (AES-256-GCM) by the master key that only the worker holds.
CREATE TABLE sealed.tenant_private_keys (
  tenant_id uuid NOT NULL,
  key_id integer NOT NULL,
  wrapped_private_key bytea NOT NULL,
  master_key_id text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (tenant_id, key_id),
  FOREIGN KEY (tenant_id, key_id) REFERENCES app.tenant_sealing_keys (tenant_id, key_id) ON DELETE CASCADE
);

CREATE TABLE sealed.conversations (
  id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  tenant_id uuid NOT NULL REFERENCES app.tenants (id) ON DELETE CASCADE,
  external_id text NOT NULL,
  user_pseudonym text NOT NULL,
  started_at timestamptz,
  metadata jsonb NOT NULL DEFAULT '{}'::jsonb,
  message_count integer NOT NULL,
  content_bytes integer NOT NULL,
  -- Envelope: AES-256-GCM under a key agreed (X25519) between a per-batch ephemeral key and the
  -- tenant's sealing key `key_id`. NULL once retention has deleted the content.
  key_id integer NOT NULL,
  ephemeral_public_key bytea,
  nonce bytea,
  ciphertext bytea,
  status text NOT NULL DEFAULT 'accepted' CHECK (status IN ('accepted', 'tagged', 'embedded', 'failed')),
  last_error text,
  ingested_at timestamptz NOT NULL DEFAULT now(),
  status_at timestamptz NOT NULL DEFAULT now(),
  content_deleted_at timestamptz,
  UNIQUE (tenant_id, external_id)
);
CREATE INDEX conversations_tenant_status_idx ON sealed.conversations (tenant_id, status, status_at);
CREATE INDEX conversations_tenant_user_idx ON sealed.conversations (tenant_id, user_pseudonym);

-- The API's only way in: insert-or-skip, returning the rows that were new. Runs as the owner.
CREATE FUNCTION intake.accept_conversations(
  p_tenant uuid,
  p_key_id integer,
  p_ephemeral_public_key bytea,
  p_records jsonb
) RETURNS TABLE (external_id text, conversation_id uuid)
LANGUAGE sql
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  INSERT INTO sealed.conversations AS c (
    tenant_id, external_id, user_pseudonym, started_at, metadata, message_count, content_bytes,
    key_id, ephemeral_public_key, nonce, ciphertext
  )
  SELECT p_tenant, r.external_id, r.user_pseudonym, r.started_at, coalesce(r.metadata, '{}'::jsonb),
         r.message_count, r.content_bytes, p_key_id, p_ephemeral_public_key,
         decode(r.nonce, 'base64'), decode(r.ciphertext, 'base64')
  FROM jsonb_to_recordset(p_records) AS r(
    external_id text, user_pseudonym text, started_at timestamptz, metadata jsonb,
    message_count integer, content_bytes integer, nonce text, ciphertext text
  )
  WHERE EXISTS (
    SELECT 1 FROM app.tenant_sealing_keys k WHERE k.tenant_id = p_tenant AND k.key_id = p_key_id
  )
  ON CONFLICT (tenant_id, external_id) DO NOTHING
  RETURNING c.external_id, c.id
$$;

-- Aggregate pipeline counts for one tenant: numbers only, so the API may show progress.
CREATE FUNCTION intake.pipeline_status(p_tenant uuid)
RETURNS TABLE (status text, conversations integer, content_deleted integer)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  SELECT c.status, count(*)::integer, count(c.content_deleted_at)::integer
    FROM sealed.conversations c
   WHERE c.tenant_id = p_tenant
   GROUP BY c.status
$$;

-- Grants --------------------------------------------------------------------------------------

GRANT USAGE ON SCHEMA app, intake, insights TO silhouette_api;
GRANT SELECT ON app.tenants, app.tenant_sealing_keys TO silhouette_api;
GRANT UPDATE (k_users, min_conversations, retention_days, settings) ON app.tenants TO silhouette_api;
GRANT SELECT, INSERT, UPDATE ON app.api_keys TO silhouette_api;
GRANT SELECT, INSERT ON app.audit_log, app.erasure_requests TO silhouette_api;
REVOKE ALL ON FUNCTION intake.accept_conversations(uuid, integer, bytea, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION intake.accept_conversations(uuid, integer, bytea, jsonb)
  TO silhouette_api, silhouette_worker;
REVOKE ALL ON FUNCTION intake.pipeline_status(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION intake.pipeline_status(uuid) TO silhouette_api, silhouette_worker;
ALTER DEFAULT PRIVILEGES IN SCHEMA insights GRANT SELECT ON TABLES TO silhouette_api;

GRANT USAGE ON SCHEMA app, intake, sealed, insights TO silhouette_worker;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA app, sealed, insights TO silhouette_worker;
ALTER DEFAULT PRIVILEGES IN SCHEMA app, sealed, insights
  GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO silhouette_worker;
ALTER DEFAULT PRIVILEGES IN SCHEMA app, sealed, insights
  GRANT USAGE, SELECT ON SEQUENCES TO silhouette_worker;
