/**
 * Server-mode queue on Redis with BullMQ. Job ids are deterministic (dedupe across API replicas
 * and the reconciler); completed jobs are removed so the same id can run again later; failed jobs
 * are kept as dead letters with their reason until retried.
 */
import { Queue, UnrecoverableError, Worker, type Job } from 'bullmq';
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
import type { CronSchedule } from './cron';

const DEAD_LETTER_RETENTION_S = 14 * 24 * 3600;

export class BullmqQueueDriver implements QueueDriver {
  readonly kind = 'bullmq' as const;
  private readonly queues = new Map<QueueName, Queue>();
  private readonly workers: Worker[] = [];

  constructor(
    private readonly redisUrl: string,
    private readonly policies: QueuePolicies,
    private readonly prefix = 'silhouette',
  ) {
    for (const name of QUEUE_NAMES) {
      const policy = policies[name];
      this.queues.set(
        name,
        new Queue(name, {
          connection: this.connection(),
          prefix,
          defaultJobOptions: {
            attempts: policy.attempts,
            backoff: { type: 'exponential', delay: policy.backoffMs },
            removeOnComplete: true,
            removeOnFail: { age: DEAD_LETTER_RETENTION_S },
          },
        }),
      );
    }
  }

  private connection() {
    // Workers block on Redis; BullMQ requires maxRetriesPerRequest: null for them.
    return { url: this.redisUrl, maxRetriesPerRequest: null };
  }

  private queue(name: JobName): Queue {
    return this.queues.get(JOBS[name].queue)!;
  }

  async enqueue<N extends JobName>(name: N, payload: JobPayload<N>): Promise<void> {
    await this.enqueueMany(name, [payload]);
  }

  async enqueueMany<N extends JobName>(name: N, payloads: JobPayload<N>[]): Promise<void> {
    if (payloads.length === 0) return;
    const jobs = payloads.map((raw) => {
      const payload = parseJobPayload(name, raw);
      return { name, data: payload, opts: { jobId: jobIdFor(name, payload) } };
    });
    await this.queue(name).addBulk(jobs);
  }

  async startWorkers(handlers: JobHandlers, onDeadLetter?: DeadLetterListener): Promise<void> {
    assertHandlersComplete(handlers, JOB_NAMES);
    for (const queueName of QUEUE_NAMES) {
      const policy = this.policies[queueName];
      const worker = new Worker(
        queueName,
        async (job: Job) => {
          const name = job.name as JobName;
          if (!JOB_NAMES.includes(name))
            throw new UnrecoverableError(`unknown job name ${job.name}`);
          const handler = handlers[name] as (payload: unknown, context: unknown) => Promise<void>;
          try {
            await handler(parseJobPayload(name, job.data), {
              jobId: job.id ?? '',
              attempt: job.attemptsMade + 1,
              maxAttempts: job.opts.attempts ?? policy.attempts,
            });
          } catch (error) {
            if (error instanceof UnrecoverableJobError) throw new UnrecoverableError(error.message);
            throw error;
          }
        },
        {
          connection: this.connection(),
          prefix: this.prefix,
          concurrency: policy.concurrency,
          // A job whose worker died is handed back once its lock expires (stalled-job check).
          lockDuration: policy.lockMs,
          stalledInterval: policy.lockMs,
          autorun: true,
        },
      );
      worker.on('failed', (job, error) => {
        if (!job) return;
        const final =
          error instanceof UnrecoverableError ||
          job.attemptsMade >= (job.opts.attempts ?? policy.attempts);
        if (final && onDeadLetter) {
          void Promise.resolve(
            onDeadLetter(this.toDeadLetter(queueName, job, error.message)),
          ).catch(() => undefined);
        }
      });
      // Connection errors are retried by ioredis; log-worthy but never fatal here.
      worker.on('error', () => undefined);
      this.workers.push(worker);
    }
  }

  private toDeadLetter(queue: QueueName, job: Job, reason: string): DeadLetter {
    return {
      queue,
      name: job.name as JobName,
      jobId: job.id ?? '',
      payload: job.data,
      reason,
      attempts: job.attemptsMade,
      failedAt: new Date(job.finishedOn ?? Date.now()),
    };
  }

