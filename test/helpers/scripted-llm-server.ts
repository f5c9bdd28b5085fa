/**
 * A scripted OpenAI-compatible HTTP server for tests: real HTTP on 127.0.0.1 (port 0), talked to by
 * the real `openai` client. No network, no model: answers are derived deterministically from the
 * request.
 *
 * Endpoints: `POST /v1/chat/completions`, `POST /v1/embeddings`, `GET /v1/models`.
 *
 * How a request is answered, first match wins:
 *  1. the `respond` hook, when it returns a reply;
 *  2. the next queued step (`enqueue`) for that endpoint;
 *  3. a seeded failure draw (`failureRate`): 429, 500 or, for chat, invalid JSON;
 *  4. the current mode (`setMode`).
 * Modes: ok, rate_limit (429 + Retry-After), server_error (500/502/503 in turn), slow (answers after
 * `slowMs`, meant to exceed the client timeout), invalid_json, schema_violation, leak_pii (a valid
 * facet answer that copies names, emails, phones and card numbers from the user's messages into
 * use_case and goal_summary), latency (ok after `latencyMs`, default 500). `latencyMs` also delays
 * every other answer.
 *
 * Chat answers follow the request's `response_format`: the facet schema (recognised by its
 * properties, in the tagger's short wire keys or the long facet names) gets a plausible facet
 * answer from keyword rules, `issue` included, and the custom facets numbered in the system
 * prompt are answered by type (enum: the option the user named, else the first; boolean: whether
 * the user used a word of the question; number: a hash in range; short text: the issue, cut to
 * the limit); any other JSON schema gets a minimal conforming sample. Embeddings are hashed bag-of-words vectors (texts sharing words are close),
 * L2-normalised, of a configurable dimension; `encoding_format: 'base64'` is supported because the
 * SDK asks for it by default.
 *
 * Tool calling: a `respond` hook can answer with `toolCalls` (a chat.completion whose message
 * calls functions) and reads the results the client sent back in `toolResults`.
 *
 * Every request is recorded (body, answer mode, status) with the peak number in flight.
 *
 * `quirks` make the server behave like the OpenAI-compatible servers people really run (vLLM,
 * Ollama, LM Studio, LiteLLM, Azure, older OpenAI models): no `json_schema` (a 400 like theirs, or
 * silently ignored with prose around the JSON), only one of `max_tokens` / `max_completion_tokens`,
 * no `dimensions`, embeddings always as floats (or always base64), no `usage`, extra fields. A
 * rejected request is recorded as `quirk_rejected`. Without `response_format.json_schema`, the
 * schema is read from the prompt (the client puts it there for such endpoints).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FacetAnswer } from '@silhouette/contracts';
import { fnv1a, mulberry32 } from '@silhouette/privacy';
import { StructuredLlmClient } from '../../libs/llm/src/openai/structured-client';
import {
  CUSTOM_ANSWERS_KEY,
  WIRE_KEYS,
  facetAnswerToWire,
} from '../../libs/llm/src/tagging/prompt';

export type ScriptedMode =
  | 'ok'
  | 'rate_limit'
  | 'server_error'
  | 'slow'
  | 'invalid_json'
  | 'schema_violation'
  | 'leak_pii'
  | 'latency';

export type ScriptedEndpoint = 'chat' | 'embeddings';

/** How this server differs from OpenAI's API (see the module comment). All off by default. */
export interface ScriptedQuirks {
  /**
   * `response_format` types accepted; a request with another type gets a 400 naming it (as OpenAI,
   * vLLM and LiteLLM answer). Default: all.
   */
  responseFormats?: readonly ('json_schema' | 'json_object')[];
  /** Accept `response_format` but ignore it: answers wrap the JSON in prose and a Markdown fence. */
  ignoreResponseFormat?: boolean;
  /** The only output-length parameter accepted; the other one gets a 400 naming it. */
  maxTokensParameter?: 'max_tokens' | 'max_completion_tokens';
  /** Embeddings `dimensions`: a 400 (`reject`) or vectors of the native size (`ignore`). */
  dimensions?: 'reject' | 'ignore';
  /** Embeddings always in this encoding, whatever `encoding_format` asked. */
  embeddingEncoding?: 'float' | 'base64';
  /** No `usage` in any answer. */
  omitUsage?: boolean;
  /** Fields no client knows, in every answer object and in the JSON the "model" writes. */
  extraFields?: boolean;
  /** Facet answers whose goal, use case and labels run a few characters/words over their limits. */
  overlongLabels?: boolean;
}

export interface ScriptedStep {
  mode: ScriptedMode;
  /** Endpoint whose next request consumes this step. Default 'chat'. */
  endpoint?: ScriptedEndpoint | 'any';
  /** Status for server_error (default: 500, 502, 503 in turn). */
  status?: number;
  /** Overrides the server's delay for slow / latency. */
  delayMs?: number;
}

/** What the `respond` hook sees. */
export interface ScriptedRequest {
  seq: number;
  endpoint: ScriptedEndpoint;
  body: Record<string, unknown>;
  /** Chat: the user messages' text, joined with blank lines. Embeddings: the inputs joined. */
  userText: string;
  /** Chat: the contents of `tool` messages (results the client sent back), in order. */
  toolResults: string[];
  /** Chat with `response_format.type === 'json_schema'`. */
  schemaName?: string;
  schema?: Record<string, unknown>;
}

export interface ScriptedReply {
  /** Delegate to a mode (handled as if it were the current mode). */
  mode?: ScriptedMode;
  /** Chat only: message content, wrapped into a chat.completion object. */
  content?: string;
  /**
   * Chat only: function calls the model makes (finish_reason `tool_calls`); `arguments` is sent
   * as given when a string (malformed JSON on purpose), JSON-encoded otherwise.
   */
  toolCalls?: { name: string; arguments: unknown }[];
  /** Raw JSON body (with `status`, default 200). */
  body?: unknown;
  /** Raw body text sent as-is with a JSON content type (malformed responses). */
  rawBody?: string;
  status?: number;
  headers?: Record<string, string>;
  delayMs?: number;
}

