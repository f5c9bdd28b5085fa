/**
 * A whole Silhouette stack for integration and end-to-end tests, in server mode (fresh
 * PostgreSQL database, BullMQ on a unique Redis prefix) or embedded mode (in-memory PGlite,
 * in-process queue). Logs are captured in memory so tests can search them for canaries.
 */
import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import type { INestApplication } from '@nestjs/common';
import type { AddressInfo } from 'node:net';
import { createApiApp } from '@silhouette/api';
import { masterKeyId, type Env } from '@silhouette/config';
import {
  migrate,
  PgDatabase,
  PgliteDatabase,
  API_ROLE,
  WORKER_ROLE,
  type Database,
} from '@silhouette/db';
import { Pseudonymizer } from '@silhouette/ingest';
import {
  BullmqQueueDriver,
  InProcessQueueDriver,
  queuePolicies,
  type QueueDriver,
} from '@silhouette/queue';
import {
  provisionTenant,
  SealedConversationStore,
  TenantKeyring,
  type ProvisionedTenant,
} from '@silhouette/sealed';
import { createLogger, Metrics } from '@silhouette/telemetry';
import { startWorker, type RunningWorker, type WorkerDeps } from '@silhouette/worker';
import { createTestDatabase, redisUrl, testEnv, type TestDatabase } from './services';

/**
 * A `METRICS_TOKEN` for suites that read `/metrics` (pass it in `env`). The stack sets none by
 * default, so `/metrics` is off as in a fresh deployment.
 */
export const TEST_METRICS_TOKEN = 'silhouette-test-metrics-token';

export interface StackOptions {
  mode: 'server' | 'embedded';
  worker?: boolean;
  env?: Record<string, string>;
  dashboardDir?: string;
  /** Embedded mode: keep PGlite's data on disk here (default in memory), e.g. to search its files. */
  dataDir?: string;
  /** Builds the worker's tagger and scrubber (kept outside so this helper has no provider opinions). */
  workerProviders?: (
    env: Env,
  ) => Pick<WorkerDeps, 'tagger' | 'scrub' | 'embedderFor' | 'clusterLlm'>;
  /** The worker's clock for dp publications (weeks, budget month); default: real time. */
  workerClock?: () => Date;
}

export interface Stack {
  env: Env;
  baseUrl: string;
  ownerDb: Database;
  apiDb: Database;
  workerDb: Database;
  queue: QueueDriver;
  queuePrefix: string;
  keyring: TenantKeyring;
  store: SealedConversationStore;
  tenant: ProvisionedTenant;
  logs: () => string;
  worker?: RunningWorker;
  createTenant(slug: string): Promise<ProvisionedTenant>;
  close(): Promise<void>;
}

