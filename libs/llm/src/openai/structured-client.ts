/**
 * Structured-output client for any OpenAI-compatible endpoint (OpenAI, Azure, vLLM, Ollama,
 * LM Studio, OpenRouter) through the `openai` package.
 *
 * Owns, per call: the JSON schema sent as `response_format` (generated from zod, strict mode),
 * or, for endpoints without it, JSON mode or plain text with the schema in the prompt (learnt per
 * endpoint: `endpoint-capabilities.ts`), validation of the answer with zod, over-long strings cut
 * at a word boundary and counted instead of failing (`output-coercion.ts`), one repair
 * round-trip for invalid output, bounded retries
 * with exponential backoff and full jitter on 429/5xx/timeouts/connection errors (honouring
 * `retry-after-ms` / `Retry-After`), a limit on calls in flight, a tokens-per-minute budget, a
 * response cache keyed by content hash + prompt version + model + schema, and token/cost counters.
 *
 * Privacy: errors thrown from here never contain prompt text, model output or the provider's error
 * message (providers echo requests in them); see `errors.ts`. The SDK's own logger is switched off
 * because at `OPENAI_LOG=debug` it would log request bodies.
 */
import OpenAI from 'openai';
import type { z } from 'zod';
import { estimateTokens } from '../tagging/truncate';
import {
  LlmError,
  LlmOutputError,
  LlmRequestError,
  LlmUnavailableError,
  type OutputIssueSummary,
} from './errors';
import {
  EndpointCapabilities,
  type CapabilityChange,
  type MaxTokensParameter,
  type StructuredOutputMode,
} from './endpoint-capabilities';
import { dropNullOptionals, toStrictJsonSchema, type JsonSchema } from './json-schema';
import { nodeHttpFetch } from './node-http-fetch';
import { coerceOverlongStrings, extractJsonText, type CoercedField } from './output-coercion';
import { Semaphore, TokenBucket } from './rate-limit';
import { LruResponseCache, responseCacheKey, type ResponseCache } from './response-cache';
import { backoffDelayMs, classifyFailure, safeIdentifier, sleep } from './retry';
import { UsageLedger, type PriceTable, type UsageCounters, type UsageStats } from './usage-stats';

export interface StructuredClientOptions {
  /** e.g. `http://localhost:11434/v1`; the SDK falls back to `OPENAI_BASE_URL` / api.openai.com. */
  baseURL?: string;
  /** Local servers usually accept any key; a placeholder is sent when none is configured. */
  apiKey?: string;
  /** Per HTTP request. Default 60 s. */
  timeoutMs?: number;
  /** HTTP attempts per request (first try included) on transient failures. Default 5. */
  maxAttempts?: number;
  /** Backoff base: the n-th retry waits uniform [0, min(maxDelayMs, baseDelayMs·2^(n-1))]. Default 500. */
  baseDelayMs?: number;
  /** Default 20 s. */
  maxDelayMs?: number;
  /**
   * Longest server-requested wait (Retry-After) honoured in-process. Longer ones fail fast with
   * `LlmUnavailableError` so the job queue can retry later instead of holding a worker. Default 120 s.
   */
  maxRetryAfterMs?: number;
  /** Max HTTP calls in flight across this client. Default 8. */
  concurrency?: number;
  /** Budget on estimated prompt + max completion tokens per minute; unlimited when unset. */
  tokensPerMinute?: number;
  /** USD per 1M tokens, by model name as requested. */
  prices?: PriceTable;
  /** Response cache; an in-memory LRU by default, `false` to disable. */
  cache?: ResponseCache | false;
  /**
   * Name of the output-length parameter to start with. `max_tokens` is what most compatible
   * servers accept; OpenAI reasoning models require `max_completion_tokens`. A 400 naming the one
   * sent switches to the other for the rest of this client's life. Default `max_tokens`.
   */
  maxTokensParameter?: MaxTokensParameter;
  /**
   * Structured-output mode to start with: `json_schema` (strict), `json_object` (JSON mode, schema
   * in the prompt) or `text` (schema in the prompt only). An endpoint that rejects a mode with a
   * 400 gets the next one, remembered. Default `json_schema`.
   */
  structuredOutput?: StructuredOutputMode;
  /** Called for every over-long field cut to its limit (for `silhouette_llm_coercions_total`). */
  onCoercion?: (event: { task: string; model: string; field: string }) => void;
  /** Called when the client learns that the endpoint needs another mode or parameter. */
  onCapabilityChange?: (change: CapabilityChange) => void;
  /** Completion tokens assumed by the TPM budget when a request sets no `maxOutputTokens`. Default 512. */
  defaultCompletionEstimate?: number;
  /** Jitter source (tests). */
  random?: () => number;
  /** Pre-built SDK client (tests or custom fetch); otherwise built from the options above. */
  openai?: OpenAI;
}

