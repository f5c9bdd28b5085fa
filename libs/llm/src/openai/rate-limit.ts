/**
 * Client-side throttles for LLM calls: a FIFO semaphore for calls in flight and a token bucket
 * for tokens per minute. Both queue fairly (first come, first served) and honour abort signals.
 */

type Waiter<T> = {
  resolve: (value: T) => void;
  reject: (reason: unknown) => void;
  signal: AbortSignal | undefined;
  onAbort: () => void;
};

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
}

/** At most `limit` holders at a time; `acquire` resolves with the matching release function. */
export class Semaphore {
  private active = 0;
  private readonly waiters: Waiter<() => void>[] = [];

  constructor(readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new RangeError('limit must be a positive integer');
  }

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiters.length;
  }

  acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    if (this.active < this.limit && this.waiters.length === 0) {
      this.active++;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter<() => void> = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const index = this.waiters.indexOf(waiter);
          if (index >= 0) this.waiters.splice(index, 1);
          reject(abortReason(signal!));
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.waiters.shift();
      if (next) {
        // The slot passes straight to the next waiter; `active` stays the same.
        next.signal?.removeEventListener('abort', next.onAbort);
        next.resolve(this.releaser());
      } else {
        this.active--;
      }
    };
  }
}

/**
 * Token bucket holding at most one minute of budget, refilled continuously. `acquire(n)` waits
 * until `n` tokens are available (requests above the capacity wait for a full bucket), then takes
 * them. `debit(n)` charges tokens after the fact (actual usage above the estimate) and may drive
 * the balance negative, which delays the next callers.
 */
export class TokenBucket {
  private tokens: number;
  private lastRefill: number;
  private readonly waiters: (Waiter<number> & { tokens: number; since: number })[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly perMs: number;

  constructor(
    readonly tokensPerMinute: number,
    private readonly now: () => number = () => performance.now(),
  ) {
    if (!(tokensPerMinute > 0)) throw new RangeError('tokensPerMinute must be positive');
    this.tokens = tokensPerMinute;
    this.lastRefill = now();
    this.perMs = tokensPerMinute / 60_000;
  }

  /** Tokens currently available (after refill). */
  available(): number {
    this.refill();
    return this.tokens;
  }

  /** Resolves with the milliseconds spent waiting. */
  acquire(requested: number, signal?: AbortSignal): Promise<number> {
    if (signal?.aborted) return Promise.reject(abortReason(signal));
    const tokens = Math.min(Math.max(0, requested), this.tokensPerMinute);
    this.refill();
    if (this.waiters.length === 0 && this.tokens >= tokens) {
      this.tokens -= tokens;
      return Promise.resolve(0);
    }
    return new Promise((resolve, reject) => {
      const waiter = {
        tokens,
        since: this.now(),
        resolve,
        reject,
        signal,
        onAbort: () => {
          const index = this.waiters.indexOf(waiter);
          if (index >= 0) this.waiters.splice(index, 1);
          reject(abortReason(signal!));
          this.schedule();
        },
      };
      signal?.addEventListener('abort', waiter.onAbort, { once: true });
      this.waiters.push(waiter);
      this.schedule();
    });
  }

  debit(tokens: number): void {
    if (tokens <= 0) return;
    this.refill();
    this.tokens -= tokens;
  }

  private refill(): void {
    const now = this.now();
    const elapsed = Math.max(0, now - this.lastRefill);
    this.lastRefill = now;
    this.tokens = Math.min(this.tokensPerMinute, this.tokens + elapsed * this.perMs);
  }

  private schedule(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.refill();
    while (this.waiters.length > 0 && this.tokens >= this.waiters[0]!.tokens) {
      const next = this.waiters.shift()!;
      this.tokens -= next.tokens;
      next.signal?.removeEventListener('abort', next.onAbort);
      next.resolve(this.now() - next.since);
    }
    const head = this.waiters[0];
    if (head) {
      const waitMs = Math.max(1, Math.ceil((head.tokens - this.tokens) / this.perMs));
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.schedule();
      }, waitMs);
    }
  }
}
