/**
 * The structured client against the scripted server: real HTTP on 127.0.0.1 through the real
 * `openai` package, no mocks in between.
 */
import { facetAnswerSchema } from '@silhouette/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  ScriptedLlmServer,
  type ScriptedLlmServerOptions,
} from '../../../../test/helpers/scripted-llm-server';
import { LlmOutputError, LlmRequestError, LlmUnavailableError } from './errors';
import {
  StructuredLlmClient,
  type CompletionRequest,
  type StructuredClientOptions,
} from './structured-client';

/** Appears in every prompt; must never appear in an error message. */
const SENTINEL = 'Zebulon Quartermain';
const CONVERSATION = `<conversation>
USER: Hi, I am ${SENTINEL}. Can you check my budget forecast? Revenue is down and the expense lines look wrong.
ASSISTANT: Sure, the forecast double counts the travel expense line.
USER: Thanks, perfect.
</conversation>`;

let server: ScriptedLlmServer;
const clients: StructuredLlmClient[] = [];

async function startServer(options: ScriptedLlmServerOptions = {}): Promise<ScriptedLlmServer> {
  server = await ScriptedLlmServer.start(options);
  return server;
}

function client(options: StructuredClientOptions = {}): StructuredLlmClient {
  const c = new StructuredLlmClient({
    baseURL: server.baseURL,
    apiKey: 'test-key',
    baseDelayMs: 10,
    maxDelayMs: 50,
    timeoutMs: 2_000,
    ...options,
  });
  clients.push(c);
  return c;
}

function facetRequest(
  overrides: Partial<CompletionRequest<z.infer<typeof facetAnswerSchema>>> = {},
): CompletionRequest<z.infer<typeof facetAnswerSchema>> {
  return {
    task: 'tag',
    model: 'scripted-tagger',
    schema: facetAnswerSchema,
    schemaName: 'facet_answer',
    system: 'Tag the conversation.',
    user: CONVERSATION,
    promptVersion: 'test-v1',
    maxOutputTokens: 300,
    ...overrides,
  };
}

async function expectRejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected the call to fail');
}

function expectContentFree(error: Error): void {
  const text = `${error.message} ${String(error)} ${JSON.stringify(error)}`;
  expect(text).not.toContain(SENTINEL);
  expect(text).not.toContain('budget forecast');
  expect(text).not.toContain('Sure!'); // invalid model output
  expect((error as { cause?: unknown }).cause).toBeUndefined();
}

beforeEach(async () => {
  await startServer();
});

afterEach(async () => {
  clients.length = 0;
  await server.close();
});

describe('StructuredLlmClient: answers', () => {
  it('sends a strict JSON schema and returns the zod-validated answer with usage', async () => {
    const result = await client().complete(facetRequest());

    expect(facetAnswerSchema.safeParse(result.value).success).toBe(true);
    expect(result.value.domain).toBe('finance');
    expect(result.value.outcome).toBe('resolved');
    expect(result).toMatchObject({
      attempts: 1,
      repaired: false,
      cached: false,
      model: 'scripted-tagger',
    });
    expect(result.usage.promptTokens).toBeGreaterThan(0);
    expect(result.usage.completionTokens).toBeGreaterThan(0);

    const body = server.requestsTo('chat')[0]!.body as {
      response_format: {
        type: string;
        json_schema: { name: string; strict: boolean; schema: Record<string, unknown> };
      };
      max_tokens: number;
    };
    expect(body.response_format.type).toBe('json_schema');
    expect(body.response_format.json_schema.name).toBe('facet_answer');
    expect(body.response_format.json_schema.strict).toBe(true);
    const schema = body.response_format.json_schema.schema;
    expect(schema['additionalProperties']).toBe(false);
    expect(schema['required']).toEqual(Object.keys(schema['properties'] as object));
    expect(body.max_tokens).toBe(300);
  });

  it('makes optional fields nullable for strict mode and drops the nulls before zod', async () => {
    const schema = z.object({ label: z.string(), note: z.string().optional() });
    server.respond = () => ({ content: JSON.stringify({ label: 'x', note: null }) });
    const result = await client().complete({ ...facetRequest(), schema, schemaName: 'note' });
    expect(result.value).toEqual({ label: 'x' });
    const sent = (
      server.requestsTo('chat')[0]!.body as {
        response_format: { json_schema: { schema: unknown } };
      }
    ).response_format.json_schema.schema as {
      required: string[];
      properties: Record<string, { type: unknown }>;
    };
    expect(sent.required).toEqual(['label', 'note']);
    expect(sent.properties['note']!.type).toEqual(['string', 'null']);
  });
});

