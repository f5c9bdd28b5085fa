/**
 * Embedded-mode queue: jobs live in this process's memory. Durability comes from the database:
 * state lives in rows, and the worker's reconciler re-enqueues unfinished work after a restart.
 * Semantics follow BullMQ where it matters: dedupe by job id while pending, retries with
 * exponential backoff, dead letters kept with their reason.
 */
import {
  JOBS,
  JOB_NAMES,
  QUEUE_NAMES,
  jobIdFor,
  parseJobPayload,
  type JobName,
  type JobPayload,
  type QueueName,
} from '@silhouette/contracts';
import {
  assertHandlersComplete,
  backoffDelay,
  matchesDeadLetterFilter,
  UnrecoverableJobError,
  type DeadLetter,
  type DeadLetterFilter,
  type DeadLetterListener,
  type JobCounts,
  type JobHandlers,
  type QueueDriver,
  type QueuePolicies,
} from './queue-driver';
import { nextCronTime, type CronSchedule } from './cron';

const MAX_TIMER_MS = 24 * 3600 * 1000;

interface PendingJob {
  id: string;
  name: JobName;
  payload: unknown;
  attempt: number;
}

interface QueueState {
  waiting: PendingJob[];
  delayed: Map<string, { job: PendingJob; timer: NodeJS.Timeout }>;
  active: Map<string, PendingJob>;
  failed: Map<string, DeadLetter>;
}

export class InProcessQueueDriver implements QueueDriver {
  readonly kind = 'in-process' as const;
  private readonly queues = new Map<QueueName, QueueState>();
  private handlers?: JobHandlers;
  private onDeadLetter?: DeadLetterListener;
  private closing = false;
  private idleWaiters: (() => void)[] = [];
  private readonly schedules = new Map<string, NodeJS.Timeout>();

  constructor(private readonly policies: QueuePolicies) {
    for (const queue of QUEUE_NAMES) {
      this.queues.set(queue, {
        waiting: [],
        delayed: new Map(),
        active: new Map(),
        failed: new Map(),
      });
    }
  }

  async enqueue<N extends JobName>(name: N, payload: JobPayload<N>): Promise<void> {
    await this.enqueueMany(name, [payload]);
  }

  async enqueueMany<N extends JobName>(name: N, payloads: JobPayload<N>[]): Promise<void> {
    if (this.closing) throw new Error('queue is closing');
    const state = this.state(JOBS[name].queue);
    for (const raw of payloads) {
      const payload = parseJobPayload(name, raw);
      const id = jobIdFor(name, payload);
      if (this.isPendingId(state, id)) continue;
      state.failed.delete(id);
      state.waiting.push({ id, name, payload, attempt: 1 });
    }
    this.pump(JOBS[name].queue);
  }

  async startWorkers(handlers: JobHandlers, onDeadLetter?: DeadLetterListener): Promise<void> {
    assertHandlersComplete(handlers, JOB_NAMES);
    this.handlers = handlers;
    this.onDeadLetter = onDeadLetter;
    for (const queue of QUEUE_NAMES) this.pump(queue);
  }

  async isPending<N extends JobName>(name: N, payload: JobPayload<N>): Promise<boolean> {
    return this.isPendingId(this.state(JOBS[name].queue), jobIdFor(name, payload));
  }

  async counts(): Promise<JobCounts> {
    const counts = {} as JobCounts;
    for (const [queue, state] of this.queues) {
      counts[queue] = {
        waiting: state.waiting.length,
        active: state.active.size,
        delayed: state.delayed.size,
        failed: state.failed.size,
      };
    }
    return counts;
  }

  async deadLetters(limit = 100): Promise<DeadLetter[]> {
    return [...this.queues.values()].flatMap((state) => [...state.failed.values()]).slice(0, limit);
  }

  async retryDeadLetters(filter: DeadLetterFilter = {}): Promise<number> {
    let count = 0;
    for (const [queue, state] of this.queues) {
      for (const [id, dead] of state.failed) {
        if (!matchesDeadLetterFilter(dead.payload, filter)) continue;
        state.failed.delete(id);
        state.waiting.push({ id: dead.jobId, name: dead.name, payload: dead.payload, attempt: 1 });
        count += 1;
      }
      this.pump(queue);
    }
    return count;
  }

