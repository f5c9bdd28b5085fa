import type { AskService } from '@silhouette/analyst';
import type { Env } from '@silhouette/config';
import type { Database } from '@silhouette/db';
import type { Pseudonymizer } from '@silhouette/ingest';
import type { QueueDriver } from '@silhouette/queue';
import type { Logger, Metrics } from '@silhouette/telemetry';

/** Everything the API process needs. It holds no sealing private key and no master key. */
export interface ApiDeps {
  env: Env;
  /** Connection acting as silhouette_api: no grants on the sealed schema. */
  db: Database;
  queue: QueueDriver;
  pseudonymizer: Pseudonymizer;
  logger: Logger;
  metrics: Metrics;
  /** Directory with the built dashboard (index.html), served at `/` when present. */
  dashboardDir?: string;
  /** Ask (`POST /v1/ask`, `/mcp`); built from the environment when absent. */
  ask?: AskService;
  /** Readiness turns false once shutdown begins. */
  isShuttingDown: () => boolean;
}