describe('StructuredLlmClient: retries', () => {
  it('honours Retry-After (seconds) on 429, then succeeds', async () => {
    server.enqueue('rate_limit');
    const c = client();
    const started = performance.now();
    const result = await c.complete(facetRequest());
    const elapsed = performance.now() - started;

    expect(elapsed).toBeGreaterThanOrEqual(1_000);
    expect(elapsed).toBeLessThan(3_000);
    expect(result.attempts).toBe(2);
    expect(server.requestsTo('chat').map((r) => r.status)).toEqual([429, 200]);
    expect(c.stats().rows[0]).toMatchObject({ task: 'tag', requests: 2, retries: 1, errors: 0 });
  });

  it('prefers retry-after-ms over Retry-After', async () => {
    await server.close();
    await startServer({ retryAfterSeconds: 30, retryAfterMs: 250 });
    server.enqueue('rate_limit');
    const started = performance.now();
    await client().complete(facetRequest());
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(250);
    expect(elapsed).toBeLessThan(2_000);
  });

  it('fails fast when Retry-After exceeds maxRetryAfterMs, leaving the wait to the job queue', async () => {
    await server.close();
    await startServer({ retryAfterSeconds: 600 });
    server.enqueue('rate_limit');
    const error = await expectRejection(
      client({ maxRetryAfterMs: 5_000 }).complete(facetRequest()),
    );
    expect(error).toBeInstanceOf(LlmUnavailableError);
    expect((error as LlmUnavailableError).lastStatus).toBe(429);
    expect(server.chatRequestCount).toBe(1);
  });

  it('gives up after maxAttempts on a 5xx storm with a content-free LlmUnavailableError', async () => {
    server.setMode('server_error');
    const c = client({ maxAttempts: 3 });
    const error = await expectRejection(c.complete(facetRequest()));

    expect(error).toBeInstanceOf(LlmUnavailableError);
    const unavailable = error as LlmUnavailableError;
    expect(unavailable.code).toBe('llm_unavailable');
    expect(unavailable.retryable).toBe(true);
    expect(unavailable.attempts).toBe(3);
    expect([500, 502, 503]).toContain(unavailable.lastStatus);
    expect(unavailable.message).toMatch(/after 3 attempt\(s\); last failure: HTTP 50[023]/);
    expectContentFree(unavailable);
    expect(server.chatRequestCount).toBe(3);
    expect(c.stats().totals).toMatchObject({ calls: 1, requests: 3, retries: 2, errors: 1 });
  });

  it('retries a request that times out', async () => {
    server.enqueue({ mode: 'slow', delayMs: 3_000 });
    const started = performance.now();
    const result = await client({ timeoutMs: 200 }).complete(facetRequest());

    expect(result.attempts).toBe(2);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(server.requestsTo('chat')[0]!.aborted).toBe(true);
    expect(server.requestsTo('chat')[1]!.status).toBe(200);
  });

  it('reports timeouts as the last failure when they persist', async () => {
    server.setMode('slow');
    const error = await expectRejection(
      client({ timeoutMs: 100, maxAttempts: 2 }).complete(facetRequest()),
    );
    expect(error).toBeInstanceOf(LlmUnavailableError);
    expect((error as LlmUnavailableError).lastReason).toBe('timeout');
    expectContentFree(error);
  });

  it('does not retry a rejected request (401) and keeps the provider message out of the error', async () => {
    server.respond = () => ({
      status: 401,
      body: {
        error: {
          message: `Invalid key for ${SENTINEL}`,
          type: 'invalid_request_error',
          code: 'invalid_api_key',
        },
      },
    });
    const error = await expectRejection(client().complete(facetRequest()));
    expect(error).toBeInstanceOf(LlmRequestError);
    expect(error.message).toContain('HTTP 401 (invalid_api_key)');
    expectContentFree(error);
    expect(server.chatRequestCount).toBe(1);
  });

  it('retries a malformed 2xx body without quoting it', async () => {
    server.respond = (request) =>
      request.seq === 1
        ? { rawBody: `{"id": "chatcmpl-1", "choices": [{"message": "${SENTINEL}` }
        : undefined;
    const result = await client().complete(facetRequest());
    expect(result.attempts).toBe(2);

    server.respond = () => ({ rawBody: `<html>${SENTINEL}</html>` });
    const error = await expectRejection(client({ maxAttempts: 2 }).complete(facetRequest()));
    expect(error).toBeInstanceOf(LlmUnavailableError);
    expect((error as LlmUnavailableError).lastReason).toBe('malformed response body');
    expectContentFree(error);
  });

  it('stops waiting and retrying when the caller aborts', async () => {
    server.setMode('slow');
    const c = client({ timeoutMs: 5_000 });
    const controller = new AbortController();
    const started = performance.now();
    const pending = c.complete(facetRequest({ signal: controller.signal }));
    setTimeout(() => controller.abort(), 100);
    const error = await expectRejection(pending);
    expect(error).not.toBeInstanceOf(LlmUnavailableError);
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(server.chatRequestCount).toBe(1);
    expect(c.stats().totals.errors).toBe(1);
  });

  it('survives a seeded 30% failure rate (429, 5xx, invalid JSON) with retries and repairs', async () => {
    await server.close();
    await startServer({ failureRate: 0.3, seed: 7, retryAfterSeconds: 0, retryAfterMs: 5 });
    const c = client({ maxAttempts: 8 });
    // Sequential, so the seeded failure draws meet the requests in the same order on every run.
    // 429s, 5xx and one bad answer are absorbed (retry, repair); a bad answer AND a bad repair is
    // an LlmOutputError by design (the job retries later), never anything else.
    let succeeded = 0;
    let invalidTwice = 0;
    for (let i = 0; i < 20; i++) {
      try {
        await c.complete(facetRequest({ user: `${CONVERSATION}\n#${i}` }));
        succeeded += 1;
      } catch (error) {
        expect(error).toBeInstanceOf(LlmOutputError);
        invalidTwice += 1;
      }
    }
    expect(succeeded + invalidTwice).toBe(20);
    expect(succeeded).toBeGreaterThanOrEqual(15);
    const totals = c.stats().totals;
    expect(totals.retries + totals.repairs).toBeGreaterThan(0);
    expect(totals.requests).toBe(server.chatRequestCount);
    const failures = server.requestsTo('chat').filter((r) => r.answeredAs !== 'ok').length;
    expect(failures / server.chatRequestCount).toBeGreaterThan(0.1);
  });
});

