/**
 * `silhouette start [--migrate] [--role all|api|worker] [--no-demo]`: serves the API (and the
 * dashboard) and runs the worker. Embedded mode (no DATABASE_URL) runs everything in this process
 * and, unless --no-demo, creates a demo tenant with public sample data.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { runMode, type Env } from '@silhouette/config';
import { createApiApp } from '@silhouette/api';
import { IngestService, splitRecords } from '@silhouette/ingest';
import { TenantRepository } from '@silhouette/db';
import { provisionTenant } from '@silhouette/sealed';
import { startWorker } from '@silhouette/worker';
import { UsageError } from '../cli-error';
import { acquireEmbeddedLock } from '../embedded-lock';
import { demoCompany } from '../demo/demo-company';
import { ensureDemoReports } from '../demo/demo-reports';
import {
  dashboardDir,
  keyringFrom,
  openRuntime,
  pseudonymizerFrom,
  workerDepsFrom,
  type Runtime,
} from '../runtime';

export const DEMO_TENANT = 'demo';

interface DemoKeys {
  admin_key: string;
  read_key: string;
  ingest_key: string;
}

/**
 * Creates the demo tenant once and ingests the sample data; keys are kept in the data dir
 * (embedded only). Sample reports follow once the first snapshot is published.
 */
async function ensureDemo(
  runtime: Runtime,
): Promise<{ tenantId: string; keys: DemoKeys | undefined }> {
  const env = runtime.env;
  const keysFile = join(resolve(env.SILHOUETTE_DATA_DIR), 'demo-keys.json');
  const tenants = new TenantRepository(runtime.ownerDb);
  let tenant = await tenants.findBySlug(DEMO_TENANT);
  if (!tenant) {
    const created = await provisionTenant(runtime.ownerDb, keyringFrom(env), {
      slug: DEMO_TENANT,
      name: 'Demo company',
      kUsers: env.K_USERS,
      minConversations: env.MIN_CONVERSATIONS,
    });
    tenant = created.tenant;
    const keys: DemoKeys = {
      admin_key: created.adminKey,
      read_key: created.readKey,
      ingest_key: created.ingestKey,
    };
    writeFileSync(keysFile, JSON.stringify(keys, null, 2), { mode: 0o600 });
  }
  // The demo is public sample data with invented people: nobody's privacy is at stake, and at 77
  // people user-level differential privacy hides most of what the product shows (see "Privacy").
  // It is published under the thresholds unless the operator asks for DEMO_PRIVACY_MODE=dp.
  await tenants.setPrivacyMode(tenant.id, env.DEMO_PRIVACY_MODE);
  // The corpus ships in the repository (apps/cli/demo-corpus); nothing beside the checkout is read.
  const { conversations } = demoCompany(new Date());
  const service = new IngestService(runtime.apiDb, runtime.queue, pseudonymizerFrom(env));
  const records = splitRecords(conversations.map((c) => JSON.stringify(c)).join('\n'));
  let accepted = 0;
  for (let start = 0; start < records.length; start += 500) {
    const result = await service.ingestRecords(tenant, records.slice(start, start + 500), {
      format: 'openai',
      limits: {
        maxRecords: 500,
        maxRequestBytes: Number.MAX_SAFE_INTEGER,
        maxMessageBytes: env.INGEST_MAX_MESSAGE_BYTES,
      },
      oversizedMessage: 'record',
    });
    accepted += result.accepted;
  }
  if (accepted > 0) runtime.logger.info({ accepted }, 'demo conversations ingested');
  return {
    tenantId: tenant.id,
    keys: existsSync(keysFile)
      ? (JSON.parse(readFileSync(keysFile, 'utf8')) as DemoKeys)
      : undefined,
  };
}

async function ensureDashboardBuilt(runtime: Runtime): Promise<string | undefined> {
  const dir = dashboardDir();
  if (existsSync(join(dir, 'index.html'))) return dir;
  try {
    const { build } = await import('vite');
    runtime.logger.info('building the dashboard (first start only)');
    await build({
      configFile: new URL('../../../dashboard/vite.config.ts', import.meta.url).pathname,
      logLevel: 'warn',
    });
    return dir;
  } catch (error) {
    runtime.logger.error({ err: error }, 'dashboard build failed; serving the API only');
    return undefined;
  }
}

export async function startCommand(
  env: Env,
  flags: { migrate?: boolean; role?: string; demo?: boolean },
): Promise<void> {
  const role = flags.role ?? 'all';
  if (!['all', 'api', 'worker'].includes(role))
    throw new UsageError('--role: must be all, api or worker');
  const embedded = runMode(env) === 'embedded';
  // Embedded mode owns the data directory in one process; `api` alone (no worker) exists for benchmarks.
  if (embedded && role === 'worker')
    throw new UsageError('--role worker: needs server mode (set DATABASE_URL and REDIS_URL)');
  const release = embedded
    ? acquireEmbeddedLock(env.SILHOUETTE_DATA_DIR, 'start')
    : () => undefined;
  const runtime = await openRuntime(env, { migrate: flags.migrate ?? false });
  let shuttingDown = false;

  const worker = role === 'api' ? undefined : await startWorker(workerDepsFrom(runtime));
  const demo = embedded && flags.demo !== false ? await ensureDemo(runtime) : undefined;
  const demoKeys = demo?.keys;
  const stopDemoReports = demo ? await ensureDemoReports(runtime, demo.tenantId) : () => undefined;

  let app: Awaited<ReturnType<typeof createApiApp>> | undefined;
  if (role !== 'worker') {
    const dir = await ensureDashboardBuilt(runtime);
    app = await createApiApp({
      env,
      db: runtime.apiDb,
      queue: runtime.queue,
      pseudonymizer: pseudonymizerFrom(env),
      logger: runtime.logger,
      metrics: runtime.metrics,
      ...(dir ? { dashboardDir: dir } : {}),
      isShuttingDown: () => shuttingDown,
    });
    await app.listen(env.PORT, env.HOST);
  }

  const url = `http://${env.HOST === '0.0.0.0' ? 'localhost' : env.HOST}:${env.PORT}`;
  console.log(
    `Silhouette is running (${embedded ? 'embedded: PGlite, in-process queue' : 'server mode'}, role ${role}).`,
  );
  if (app) console.log(`  dashboard: ${url}/   API docs: ${url}/docs   health: ${url}/ready`);
  if (demoKeys) {
    console.log(`  demo tenant "${DEMO_TENANT}": sign in to the dashboard with the read key`);
    console.log(`    read key:   ${demoKeys.read_key}`);
    console.log(`    admin key:  ${demoKeys.admin_key}`);
    console.log(`    ingest key: ${demoKeys.ingest_key}`);
  }

  // Ordered shutdown: stop being ready, stop HTTP, let in-flight jobs finish, close connections.
  const shutdown = async (signal: string) => {
    if (shuttingDown) return;
    shuttingDown = true;
    runtime.logger.info({ signal }, 'shutting down');
    stopDemoReports();
    await app?.close();
    await worker?.stop();
    await runtime.close();
    release();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}
