/**
 * Which failures are worth another attempt, and how long to wait before it: exponential backoff
 * with full jitter, unless the server says how long (`retry-after-ms`, `Retry-After` in seconds or
 * as an HTTP date). Descriptions are content-free (status, error type), safe for logs.
 */
import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';

export interface BackoffPolicy {
  baseDelayMs: number;
  maxDelayMs: number;
}

/** Full jitter: uniform in [0, min(maxDelay, base * 2^(failedAttempts-1))]. */
export function backoffDelayMs(
  failedAttempts: number,
  policy: BackoffPolicy,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(
    policy.maxDelayMs,
    policy.baseDelayMs * 2 ** Math.max(0, failedAttempts - 1),
  );
  return Math.floor(random() * ceiling);
}

interface HeaderSource {
  get(name: string): string | null;
}

/** Server-requested delay in ms, from `retry-after-ms` or `Retry-After`; undefined if absent. */
export function parseRetryAfterMs(
  headers: HeaderSource | undefined,
  nowMs: number = Date.now(),
): number | undefined {
  if (!headers) return undefined;
  const ms = headers.get('retry-after-ms');
  if (ms !== null && ms.trim() !== '') {
    const value = Number(ms);
    if (Number.isFinite(value) && value >= 0) return value;
  }
  const after = headers.get('retry-after');
  if (after === null || after.trim() === '') return undefined;
  const trimmed = after.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - nowMs);
}

export type FailureClass =
  | { kind: 'abort' }
  | {
      kind: 'retryable';
      reason: string;
      status: number | undefined;
      retryAfterMs: number | undefined;
    }
  | { kind: 'fatal'; status: number | undefined; providerCode: string | undefined }
  | { kind: 'unknown' };

/** Provider-supplied strings are only echoed when they look like identifiers. */
export function safeIdentifier(value: unknown): string | undefined {
  return typeof value === 'string' && /^[A-Za-z0-9_.:-]{1,64}$/.test(value) ? value : undefined;
}

const RETRYABLE_STATUS = (status: number) =>
  status === 408 || status === 409 || status === 429 || status >= 500;

export function classifyFailure(error: unknown): FailureClass {
  if (error instanceof APIUserAbortError) return { kind: 'abort' };
  if (error instanceof APIConnectionTimeoutError) {
    return { kind: 'retryable', reason: 'timeout', status: undefined, retryAfterMs: undefined };
  }
  if (error instanceof APIConnectionError) {
    return {
      kind: 'retryable',
      reason: 'connection error',
      status: undefined,
      retryAfterMs: undefined,
    };
  }
  if (error instanceof APIError) {
    const status = error.status;
    const type = safeIdentifier(error.type) ?? safeIdentifier(error.code);
    const shouldRetry = error.headers?.get('x-should-retry');
    const retryable =
      shouldRetry === 'true'
        ? true
        : shouldRetry === 'false'
          ? false
          : status !== undefined && RETRYABLE_STATUS(status);
    if (!retryable) {
      return {
        kind: 'fatal',
        status,
        providerCode: safeIdentifier(error.code) ?? safeIdentifier(error.type),
      };
    }
    return {
      kind: 'retryable',
      reason: `HTTP ${status ?? 'n/a'}${type ? ` (${type})` : ''}`,
      status,
      retryAfterMs: parseRetryAfterMs(error.headers),
    };
  }
  if (error instanceof SyntaxError) {
    // The SDK could not parse a 2xx body (a proxy's HTML page, a cut-off response). Its message
    // quotes the body, so only the kind of failure is kept.
    return {
      kind: 'retryable',
      reason: 'malformed response body',
      status: undefined,
      retryAfterMs: undefined,
    };
  }
  return { kind: 'unknown' };
}

/** setTimeout as a promise that rejects when the signal aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0 && !signal?.aborted) return Promise.resolve();
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason ?? new DOMException('The operation was aborted.', 'AbortError'));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal!.reason ?? new DOMException('The operation was aborted.', 'AbortError'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
