-- 0020: drop the HNSW indexes on sealed.conversation_embeddings (0003), decided by measurement.
--
-- No query reads them. The only pgvector search, the assignment of new conversations to the
-- nearest base cluster between full runs, orders the run's cluster centroids by distance to each
-- conversation's embedding: it reaches the embeddings by primary key and the centroids through
-- sealed.clusters' primary key (EXPLAIN ANALYZE in `npm run bench -- scale`, identical plans with
-- and without the index). Keeping them cost every full run an index build or upkeep over all
-- vectors (README, "Scale check"), and capped embeddings at HNSW's 2,000 dimensions.
DO $$
DECLARE
  r record;
BEGIN
  FOR r IN
    SELECT indexname FROM pg_indexes
     WHERE schemaname = 'sealed' AND tablename = 'conversation_embeddings'
       AND indexname LIKE 'conversation_embeddings_hnsw_%'
  LOOP
    EXECUTE format('DROP INDEX sealed.%I', r.indexname);
  END LOOP;
END
$$;

DROP FUNCTION IF EXISTS sealed.ensure_embedding_index(integer);

-- Unchanged: the worker keeps its table grants from 0001 (declared here for the record).
GRANT SELECT, INSERT, UPDATE, DELETE ON sealed.conversation_embeddings TO silhouette_worker;
