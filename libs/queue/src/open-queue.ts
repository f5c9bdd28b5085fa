import { QUEUE_NAMES } from '@silhouette/contracts';
import type { Env } from '@silhouette/config';
import { BullmqQueueDriver } from './bullmq.driver';
import { InProcessQueueDriver } from './in-process.driver';
import type { QueueDriver, QueuePolicies } from './queue-driver';

/** Per-queue retries, backoff and concurrency, explicit and from configuration. */
export function queuePolicies(
  env: Pick<Env, 'JOB_ATTEMPTS' | 'JOB_BACKOFF_MS' | 'TAG_CONCURRENCY' | 'JOB_LOCK_MS'>,
): QueuePolicies {
  const policies = {
    tagging: {
      attempts: env.JOB_ATTEMPTS,
      backoffMs: env.JOB_BACKOFF_MS,
      concurrency: env.TAG_CONCURRENCY,
      lockMs: env.JOB_LOCK_MS,
    },
    // Clustering holds a tenant's vectors in memory: one run at a time per worker.
    clustering: {
      attempts: 2,
      backoffMs: env.JOB_BACKOFF_MS,
      concurrency: 1,
      lockMs: Math.max(env.JOB_LOCK_MS, 600_000),
    },
    // Rendering a PDF holds a Chromium page; deliveries wait on remote servers.
    reports: {
      attempts: 4,
      backoffMs: env.JOB_BACKOFF_MS,
      concurrency: 2,
      lockMs: Math.max(env.JOB_LOCK_MS, 120_000),
    },
    maintenance: {
      attempts: 3,
      backoffMs: env.JOB_BACKOFF_MS,
      concurrency: 1,
      lockMs: env.JOB_LOCK_MS,
    },
  } satisfies QueuePolicies;
  for (const name of QUEUE_NAMES)
    if (!policies[name]) throw new Error(`no policy for queue ${name}`);
  return policies;
}

export function openQueue(env: Env): QueueDriver {
  const policies = queuePolicies(env);
  return env.REDIS_URL
    ? new BullmqQueueDriver(env.REDIS_URL, policies, env.QUEUE_PREFIX)
    : new InProcessQueueDriver(policies);
}
