import type { Env } from '@silhouette/config';
import type { Database } from '@silhouette/db';
import type { Embedder } from '@silhouette/clustering';
import type { FacetTagger, LlmCall } from '@silhouette/llm';
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
  /**
   * The embedding space for one clustering run over `texts`. The offline embedder is fitted on
   * them, or restored from `previousState` (a previous run's fitted model) to stay in the same
   * space; its state is kept with the run. An OpenAI-compatible embedder ignores both.
   */
  embedderFor: (
    texts: readonly string[],
    previousState?: Buffer,
  ) => Promise<{ embedder: Embedder; state?: Buffer }>;
  /**
   * The OpenAI-compatible model for cluster naming and the privacy auditor; absent offline
   * (names then come from c-TF-IDF, and only the deterministic PII gate runs).
   */
  clusterLlm?: { client: LlmCall; nameModel: string; auditModel: string };
  /** Removes PII from a free-text facet; returns the count of spans removed. */
  scrub: (text: string) => { text: string; redactions: number };
  logger: Logger;
  metrics: Metrics;
  /** The time publications are dated by (dp weeks and budget months); tests fix it. */
  clock?: () => Date;
}