export interface CompletionRequest<T> {
  /** Accounting label: 'tag', 'name-cluster', 'privacy-audit', … */
  task: string;
  model: string;
  schema: z.ZodType<T>;
  /** `response_format.json_schema.name`: letters, digits, `_` and `-`, at most 64. */
  schemaName: string;
  system: string;
  user: string;
  /** Part of the cache key: bump it whenever the prompt or schema changes. */
  promptVersion: string;
  maxOutputTokens?: number;
  /** Hash of the content the prompt was built from; enables the response cache. */
  contentHash?: string;
  temperature?: number;
  /** Keep zod `.describe()` texts in the sent schema (default true). */
  schemaDescriptions?: boolean;
  signal?: AbortSignal;
}

export interface CompletionResult<T> {
  value: T;
  /** Tokens billed for this call (both requests when repaired); zero when served from the cache. */
  usage: { promptTokens: number; completionTokens: number };
  /** Model that answered as reported by the server (the requested one for cache hits). */
  model: string;
  latencyMs: number;
  /** HTTP requests made for this call: first try, retries and the repair; 0 for cache hits. */
  attempts: number;
  repaired: boolean;
  cached: boolean;
}

type ChatMessage = { role: 'system' | 'user' | 'assistant'; content: string };

interface RawAnswer {
  content: string | null;
  refusal: string | null;
  finishReason: string | null;
  model: string;
  promptTokens: number;
  completionTokens: number;
}

type CheckResult<T> =
  | {
      ok: true;
      value: T;
      /** The JSON that validated: the answer's, or the coerced one when fields were cut. */
      raw: string;
      /** Fields cut to their length limit (empty for a clean answer). */
      coerced: CoercedField[];
    }
  | {
      ok: false;
      reason: LlmOutputError['reason'];
      issues: OutputIssueSummary[];
      /** Sent back to the model in the repair request (inside the sealed boundary). */
      feedback: string;
    };

interface CallState {
  requests: number;
}

/** Cached or shared in-flight answer: the raw JSON text that validated. */
interface SettledAnswer {
  raw: string;
}

const SCHEMA_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const MAX_REPAIR_ECHO_CHARS = 8_000;

export class StructuredLlmClient {
  private readonly openai: OpenAI;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly capabilities: EndpointCapabilities;
  private readonly onCoercion: StructuredClientOptions['onCoercion'];
  private readonly defaultCompletionEstimate: number;
  private readonly random: () => number;
  private readonly semaphore: Semaphore;
  private readonly budget: TokenBucket | undefined;
  private readonly cache: ResponseCache | undefined;
  private readonly ledger: UsageLedger;
  private readonly inflight = new Map<string, Promise<SettledAnswer>>();
  /** Per model: no request before this time (set by 429 + Retry-After, shared by all callers). */
  private readonly cooldownUntil = new Map<string, number>();
  private readonly strictSchemas = new WeakMap<z.ZodType, Map<boolean, JsonSchema>>();