describe('StructuredLlmClient: repair', () => {
  it('repairs unparseable output with one extra call that shows the model its answer', async () => {
    server.enqueue('invalid_json');
    const c = client();
    const result = await c.complete(facetRequest());

    expect(result).toMatchObject({ repaired: true, attempts: 2 });
    expect(facetAnswerSchema.safeParse(result.value).success).toBe(true);
    const [first, second] = server.requestsTo('chat');
    const messages = (second!.body as { messages: { role: string; content: string }[] }).messages;
    expect(messages.map((m) => m.role)).toEqual(['system', 'user', 'assistant', 'user']);
    expect(messages[2]!.content).toContain('Sure! Here is the JSON');
    expect(messages[3]!.content).toContain('not valid JSON');
    expect(first!.answeredAs).toBe('invalid_json');
    expect(c.stats().rows[0]).toMatchObject({ repairs: 1, requests: 2, errors: 0 });
    // Both calls are billed.
    expect(result.usage.promptTokens).toBeGreaterThan(0);
  });

  it('repairs a schema violation and tells the model which field was wrong', async () => {
    server.enqueue('schema_violation');
    const result = await client().complete(facetRequest());
    expect(result.repaired).toBe(true);
    expect(['resolved', 'partially_resolved', 'unresolved', 'abandoned', 'refused']).toContain(
      result.value.outcome,
    );
    const repair = (server.requestsTo('chat')[1]!.body as { messages: { content: string }[] })
      .messages[3]!;
    expect(repair.content).toContain('outcome');
    expect(repair.content).toContain('user_frustration');
  });

  it('throws LlmOutputError after exactly two calls when the repair is invalid too', async () => {
    server.setMode('invalid_json');
    const c = client();
    const error = await expectRejection(c.complete(facetRequest()));

    expect(error).toBeInstanceOf(LlmOutputError);
    const output = error as LlmOutputError;
    expect(output.code).toBe('llm_invalid_output');
    expect(output.retryable).toBe(false);
    expect(output.reason).toBe('unparseable');
    expect(output.httpCalls).toBe(2);
    expect(server.chatRequestCount).toBe(2);
    expectContentFree(output);
    expect(c.stats().rows[0]).toMatchObject({ repairs: 1, errors: 1 });
  });

  it('names the violated fields (paths and codes only) when the schema is violated twice', async () => {
    server.setMode('schema_violation');
    const error = await expectRejection(client().complete(facetRequest()));
    expect(error).toBeInstanceOf(LlmOutputError);
    expect((error as LlmOutputError).issues.map((i) => i.path)).toEqual(
      expect.arrayContaining(['outcome', 'user_frustration']),
    );
    expect(error.message).toContain('outcome (invalid_value)');
    expect(server.chatRequestCount).toBe(2);
  });
});

