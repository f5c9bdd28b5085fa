import type { Env } from '@silhouette/config';
import type { Database } from '@silhouette/db';
import type { FacetTagger } from '@silhouette/llm';
import type { QueueDriver } from '@silhouette/queue';
import type { SealedConversationStore } from '@silhouette/sealed';
import type { Logger, Metrics } from '@silhouette/telemetry';

/** Everything a worker process needs; it alone holds the master key (inside `store`). */
export interface WorkerDeps {
  env: Env;
  /** Connection acting as silhouette_worker. */
  db: Database;
  queue: QueueDriver;
  store: SealedConversationStore;
  tagger: FacetTagger;
  /** Removes PII from a free-text facet; returns the count of spans removed. */
  scrub: (text: string) => { text: string; redactions: number };
  logger: Logger;
  metrics: Metrics;
}