  async isPending<N extends JobName>(name: N, payload: JobPayload<N>): Promise<boolean> {
    const state = await this.queue(name).getJobState(jobIdFor(name, payload));
    return (
      state === 'waiting' ||
      state === 'active' ||
      state === 'delayed' ||
      state === 'prioritized' ||
      state === 'waiting-children'
    );
  }

  async counts(): Promise<JobCounts> {
    const counts = {} as JobCounts;
    for (const [name, queue] of this.queues) {
      const c = await queue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
      counts[name] = {
        waiting: (c.waiting ?? 0) + (c.prioritized ?? 0),
        active: c.active ?? 0,
        delayed: c.delayed ?? 0,
        failed: c.failed ?? 0,
      };
    }
    return counts;
  }

  async deadLetters(limit = 100): Promise<DeadLetter[]> {
    const all: DeadLetter[] = [];
    for (const [name, queue] of this.queues) {
      const jobs = await queue.getFailed(0, limit - 1);
      all.push(...jobs.map((job) => this.toDeadLetter(name, job, job.failedReason)));
    }
    return all.slice(0, limit);
  }

  async retryDeadLetters(filter: DeadLetterFilter = {}): Promise<number> {
    let count = 0;
    for (const queue of this.queues.values()) {
      const failed = await queue.getFailed(0, -1);
      for (const job of failed) {
        if (!matchesDeadLetterFilter(job.data, filter)) continue;
        await job.retry('failed', { resetAttemptsMade: true });
        count += 1;
      }
    }
    return count;
  }

  async discardDeadLetter<N extends JobName>(name: N, payload: JobPayload<N>): Promise<boolean> {
    const job = await this.queue(name).getJob(jobIdFor(name, parseJobPayload(name, payload)));
    if (!job || !(await job.isFailed())) return false;
    try {
      await job.remove();
    } catch {
      // Another process re-ran or removed it meanwhile: there is no dead letter any more.
    }
    return true;
  }

  /** Idle: nothing waiting or running, and nothing delayed except the next run of a scheduler. */
  private async isIdle(): Promise<boolean> {
    const counts = await this.counts();
    if (!Object.values(counts).every((c) => c.waiting === 0 && c.active === 0)) return false;
    for (const [name, queue] of this.queues) {
      if (counts[name].delayed === 0) continue;
      const delayed = await queue.getDelayed(0, -1);
      if (delayed.some((job) => !job.repeatJobKey)) return false;
    }
    return true;
  }

  async waitUntilIdle(timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (await this.isIdle()) return;
      if (Date.now() > deadline) throw new Error(`queue not idle after ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async upsertSchedule<N extends JobName>(
    id: string,
    schedule: CronSchedule,
    name: N,
    raw: JobPayload<N>,
  ): Promise<void> {
    const payload = parseJobPayload(name, raw);
    await this.queue(name).upsertJobScheduler(
      id,
      { pattern: schedule.cron, tz: schedule.timezone },
      { name, data: payload },
    );
  }

  async removeSchedule(id: string): Promise<void> {
    for (const queue of this.queues.values()) await queue.removeJobScheduler(id);
  }

  async scheduleIds(): Promise<string[]> {
    const ids: string[] = [];
    for (const queue of this.queues.values()) {
      const schedulers = await queue.getJobSchedulers(0, -1);
      ids.push(...schedulers.map((scheduler) => scheduler.key));
    }
    return ids;
  }

  async ping(): Promise<void> {
    // A real round trip, bounded: with maxRetriesPerRequest null a dead Redis would hang forever.
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('Redis did not answer within 2 s')), 2000);
    });
    try {
      await Promise.race([this.queues.get('tagging')!.getJobCounts('waiting'), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  async close(): Promise<void> {
    // Workers first: stop taking jobs and let in-flight ones finish.
    await Promise.all(this.workers.map((worker) => worker.close()));
    await Promise.all([...this.queues.values()].map((queue) => queue.close()));
  }
}