export async function startStack(options: StackOptions): Promise<Stack> {
  let testDb: TestDatabase | undefined;
  let ownerDb: Database;
  let apiDb: Database;
  let workerDb: Database;
  const queuePrefix = `t${randomBytes(5).toString('hex')}`;
  const envOverrides: Record<string, string> = { PORT: '0', ...options.env };
  if (options.mode === 'server') {
    testDb = await createTestDatabase();
    ownerDb = new PgDatabase({ connectionString: testDb.url });
    await migrate(ownerDb);
    apiDb = new PgDatabase({ connectionString: testDb.url, role: API_ROLE });
    workerDb = new PgDatabase({ connectionString: testDb.url, role: WORKER_ROLE });
    envOverrides.DATABASE_URL = testDb.url;
    envOverrides.REDIS_URL = redisUrl();
  } else {
    ownerDb = await PgliteDatabase.open(options.dataDir);
    await migrate(ownerDb);
    apiDb = ownerDb;
    workerDb = ownerDb;
  }
  const env = testEnv({ LOG_LEVEL: 'trace', ...envOverrides });
  const policies = queuePolicies(env);
  const queue =
    options.mode === 'server'
      ? new BullmqQueueDriver(redisUrl(), policies, queuePrefix)
      : new InProcessQueueDriver(policies);

  let captured = '';
  const destination = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      captured += chunk.toString('utf8');
      callback();
    },
  });
  const logger = createLogger({ level: 'trace', destination });
  const metrics = new Metrics({ defaultMetrics: false });
  metrics.watchQueues(queue);
  const masterKey = Buffer.from(env.SILHOUETTE_MASTER_KEY!, 'hex');
  // The same id the CLI derives, so a worker process started with this env can unwrap the keys.
  const keyring = new TenantKeyring({ key: masterKey, id: masterKeyId(masterKey) });
  const store = new SealedConversationStore(workerDb, keyring);
  const pseudonymizer = new Pseudonymizer(Buffer.from(env.SILHOUETTE_PSEUDONYM_SECRET!, 'hex'));
  const createTenant = (slug: string) =>
    provisionTenant(ownerDb, keyring, {
      slug,
      kUsers: env.K_USERS,
      minConversations: env.MIN_CONVERSATIONS,
    });
  const tenant = await createTenant('acme');

  let worker: RunningWorker | undefined;
  if (options.worker) {
    if (!options.workerProviders) throw new Error('worker: true needs workerProviders');
    worker = await startWorker({
      env,
      db: workerDb,
      queue,
      store,
      logger,
      metrics,
      ...options.workerProviders(env),
      ...(options.workerClock ? { clock: options.workerClock } : {}),
    });
  }

  let shuttingDown = false;
  const app: INestApplication = await createApiApp({
    env,
    db: apiDb,
    queue,
    pseudonymizer,
    logger,
    metrics,
    ...(options.dashboardDir ? { dashboardDir: options.dashboardDir } : {}),
    isShuttingDown: () => shuttingDown,
  });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as AddressInfo;

  return {
    env,
    baseUrl: `http://127.0.0.1:${address.port}`,
    ownerDb,
    apiDb,
    workerDb,
    queue,
    queuePrefix,
    keyring,
    store,
    tenant,
    logs: () => captured,
    ...(worker ? { worker } : {}),
    createTenant,
    async close() {
      shuttingDown = true;
      await app.close();
      await worker?.stop();
      await queue.close();
      const dbs = new Set([apiDb, workerDb, ownerDb]);
      for (const db of dbs) await db.close();
      await testDb?.drop();
    },
  };
}

/** fetch with an API key, returning status, parsed body and raw text. */
/**
 * In embedded mode the pipeline can block the event loop for seconds; when it lets go, the
 * server's keep-alive timer closes idle sockets that the client may be reusing at that moment.
 * Such a reset happens before the server reads the request, so sending it once more on a fresh
 * socket is safe for every method.
 */
async function fetchOnFreshSocketIfReset(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (error) {
    const code = (error as { cause?: { code?: string } }).cause?.code;
    if (code !== 'ECONNRESET' && code !== 'UND_ERR_SOCKET' && code !== 'EPIPE') throw error;
    return fetch(url, init);
  }
}

export async function call(
  stack: Pick<Stack, 'baseUrl'>,
  path: string,
  init: {
    method?: string;
    key?: string;
    body?: string | Buffer;
    headers?: Record<string, string>;
  } = {},
): Promise<{ status: number; body: any; text: string; headers: Headers }> {
  const response = await fetchOnFreshSocketIfReset(`${stack.baseUrl}${path}`, {
    method: init.method ?? 'GET',
    headers: {
      ...(init.key ? { Authorization: `Bearer ${init.key}` } : {}),
      ...(init.body !== undefined ? { 'Content-Type': 'application/json' } : {}),
      ...init.headers,
    },
    ...(init.body !== undefined
      ? { body: typeof init.body === 'string' ? init.body : new Uint8Array(init.body) }
      : {}),
  });
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  return { status: response.status, body, text, headers: response.headers };
}
