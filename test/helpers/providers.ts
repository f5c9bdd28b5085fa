/** The production offline providers, for stacks that run a worker in tests. */
import type { Env } from '@silhouette/config';
import { OfflineEmbedder } from '@silhouette/clustering';
import { LlmTagger, OfflineTagger, StructuredLlmClient } from '@silhouette/llm';
import { scrubPii } from '@silhouette/privacy';
import type { WorkerDeps } from '@silhouette/worker';

export function offlineProviders(_env: Env): Pick<WorkerDeps, 'tagger' | 'scrub' | 'embedderFor'> {
  return {
    tagger: new OfflineTagger(),
    embedderFor: async (texts, previousState) => {
      const embedder = previousState
        ? OfflineEmbedder.fromBytes(previousState)
        : OfflineEmbedder.fit(texts);
      return { embedder, state: Buffer.from(embedder.toBytes()) };
    },
    scrub: (text) => {
      const result = scrubPii(text);
      return { text: result.text, redactions: result.redactions };
    },
  };
}

/** The OpenAI-compatible tagger against a scripted server; offline embeddings. */
export function scriptedLlmProviders(server: { baseURL: string }) {
  return (env: Env): Pick<WorkerDeps, 'tagger' | 'scrub' | 'embedderFor'> => ({
    ...offlineProviders(env),
    tagger: new LlmTagger({
      client: new StructuredLlmClient({
        baseURL: server.baseURL,
        apiKey: 'test',
        maxAttempts: 2,
        baseDelayMs: 5,
        maxDelayMs: 20,
        timeoutMs: 3000,
        concurrency: env.TAG_CONCURRENCY,
      }),
      model: env.TAG_MODEL,
    }),
  });
}
