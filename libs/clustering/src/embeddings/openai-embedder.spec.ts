/**
 * OpenAiEmbedder against the scripted OpenAI-compatible server: real HTTP on 127.0.0.1 through the
 * real `openai` package, no mocks in between.
 */
import { afterEach, describe, expect, it } from 'vitest';
import {
  pseudoEmbedding,
  ScriptedLlmServer,
  type ScriptedLlmServerOptions,
} from '../../../../test/helpers/scripted-llm-server';
import { EmbeddingError, OpenAiEmbedder, type OpenAiEmbedderOptions } from './openai-embedder';

/** Appears in every input; must never appear in an error. */
const SENTINEL = 'Zebulon Quartermain';

let server: ScriptedLlmServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function setup(
  serverOptions: ScriptedLlmServerOptions = {},
  embedderOptions: Partial<OpenAiEmbedderOptions> = {},
): Promise<{ server: ScriptedLlmServer; embedder: OpenAiEmbedder }> {
  server = await ScriptedLlmServer.start({ retryAfterMs: 5, ...serverOptions });
  const embedder = new OpenAiEmbedder({
    model: 'scripted-embedder',
    dimension: 32,
    baseURL: server.baseURL,
    apiKey: 'test-key',
    baseDelayMs: 5,
    maxDelayMs: 20,
    timeoutMs: 5_000,
    ...embedderOptions,
  });
  return { server, embedder };
}

const texts = (count: number) =>
  Array.from({ length: count }, (_, i) => `question ${i} from ${SENTINEL}`);

function inputsOf(s: ScriptedLlmServer): string[][] {
  return s.requestsTo('embeddings').map((r) => (r.body as { input: string[] }).input);
}

