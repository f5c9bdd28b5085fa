-- 0012: what embedding the tenant's facet texts would send, in numbers only (issue #15, item 4).
--
-- A clustering run embeds each tagged conversation's "task; use case; goal" text (the worker's
-- `facetText`). The API prices that before a run but cannot read the sealed schema, so this
-- definer function returns the count of those texts and their token estimate, computed as
-- libs/llm `estimateTokens` does: a quarter token per character, one per CJK, kana, hangul or
-- full-width character and per character outside the Basic Multilingual Plane (emoji).
-- Numbered apart from 0022 and depending only on 0001/0002, so it applies in either order.

CREATE FUNCTION intake.embedding_estimate(p_tenant uuid)
RETURNS TABLE (texts integer, text_tokens bigint)
LANGUAGE sql
STABLE
SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $$
  WITH texts AS (
    SELECT f.task_type || '; ' || f.use_case || '; ' || f.goal_summary AS body
      FROM sealed.facets f
     WHERE f.tenant_id = p_tenant
  ), counted AS (
    SELECT char_length(body) AS chars,
           char_length(regexp_replace(body,
             '[^\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff\uff00-\uffef\U00010000-\U0010ffff]',
             '', 'g')) AS dense
      FROM texts
  )
  SELECT count(*)::integer,
         coalesce(sum(ceil((chars - dense) / 4.0 + dense)), 0)::bigint
    FROM counted
$$;

REVOKE ALL ON FUNCTION intake.embedding_estimate(uuid) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION intake.embedding_estimate(uuid) TO silhouette_api, silhouette_worker;
