/**
 * Embeddings from any OpenAI-compatible `/embeddings` endpoint (OpenAI, Azure, vLLM, Ollama,
 * LM Studio, OpenRouter) through the `openai` package.
 *
 * Owns: batching (the API takes many inputs per call), bounded retries, a check that every vector
 * has the configured dimension, and L2 normalisation. Which failures are retried (408/409/429/5xx,
 * timeouts, connection errors, malformed bodies) and how long to wait (exponential backoff with
 * full jitter, or the server's `retry-after-ms` / `Retry-After` up to a cap) is the chat client's
 * policy, shared from @silhouette/llm (libs/llm/src/openai/retry.ts).
 *
 * Privacy: errors thrown from here carry the model name, HTTP status, a provider error code that
 * looks like an identifier and counts, never input text or the provider's message (which can echo
 * the request), and no `cause`. The SDK's logger is off: at debug level it logs request bodies.
 */
import { backoffDelayMs, classifyFailure, sleep } from '@silhouette/llm';
import OpenAI, { APIError } from 'openai';
import { toUnitFloat32, type Embedder } from './embedder';

export interface OpenAiEmbedderOptions {
  /** e.g. 'text-embedding-3-small'. */
  model: string;
  /** Expected vector length; also sent as `dimensions` unless `sendDimensions` is false. */
  dimension: number;
  /**
   * Send `dimensions`. Default true. A server that rejects it (a 400 naming `dimensions`, as
   * OpenAI's older models and several local servers answer) is asked again without it, and this
   * embedder stops sending it; the vectors must then have `dimension` entries natively.
   */
  sendDimensions?: boolean;
  /** e.g. `http://localhost:11434/v1`; the SDK falls back to `OPENAI_BASE_URL` / api.openai.com. */
  baseURL?: string;
  /** Local servers usually accept any key; a placeholder is sent when none is configured. */
  apiKey?: string;
  /** Inputs per HTTP call. Default 256 (OpenAI accepts up to 2048). */
  batchSize?: number;
  /** Batches in flight at once. Default 2. */
  concurrency?: number;
  /** HTTP attempts per batch, first try included. Default 5. */
  maxAttempts?: number;
  /** Backoff: the n-th retry waits uniform [0, min(maxDelayMs, baseDelayMs·2^(n-1))]. Default 500. */
  baseDelayMs?: number;
  /** Default 20 s. */
  maxDelayMs?: number;
  /** Longer server-requested waits fail fast, so the job queue retries later. Default 60 s. */
  maxRetryAfterMs?: number;
  /** Per HTTP request. Default 60 s. */
  timeoutMs?: number;
  /** Jitter source (tests). */
  random?: () => number;
  /** Pre-built SDK client (tests or custom fetch). */
  client?: OpenAI;
}

export type EmbeddingErrorCode =
  'embedding_unavailable' | 'embedding_rejected' | 'embedding_invalid';

/** A content-free embedding failure; `retryable` says whether a later job retry may succeed. */
export class EmbeddingError extends Error {
  constructor(
    readonly code: EmbeddingErrorCode,
    message: string,
    readonly retryable: boolean,
    readonly status: number | undefined,
    readonly attempts: number,
  ) {
    super(message);
    this.name = 'EmbeddingError';
  }
}

export class OpenAiEmbedder implements Embedder {
  readonly model: string;
  readonly dimension: number;
  private readonly client: OpenAI;
  private sendDimensions: boolean;
  /** Inputs per HTTP call (read by the worker's spend tracking). */
  readonly batchSize: number;
  private readonly concurrency: number;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly random: () => number;

  constructor(options: OpenAiEmbedderOptions) {
    if (!Number.isInteger(options.dimension) || options.dimension < 1) {
      throw new RangeError('dimension must be a positive integer');
    }
    this.model = options.model;
    this.dimension = options.dimension;
    this.sendDimensions = options.sendDimensions ?? true;
    this.batchSize = Math.max(1, options.batchSize ?? 256);
    this.concurrency = Math.max(1, options.concurrency ?? 2);
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 20_000;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 60_000;
    this.random = options.random ?? Math.random;
    this.client =
      options.client ??
      new OpenAI({
        baseURL: options.baseURL,
        apiKey: options.apiKey ?? 'not-configured',
        timeout: options.timeoutMs ?? 60_000,
        maxRetries: 0, // retries are ours: bounded, jittered, content-free errors
        logLevel: 'off',
      });
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    const out = new Array<Float32Array>(texts.length);
    const starts: number[] = [];
    for (let start = 0; start < texts.length; start += this.batchSize) starts.push(start);
    let next = 0;
    let failed = false;
    const worker = async () => {
      // After one batch fails for good, the others stop taking new batches.
      while (next < starts.length && !failed) {
        const start = starts[next++]!;
        const batch = texts.slice(start, start + this.batchSize);
        const vectors = await this.embedBatch(batch).catch((error: unknown) => {
          failed = true;
          throw error;
        });
        vectors.forEach((v, i) => {
          out[start + i] = v;
        });
      }
    };
    await Promise.all(Array.from({ length: Math.min(this.concurrency, starts.length) }, worker));
    return out;
  }

