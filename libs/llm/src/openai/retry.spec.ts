import { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { describe, expect, it } from 'vitest';
import { backoffDelayMs, classifyFailure, parseRetryAfterMs } from './retry';

describe('parseRetryAfterMs', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');

  it('reads seconds, HTTP dates and retry-after-ms (which wins)', () => {
    expect(parseRetryAfterMs(new Headers({ 'retry-after': '2' }), now)).toBe(2_000);
    expect(parseRetryAfterMs(new Headers({ 'retry-after': '0.5' }), now)).toBe(500);
    expect(
      parseRetryAfterMs(new Headers({ 'retry-after': 'Wed, 01 Jan 2025 00:00:03 GMT' }), now),
    ).toBe(3_000);
    expect(
      parseRetryAfterMs(new Headers({ 'retry-after': 'Tue, 31 Dec 2024 23:59:00 GMT' }), now),
    ).toBe(0);
    expect(
      parseRetryAfterMs(new Headers({ 'retry-after': '9', 'retry-after-ms': '120' }), now),
    ).toBe(120);
  });

  it('ignores missing or garbage values', () => {
    expect(parseRetryAfterMs(undefined)).toBeUndefined();
    expect(parseRetryAfterMs(new Headers())).toBeUndefined();
    expect(parseRetryAfterMs(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(parseRetryAfterMs(new Headers({ 'retry-after-ms': '-5' }))).toBeUndefined();
  });
});

describe('backoffDelayMs', () => {
  const policy = { baseDelayMs: 100, maxDelayMs: 1_000 };

  it('is full jitter under an exponential ceiling capped at maxDelayMs', () => {
    expect(backoffDelayMs(1, policy, () => 0.999)).toBe(99);
    expect(backoffDelayMs(3, policy, () => 0.999)).toBe(399);
    expect(backoffDelayMs(10, policy, () => 0.999)).toBe(999);
    expect(backoffDelayMs(10, policy, () => 0)).toBe(0);
  });
});

describe('classifyFailure', () => {
  const error = (status: number, headers: Record<string, string> = {}, body?: object) =>
    APIError.generate(
      status,
      body ?? { error: { message: 'secret user text', type: 'server_error' } },
      undefined,
      new Headers(headers),
    );

  it('retries 408, 409, 429 and 5xx, timeouts and connection errors', () => {
    for (const status of [408, 409, 429, 500, 502, 503, 504]) {
      expect(classifyFailure(error(status)).kind).toBe('retryable');
    }
    expect(classifyFailure(new APIConnectionTimeoutError())).toMatchObject({
      kind: 'retryable',
      reason: 'timeout',
    });
    expect(classifyFailure(new APIConnectionError({}))).toMatchObject({
      kind: 'retryable',
      reason: 'connection error',
    });
  });

  it('does not retry other 4xx, and obeys x-should-retry', () => {
    expect(classifyFailure(error(400))).toMatchObject({ kind: 'fatal', status: 400 });
    expect(classifyFailure(error(401))).toMatchObject({ kind: 'fatal', status: 401 });
    expect(classifyFailure(error(500, { 'x-should-retry': 'false' })).kind).toBe('fatal');
    expect(classifyFailure(error(400, { 'x-should-retry': 'true' })).kind).toBe('retryable');
  });

  it('describes failures without the provider message', () => {
    const failure = classifyFailure(error(429, { 'retry-after': '1' }));
    expect(failure).toEqual({
      kind: 'retryable',
      reason: 'HTTP 429 (server_error)',
      status: 429,
      retryAfterMs: 1_000,
    });
    const odd = classifyFailure(
      error(503, {}, { error: { message: 'x', type: 'not an identifier: John' } }),
    );
    expect(odd).toMatchObject({ reason: 'HTTP 503' });
  });

  it('passes aborts and unknown errors through', () => {
    expect(classifyFailure(new APIUserAbortError())).toEqual({ kind: 'abort' });
    expect(classifyFailure(new TypeError('bug'))).toEqual({ kind: 'unknown' });
    expect(classifyFailure(new SyntaxError('Unexpected token < in "<html>…"'))).toMatchObject({
      kind: 'retryable',
      reason: 'malformed response body',
    });
  });
});