  constructor(options: StructuredClientOptions = {}) {
    this.timeoutMs = positive(options.timeoutMs ?? 60_000, 'timeoutMs');
    this.maxAttempts = positiveInt(options.maxAttempts ?? 5, 'maxAttempts');
    this.baseDelayMs = nonNegative(options.baseDelayMs ?? 500, 'baseDelayMs');
    this.maxDelayMs = nonNegative(options.maxDelayMs ?? 20_000, 'maxDelayMs');
    this.maxRetryAfterMs = nonNegative(options.maxRetryAfterMs ?? 120_000, 'maxRetryAfterMs');
    this.capabilities = new EndpointCapabilities(
      {
        ...(options.maxTokensParameter ? { maxTokensParameter: options.maxTokensParameter } : {}),
        ...(options.structuredOutput ? { structuredOutput: options.structuredOutput } : {}),
      },
      options.onCapabilityChange,
    );
    this.onCoercion = options.onCoercion;
    this.defaultCompletionEstimate = nonNegative(
      options.defaultCompletionEstimate ?? 512,
      'defaultCompletionEstimate',
    );
    this.random = options.random ?? Math.random;
    this.semaphore = new Semaphore(positiveInt(options.concurrency ?? 8, 'concurrency'));
    this.budget =
      options.tokensPerMinute !== undefined
        ? new TokenBucket(positive(options.tokensPerMinute, 'tokensPerMinute'))
        : undefined;
    this.cache = options.cache === false ? undefined : (options.cache ?? new LruResponseCache());
    this.ledger = new UsageLedger(options.prices);
    this.openai =
      options.openai ??
      new OpenAI({
        baseURL: options.baseURL,
        apiKey: options.apiKey || 'not-configured',
        maxRetries: 0, // retries are ours: jitter, Retry-After, shared cooldown, accounting
        timeout: this.timeoutMs,
        logLevel: 'off',
        // One small request per conversation: node:http costs far less CPU than the global fetch.
        fetch: nodeHttpFetch({ maxSockets: this.semaphore.limit }),
      });
  }

  /** Calls currently holding a concurrency slot. */
  get inFlight(): number {
    return this.semaphore.inFlight;
  }

  stats(): UsageStats {
    return this.ledger.snapshot();
  }

  /** What this client currently sends (after anything learnt from the endpoint). */
  get endpointSettings(): {
    structuredOutput: StructuredOutputMode;
    maxTokensParameter: MaxTokensParameter | undefined;
  } {
    return {
      structuredOutput: this.capabilities.structuredOutput,
      maxTokensParameter: this.capabilities.maxTokensParameter,
    };
  }

  /** Counts coerced fields (clean answers and cache hits count nothing). */
  private countCoercions(request: CompletionRequest<unknown>, fields: CoercedField[]): void {
    if (fields.length === 0) return;
    this.ledger.for(request.task, request.model).coercions += fields.length;
    for (const field of fields) {
      this.onCoercion?.({ task: request.task, model: request.model, field: issuePath(field.path) });
    }
  }

  async complete<T>(request: CompletionRequest<T>): Promise<CompletionResult<T>> {
    if (!SCHEMA_NAME.test(request.schemaName)) {
      throw new RangeError('schemaName must match ^[A-Za-z0-9_-]{1,64}$');
    }
    const started = performance.now();
    const counters = this.ledger.for(request.task, request.model);
    counters.calls++;
    try {
      const key =
        this.cache && request.contentHash !== undefined
          ? responseCacheKey({
              contentHash: request.contentHash,
              promptVersion: request.promptVersion,
              model: request.model,
              schemaName: request.schemaName,
            })
          : undefined;
      if (key === undefined)
        return (await this.completeUncached(request, counters, started)).result;

      // A cache outage costs money, not correctness: treat it as a miss.
      const hit = await this.cache!.get(key).catch(() => undefined);
      if (hit !== undefined) {
        const checked = checkOutput(hit, request.schema, null, null);
        if (checked.ok) {
          counters.cacheHits++;
          return cachedResult(checked.value, request.model, started);
        }
        // A stale entry that no longer validates (schema changed without a version bump): refetch.
      }
      const shared = this.inflight.get(key);
      if (shared) {
        // The same LLM failure applies to us; the leader's own abort does not, so we then call.
        const settled = await shared.catch((error: unknown) => {
          if (error instanceof LlmError) throw error;
          return undefined;
        });
        const checked = settled && checkOutput(settled.raw, request.schema, null, null);
        if (checked?.ok) {
          counters.cacheHits++;
          return cachedResult(checked.value, request.model, started);
        }
      }

      let resolveShared!: (answer: SettledAnswer) => void;
      let rejectShared!: (error: unknown) => void;
      const sharedPromise = new Promise<SettledAnswer>((resolve, reject) => {
        resolveShared = resolve;
        rejectShared = reject;
      });
      sharedPromise.catch(() => undefined); // followers handle it; never an unhandled rejection
      this.inflight.set(key, sharedPromise);
      try {
        const { result, raw } = await this.completeUncached(request, counters, started);
        try {
          await this.cache!.set(key, raw);
        } catch {
          // A cache that cannot store is a cost problem, not a reason to fail a valid answer.
        }
        resolveShared({ raw });
        return result;
      } catch (error) {
        rejectShared(error);
        throw error;
      } finally {
        this.inflight.delete(key);
      }
    } catch (error) {
      counters.errors++;
      throw error;
    }
  }

