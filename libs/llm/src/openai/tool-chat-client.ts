/**
 * Chat completions with tools (function calling) for any OpenAI-compatible endpoint, through the
 * `openai` package: one HTTP request per call, retried like the tagger's structured client
 * (exponential backoff with full jitter on 429/5xx/timeouts/connection errors, honouring
 * `retry-after-ms` / `Retry-After`), with the same content-free errors. The caller owns the loop
 * (which tools run, how many steps); this owns one step.
 */
import OpenAI from 'openai';
import { LlmRequestError, LlmUnavailableError } from './errors';
import { backoffDelayMs, classifyFailure, sleep } from './retry';

export type ChatMessage = OpenAI.Chat.Completions.ChatCompletionMessageParam;
export type ChatTool = OpenAI.Chat.Completions.ChatCompletionTool;

export interface ToolChatClientOptions {
  baseURL?: string;
  apiKey?: string;
  /** Per HTTP request. Default 60 s. */
  timeoutMs?: number;
  /** HTTP attempts per step (first try included). Default 5. */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Longest Retry-After honoured in-process; longer ones fail at once. Default 120 s. */
  maxRetryAfterMs?: number;
  maxTokensParameter?: 'max_tokens' | 'max_completion_tokens';
  random?: () => number;
  openai?: OpenAI;
}

export interface ToolChatRequest {
  task: string;
  model: string;
  messages: ChatMessage[];
  tools: ChatTool[];
  /** Strict JSON schema for the final (non-tool) answer. */
  responseFormat?: { name: string; schema: Record<string, unknown> };
  maxOutputTokens?: number;
  temperature?: number;
  signal?: AbortSignal;
}

export interface ToolChatResult {
  content: string | null;
  toolCalls: { id: string; name: string; arguments: string }[];
  finishReason: string | null;
  usage: { promptTokens: number; completionTokens: number };
  attempts: number;
}

export class ToolChatClient {
  private readonly openai: OpenAI;
  private readonly timeoutMs: number;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxRetryAfterMs: number;
  private readonly maxTokensParameter: 'max_tokens' | 'max_completion_tokens';
  private readonly random: () => number;

  constructor(options: ToolChatClientOptions = {}) {
    this.timeoutMs = options.timeoutMs ?? 60_000;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 20_000;
    this.maxRetryAfterMs = options.maxRetryAfterMs ?? 120_000;
    this.maxTokensParameter = options.maxTokensParameter ?? 'max_tokens';
    this.random = options.random ?? Math.random;
    this.openai =
      options.openai ??
      new OpenAI({
        baseURL: options.baseURL,
        apiKey: options.apiKey || 'not-configured',
        maxRetries: 0, // retries are ours, as in the structured client
        timeout: this.timeoutMs,
        logLevel: 'off',
      });
  }

  async chat(request: ToolChatRequest): Promise<ToolChatResult> {
    const body: OpenAI.Chat.Completions.ChatCompletionCreateParamsNonStreaming = {
      model: request.model,
      messages: request.messages,
      tools: request.tools,
      tool_choice: 'auto',
    };
    if (request.responseFormat) {
      body.response_format = {
        type: 'json_schema',
        json_schema: {
          name: request.responseFormat.name,
          schema: request.responseFormat.schema,
          strict: true,
        },
      };
    }
    if (request.maxOutputTokens !== undefined)
      body[this.maxTokensParameter] = request.maxOutputTokens;
    if (request.temperature !== undefined) body.temperature = request.temperature;

    let lastReason = 'no attempt made';
    let lastStatus: number | undefined;
    for (let attempt = 1; attempt <= this.maxAttempts; attempt++) {
      let delayMs: number;
      try {
        const completion = await this.openai.chat.completions.create(body, {
          ...(request.signal ? { signal: request.signal } : {}),
          timeout: this.timeoutMs,
          maxRetries: 0,
        });
        const choice = completion.choices?.[0];
        const message = choice?.message;
        return {
          content: message?.content ?? null,
          toolCalls: (message?.tool_calls ?? [])
            .filter((call) => call.type === 'function')
            .map((call) => ({
              id: call.id,
              name: call.function.name,
              arguments: call.function.arguments,
            })),
          finishReason: choice?.finish_reason ?? null,
          usage: {
            promptTokens: completion.usage?.prompt_tokens ?? 0,
            completionTokens: completion.usage?.completion_tokens ?? 0,
          },
          attempts: attempt,
        };
      } catch (error) {
        const failure = classifyFailure(error);
        if (failure.kind === 'abort' || failure.kind === 'unknown') throw error;
        if (failure.kind === 'fatal') {
          throw new LlmRequestError(
            request.task,
            request.model,
            failure.status,
            failure.providerCode,
          );
        }
        lastReason = failure.reason;
        lastStatus = failure.status;
        if (attempt === this.maxAttempts) break;
        if (failure.retryAfterMs !== undefined) {
          if (failure.retryAfterMs > this.maxRetryAfterMs) {
            throw new LlmUnavailableError(
              request.task,
              request.model,
              attempt,
              `${failure.reason}, Retry-After ${Math.ceil(failure.retryAfterMs / 1000)} s exceeds the in-process limit`,
              failure.status,
            );
          }
          delayMs =
            failure.retryAfterMs + Math.floor(this.random() * Math.min(this.baseDelayMs, 1_000));
        } else {
          delayMs = backoffDelayMs(
            attempt,
            { baseDelayMs: this.baseDelayMs, maxDelayMs: this.maxDelayMs },
            this.random,
          );
        }
      }
      await sleep(delayMs, request.signal);
    }
    throw new LlmUnavailableError(
      request.task,
      request.model,
      this.maxAttempts,
      lastReason,
      lastStatus,
    );
  }
}