describe('OpenAiEmbedder', () => {
  it('batches inputs, keeps their order and returns unit vectors of the requested dimension', async () => {
    const { server, embedder } = await setup({}, { batchSize: 256, concurrency: 2 });
    const input = texts(600);
    const vectors = await embedder.embed(input);

    const batches = inputsOf(server);
    expect(batches.map((b) => b.length).sort((a, b) => a - b)).toEqual([88, 256, 256]);
    expect(batches.flat().sort()).toEqual([...input].sort());
    for (const request of server.requestsTo('embeddings')) {
      expect(request.body).toMatchObject({ model: 'scripted-embedder', dimensions: 32 });
    }
    expect(vectors).toHaveLength(600);
    for (const i of [0, 255, 256, 599]) {
      const expected = pseudoEmbedding(input[i]!, 32);
      expect(vectors[i]).toHaveLength(32);
      expect(vectors[i]![0]).toBeCloseTo(expected[0]!, 5);
      expect(vectors[i]![31]).toBeCloseTo(expected[31]!, 5);
      expect(Math.hypot(...vectors[i]!)).toBeCloseTo(1, 5);
    }
  });

  it('retries 429 and 5xx answers with backoff, then succeeds', async () => {
    const { server, embedder } = await setup();
    server.enqueue(
      { mode: 'rate_limit', endpoint: 'embeddings' },
      { mode: 'server_error', endpoint: 'embeddings', status: 503 },
    );
    const vectors = await embedder.embed(texts(3));
    expect(vectors).toHaveLength(3);
    expect(server.requestsTo('embeddings').map((r) => r.status)).toEqual([429, 503, 200]);
  });

  it('waits as long as a 429 says in Retry-After (seconds) before retrying', async () => {
    // No retry-after-ms header: the seconds header alone decides; the backoff would be <= 20 ms.
    const { server, embedder } = await setup({ retryAfterMs: undefined, retryAfterSeconds: 0.3 });
    server.enqueue({ mode: 'rate_limit', endpoint: 'embeddings' });
    await embedder.embed(texts(2));
    const [limited, retried] = server.requestsTo('embeddings');
    expect([limited!.status, retried!.status]).toEqual([429, 200]);
    expect(retried!.receivedAt - limited!.receivedAt).toBeGreaterThanOrEqual(280);
  });

  it('fails fast, retryable, when Retry-After exceeds maxRetryAfterMs', async () => {
    const { server, embedder } = await setup(
      { mode: 'rate_limit', retryAfterMs: undefined, retryAfterSeconds: 120 },
      { maxRetryAfterMs: 1_000 },
    );
    const error = (await embedder.embed(texts(1)).catch((e: unknown) => e)) as EmbeddingError;
    expect(error).toBeInstanceOf(EmbeddingError);
    expect(error.code).toBe('embedding_unavailable');
    expect(error.retryable).toBe(true);
    expect(error.status).toBe(429);
    expect(server.requestsTo('embeddings')).toHaveLength(1);
  });

  it('retries a request that timed out', async () => {
    const { server, embedder } = await setup({}, { timeoutMs: 200 });
    server.enqueue({ mode: 'slow', endpoint: 'embeddings', delayMs: 2_000 });
    const vectors = await embedder.embed(texts(2));
    expect(vectors).toHaveLength(2);
    const requests = server.requestsTo('embeddings');
    expect(requests).toHaveLength(2);
    expect(requests[0]!.aborted).toBe(true);
    expect(requests[1]!.status).toBe(200);
  });

  it('reports a timeout as the last failure when every attempt times out', async () => {
    const { embedder } = await setup(
      { mode: 'slow', slowMs: 2_000 },
      { timeoutMs: 100, maxAttempts: 2 },
    );
    const error = (await embedder.embed(texts(1)).catch((e: unknown) => e)) as EmbeddingError;
    expect(error.code).toBe('embedding_unavailable');
    expect(error.retryable).toBe(true);
    expect(error.message).toContain('last failure: timeout');
  });

  it('gives up after maxAttempts with a retryable, content-free error', async () => {
    const { server, embedder } = await setup({ mode: 'server_error' }, { maxAttempts: 3 });
    const error = await embedder.embed(texts(2)).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(EmbeddingError);
    const failure = error as EmbeddingError;
    expect(failure.code).toBe('embedding_unavailable');
    expect(failure.retryable).toBe(true);
    expect(failure.attempts).toBe(3);
    expect(server.requestsTo('embeddings')).toHaveLength(3);
    const text = `${failure.message} ${String(failure)} ${JSON.stringify(failure)}`;
    expect(text).not.toContain(SENTINEL);
    expect(text).not.toContain('question');
    expect((failure as { cause?: unknown }).cause).toBeUndefined();
  });

  it('does not retry a rejected request (4xx)', async () => {
    const { server, embedder } = await setup({
      respond: () => ({
        status: 400,
        body: { error: { message: `bad input ${SENTINEL}`, code: 'invalid_input' } },
      }),
    });
    const error = (await embedder.embed(texts(1)).catch((e: unknown) => e)) as EmbeddingError;
    expect(error.code).toBe('embedding_rejected');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('HTTP 400');
    expect(error.message).not.toContain(SENTINEL);
    expect(server.requestsTo('embeddings')).toHaveLength(1);
  });

  it('rejects vectors of the wrong dimension', async () => {
    const { embedder } = await setup({ embeddingDimension: 16 }, { sendDimensions: false });
    const error = (await embedder.embed(texts(1)).catch((e: unknown) => e)) as EmbeddingError;
    expect(error.code).toBe('embedding_invalid');
    expect(error.message).toContain('dimension 16, expected 32');
  });

  it('sends a space for empty strings, which the API would reject', async () => {
    const { server, embedder } = await setup();
    const vectors = await embedder.embed(['', 'hello']);
    expect(vectors).toHaveLength(2);
    expect(inputsOf(server)[0]).toEqual([' ', 'hello']);
  });

  it('asks for floats, and reads floats and base64 whatever the server chose', async () => {
    // The bug this guards: the SDK asked for base64 by default and decoded any answer as base64,
    // so a server answering float arrays regardless had 1,536 floats read as 384.
    const input = texts(3);
    for (const embeddingEncoding of ['float', 'base64'] as const) {
      const { server, embedder } = await setup(
        { quirks: { embeddingEncoding } },
        { dimension: 1536 },
      );
      const vectors = await embedder.embed(input);
      expect(
        (server.requestsTo('embeddings')[0]!.body as { encoding_format: string }).encoding_format,
      ).toBe('float');
      expect(vectors.map((v) => v.length)).toEqual([1536, 1536, 1536]);
      const expected = pseudoEmbedding(input[1]!, 1536);
      expect(vectors[1]![0]).toBeCloseTo(expected[0]!, 5);
      expect(vectors[1]![1535]).toBeCloseTo(expected[1535]!, 5);
      await server.close();
    }
  });

  it('stops sending `dimensions` to a server that rejects it, once', async () => {
    const { server, embedder } = await setup(
      { quirks: { dimensions: 'reject' }, embeddingDimension: 32 },
      { batchSize: 2, concurrency: 1 },
    );
    const vectors = await embedder.embed(texts(5));
    expect(vectors).toHaveLength(5);
    const requests = server.requestsTo('embeddings');
    expect(requests.map((r) => r.status)).toEqual([400, 200, 200, 200]);
    expect(requests.map((r) => 'dimensions' in (r.body as object))).toEqual([
      true,
      false,
      false,
      false,
    ]);
  });

  it('names the setting to change when the server ignores `dimensions`', async () => {
    const { embedder } = await setup({ quirks: { dimensions: 'ignore' }, embeddingDimension: 768 });
    const error = (await embedder.embed(texts(1)).catch((e: unknown) => e)) as EmbeddingError;
    expect(error.code).toBe('embedding_invalid');
    expect(error.retryable).toBe(false);
    expect(error.message).toContain('EMBEDDING_DIMENSION=768');
    expect(error.message).not.toContain(SENTINEL);
  });

  it('takes answers without usage and with extra fields', async () => {
    const { embedder } = await setup({ quirks: { omitUsage: true, extraFields: true } });
    const vectors = await embedder.embed(texts(4));
    expect(vectors.map((v) => v.length)).toEqual([32, 32, 32, 32]);
  });

  it('rejects an embedding that is neither floats nor base64 float32', async () => {
    const { embedder } = await setup({
      respond: () => ({
        body: {
          object: 'list',
          data: [{ object: 'embedding', index: 0, embedding: 'not base64!' }],
        },
      }),
    });
    const error = (await embedder.embed(texts(1)).catch((e: unknown) => e)) as EmbeddingError;
    expect(error.code).toBe('embedding_invalid');
  });
});