  async discardDeadLetter<N extends JobName>(name: N, payload: JobPayload<N>): Promise<boolean> {
    const id = jobIdFor(name, parseJobPayload(name, payload));
    return this.state(JOBS[name].queue).failed.delete(id);
  }

  async waitUntilIdle(timeoutMs = 60_000): Promise<void> {
    if (this.isIdle()) return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`queue not idle after ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.idleWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  async upsertSchedule<N extends JobName>(
    id: string,
    schedule: CronSchedule,
    name: N,
    raw: JobPayload<N>,
  ): Promise<void> {
    const payload = parseJobPayload(name, raw);
    nextCronTime(schedule, new Date()); // validates before replacing a working schedule
    await this.removeSchedule(id);
    const arm = (): void => {
      if (this.closing) return;
      const next = nextCronTime(schedule, new Date());
      // setTimeout overflows past ~24.8 days: wake up daily and re-arm until the time has come.
      const delay = Math.min(next.getTime() - Date.now(), MAX_TIMER_MS);
      const timer = setTimeout(
        () => {
          if (Date.now() >= next.getTime()) {
            this.enqueue(name, payload).catch(() => undefined);
          }
          arm();
        },
        Math.max(0, delay),
      );
      timer.unref();
      this.schedules.set(id, timer);
    };
    arm();
  }

  async removeSchedule(id: string): Promise<void> {
    clearTimeout(this.schedules.get(id));
    this.schedules.delete(id);
  }

  async scheduleIds(): Promise<string[]> {
    return [...this.schedules.keys()];
  }

  async ping(): Promise<void> {
    if (this.closing) throw new Error('queue is closing');
  }

  async close(): Promise<void> {
    this.closing = true;
    for (const timer of this.schedules.values()) clearTimeout(timer);
    this.schedules.clear();
    for (const state of this.queues.values()) {
      for (const { timer } of state.delayed.values()) clearTimeout(timer);
      state.delayed.clear();
      state.waiting.length = 0;
    }
    // Let in-flight jobs finish.
    while ([...this.queues.values()].some((state) => state.active.size > 0)) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  }

  private state(queue: QueueName): QueueState {
    return this.queues.get(queue)!;
  }

  private isPendingId(state: QueueState, id: string): boolean {
    return (
      state.active.has(id) || state.delayed.has(id) || state.waiting.some((job) => job.id === id)
    );
  }

  private isIdle(): boolean {
    return [...this.queues.values()].every(
      (s) => s.waiting.length === 0 && s.delayed.size === 0 && s.active.size === 0,
    );
  }

  private notifyIfIdle(): void {
    if (!this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const resolve of waiters) resolve();
  }

  private pump(queue: QueueName): void {
    if (!this.handlers || this.closing) return;
    const state = this.state(queue);
    const policy = this.policies[queue];
    while (state.active.size < policy.concurrency && state.waiting.length > 0) {
      const job = state.waiting.shift()!;
      state.active.set(job.id, job);
      void this.run(queue, job);
    }
  }

  private async run(queue: QueueName, job: PendingJob): Promise<void> {
    const state = this.state(queue);
    const policy = this.policies[queue];
    try {
      const handler = this.handlers![job.name] as (
        payload: unknown,
        context: unknown,
      ) => Promise<void>;
      await handler(parseJobPayload(job.name, job.payload), {
        jobId: job.id,
        attempt: job.attempt,
        maxAttempts: policy.attempts,
      });
      state.active.delete(job.id);
    } catch (error) {
      state.active.delete(job.id);
      const final =
        error instanceof UnrecoverableJobError || job.attempt >= policy.attempts || this.closing;
      if (final) {
        const dead: DeadLetter = {
          queue,
          name: job.name,
          jobId: job.id,
          payload: job.payload,
          reason: error instanceof Error ? error.message : String(error),
          attempts: job.attempt,
          failedAt: new Date(),
        };
        state.failed.set(job.id, dead);
        await Promise.resolve(this.onDeadLetter?.(dead)).catch(() => undefined);
      } else {
        const next = { ...job, attempt: job.attempt + 1 };
        const timer = setTimeout(
          () => {
            state.delayed.delete(job.id);
            state.waiting.push(next);
            this.pump(queue);
          },
          backoffDelay(policy, job.attempt),
        );
        state.delayed.set(job.id, { job: next, timer });
      }
    }
    this.pump(queue);
    this.notifyIfIdle();
  }
}