describe('StructuredLlmClient: cache', () => {
  it('serves a repeated content hash from the cache without an HTTP call', async () => {
    const c = client();
    const first = await c.complete(facetRequest({ contentHash: 'abc' }));
    const second = await c.complete(facetRequest({ contentHash: 'abc' }));

    expect(server.chatRequestCount).toBe(1);
    expect(second).toMatchObject({
      cached: true,
      attempts: 0,
      usage: { promptTokens: 0, completionTokens: 0 },
    });
    expect(second.value).toEqual(first.value);
    expect(c.stats().rows[0]).toMatchObject({ calls: 2, cacheHits: 1, requests: 1 });

    // Another prompt version or model is another answer.
    await c.complete(facetRequest({ contentHash: 'abc', promptVersion: 'test-v2' }));
    await c.complete(facetRequest({ contentHash: 'abc', model: 'other-model' }));
    expect(server.chatRequestCount).toBe(3);
  });

  it('shares one in-flight call between concurrent identical requests', async () => {
    server.setLatency(100);
    const c = client();
    const results = await Promise.all(
      [1, 2, 3].map(() => c.complete(facetRequest({ contentHash: 'same' }))),
    );
    expect(server.chatRequestCount).toBe(1);
    expect(results.filter((r) => r.cached)).toHaveLength(2);
  });

  it("makes its own call when the shared call's caller aborted", async () => {
    server.setLatency(200);
    const c = client();
    const controller = new AbortController();
    const leader = c.complete(facetRequest({ contentHash: 'k', signal: controller.signal }));
    const follower = c.complete(facetRequest({ contentHash: 'k' }));
    setTimeout(() => controller.abort(), 50);
    await expect(leader).rejects.toThrow();
    const result = await follower;
    expect(result.cached).toBe(false);
    expect(server.chatRequestCount).toBe(2);
  });

  it('treats a failing cache as a miss', async () => {
    const broken = {
      get: () => Promise.reject(new Error('cache down')),
      set: () => Promise.reject(new Error('cache down')),
    };
    const result = await client({ cache: broken }).complete(facetRequest({ contentHash: 'k' }));
    expect(result.cached).toBe(false);
    expect(server.chatRequestCount).toBe(1);
  });

  it('does not cache without a content hash, or when disabled', async () => {
    await client().complete(facetRequest());
    await client().complete(facetRequest());
    const disabled = client({ cache: false });
    await disabled.complete(facetRequest({ contentHash: 'x' }));
    await disabled.complete(facetRequest({ contentHash: 'x' }));
    expect(server.chatRequestCount).toBe(4);
  });
});

