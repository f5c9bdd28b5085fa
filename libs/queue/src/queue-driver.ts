/**
 * The queue seen by the rest of the system: typed enqueue of id-only payloads, workers with
 * explicit retries/backoff/concurrency per queue, dead-letter inspection and retry. Two drivers:
 * BullMQ on Redis (server mode) and in-process (embedded).
 */
import type { JobName, JobPayload, QueueName } from '@silhouette/contracts';
import type { CronSchedule } from './cron';

export interface JobContext {
  jobId: string;
  /** 1 on the first run. */
  attempt: number;
  maxAttempts: number;
}

export type JobHandler<N extends JobName> = (
  payload: JobPayload<N>,
  context: JobContext,
) => Promise<void>;
export type JobHandlers = { [N in JobName]: JobHandler<N> };

/** Throw this to fail a job at once, without retries (e.g. the conversation no longer exists). */
export class UnrecoverableJobError extends Error {
  readonly code = 'unrecoverable_job';
}

export interface QueuePolicy {
  attempts: number;
  /** Exponential backoff base: attempt n waits backoffMs * 2^(n-1). */
  backoffMs: number;
  concurrency: number;
  /** BullMQ lock duration: a job held by a dead worker is re-run after this (stalled-job check). */
  lockMs: number;
}

export type QueuePolicies = Record<QueueName, QueuePolicy>;

export interface DeadLetter {
  queue: QueueName;
  name: JobName;
  jobId: string;
  payload: unknown;
  reason: string;
  attempts: number;
  failedAt: Date;
}

/** Which dead letters to act on; an empty filter selects all of them. */
export interface DeadLetterFilter {
  /**
   * Only jobs whose payload carries this tenant id. Jobs for no tenant in particular
   * (apply-retention) never match a tenant filter.
   */
  tenantId?: string;
}

export function matchesDeadLetterFilter(payload: unknown, filter: DeadLetterFilter): boolean {
  if (filter.tenantId === undefined) return true;
  return (
    typeof payload === 'object' &&
    payload !== null &&
    (payload as { tenantId?: unknown }).tenantId === filter.tenantId
  );
}

/** Called once when a job has used its last attempt (or failed unrecoverably). */
export type DeadLetterListener = (deadLetter: DeadLetter) => Promise<void> | void;

export type JobCounts = Record<
  QueueName,
  { waiting: number; active: number; delayed: number; failed: number }
>;

export interface QueueDriver {
  readonly kind: 'bullmq' | 'in-process';
  enqueue<N extends JobName>(name: N, payload: JobPayload<N>): Promise<void>;
  enqueueMany<N extends JobName>(name: N, payloads: JobPayload<N>[]): Promise<void>;
  /** Starts processing every queue. Refuses to start unless every job name has a handler. */
  startWorkers(handlers: JobHandlers, onDeadLetter?: DeadLetterListener): Promise<void>;
  /** True while a job with this payload's id is waiting, delayed or running. */
  isPending<N extends JobName>(name: N, payload: JobPayload<N>): Promise<boolean>;
  counts(): Promise<JobCounts>;
  deadLetters(limit?: number): Promise<DeadLetter[]>;
  /** Re-enqueues the dead-lettered jobs the filter selects (default: all); returns how many. */
  retryDeadLetters(filter?: DeadLetterFilter): Promise<number>;
  /**
   * Drops the dead letter with this payload's job id, if there is one, so that the next enqueue
   * runs it again (BullMQ keeps failed ids, and ignores a new job with one). True if one was there.
   */
  discardDeadLetter<N extends JobName>(name: N, payload: JobPayload<N>): Promise<boolean>;
  /** Resolves when no job is waiting, delayed or active (tests and `process`). */
  waitUntilIdle(timeoutMs?: number): Promise<void>;
  /**
   * A repeatable job: enqueue `name` with `payload` at every time of `schedule`. Idempotent per
   * id (creating again replaces). BullMQ job schedulers in server mode (shared by every process on
   * the Redis), a timer in embedded mode.
   */
  upsertSchedule<N extends JobName>(
    id: string,
    schedule: CronSchedule,
    name: N,
    payload: JobPayload<N>,
  ): Promise<void>;
  removeSchedule(id: string): Promise<void>;
  /** Ids of the repeatable jobs currently registered. */
  scheduleIds(): Promise<string[]>;
  /** Throws when the queue backend is unreachable (readiness). */
  ping(): Promise<void>;
  /** Stops taking jobs, lets in-flight jobs finish, closes connections. */
  close(): Promise<void>;
}

export function assertHandlersComplete(
  handlers: Partial<JobHandlers>,
  names: readonly JobName[],
): void {
  const missing = names.filter((name) => typeof handlers[name] !== 'function');
  if (missing.length) throw new Error(`no handler registered for job(s): ${missing.join(', ')}`);
}

export function backoffDelay(policy: QueuePolicy, attempt: number): number {
  return policy.backoffMs * 2 ** Math.max(0, attempt - 1);
}
