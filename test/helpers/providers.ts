/** The production offline providers, for stacks that run a worker in tests. */
import type { Env } from '@silhouette/config';
import { OfflineEmbedder } from '@silhouette/clustering';
import { OfflineTagger } from '@silhouette/llm';
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
