import { runMode, type Env } from '@silhouette/config';
import { TenantRepository, type Tenant } from '@silhouette/db';
import { InputError } from './cli-error';
import { acquireEmbeddedLock } from './embedded-lock';
import { startWorker } from '@silhouette/worker';
import { openRuntime, workerDepsFrom, type Runtime, type RuntimeOptions } from './runtime';

/** Opens the runtime for one command (taking the embedded lock when needed) and closes it after. */
export async function withRuntime<T>(
  env: Env,
  command: string,
  options: RuntimeOptions,
  fn: (runtime: Runtime) => Promise<T>,
): Promise<T> {
  const release =
    runMode(env) === 'embedded'
      ? acquireEmbeddedLock(env.SILHOUETTE_DATA_DIR, command)
      : () => undefined;
  try {
    const runtime = await openRuntime(env, options);
    try {
      return await fn(runtime);
    } finally {
      await runtime.close();
    }
  } finally {
    release();
  }
}

export async function requireTenant(runtime: Runtime, slug: string | undefined): Promise<Tenant> {
  if (!slug) throw new InputError('--tenant: required (the tenant slug)');
  const tenant = await new TenantRepository(runtime.ownerDb).findBySlug(slug);
  if (!tenant)
    throw new InputError(
      `--tenant: no tenant "${slug}" (create it with \`silhouette tenant create ${slug}\`)`,
    );
  return tenant;
}

/**
 * Embedded mode has no separate worker to hand jobs to: run this process's queue to completion
 * before exiting, so the work a command enqueued is actually done. Server mode: workers do it.
 */
export async function drainIfEmbedded(runtime: Runtime): Promise<void> {
  if (runtime.queue.kind !== 'in-process') return;
  const worker = await startWorker(workerDepsFrom(runtime));
  try {
    await runtime.queue.waitUntilIdle(24 * 3600 * 1000);
  } finally {
    await worker.stop();
  }
}
