-- 0023: stop keeping a vector per conversation (sealed.conversation_embeddings, 0003).
--
-- Nothing reads them. A full run embeds every conversation again (the offline model is refitted
-- as the corpus grows, and vectors of two spaces cannot be mixed), and new conversations join a
-- run by the distance of their fresh vectors to the run's centroids, in memory (sealed.clusters
-- keeps the centroids). Writing them cost a full run at 1M conversations 41 s of its 624
-- (README, "Scale check"), and an embedding is a close copy of a conversation's summary that
-- can be inverted to text: inside the sealed boundary or not, what is not kept cannot leak.
DROP TABLE IF EXISTS sealed.conversation_embeddings;