export interface RecordedRequest {
  seq: number;
  method: string;
  path: string;
  endpoint: ScriptedEndpoint | 'models' | 'other';
  body: unknown;
  headers: IncomingMessage['headers'];
  receivedAt: number;
  /** How it was answered. */
  answeredAs: ScriptedMode | 'custom' | 'not_found' | 'quirk_rejected';
  status: number;
  /** The client went away before the answer (e.g. its timeout fired). */
  aborted: boolean;
}

export interface ScriptedLlmServerOptions {
  mode?: ScriptedMode;
  /** Added before every answer. Mode 'latency' uses 500 when unset. */
  latencyMs?: number;
  /** Delay of mode 'slow'. Default 10 s. */
  slowMs?: number;
  /** Retry-After header of 429s, in seconds. Default 1. */
  retryAfterSeconds?: number;
  /** Also send `retry-after-ms` (which the client prefers) when set. */
  retryAfterMs?: number;
  /** Statuses of server_error, used in turn. Default [500, 502, 503]. */
  serverErrorStatuses?: number[];
  /** Share of chat/embedding requests that fail (seeded). 0 by default. */
  failureRate?: number;
  seed?: number;
  /** Default embedding dimension when the request has no `dimensions`. Default 64. */
  embeddingDimension?: number;
  models?: string[];
  quirks?: ScriptedQuirks;
  respond?: (
    request: ScriptedRequest,
  ) => ScriptedReply | undefined | Promise<ScriptedReply | undefined>;
}

export class ScriptedLlmServer {
  /** e.g. http://127.0.0.1:41234/v1 — pass as the client's baseURL. */
  readonly baseURL: string;
  readonly port: number;
  respond: ScriptedLlmServerOptions['respond'];

  private mode: ScriptedMode;
  private latencyMs: number | undefined;
  private readonly slowMs: number;
  private readonly retryAfterSeconds: number;
  private readonly retryAfterMs: number | undefined;
  private readonly serverErrorStatuses: number[];
  private failureRate: number;
  private rng: () => number;
  private readonly embeddingDimension: number;
  private readonly models: string[];
  private quirks: ScriptedQuirks;
  private readonly queue: ScriptedStep[] = [];
  private readonly recorded: RecordedRequest[] = [];
  private readonly timers = new Set<ReturnType<typeof setTimeout>>();
  private serverErrorTurn = 0;
  private current = 0;
  private peak = 0;
  private seq = 0;

  private constructor(
    private readonly server: Server,
    options: ScriptedLlmServerOptions,
  ) {
    const address = server.address() as AddressInfo;
    this.port = address.port;
    this.baseURL = `http://127.0.0.1:${address.port}/v1`;
    this.mode = options.mode ?? 'ok';
    this.latencyMs = options.latencyMs;
    this.slowMs = options.slowMs ?? 10_000;
    this.retryAfterSeconds = options.retryAfterSeconds ?? 1;
    this.retryAfterMs = options.retryAfterMs;
    this.serverErrorStatuses = options.serverErrorStatuses ?? [500, 502, 503];
    this.failureRate = options.failureRate ?? 0;
    this.rng = mulberry32(options.seed ?? 1);
    this.embeddingDimension = options.embeddingDimension ?? 64;
    this.models = options.models ?? ['scripted-tagger', 'scripted-embedder'];
    this.respond = options.respond;
    this.quirks = options.quirks ?? {};
  }

