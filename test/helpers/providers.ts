/** The production offline providers, for stacks that run a worker in tests. */
import type { Env } from '@silhouette/config';
import { OfflineTagger } from '@silhouette/llm';
import { scrubPii } from '@silhouette/privacy';
import type { WorkerDeps } from '@silhouette/worker';

export function offlineProviders(_env: Env): Pick<WorkerDeps, 'tagger' | 'scrub'> {
  return {
    tagger: new OfflineTagger(),
    scrub: (text) => {
      const result = scrubPii(text);
      return { text: result.text, redactions: result.redactions };
    },
  };
}