describe('StructuredLlmClient: throughput limits', () => {
  it('keeps at most `concurrency` calls in flight: 16 calls of 500 ms at 8 take about 1 s', async () => {
    server.setMode('latency');
    const c = client({ concurrency: 8 });
    const started = performance.now();
    await Promise.all(
      Array.from({ length: 16 }, (_, i) =>
        c.complete(facetRequest({ user: `${CONVERSATION} ${i}` })),
      ),
    );
    const elapsed = performance.now() - started;

    expect(server.maxInFlight).toBe(8);
    expect(elapsed).toBeGreaterThanOrEqual(1_000);
    expect(elapsed).toBeLessThan(2_000);
  });

  it('delays calls when the tokens-per-minute budget is spent', async () => {
    // 60,000 TPM = 1,000 tokens/s. The first call reserves ~59,000 + prompt, leaving < 1,000;
    // the second needs 1,500 + prompt, so it waits at least ~0.5 s for the refill.
    const c = client({ tokensPerMinute: 60_000 });
    const t0 = performance.now();
    await c.complete(facetRequest({ maxOutputTokens: 59_000 }));
    const t1 = performance.now();
    await c.complete(facetRequest({ maxOutputTokens: 1_500 }));
    const t2 = performance.now();

    expect(t1 - t0).toBeLessThan(400);
    expect(t2 - t1).toBeGreaterThanOrEqual(450);
    expect(t2 - t1).toBeLessThan(2_500);

    // Same calls without a budget: no wait.
    const unlimited = client();
    const t3 = performance.now();
    await unlimited.complete(facetRequest({ maxOutputTokens: 59_000 }));
    await unlimited.complete(facetRequest({ maxOutputTokens: 1_500 }));
    expect(performance.now() - t3).toBeLessThan(400);
  });
});

describe('StructuredLlmClient: accounting', () => {
  it('counts tokens per task and model and prices them from the table', async () => {
    const c = client({
      prices: { 'scripted-tagger': { inputPerMillion: 0.15, outputPerMillion: 0.6 } },
    });
    const a = await c.complete(facetRequest());
    const b = await c.complete(facetRequest({ task: 'name-cluster' }));
    await c.complete(facetRequest({ model: 'unpriced-model' }));

    const stats = c.stats();
    expect(stats.rows.map((r) => `${r.task}/${r.model}`)).toEqual([
      'name-cluster/scripted-tagger',
      'tag/scripted-tagger',
      'tag/unpriced-model',
    ]);
    const tag = stats.rows[1]!;
    expect(tag.promptTokens).toBe(a.usage.promptTokens);
    expect(tag.completionTokens).toBe(a.usage.completionTokens);
    expect(tag.costUsd).toBeCloseTo(
      (a.usage.promptTokens * 0.15 + a.usage.completionTokens * 0.6) / 1e6,
      12,
    );
    expect(stats.rows[2]!.costUsd).toBeUndefined();
    expect(stats.totals.unpricedModels).toEqual(['unpriced-model']);
    expect(stats.totals.costUsd).toBeCloseTo(
      ((a.usage.promptTokens + b.usage.promptTokens) * 0.15 +
        (a.usage.completionTokens + b.usage.completionTokens) * 0.6) /
        1e6,
      12,
    );
    expect(stats.totals.calls).toBe(3);
  });

  it('rejects schema names the API would refuse, before any HTTP call', async () => {
    await expect(client().complete(facetRequest({ schemaName: 'facet answer!' }))).rejects.toThrow(
      RangeError,
    );
    expect(server.chatRequestCount).toBe(0);
  });
});