  private async completeUncached<T>(
    request: CompletionRequest<T>,
    counters: UsageCounters,
    started: number,
  ): Promise<{ result: CompletionResult<T>; raw: string }> {
    const jsonSchema = this.strictSchema(request.schema, request.schemaDescriptions ?? true);
    const state: CallState = { requests: 0 };
    const messages: ChatMessage[] = [
      { role: 'system', content: request.system },
      { role: 'user', content: request.user },
    ];

    const first = await this.send(request, messages, jsonSchema, counters, state);
    let promptTokens = first.promptTokens;
    let completionTokens = first.completionTokens;
    const firstCheck = checkOutput(
      first.content,
      request.schema,
      first.finishReason,
      first.refusal,
    );
    if (firstCheck.ok) {
      this.countCoercions(request, firstCheck.coerced);
      return {
        raw: firstCheck.raw,
        result: {
          value: firstCheck.value,
          usage: { promptTokens, completionTokens },
          model: first.model,
          latencyMs: performance.now() - started,
          attempts: state.requests,
          repaired: false,
          cached: false,
        },
      };
    }
    if (firstCheck.reason === 'refusal') {
      throw new LlmOutputError(request.task, request.model, 'refusal', [], state.requests);
    }

    counters.repairs++;
    const repairMessages: ChatMessage[] = [
      ...messages,
      { role: 'assistant', content: (first.content ?? '').slice(0, MAX_REPAIR_ECHO_CHARS) },
      {
        role: 'user',
        content: `Your previous answer was invalid: ${firstCheck.feedback}\nReply with the corrected JSON only, matching the schema exactly.`,
      },
    ];
    const second = await this.send(request, repairMessages, jsonSchema, counters, state);
    promptTokens += second.promptTokens;
    completionTokens += second.completionTokens;
    const secondCheck = checkOutput(
      second.content,
      request.schema,
      second.finishReason,
      second.refusal,
    );
    if (!secondCheck.ok) {
      throw new LlmOutputError(
        request.task,
        request.model,
        secondCheck.reason,
        secondCheck.issues,
        state.requests,
      );
    }
    this.countCoercions(request, secondCheck.coerced);
    return {
      raw: secondCheck.raw,
      result: {
        value: secondCheck.value,
        usage: { promptTokens, completionTokens },
        model: second.model,
        latencyMs: performance.now() - started,
        attempts: state.requests,
        repaired: true,
        cached: false,
      },
    };
  }