  static async start(options: ScriptedLlmServerOptions = {}): Promise<ScriptedLlmServer> {
    // The request handler needs the instance, which needs the listening server: break the cycle.
    const holder: { instance?: ScriptedLlmServer } = {};
    const server = createServer((req, res) => {
      holder.instance!.handle(req, res).catch((error: unknown) => {
        if (!res.headersSent) {
          sendJson(res, 500, {
            error: { message: `scripted server bug: ${String(error)}`, type: 'server_error' },
          });
        } else {
          res.destroy();
        }
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    holder.instance = new ScriptedLlmServer(server, options);
    return holder.instance;
  }

  setMode(mode: ScriptedMode): void {
    this.mode = mode;
  }

  setLatency(ms: number | undefined): void {
    this.latencyMs = ms;
  }

  /** Replaces the quirks (pass {} for an OpenAI-like server). */
  setQuirks(quirks: ScriptedQuirks): void {
    this.quirks = quirks;
  }

  setFailureRate(rate: number, seed = 1): void {
    this.failureRate = rate;
    this.rng = mulberry32(seed);
  }

  /** Steps consumed in order by the next matching requests, before the failure draw and the mode. */
  enqueue(...steps: (ScriptedStep | ScriptedMode)[]): void {
    for (const step of steps) this.queue.push(typeof step === 'string' ? { mode: step } : step);
  }

  get pendingSteps(): number {
    return this.queue.length;
  }

  get requests(): readonly RecordedRequest[] {
    return this.recorded;
  }

  requestsTo(endpoint: RecordedRequest['endpoint']): RecordedRequest[] {
    return this.recorded.filter((r) => r.endpoint === endpoint);
  }

  get chatRequestCount(): number {
    return this.requestsTo('chat').length;
  }

  get inFlight(): number {
    return this.current;
  }

  /** Peak of requests in flight at the same time since start or the last `resetRecording`. */
  get maxInFlight(): number {
    return this.peak;
  }

  resetRecording(): void {
    this.recorded.length = 0;
    this.peak = this.current;
  }

  async close(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const seq = ++this.seq;
    this.current++;
    this.peak = Math.max(this.peak, this.current);
    let done = false;
    const record: RecordedRequest = {
      seq,
      method: req.method ?? 'GET',
      path: (req.url ?? '/').split('?')[0]!,
      endpoint: 'other',
      body: undefined,
      headers: req.headers,
      receivedAt: Date.now(),
      answeredAs: 'ok',
      status: 0,
      aborted: false,
    };
    this.recorded.push(record);
    res.on('close', () => {
      if (done) return;
      done = true;
      this.current--;
      if (!res.writableFinished) record.aborted = true;
    });

    const raw = await readBody(req);
    if (raw.length > 0) {
      try {
        record.body = JSON.parse(raw);
      } catch {
        record.body = raw;
      }
    }

    const path = record.path.replace(/\/+$/, '');
    // Counters for a server running in another process (benchmarks).
    if (record.method === 'GET' && path.endsWith('/__stats')) {
      record.status = 200;
      sendJson(res, 200, { chatRequests: this.chatRequestCount, maxInFlight: this.maxInFlight });
      return;
    }
    if (record.method === 'GET' && path.endsWith('/models')) {
      record.endpoint = 'models';
      record.status = 200;
      sendJson(res, 200, {
        object: 'list',
        data: this.models.map((id) => ({ id, object: 'model', created: 0, owned_by: 'scripted' })),
      });
      return;
    }
    const endpoint: ScriptedEndpoint | undefined =
      record.method === 'POST' && path.endsWith('/chat/completions')
        ? 'chat'
        : record.method === 'POST' && path.endsWith('/embeddings')
          ? 'embeddings'
          : undefined;
    if (!endpoint) {
      record.answeredAs = 'not_found';
      record.status = 404;
      sendJson(res, 404, { error: { message: 'not found', type: 'invalid_request_error' } });
      return;
    }
    record.endpoint = endpoint;
    const body = isRecord(record.body) ? record.body : {};
    const request = describeRequest(seq, endpoint, body);
    // A real server validates parameters before anything else.
    const rejection = quirkRejection(this.quirks, endpoint, body);
    if (rejection) {
      record.answeredAs = 'quirk_rejected';
      record.status = rejection.status;
      sendJson(res, rejection.status, rejection.body);
      return;
    }

    // 1. hook, 2. queue, 3. failure draw, 4. mode
    let reply = this.respond ? await this.respond(request) : undefined;
    let mode: ScriptedMode;
    let step: ScriptedStep | undefined;
    if (reply && reply.mode === undefined) {
      mode = 'ok';
    } else {
      step = reply?.mode
        ? { mode: reply.mode, ...(reply.delayMs !== undefined ? { delayMs: reply.delayMs } : {}) }
        : this.takeStep(endpoint);
      mode = step?.mode ?? this.drawFailure(endpoint) ?? this.mode;
      if (reply?.mode) reply = { ...reply, mode: undefined };
    }

    const latency =
      reply?.delayMs ?? step?.delayMs ?? this.latencyMs ?? (mode === 'latency' ? 500 : 0);
    const delay = mode === 'slow' ? (step?.delayMs ?? this.slowMs) : latency;
    if (delay > 0) {
      await this.wait(delay);
      if (res.destroyed || done) return;
    }

    if (
      reply &&
      (reply.content !== undefined ||
        reply.toolCalls !== undefined ||
        reply.body !== undefined ||
        reply.rawBody !== undefined ||
        reply.status !== undefined)
    ) {
      record.answeredAs = 'custom';
      record.status = reply.status ?? 200;
      if (reply.rawBody !== undefined) {
        res.writeHead(record.status, { 'content-type': 'application/json', ...reply.headers });
        res.end(reply.rawBody);
        return;
      }
      if (reply.body !== undefined || endpoint !== 'chat') {
        sendJson(res, record.status, reply.body ?? {}, reply.headers);
      } else {
        sendJson(
          res,
          record.status,
          chatCompletion(body, reply.content ?? '', reply.toolCalls),
          reply.headers,
        );
      }
      return;
    }

    record.answeredAs = mode;
    switch (mode) {
      case 'rate_limit': {
        record.status = 429;
        const headers: Record<string, string> = { 'retry-after': String(this.retryAfterSeconds) };
        if (this.retryAfterMs !== undefined) headers['retry-after-ms'] = String(this.retryAfterMs);
        sendJson(
          res,
          429,
          {
            error: {
              message: 'Rate limit reached (scripted)',
              type: 'requests',
              code: 'rate_limit_exceeded',
            },
          },
          headers,
        );
        return;
      }
      case 'server_error': {
        const status =
          step?.status ??
          this.serverErrorStatuses[this.serverErrorTurn++ % this.serverErrorStatuses.length]!;
        record.status = status;
        if (status === 502) {
          res.writeHead(502, { 'content-type': 'text/html' });
          res.end('<html><body><h1>502 Bad Gateway</h1></body></html>');
        } else {
          sendJson(res, status, {
            error: { message: 'The server had an error (scripted)', type: 'server_error' },
          });
        }
        return;
      }
      default:
        break;
    }

    record.status = 200;
    if (endpoint === 'embeddings') {
      sendJson(res, 200, withQuirks(this.quirks, this.embeddingsResponse(body)));
      return;
    }
    let content = chatContent(mode, request, this.quirks);
    if (this.quirks.ignoreResponseFormat || !isRecord(body['response_format'])) {
      // What a model without structured output tends to answer: a sentence and a fenced block.
      if (content.trim().startsWith('{')) {
        content = `Sure, here is the JSON:\n\n\`\`\`json\n${content}\n\`\`\`\n`;
      }
    }
    sendJson(res, 200, withQuirks(this.quirks, chatCompletion(body, content)));
  }

  private takeStep(endpoint: ScriptedEndpoint): ScriptedStep | undefined {
    const index = this.queue.findIndex(
      (s) => (s.endpoint ?? 'chat') === endpoint || s.endpoint === 'any',
    );
    if (index < 0) return undefined;
    return this.queue.splice(index, 1)[0];
  }

  private drawFailure(endpoint: ScriptedEndpoint): ScriptedMode | undefined {
    if (this.failureRate <= 0) return undefined;
    if (this.rng() >= this.failureRate) return undefined;
    const kinds: ScriptedMode[] =
      endpoint === 'chat'
        ? ['rate_limit', 'server_error', 'invalid_json']
        : ['rate_limit', 'server_error'];
    return kinds[Math.floor(this.rng() * kinds.length)]!;
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private embeddingsResponse(body: Record<string, unknown>): unknown {
    const inputs = embeddingInputs(body['input']);
    const dimension =
      typeof body['dimensions'] === 'number' &&
      body['dimensions'] > 0 &&
      this.quirks.dimensions !== 'ignore'
        ? body['dimensions']
        : this.embeddingDimension;
    const base64 = this.quirks.embeddingEncoding
      ? this.quirks.embeddingEncoding === 'base64'
      : body['encoding_format'] === 'base64';
    const data = inputs.map((text, index) => {
      const vector = pseudoEmbedding(text, dimension);
      return {
        object: 'embedding',
        index,
        embedding: base64
          ? Buffer.from(new Float32Array(vector).buffer).toString('base64')
          : vector,
      };
    });
    const tokens = inputs.reduce((sum, t) => sum + Math.ceil(t.length / 4), 0);
    return {
      object: 'list',
      data,
      model: typeof body['model'] === 'string' ? body['model'] : 'scripted-embedder',
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    };
  }
}

export function startScriptedLlmServer(
  options: ScriptedLlmServerOptions = {},
): Promise<ScriptedLlmServer> {
  return ScriptedLlmServer.start(options);
}

// ---------------------------------------------------------------------------------------------
// Chat answers

type Json = Record<string, unknown>;

function describeRequest(seq: number, endpoint: ScriptedEndpoint, body: Json): ScriptedRequest {
  if (endpoint === 'embeddings') {
    return {
      seq,
      endpoint,
      body,
      userText: embeddingInputs(body['input']).join('\n\n'),
      toolResults: [],
    };
  }
  const messages = Array.isArray(body['messages']) ? (body['messages'] as unknown[]) : [];
  const userText = messages
    .filter((m): m is Json => isRecord(m) && m['role'] === 'user')
    .map((m) => messageText(m['content']))
    .join('\n\n');
  const format = isRecord(body['response_format']) ? body['response_format'] : undefined;
  const jsonSchema =
    format?.['type'] === 'json_schema' && isRecord(format['json_schema'])
      ? format['json_schema']
      : undefined;
  const toolResults = messages
    .filter((m): m is Json => isRecord(m) && m['role'] === 'tool')
    .map((m) => messageText(m['content']));
  const request: ScriptedRequest = { seq, endpoint, body, userText, toolResults };
  if (jsonSchema) {
    if (typeof jsonSchema['name'] === 'string') request.schemaName = jsonSchema['name'];
    if (isRecord(jsonSchema['schema'])) request.schema = jsonSchema['schema'];
  } else {
    const fromPrompt = schemaInPrompt(messages);
    if (fromPrompt) request.schema = fromPrompt;
  }
  return request;
}

function messageText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .map((part) => (isRecord(part) && typeof part['text'] === 'string' ? part['text'] : ''))
      .join('');
  }
  return '';
}

function chatCompletion(
  body: Json,
  content: string,
  toolCalls?: ScriptedReply['toolCalls'],
): unknown {
  const messages = Array.isArray(body['messages']) ? (body['messages'] as unknown[]) : [];
  const promptChars = messages.reduce<number>(
    (sum, m) => sum + (isRecord(m) ? messageText(m['content']).length : 0),
    0,
  );
  const format = body['response_format'];
  const promptTokens =
    Math.ceil(promptChars / 4) + (format ? Math.ceil(JSON.stringify(format).length / 4) : 0);
  const completionTokens = Math.ceil(content.length / 4);
  return {
    id: `chatcmpl-scripted-${Math.abs(hashString(content + promptChars)).toString(36)}`,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: typeof body['model'] === 'string' ? body['model'] : 'scripted-tagger',
    choices: [
      {
        index: 0,
        message: toolCalls
          ? {
              role: 'assistant',
              content: content || null,
              refusal: null,
              tool_calls: toolCalls.map((call, index) => ({
                id: `call_${index}_${Math.abs(hashString(call.name + promptChars)).toString(36)}`,
                type: 'function',
                function: {
                  name: call.name,
                  arguments:
                    typeof call.arguments === 'string'
                      ? call.arguments
                      : JSON.stringify(call.arguments),
                },
              })),
            }
          : { role: 'assistant', content, refusal: null },
        finish_reason: toolCalls ? 'tool_calls' : 'stop',
        logprobs: null,
      },
    ],
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    },
  };
}

function chatContent(
  mode: ScriptedMode,
  request: ScriptedRequest,
  quirks: ScriptedQuirks = {},
): string {
  if (mode === 'invalid_json') {
    return 'Sure! Here is the JSON you asked for: {"domain": "finance", "task_type": "analysis", "use_case":';
  }
  const schema = request.schema;
  if (!schema) {
    const format = request.body['response_format'];
    return isRecord(format) && format['type'] === 'json_object' ? '{}' : 'OK';
  }
  if (isFacetSchema(schema)) {
    const conversation = parseConversation(request.userText);
    const answer = mode === 'leak_pii' ? leakyFacetAnswer(conversation) : facetAnswer(conversation);
    if (mode === 'schema_violation') {
      answer['outcome'] = 'great';
      answer['user_frustration'] = 9;
    }
    if (quirks.overlongLabels) overlong(answer);
    const notes = { reasoning: 'keywords matched', version: 2 };
    if (!isWireFacetSchema(schema)) {
      // A long-key schema without the issue facet (an earlier contract) gets none.
      if (!(isRecord(schema['properties']) && 'issue' in schema['properties']))
        delete answer['issue'];
      if (quirks.extraFields) answer['notes'] = notes;
      return JSON.stringify(answer);
    }
    const wire = toWireFacet(answer);
    const questions = customQuestions(systemText(request.body));
    if (
      questions.length > 0 ||
      (isRecord(schema['properties']) && CUSTOM_ANSWERS_KEY in schema['properties'])
    )
      wire[CUSTOM_ANSWERS_KEY] = questions.map((question) =>
        customAnswer(question, conversation, answer, mode === 'leak_pii'),
      );
    if (quirks.extraFields) wire['notes'] = notes;
    return JSON.stringify(wire);
  }
  const sample = sampleFromSchema(schema, schema, 0);
  if (quirks.extraFields && isRecord(sample) && mode !== 'schema_violation') {
    sample['explanation'] = 'extra field a model added';
  }
  if (mode === 'schema_violation') {
    if (isRecord(sample) && Object.keys(sample).length > 0) {
      delete sample[Object.keys(sample)[0]!];
      sample['unexpected_field'] = true;
      return JSON.stringify(sample);
    }
    return JSON.stringify({ unexpected_field: true });
  }
  return JSON.stringify(sample);
}

/**
 * A facet answer under the tagger's short wire keys, codes and numbers list (what a model answers
 * to the wire schema; a schema violation stays one).
 */
export function toWireFacet(answer: Json): Json {
  return facetAnswerToWire(answer as unknown as FacetAnswer);
}

export function isFacetSchema(schema: Json): boolean {
  const props = isRecord(schema['properties']) ? schema['properties'] : {};
  return (
    ('goal_summary' in props && 'outcome' in props && 'domain' in props) ||
    isWireFacetSchema(schema)
  );
}

export function isWireFacetSchema(schema: Json): boolean {
  const props = isRecord(schema['properties']) ? schema['properties'] : {};
  return WIRE_KEYS.goal_summary in props && WIRE_KEYS.outcome in props && WIRE_KEYS.domain in props;
}

function systemText(body: Json): string {
  const messages = Array.isArray(body['messages']) ? (body['messages'] as unknown[]) : [];
  return messages
    .filter((m): m is Json => isRecord(m) && m['role'] === 'system')
    .map((m) => messageText(m['content']))
    .join('\n');
}

/** A custom facet as the tagger's prompt numbers it ("3. Product area? billing|sales"). */
export interface CustomQuestion {
  question: string;
  type: 'enum' | 'boolean' | 'number' | 'short_text';
  options?: string[];
  min?: number;
  max?: number;
}

/** The questions after the `x:` line of the system prompt, one per line (numbered before tag-v3). */
export function customQuestions(system: string): CustomQuestion[] {
  const at = system.indexOf(`\n${CUSTOM_ANSWERS_KEY}:`);
  if (at < 0) return [];
  const out: CustomQuestion[] = [];
  for (const line of system
    .slice(at + 1)
    .split('\n')
    .slice(1)) {
    const text = line.replace(/^\d+\. /, '').trim();
    if (!text) continue;
    const range = / (-?\d+(?:\.\d+)?)-(-?\d+(?:\.\d+)?)$/.exec(text);
    const options = / ([^ ?]+(?:\|[^ ?]+)+)$/.exec(text);
    if (/ ≤\d+ words or ""$/.test(text)) out.push({ question: text, type: 'short_text' });
    else if (range)
      out.push({ question: text, type: 'number', min: Number(range[1]), max: Number(range[2]) });
    else if (options) out.push({ question: text, type: 'enum', options: options[1]!.split('|') });
    else out.push({ question: text, type: 'boolean' });
  }
  return out;
}

const QUESTION_STOP_WORDS = new Set(
  'the a an is are was did does do any user users assistant mention mentions about with for of to in on it this that'.split(
    ' ',
  ),
);

function customAnswer(
  question: CustomQuestion,
  turns: Turn[],
  answer: Json,
  leak: boolean,
): string | number | boolean {
  const userText = turns
    .filter((t) => t.role === 'user')
    .map((t) => t.text)
    .join('\n');
  const lower = userText.toLowerCase();
  switch (question.type) {
    case 'enum':
      return question.options!.find((option) => lower.includes(option)) ?? question.options![0]!;
    case 'boolean':
      return question.question
        .toLowerCase()
        .split(/[^a-z0-9]+/)
        .filter((word) => word.length > 2 && !QUESTION_STOP_WORDS.has(word))
        .some((word) => new RegExp(`\\b${word}`).test(lower));
    case 'number': {
      const span = Math.floor(question.max! - question.min!) + 1;
      return question.min! + (Math.abs(hashString(lower)) % Math.max(1, span));
    }
    case 'short_text': {
      if (leak) {
        const pii = findPii(userText);
        const leaked = [pii.names[0], pii.emails[0]].filter(Boolean).join(' ');
        if (leaked) return clampWords(`blocked for ${leaked}`, 8, 80);
      }
      return clampWords(String(answer['issue'] ?? ''), 8, 80);
    }
  }
}

/** Minimal value conforming to a (strict-mode style) JSON schema. */
export function sampleFromSchema(node: unknown, root: Json, depth: number): unknown {
  if (!isRecord(node) || depth > 16) return null;
  if (typeof node['$ref'] === 'string') {
    const name = node['$ref'].replace(/^#\/\$defs\//, '');
    const defs = isRecord(root['$defs']) ? root['$defs'] : {};
    return sampleFromSchema(defs[name], root, depth + 1);
  }
  if ('const' in node) return node['const'];
  if (Array.isArray(node['enum']) && node['enum'].length > 0) return node['enum'][0];
  if (Array.isArray(node['anyOf']) && node['anyOf'].length > 0) {
    const nonNull = (node['anyOf'] as unknown[]).find(
      (n) => !(isRecord(n) && n['type'] === 'null'),
    );
    return sampleFromSchema(nonNull ?? node['anyOf'][0], root, depth + 1);
  }
  const types = Array.isArray(node['type']) ? (node['type'] as unknown[]) : [node['type']];
  const type = types.find((t) => t !== 'null') ?? types[0];
  switch (type) {
    case 'string':
      return 'example';
    case 'number':
      return typeof node['minimum'] === 'number' ? node['minimum'] : 0.5;
    case 'integer':
      return typeof node['minimum'] === 'number' ? node['minimum'] : 1;
    case 'boolean':
      return false;
    case 'null':
      return null;
    case 'array': {
      const min = typeof node['minItems'] === 'number' ? node['minItems'] : 0;
      return Array.from({ length: min }, () => sampleFromSchema(node['items'], root, depth + 1));
    }
    case 'object':
    default: {
      const props = isRecord(node['properties']) ? node['properties'] : {};
      return Object.fromEntries(
        Object.entries(props).map(([key, sub]) => [key, sampleFromSchema(sub, root, depth + 1)]),
      );
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Facet answers from keywords

interface Turn {
  role: 'user' | 'assistant' | 'tool' | 'system';
  text: string;
}

/** Reads the transcript rendered by the tagger ("USER: …\nASSISTANT: …"), wrapper tags optional. */
export function parseConversation(userText: string): Turn[] {
  const inner = /<(conversation|chat)>\n?([\s\S]*?)\n?<\/\1>/.exec(userText)?.[2] ?? userText;
  const turns: Turn[] = [];
  const pattern = /^(USER|ASSISTANT|TOOL|SYSTEM): /gm;
  const marks = [...inner.matchAll(pattern)];
  if (marks.length === 0) return [{ role: 'user', text: inner }];
  for (let i = 0; i < marks.length; i++) {
    const mark = marks[i]!;
    const start = mark.index! + mark[0].length;
    const end = i + 1 < marks.length ? marks[i + 1]!.index! : inner.length;
    turns.push({
      role: mark[1]!.toLowerCase() as Turn['role'],
      text: inner.slice(start, end).trim(),
    });
  }
  return turns;
}

interface TopicRule {
  domain: string;
  taskType: string;
  useCase: string;
  goal: string;
  keywords: string[];
}

const TOPIC_RULES: TopicRule[] = [
  {
    domain: 'software engineering',
    taskType: 'debugging',
    useCase: 'fixing an error in a program',
    goal: 'get failing code to run correctly',
    keywords: ['error', 'bug', 'exception', 'traceback', 'stack trace', 'crash', 'debug', 'fails'],
  },
  {
    domain: 'software engineering',
    taskType: 'writing code',
    useCase: 'writing a small program or script',
    goal: 'produce working code for a programming task',
    keywords: [
      'python',
      'javascript',
      'typescript',
      'function',
      'code',
      'script',
      'sql',
      'regex',
      'api',
    ],
  },
  {
    domain: 'finance',
    taskType: 'financial analysis',
    useCase: 'analysing budget and spending figures',
    goal: 'understand and summarise financial figures',
    keywords: [
      'budget',
      'invoice',
      'revenue',
      'tax',
      'expense',
      'forecast',
      'profit',
      'accounting',
    ],
  },
  {
    domain: 'human resources',
    taskType: 'drafting a document',
    useCase: 'preparing hiring and employee documents',
    goal: 'prepare a document for a people process',
    keywords: [
      'hiring',
      'interview',
      'employee',
      'onboarding',
      'resume',
      'candidate',
      'payroll',
      'vacation',
    ],
  },
  {
    domain: 'marketing',
    taskType: 'content creation',
    useCase: 'planning marketing content',
    goal: 'create marketing material for a campaign',
    keywords: ['campaign', 'marketing', 'competitor', 'brand', 'seo', 'social media', 'newsletter'],
  },
  {
    domain: 'legal',
    taskType: 'document review',
    useCase: 'reviewing contract terms',
    goal: 'understand obligations in a legal document',
    keywords: ['contract', 'clause', 'legal', 'compliance', 'gdpr', 'nda', 'liability'],
  },
  {
    domain: 'customer support',
    taskType: 'drafting an email',
    useCase: 'writing a reply to a customer',
    goal: 'send a clear and polite customer reply',
    keywords: ['email', 'reply', 'customer', 'complaint', 'refund', 'letter'],
  },
  {
    domain: 'translation',
    taskType: 'translation',
    useCase: 'translating text between languages',
    goal: 'get an accurate translation of a text',
    keywords: ['translate', 'translation'],
  },
];

const DEFAULT_RULE: TopicRule = {
  domain: 'general knowledge',
  taskType: 'question answering',
  useCase: 'answering a general question',
  goal: 'get an answer to a general question',
  keywords: [],
};

const LANGUAGE_HINTS: [string, RegExp][] = [
  ['es', /\b(hola|gracias|por favor|necesito|quiero|cómo|qué)\b/i],
  ['fr', /\b(bonjour|merci|s'il vous plaît|je voudrais|besoin|comment)\b/i],
  ['de', /\b(hallo|danke|bitte|ich möchte|brauche|wie kann)\b/i],
  ['pt-BR', /\b(olá|obrigad[oa]|preciso|você|não)\b/i],
];

function facetAnswer(turns: Turn[]): Json {
  const userText = turns
    .filter((t) => t.role === 'user')
    .map((t) => t.text)
    .join('\n');
  const lower = userText.toLowerCase();
  let best = DEFAULT_RULE;
  let bestScore = 0;
  for (const rule of TOPIC_RULES) {
    const score = rule.keywords.reduce((sum, word) => sum + countOccurrences(lower, word), 0);
    if (score > bestScore) {
      best = rule;
      bestScore = score;
    }
  }

  const lastUser =
    [...turns]
      .reverse()
      .find((t) => t.role === 'user')
      ?.text.toLowerCase() ?? '';
  const lastAssistant =
    [...turns]
      .reverse()
      .find((t) => t.role === 'assistant')
      ?.text.toLowerCase() ?? '';
  const last = turns[turns.length - 1];
  let outcome = 'resolved';
  let failureReasons: string[] = [];
  let frustration = 1;
  if (
    /\b(i can(?:no|')t help|i cannot (?:help|assist)|i(?:'m| am) unable to|i won't)\b/.test(
      lastAssistant,
    )
  ) {
    outcome = 'refused';
    failureReasons = ['refused'];
    frustration = 3;
  } else if (
    /(doesn't work|does not work|still (?:broken|fails|failing|wrong)|that's wrong|not what i)/.test(
      lastUser,
    )
  ) {
    outcome = 'unresolved';
    failureReasons = ['incorrect_answer'];
    frustration = 4;
  } else if (/\bonly partly (?:helped|works|worked)\b/.test(lastUser)) {
    // Half-way: the issue is the same as a wrong answer's (one issue cluster, two outcomes).
    outcome = 'partially_resolved';
    failureReasons = ['incomplete'];
    frustration = 3;
  } else if (
    turns.length > 1 &&
    last?.role === 'user' &&
    !/\b(thanks|thank you|perfect|great)\b/.test(lastUser)
  ) {
    outcome = 'abandoned';
    failureReasons = ['incomplete'];
    frustration = 2;
  }

  const issue =
    outcome === 'resolved'
      ? ''
      : clampWords(
          outcome === 'refused'
            ? `assistant declined ${best.useCase}`
            : outcome === 'unresolved' || outcome === 'partially_resolved'
              ? `wrong answer when ${best.useCase}`
              : `user gave up on ${best.useCase}`,
          12,
          120,
        );
  const words = userText.split(/\s+/).filter(Boolean).length;
  const minutesWithout = Math.min(
    480,
    10 + Math.round(words / 10) + (Math.abs(hashString(lower)) % 20),
  );
  const minutesWith = Math.min(minutesWithout, 2 + (Math.abs(hashString(lower)) % 5));
  return {
    domain: best.domain,
    task_type: best.taskType,
    use_case: best.useCase,
    goal_summary: best.goal,
    minutes_without_ai: minutesWithout,
    minutes_with_ai: minutesWith,
    outcome,
    failure_reasons: failureReasons,
    issue,
    user_frustration: frustration,
    language: LANGUAGE_HINTS.find(([, pattern]) => pattern.test(userText))?.[0] ?? 'en',
    confidence: bestScore === 0 ? 0.3 : Math.min(0.9, 0.5 + 0.1 * bestScore),
  };
}

/** Personal details found in the user's messages, as a careless model would copy them. */
export interface FoundPii {
  names: string[];
  emails: string[];
  phones: string[];
  cards: string[];
}

const NOT_NAMES = new Set(
  (
    'I Hi Hello Hey Dear Thanks Thank Please The A An My Our Your We You He She They It This That These ' +
    'Those Can Could Would Should Will Is Are Was Were Do Does Did How What Why When Where Which Who ' +
    'Also And But Or So If Then Yes No Ok Okay Sure Best Regards Kind Monday Tuesday Wednesday Thursday ' +
    'Friday Saturday Sunday January February March April May June July August September October ' +
    'November December USER ASSISTANT TOOL SYSTEM'
  ).split(' '),
);

export function findPii(text: string): FoundPii {
  const emails = unique(text.match(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g) ?? []);
  const withoutEmails = text.replace(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, ' ');
  const digitRuns = withoutEmails.match(/\+?\d[\d ().-]{5,}\d/g) ?? [];
  const cards: string[] = [];
  const phones: string[] = [];
  for (const run of digitRuns) {
    const digits = run.replace(/\D/g, '');
    // Luhn-valid 13-19 digit runs are cards; other runs of 7+ digits are leaked as phones.
    if (digits.length >= 13 && digits.length <= 19 && luhnValid(digits)) cards.push(digits);
    else if (digits.length >= 7) phones.push(run.trim().replace(/\s+/g, ''));
  }
  const names: string[] = [];
  for (const match of withoutEmails.matchAll(/\b[A-Z][a-z]+(?: [A-Z][a-z]+)+\b/g)) {
    const words = match[0].split(' ');
    while (words.length > 0 && NOT_NAMES.has(words[0]!)) words.shift();
    if (words.length >= 2) names.push(words.slice(0, 3).join(' '));
  }
  if (names.length === 0) {
    // Only the lead-in is case-insensitive: the name itself must be capitalised.
    const leadIn =
      /\b(?:[Mm]y name is|I am|I'm|[Tt]his is|[Aa]sk|[Ff]or|[Tt]o|[Ee]mail|[Cc]all) ([A-Z][a-z]+)\b/g;
    for (const match of withoutEmails.matchAll(leadIn)) {
      if (!NOT_NAMES.has(match[1]!)) names.push(match[1]!);
    }
  }
  return { names: unique(names), emails, phones: unique(phones), cards: unique(cards) };
}

function leakyFacetAnswer(turns: Turn[]): Json {
  const answer = facetAnswer(turns);
  const pii = findPii(
    turns
      .filter((t) => t.role === 'user')
      .map((t) => t.text)
      .join('\n'),
  );
  const name = pii.names[0];
  const contact = pii.emails[0] ?? pii.phones[0];
  if (!name && !contact && pii.cards.length === 0) return answer; // nothing to leak
  const useCase = ['helping', name ?? 'a user', ...(contact ? ['reach', contact] : [])].join(' ');
  const goalParts = [
    `${answer['goal_summary'] as string} for ${name ?? 'a user'}`,
    ...(pii.emails[0] ? [`email ${pii.emails[0]}`] : []),
    ...(pii.phones[0] ? [`phone ${pii.phones[0]}`] : []),
    ...(pii.cards[0] ? [`card ${pii.cards[0]}`] : []),
  ];
  answer['use_case'] = clampWords(useCase, 12, 120);
  answer['goal_summary'] = clampWords(goalParts.join(', '), 25, 240);
  answer['issue'] = clampWords(
    `wrong answer for ${name ?? 'a user'}${contact ? ` at ${contact}` : ''}`,
    12,
    120,
  );
  return answer;
}

function clampWords(text: string, maxWords: number, maxChars: number): string {
  let out = text.split(/\s+/).slice(0, maxWords).join(' ');
  if (out.length > maxChars) out = out.slice(0, maxChars).trimEnd();
  return out;
}

function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

// ---------------------------------------------------------------------------------------------
// Embeddings

function embeddingInputs(input: unknown): string[] {
  if (typeof input === 'string') return [input];
  if (Array.isArray(input)) {
    if (input.every((x) => typeof x === 'number')) return [JSON.stringify(input)];
    return input.map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
  }
  return [];
}

const tokenVectors = new Map<string, number[]>();

function tokenVector(token: string, dimension: number): number[] {
  const key = `${dimension}\u0000${token}`;
  let vector = tokenVectors.get(key);
  if (!vector) {
    const rng = mulberry32(hashString(token));
    vector = Array.from({ length: dimension }, () => rng() * 2 - 1);
    if (tokenVectors.size > 50_000) tokenVectors.clear();
    tokenVectors.set(key, vector);
  }
  return vector;
}

/**
 * Deterministic pseudo-embedding: the sum of per-word random vectors (seeded by a hash of the
 * word) plus a smaller whole-text component, L2-normalised. Texts sharing words are close.
 */
export function pseudoEmbedding(text: string, dimension: number): number[] {
  const sum = new Array<number>(dimension).fill(0);
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  for (const word of words) {
    const v = tokenVector(word, dimension);
    for (let i = 0; i < dimension; i++) sum[i]! += v[i]!;
  }
  const whole = mulberry32(hashString(`text:${text}`));
  const weight = words.length === 0 ? 1 : 0.25;
  for (let i = 0; i < dimension; i++) sum[i]! += weight * (whole() * 2 - 1);
  const norm = Math.sqrt(sum.reduce((s, x) => s + x * x, 0)) || 1;
  return sum.map((x) => x / norm);
}

// ---------------------------------------------------------------------------------------------
// Utilities

/** FNV-1a, 32 bit, signed (ids and minutes take its absolute value). */
function hashString(text: string): number {
  return fnv1a(text) | 0;
}

function countOccurrences(haystack: string, needle: string): number {
  const pattern = new RegExp(`\\b${needle.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'g');
  return haystack.match(pattern)?.length ?? 0;
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed) return;
  const payload = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(payload),
    ...headers,
  });
  res.end(payload);
}

/** A structured client on `server` with fast retries (two attempts, millisecond backoff). */
export function fastRetryClient(server: ScriptedLlmServer): StructuredLlmClient {
  return new StructuredLlmClient({
    baseURL: server.baseURL,
    apiKey: 'k',
    baseDelayMs: 1,
    maxDelayMs: 5,
    maxAttempts: 2,
  });
}

// ---------------------------------------------------------------------------------------------
// Quirks of real OpenAI-compatible servers

interface QuirkRejection {
  status: number;
  body: unknown;
}

/** The 400 a server of this kind answers to a parameter it does not take, or undefined. */
function quirkRejection(
  quirks: ScriptedQuirks,
  endpoint: ScriptedEndpoint,
  body: Json,
): QuirkRejection | undefined {
  const invalid = (message: string, param: string | null, code: string | null) => ({
    status: 400,
    body: { error: { message, type: 'invalid_request_error', param, code } },
  });
  if (endpoint === 'embeddings') {
    if (quirks.dimensions === 'reject' && body['dimensions'] !== undefined) {
      // OpenAI's answer for models without Matryoshka dimensions.
      return invalid('This model does not support specifying dimensions.', null, null);
    }
    return undefined;
  }
  const format = isRecord(body['response_format']) ? body['response_format'] : undefined;
  const type = typeof format?.['type'] === 'string' ? format['type'] : undefined;
  if (
    type &&
    type !== 'text' &&
    quirks.responseFormats &&
    !quirks.responseFormats.includes(type as 'json_schema')
  ) {
    // Worded as OpenAI does for models without it; vLLM and LiteLLM also name the parameter.
    return invalid(
      `Invalid parameter: 'response_format' of type '${type}' is not supported with this model.`,
      'response_format',
      null,
    );
  }
  const wanted = quirks.maxTokensParameter;
  if (wanted) {
    const other = wanted === 'max_tokens' ? 'max_completion_tokens' : 'max_tokens';
    if (body[other] !== undefined) {
      return invalid(
        wanted === 'max_completion_tokens'
          ? "Unsupported parameter: 'max_tokens' is not supported with this model. Use 'max_completion_tokens' instead."
          : `[{'type': 'extra_forbidden', 'loc': ('body', '${other}'), 'msg': 'Extra inputs are not permitted'}]`,
        other,
        'unsupported_parameter',
      );
    }
  }
  return undefined;
}

/** Drops `usage` and adds unknown fields, as the quirks say. */
function withQuirks(quirks: ScriptedQuirks, response: unknown): unknown {
  if (!isRecord(response)) return response;
  const out: Json = { ...response };
  if (quirks.omitUsage) delete out['usage'];
  if (quirks.extraFields) {
    out['system_fingerprint'] = 'fp_scripted';
    out['x_vendor'] = { served_by: 'scripted', queue_ms: 0 };
    if (Array.isArray(out['choices'])) {
      out['choices'] = out['choices'].map((choice: unknown) =>
        isRecord(choice)
          ? {
              ...choice,
              stop_reason: null,
              message: isRecord(choice['message'])
                ? { ...choice['message'], reasoning_content: null, tool_calls: [] }
                : choice['message'],
            }
          : choice,
      );
    }
    if (Array.isArray(out['data'])) {
      out['data'] = out['data'].map((item: unknown) =>
        isRecord(item) ? { ...item, x_norm: 1 } : item,
      );
    }
  }
  return out;
}

/**
 * The JSON schema a client put in its prompt for an endpoint without `json_schema` (the last
 * JSON object with `properties` found in the system or user messages).
 */
function schemaInPrompt(messages: unknown[]): Json | undefined {
  for (const message of [...messages].reverse()) {
    if (!isRecord(message)) continue;
    const text = messageText(message['content']);
    for (const line of text.split('\n').reverse()) {
      const start = line.indexOf('{');
      if (start < 0) continue;
      try {
        const parsed = JSON.parse(line.slice(start)) as unknown;
        if (isRecord(parsed) && isRecord(parsed['properties'])) return parsed;
      } catch {
        // not a schema line
      }
    }
  }
  return undefined;
}

/** A few characters or words over the facet limits, as models answer now and then. */
function overlong(answer: Json): void {
  answer['domain'] =
    `${answer['domain'] as string} and related back-office administration for regional offices`;
  answer['use_case'] =
    `${answer['use_case'] as string} for the whole team with several follow-up questions`;
  answer['goal_summary'] =
    `${answer['goal_summary'] as string} so that the quarterly work can be finished today without asking colleagues or managers for more help with all of the remaining details`;
}
