/**
 * Composition root: turns the environment into running parts. Embedded mode shares one PGlite
 * instance between API and worker in this process (PGlite is a single session, so role separation
 * is enforced by code boundaries there, and by PostgreSQL roles in server mode).
 */
import { resolve } from 'node:path';
import { resolveSecrets, runMode, type Env } from '@silhouette/config';
import {
  assertMigrationsCurrent,
  migrate,
  openDatabase,
  openOwnerDatabase,
  type Database,
} from '@silhouette/db';
import { Pseudonymizer } from '@silhouette/ingest';
import { openQueue, type QueueDriver } from '@silhouette/queue';
import { SealedConversationStore, TenantKeyring } from '@silhouette/sealed';
import { createLogger, Metrics, type Logger } from '@silhouette/telemetry';
import type { WorkerDeps } from '@silhouette/worker';
import { createClusterLlm, createEmbedderFactory, createScrubber, createTagger } from './providers';
import { rekeyLegacyIds } from './legacy-ids';

export interface Runtime {
  env: Env;
  logger: Logger;
  metrics: Metrics;
  queue: QueueDriver;
  /** Owner connection (embedded: the only one). */
  ownerDb: Database;
  apiDb: Database;
  workerDb: Database;
  close(): Promise<void>;
}

export interface RuntimeOptions {
  /** Apply pending migrations first (otherwise refuse to run on a non-current schema). */
  migrate?: boolean;
  logger?: Logger;
}

export async function openRuntime(env: Env, options: RuntimeOptions = {}): Promise<Runtime> {
  const logger = options.logger ?? createLogger({ level: env.LOG_LEVEL });
  const ownerDb = await openOwnerDatabase(env);
  const dbs: Database[] = [ownerDb];
  try {
    if (options.migrate) {
      const applied = await migrate(ownerDb);
      if (applied.length) logger.info({ applied }, 'migrations applied');
      const legacyIds = await rekeyLegacyIds(env, ownerDb);
      if ('skipped' in legacyIds || legacyIds.rekeyed > 0 || legacyIds.remaining > 0)
        logger.info({ legacyIds }, 'conversation ids stored before 0008');
    }
    await assertMigrationsCurrent(ownerDb);
    const embedded = runMode(env) === 'embedded';
    const apiDb = embedded ? ownerDb : await openDatabase(env, 'api');
    const workerDb = embedded ? ownerDb : await openDatabase(env, 'worker');
    if (!embedded) dbs.push(apiDb, workerDb);
    const queue = openQueue(env);
    return {
      env,
      logger,
      metrics: new Metrics(),
      queue,
      ownerDb,
      apiDb,
      workerDb,
      async close() {
        await queue.close();
        for (const db of dbs.reverse()) await db.close();
      },
    };
  } catch (error) {
    for (const db of dbs) await db.close().catch(() => undefined);
    throw error;
  }
}

export function masterKeyFrom(env: Env) {
  const secrets = resolveSecrets(env, { master: true, pseudonym: false });
  return { key: secrets.masterKey!, id: secrets.masterKeyId! };
}

export function pseudonymizerFrom(env: Env): Pseudonymizer {
  return new Pseudonymizer(
    resolveSecrets(env, { master: false, pseudonym: true }).pseudonymSecret!,
  );
}

export function keyringFrom(env: Env): TenantKeyring {
  return new TenantKeyring(masterKeyFrom(env));
}

export function workerDepsFrom(runtime: Runtime): WorkerDeps {
  const telemetry = { metrics: runtime.metrics, logger: runtime.logger };
  const clusterLlm = createClusterLlm(runtime.env, telemetry);
  return {
    env: runtime.env,
    db: runtime.workerDb,
    queue: runtime.queue,
    store: new SealedConversationStore(runtime.workerDb, keyringFrom(runtime.env)),
    tagger: createTagger(runtime.env, telemetry),
    scrub: createScrubber(),
    embedderFor: createEmbedderFactory(runtime.env),
    ...(clusterLlm ? { clusterLlm } : {}),
    logger: runtime.logger,
    metrics: runtime.metrics,
  };
}

export function dashboardDir(): string {
  return resolve(new URL('../../../dist/dashboard', import.meta.url).pathname);
}