  private async embedBatch(batch: string[]): Promise<Float32Array[]> {
    // The API rejects empty strings; a space embeds as "nothing in particular".
    const input = batch.map((t) => (t.length === 0 ? ' ' : t));
    let lastStatus: number | undefined;
    let lastReason = 'unknown';
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      try {
        const sentDimensions = this.sendDimensions;
        // `encoding_format: 'float'` is explicit: without it the SDK asks for base64 and decodes
        // whatever comes back as base64, so a server that ignores the parameter and answers float
        // arrays (vLLM, Ollama, LM Studio, LiteLLM proxies) was read as garbage (1,536 floats as
        // 384). Both forms are read below, whatever was asked for.
        const response = await this.client.embeddings.create({
          model: this.model,
          input,
          encoding_format: 'float',
          ...(sentDimensions ? { dimensions: this.dimension } : {}),
        });
        return this.readVectors(
          response.data as unknown as readonly RawEmbedding[],
          batch.length,
          attempt,
          sentDimensions,
        );
      } catch (error) {
        if (error instanceof EmbeddingError) throw error;
        if (this.sendDimensions && rejectsParameter(error, 'dimensions')) {
          // Remembered for this embedder (one per process and endpoint); not an attempt used up.
          this.sendDimensions = false;
          attempt--;
          continue;
        }
        const failure = classifyFailure(error);
        if (failure.kind !== 'retryable') {
          const status = failure.kind === 'fatal' ? failure.status : undefined;
          const code =
            failure.kind === 'fatal'
              ? failure.providerCode
              : failure.kind === 'abort'
                ? 'aborted'
                : undefined;
          throw new EmbeddingError(
            'embedding_rejected',
            `embedding request rejected (model ${this.model}): HTTP ${status ?? 'n/a'}${
              code ? ` (${code})` : ''
            }`,
            false,
            status,
            attempt,
          );
        }
        lastStatus = failure.status;
        lastReason = failure.reason;
        if (attempt === this.maxAttempts) break;
        const requested = failure.retryAfterMs;
        // A longer server-requested wait fails fast: the job queue retries later.
        if (requested !== undefined && requested > this.maxRetryAfterMs) break;
        await sleep(
          requested ??
            backoffDelayMs(
              attempt,
              { baseDelayMs: this.baseDelayMs, maxDelayMs: this.maxDelayMs },
              this.random,
            ),
        );
      }
    }
    throw new EmbeddingError(
      'embedding_unavailable',
      `embeddings unavailable (model ${this.model}) after retries; last failure: ${lastReason}`,
      true,
      lastStatus,
      this.maxAttempts,
    );
  }

  private readVectors(
    data: readonly RawEmbedding[],
    expected: number,
    attempt: number,
    sentDimensions: boolean,
  ): Float32Array[] {
    const invalid = (detail: string) =>
      new EmbeddingError(
        'embedding_invalid',
        `invalid embeddings response (model ${this.model}): ${detail}`,
        false,
        undefined,
        attempt,
      );
    if (!Array.isArray(data)) throw invalid('no data array');
    if (data.length !== expected) throw invalid(`${data.length} vectors for ${expected} inputs`);
    const out = new Array<Float32Array>(expected);
    for (const [position, item] of data.entries()) {
      // Some servers leave out `index`; the list is then in input order.
      const index = item?.index ?? position;
      if (!Number.isInteger(index) || index < 0 || index >= expected) {
        throw invalid('index out of range');
      }
      const values = decodeEmbedding(item?.embedding);
      if (!values) throw invalid('an embedding is neither a float array nor base64 float32');
      if (values.length !== this.dimension) {
        throw invalid(
          `dimension ${values.length}, expected ${this.dimension} (EMBEDDING_DIMENSION)${
            sentDimensions
              ? '; the endpoint ignored the `dimensions` parameter'
              : '; the endpoint does not take `dimensions`'
          }: set EMBEDDING_DIMENSION=${values.length} or choose a model with ${this.dimension}`,
        );
      }
      out[index] = toUnitFloat32(values);
    }
    if (out.some((v) => v === undefined)) throw invalid('duplicate index');
    return out;
  }
}

/** One item of `data` as servers really send it: floats or base64, `index` sometimes missing. */
interface RawEmbedding {
  embedding?: unknown;
  index?: number;
}

/**
 * A float array, or base64 of little-endian float32 (what OpenAI sends for
 * `encoding_format: 'base64'`, and what some proxies send regardless). Undefined for anything else.
 */
export function decodeEmbedding(value: unknown): ArrayLike<number> | undefined {
  if (Array.isArray(value)) {
    for (const x of value) if (typeof x !== 'number' || !Number.isFinite(x)) return undefined;
    return value as number[];
  }
  if (typeof value === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(value)) {
    const bytes = Buffer.from(value, 'base64');
    if (bytes.length === 0 || bytes.length % 4 !== 0) return undefined;
    const floats = new Float32Array(bytes.length / 4);
    for (let i = 0; i < floats.length; i++) floats[i] = bytes.readFloatLE(i * 4);
    return floats.every(Number.isFinite) ? floats : undefined;
  }
  return undefined;
}

/**
 * A 400/422 that names `parameter` as unsupported or unknown (OpenAI: "This model does not support
 * specifying dimensions."; vLLM and pydantic-based servers: "Extra inputs are not permitted" at
 * that field). The provider's message is only inspected here, never kept.
 */
function rejectsParameter(error: unknown, parameter: string): boolean {
  if (!(error instanceof APIError) || (error.status !== 400 && error.status !== 422)) return false;
  const text = `${error.param ?? ''} ${error.code ?? ''} ${error.message}`.toLowerCase();
  return text.includes(parameter.toLowerCase());
}
