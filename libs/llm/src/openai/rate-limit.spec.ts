import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Semaphore, TokenBucket } from './rate-limit';

describe('Semaphore', () => {
  it('admits at most `limit` holders and hands slots over in FIFO order', async () => {
    const semaphore = new Semaphore(2);
    const order: number[] = [];
    const releaseA = await semaphore.acquire();
    const releaseB = await semaphore.acquire();
    const c = semaphore.acquire().then((release) => {
      order.push(3);
      return release;
    });
    const d = semaphore.acquire().then((release) => {
      order.push(4);
      return release;
    });
    await Promise.resolve();
    expect(semaphore.inFlight).toBe(2);
    expect(semaphore.queued).toBe(2);

    releaseA();
    releaseA(); // double release is a no-op
    const releaseC = await c;
    expect(order).toEqual([3]);
    expect(semaphore.inFlight).toBe(2);
    releaseB();
    const releaseD = await d;
    expect(order).toEqual([3, 4]);
    releaseC();
    releaseD();
    expect(semaphore.inFlight).toBe(0);
  });

  it('drops an aborted waiter from the queue', async () => {
    const semaphore = new Semaphore(1);
    const release = await semaphore.acquire();
    const controller = new AbortController();
    const waiting = semaphore.acquire(controller.signal);
    controller.abort();
    await expect(waiting).rejects.toThrow();
    expect(semaphore.queued).toBe(0);
    release();
    expect(semaphore.inFlight).toBe(0);
  });
});

describe('TokenBucket', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('starts full, then makes callers wait for the refill (tokens per minute)', async () => {
    const bucket = new TokenBucket(600, () => Date.now()); // 10 tokens per second
    expect(await bucket.acquire(550)).toBe(0);

    let waited: number | undefined;
    void bucket.acquire(100).then((ms) => {
      waited = ms;
    });
    // 50 left, 50 missing: 5 s at 10 tokens/s.
    await vi.advanceTimersByTimeAsync(4_900);
    expect(waited).toBeUndefined();
    await vi.advanceTimersByTimeAsync(200);
    expect(waited).toBeGreaterThanOrEqual(5_000);
    expect(waited).toBeLessThan(5_200);
  });

  it('serves waiters in order and lets a request above the capacity through on a full bucket', async () => {
    const bucket = new TokenBucket(60, () => Date.now()); // 1 token per second
    await bucket.acquire(60);
    const done: string[] = [];
    void bucket.acquire(1_000).then(() => done.push('huge'));
    void bucket.acquire(1).then(() => done.push('small'));
    await vi.advanceTimersByTimeAsync(59_000);
    expect(done).toEqual([]);
    await vi.advanceTimersByTimeAsync(1_500); // t = 60.5 s: full again, the huge one takes it all
    expect(done).toEqual(['huge']);
    await vi.advanceTimersByTimeAsync(1_000); // t = 61.5 s: one more token
    expect(done).toEqual(['huge', 'small']);
  });

  it('debits usage above the estimate, delaying later callers', async () => {
    const bucket = new TokenBucket(600, () => Date.now());
    await bucket.acquire(100);
    bucket.debit(500);
    expect(bucket.available()).toBe(0);
    bucket.debit(-100); // refunds are ignored: providers count the reservation too
    expect(bucket.available()).toBe(0);
    let resolved = false;
    void bucket.acquire(10).then(() => {
      resolved = true;
    });
    await vi.advanceTimersByTimeAsync(900);
    expect(resolved).toBe(false);
    await vi.advanceTimersByTimeAsync(200);
    expect(resolved).toBe(true);
  });
});
