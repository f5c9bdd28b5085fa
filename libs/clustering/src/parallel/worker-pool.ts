/**
 * A small pool of worker threads for the CPU-heavy parts of a clustering run (offline embedding,
 * the coarse assignment pass and the fine k-means problems). Each worker runs
 * `clustering.worker.ts` and handles one task at a time; tasks queue in submission order.
 *
 * Results never depend on scheduling: every task is a pure function of its input, and callers
 * put results back by task index, so 1 thread or 8 give the same bits.
 *
 * The project runs TypeScript through tsx without a build step, and a worker thread does not
 * inherit loader hooks registered with `register()` in the main thread (as bin/silhouette.mjs
 * does). So workers start from `worker-entry.mjs`, which registers tsx itself and then imports
 * the TypeScript worker. This works under the CLI, `node --import tsx` (benches) and vitest.
 */
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { WorkerReply, WorkerTask } from './worker-tasks';

const ENTRY = new URL('./worker-entry.mjs', import.meta.url);

interface Job {
  id: number;
  task: WorkerTask;
  transfer: ArrayBuffer[];
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

interface Slot {
  worker: Worker;
  busy: Job | undefined;
}

/** Threads to use by default: one per core the process may run on. */
export function defaultThreads(): number {
  return Math.max(1, availableParallelism());
}

export class WorkerPool {
  private readonly slots: Slot[];
  private readonly queue: Job[] = [];
  private nextId = 0;
  private failure: Error | undefined;
  private closed = false;

  private constructor(readonly threads: number) {
    this.slots = Array.from({ length: threads }, () => this.spawn());
  }

  static open(threads = defaultThreads()): WorkerPool {
    if (!Number.isInteger(threads) || threads < 1)
      throw new RangeError(`threads must be a positive integer, got ${threads}`);
    return new WorkerPool(threads);
  }

  /** Runs `task` on the next free worker. `transfer` lists buffers to move rather than copy. */
  run<T>(task: WorkerTask, transfer: ArrayBuffer[] = []): Promise<T> {
    if (this.closed) return Promise.reject(new Error('worker pool is closed'));
    if (this.failure) return Promise.reject(this.failure);
    return new Promise<T>((resolve, reject) => {
      this.queue.push({
        id: this.nextId++,
        task,
        transfer,
        resolve: resolve as (value: unknown) => void,
        reject,
      });
      this.dispatch();
    });
  }

  /**
   * Runs `task` once on every worker (e.g. to load a model each of them keeps). Only on an idle
   * pool, so that every worker is free to take its copy.
   */
  async broadcast(task: WorkerTask): Promise<void> {
    if (this.closed) throw new Error('worker pool is closed');
    if (this.failure) throw this.failure;
    if (this.queue.length > 0 || this.slots.some((slot) => slot.busy))
      throw new Error('broadcast needs an idle worker pool');
    await Promise.all(
      this.slots.map(
        (slot) =>
          new Promise<unknown>((resolve, reject) => {
            slot.busy = { id: this.nextId++, task, transfer: [], resolve, reject };
            slot.worker.ref();
            slot.worker.postMessage({ id: slot.busy.id, task });
          }),
      ),
    );
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    const error = new Error('worker pool closed');
    for (const job of this.queue.splice(0)) job.reject(error);
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private spawn(): Slot {
    const worker = new Worker(ENTRY);
    // An idle worker must not keep the process alive (a pool left open); a busy one must, or
    // the process could exit while awaiting its result.
    worker.unref();
    const slot: Slot = { worker, busy: undefined };
    worker.on('message', (reply: WorkerReply) => {
      const job = slot.busy;
      slot.busy = undefined;
      worker.unref();
      if (job && job.id === reply.id) {
        if (reply.error !== undefined) job.reject(new Error(`clustering worker: ${reply.error}`));
        else job.resolve(reply.result);
      }
      this.dispatch();
    });
    worker.on('error', (error) => this.fail(error));
    worker.on('exit', (code) => {
      if (!this.closed) this.fail(new Error(`clustering worker exited with code ${code}`));
    });
    return slot;
  }

  private dispatch(): void {
    for (const slot of this.slots) {
      if (slot.busy || this.queue.length === 0) continue;
      const job = this.queue.shift()!;
      slot.busy = job;
      slot.worker.ref();
      slot.worker.postMessage({ id: job.id, task: job.task }, job.transfer);
    }
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    for (const slot of this.slots) slot.busy?.reject(error);
    for (const job of this.queue.splice(0)) job.reject(error);
    void this.close();
  }
}

/** Opens a pool for the duration of `work` and always closes it. */
export async function withWorkerPool<T>(
  threads: number,
  work: (pool: WorkerPool) => Promise<T>,
): Promise<T> {
  const pool = WorkerPool.open(threads);
  try {
    return await work(pool);
  } finally {
    await pool.close();
  }
}

/**
 * A Float32Array whose memory all workers can read without a copy: `data` itself when it already
 * lives in a SharedArrayBuffer, else a shared copy.
 */
export function toShared(data: Float32Array): Float32Array {
  if (data.buffer instanceof SharedArrayBuffer) return data;
  const shared = new Float32Array(new SharedArrayBuffer(data.byteLength));
  shared.set(data);
  return shared;
}
