-- 0018: conversations that grow (issue #13, item 1).
--
-- An id re-sent with the same messages plus new turns replaces the sealed content; the
-- conversation waits until it has been idle for CONVERSATION_IDLE_S and is then tagged again, and
-- its facet row is replaced (one row per conversation, so it is counted once everywhere).
-- The comparison uses keyed per-message hashes stored beside the envelope: an HMAC per tenant
-- over (conversation pseudonym, position, role, content), computed by the API. They reveal
-- neither the text nor whether two conversations share a message, and they outlive the content,
-- so a conversation can grow after retention deleted what it said so far.

ALTER TABLE sealed.conversations ADD COLUMN IF NOT EXISTS message_hashes text[];
-- Bumped each time the conversation grows; the facet row records the revision it describes.
ALTER TABLE sealed.conversations ADD COLUMN IF NOT EXISTS revision integer NOT NULL DEFAULT 1;
ALTER TABLE sealed.facets ADD COLUMN IF NOT EXISTS revision integer NOT NULL DEFAULT 1;
-- When the current content was sealed (insert or growth): a retention period counts from here,
-- so content that grew is not deleted before it has been tagged. NULL before 0018: ingested_at.
ALTER TABLE sealed.conversations ADD COLUMN IF NOT EXISTS content_sealed_at timestamptz;

-- waiting_for_idle: stored, not to be tagged before it has been idle (status_at is its last growth).
ALTER TABLE sealed.conversations DROP CONSTRAINT IF EXISTS conversations_status_check;
ALTER TABLE sealed.conversations ADD CONSTRAINT conversations_status_check
  CHECK (status IN ('accepted', 'waiting_for_idle', 'tagged', 'embedded', 'failed'));
CREATE INDEX IF NOT EXISTS conversations_waiting_idx ON sealed.conversations (status_at)
  WHERE status = 'waiting_for_idle';

-- The API's door, now also for growth. Per record, against what is stored under its id:
--   accepted   new id: inserted ('waiting_for_idle' when p_wait_for_idle: spans still arriving)
--   duplicate  the same messages, or an earlier copy of them (a prefix), or a row stored before
--              this migration (no hashes to compare)
--   updated    the stored messages plus new ones: content replaced, revision + 1, waiting
--   conflict   different earlier messages; user_conflict: another user's id; nothing changes
--   retry      changed by a concurrent request meanwhile; nothing changes
DROP FUNCTION IF EXISTS intake.accept_conversations(uuid, integer, bytea, jsonb);
CREATE FUNCTION intake.accept_conversations(
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
        content_bytes integer, message_hashes text[], nonce text, ciphertext text
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
      message_hashes, key_id, ephemeral_public_key, nonce, ciphertext, status, content_sealed_at
    )
    SELECT p_tenant, k.external_id, k.user_pseudonym, k.started_at, k.message_count,
           k.content_bytes, k.message_hashes, p_key_id, p_ephemeral_public_key,
           decode(k.nonce, 'base64'), decode(k.ciphertext, 'base64'),
           CASE WHEN p_wait_for_idle THEN 'waiting_for_idle' ELSE 'accepted' END, now()
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
           content_sealed_at = now(),
           started_at = coalesce(c.started_at, k.started_at), revision = c.revision + 1,
           status = 'waiting_for_idle', status_at = now(), last_error = NULL
      FROM classified k
     WHERE k.outcome = 'updated' AND c.id = k.stored_id AND c.message_hashes = k.stored_hashes
    RETURNING c.external_id, c.id
  )
  SELECT k.external_id,
         coalesce(i.id, u.id, k.stored_id),
         CASE
           -- Lost a race with a concurrent insert of the same id: that copy is stored.
           WHEN k.outcome = 'accepted' AND i.id IS NULL THEN 'retry'
           WHEN k.outcome = 'updated' AND u.id IS NULL THEN 'retry'
           ELSE k.outcome
         END
    FROM classified k
    LEFT JOIN inserted i ON i.external_id = k.external_id
    LEFT JOIN updated u ON u.external_id = k.external_id
$$;

REVOKE ALL ON FUNCTION intake.accept_conversations(uuid, integer, bytea, jsonb, boolean) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION intake.accept_conversations(uuid, integer, bytea, jsonb, boolean)
  TO silhouette_api, silhouette_worker;
-- silhouette_worker already has every privilege on sealed tables (0001); silhouette_api none.