  /** One logical request: up to `maxAttempts` HTTP calls, each under the concurrency and TPM limits. */
  private async send(
    request: CompletionRequest<unknown>,
    messages: ChatMessage[],
    jsonSchema: JsonSchema,
    counters: UsageCounters,
    state: CallState,
  ): Promise<RawAnswer> {
    const { task, model, signal } = request;
    const promptEstimate =
      messages.reduce((sum, m) => sum + estimateTokens(m.content) + 4, 0) +
      estimateTokens(JSON.stringify(jsonSchema));
    const tokenEstimate =
      promptEstimate + (request.maxOutputTokens ?? this.defaultCompletionEstimate);

    let lastReason = 'no attempt made';
    let lastStatus: number | undefined;
    // Requests re-sent at once because the endpoint taught us a setting; bounded by the settings.
    let relearned = 0;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      await this.waitForCooldown(model, signal);
      let delayMs: number;
      const sent = {
        mode: this.capabilities.structuredOutput,
        tokensParameter: this.capabilities.maxTokensParameter,
      };
      const body = this.requestBody(request, messages, jsonSchema, sent);
      const release = await this.semaphore.acquire(signal);
      try {
        if (this.budget) await this.budget.acquire(tokenEstimate, signal);
        state.requests++;
        counters.requests++;
        if (attempt > 1) counters.retries++;
        const completion = await this.openai.chat.completions.create(body, {
          signal,
          timeout: this.timeoutMs,
          maxRetries: 0,
        });
        const choice = completion.choices?.[0];
        const content = choice?.message?.content ?? null;
        const promptTokens = completion.usage?.prompt_tokens ?? promptEstimate;
        const completionTokens =
          completion.usage?.completion_tokens ?? estimateTokens(content ?? '');
        counters.promptTokens += promptTokens;
        counters.completionTokens += completionTokens;
        if (this.budget) this.budget.debit(promptTokens + completionTokens - tokenEstimate);
        return {
          content,
          refusal: choice?.message?.refusal ?? null,
          finishReason: choice?.finish_reason ?? null,
          model:
            typeof completion.model === 'string' && completion.model ? completion.model : model,
          promptTokens,
          completionTokens,
        };
      } catch (error) {
        if (relearned < 4 && this.capabilities.learnFrom(error, sent)) {
          relearned++;
          attempt--; // not the endpoint's fault: the same attempt again, in the learnt form
          continue;
        }
        const failure = classifyFailure(error);
        if (failure.kind === 'abort' || failure.kind === 'unknown') throw error;
        if (failure.kind === 'fatal') {
          throw new LlmRequestError(task, model, failure.status, failure.providerCode);
        }
        lastReason = failure.reason;
        lastStatus = failure.status;
        if (attempt === this.maxAttempts) break;
        if (failure.retryAfterMs !== undefined) {
          if (failure.retryAfterMs > this.maxRetryAfterMs) {
            throw new LlmUnavailableError(
              task,
              model,
              state.requests,
              `${failure.reason}, Retry-After ${Math.ceil(failure.retryAfterMs / 1000)} s exceeds the in-process limit`,
              failure.status,
            );
          }
          // A little jitter on top so that callers released by the same header do not stampede.
          delayMs =
            failure.retryAfterMs + Math.floor(this.random() * Math.min(this.baseDelayMs, 1_000));
          if (failure.status === 429) {
            const until = performance.now() + failure.retryAfterMs;
            this.cooldownUntil.set(model, Math.max(this.cooldownUntil.get(model) ?? 0, until));
          }
        } else {
          delayMs = backoffDelayMs(
            attempt,
            { baseDelayMs: this.baseDelayMs, maxDelayMs: this.maxDelayMs },
            this.random,
          );
        }
      } finally {
        release();
      }
      await sleep(delayMs, signal);
    }
    throw new LlmUnavailableError(task, model, state.requests, lastReason, lastStatus);
  }

  /** The request in the form the endpoint takes: structured-output mode and length parameter. */
  private requestBody(
    request: CompletionRequest<unknown>,
    messages: ChatMessage[],
    jsonSchema: JsonSchema,
    sent: { mode: StructuredOutputMode; tokensParameter: MaxTokensParameter | undefined },
  ): OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming {
    const body: OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming = {
      model: request.model,
      messages: sent.mode === 'json_schema' ? messages : withSchemaInPrompt(messages, jsonSchema),
    };
    if (sent.mode === 'json_schema') {
      body.response_format = {
        type: 'json_schema',
        json_schema: { name: request.schemaName, schema: jsonSchema, strict: true },
      };
    } else if (sent.mode === 'json_object') {
      body.response_format = { type: 'json_object' };
    }
    if (request.maxOutputTokens !== undefined && sent.tokensParameter !== undefined)
      body[sent.tokensParameter] = request.maxOutputTokens;
    if (request.temperature !== undefined) body.temperature = request.temperature;
    return body;
  }

  private async waitForCooldown(model: string, signal: AbortSignal | undefined): Promise<void> {
    const until = this.cooldownUntil.get(model);
    if (until === undefined) return;
    const waitMs = until - performance.now();
    if (waitMs <= 0) {
      this.cooldownUntil.delete(model);
      return;
    }
    await sleep(waitMs, signal);
  }

  private strictSchema(schema: z.ZodType, descriptions: boolean): JsonSchema {
    let byFlag = this.strictSchemas.get(schema);
    if (!byFlag) {
      byFlag = new Map();
      this.strictSchemas.set(schema, byFlag);
    }
    let strict = byFlag.get(descriptions);
    if (!strict) {
      strict = toStrictJsonSchema(schema, { descriptions });
      byFlag.set(descriptions, strict);
    }
    return strict;
  }
}

