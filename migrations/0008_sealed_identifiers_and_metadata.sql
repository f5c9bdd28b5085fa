-- 0008: identifiers and metadata at rest (issue #10, finding 3).
--
-- From this version the API stores conversation ids as keyed pseudonyms (`c_…`, HMAC per tenant,
-- like user ids) and seals the record's metadata inside the envelope with the messages, so
-- `sealed.conversations.external_id` and `.metadata` hold nothing a client sent in clear. The
-- worker copies the allow-listed metadata values that pass the PII detector onto the facet row
-- (a value that fails becomes '(withheld)'); publishing reads them from there.
--
-- Rows stored before this migration keep their original id (their envelopes are bound to it)
-- and their metadata column until they are tagged; tagging now clears the column.
-- No new grants: silhouette_worker already has every privilege on sealed tables (0001), and
-- silhouette_api has none.

ALTER TABLE sealed.facets ADD COLUMN IF NOT EXISTS metadata jsonb NOT NULL DEFAULT '{}'::jsonb;

-- Facet rows made before: take the allow-listed values from the conversation (they were
-- published from there until now; the publishing gate checks every published value).
UPDATE sealed.facets f
   SET metadata = coalesce((
         SELECT jsonb_object_agg(m.key, m.value)
           FROM jsonb_each_text(c.metadata) m
          WHERE m.key IN ('team', 'department', 'product', 'model', 'locale', 'feedback')
       ), '{}'::jsonb)
  FROM sealed.conversations c
 WHERE c.id = f.conversation_id AND c.metadata <> '{}'::jsonb;

UPDATE sealed.conversations c
   SET metadata = '{}'::jsonb
 WHERE c.metadata <> '{}'::jsonb
   AND EXISTS (SELECT 1 FROM sealed.facets f WHERE f.conversation_id = c.id);