function cachedResult<T>(value: T, model: string, started: number): CompletionResult<T> {
  return {
    value,
    usage: { promptTokens: 0, completionTokens: 0 },
    model,
    latencyMs: performance.now() - started,
    attempts: 0,
    repaired: false,
    cached: true,
  };
}

/** Parses and validates one answer. Feedback is for the model; issues are content-free. */
export function checkOutput<T>(
  content: string | null,
  schema: z.ZodType<T>,
  finishReason: string | null,
  refusal: string | null,
): CheckResult<T> {
  if (refusal) return { ok: false, reason: 'refusal', issues: [], feedback: 'refused' };
  if (content === null || content.trim() === '') {
    return { ok: false, reason: 'empty', issues: [], feedback: 'the answer was empty.' };
  }
  const raw = extractJsonText(content);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    // JSON.parse messages quote the input: never surface them.
    const feedback =
      finishReason === 'length'
        ? 'the JSON was cut off because it was too long; answer more briefly.'
        : 'it is not valid JSON.';
    return { ok: false, reason: 'unparseable', issues: [], feedback };
  }
  let candidate = dropNullOptionals(parsed, schema);
  let result = schema.safeParse(candidate);
  if (result.success) return { ok: true, value: result.data, raw, coerced: [] };
  // Over-long strings are cut to their limit; a few rounds, since cutting one limit (characters)
  // can leave another (words) to cut. Anything else is left for the repair call.
  const coerced: CoercedField[] = [];
  for (let round = 0; round < 3 && !result.success; round++) {
    const fixed = coerceOverlongStrings(candidate, result.error.issues);
    if (!fixed) break;
    coerced.push(...fixed.fields);
    candidate = fixed.value;
    result = schema.safeParse(candidate);
  }
  if (result.success) {
    return { ok: true, value: result.data, raw: JSON.stringify(candidate), coerced };
  }
  const issues = result.error.issues.map((issue) => ({
    path: issuePath(issue.path),
    code: issue.code,
  }));
  const feedback = result.error.issues
    .slice(0, 20)
    .map(
      (issue) => `\n- ${issue.path.length > 0 ? issue.path.join('.') : '(root)'}: ${issue.message}`,
    )
    .join('');
  return { ok: false, reason: 'schema_violation', issues, feedback };
}

/**
 * For endpoints without `json_schema`: the schema goes into the system message, so that JSON
 * mode (which guarantees JSON, not its shape) and plain text still know what to answer.
 */
function withSchemaInPrompt(messages: ChatMessage[], jsonSchema: JsonSchema): ChatMessage[] {
  const [system, ...rest] = messages;
  const instruction = `Answer with one JSON object and nothing else (no prose, no Markdown), matching this JSON schema:\n${JSON.stringify(jsonSchema)}`;
  if (system?.role !== 'system') return [{ role: 'system', content: instruction }, ...messages];
  return [{ role: 'system', content: `${system.content}\n\n${instruction}` }, ...rest];
}

/** Field path for logs: schema keys and indices only; anything else (model-invented keys) masked. */
function issuePath(path: readonly PropertyKey[]): string {
  if (path.length === 0) return '(root)';
  return path
    .map((segment) =>
      typeof segment === 'number' ? String(segment) : (safeIdentifier(segment) ?? '?'),
    )
    .join('.');
}

function positive(value: number, name: string): number {
  if (!(value > 0) || !Number.isFinite(value))
    throw new RangeError(`${name} must be a positive number`);
  return value;
}

function positiveInt(value: number, name: string): number {
  if (!Number.isInteger(value) || value < 1)
    throw new RangeError(`${name} must be a positive integer`);
  return value;
}

function nonNegative(value: number, name: string): number {
  if (!(value >= 0) || !Number.isFinite(value))
    throw new RangeError(`${name} must be a non-negative number`);
  return value;
}
