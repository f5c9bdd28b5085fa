/**
 * Facet tagging through an OpenAI-compatible model: exactly one structured call per conversation
 * (plus at most one repair call), answers cached by the hash of what the model was shown.
 *
 * Before the call: system and tool messages are clipped (a customer's system prompt says little about
 * the user and can be long; tool output is often huge), the conversation is truncated from the
 * middle to `maxConversationTokens`, and rendered compactly. The content hash is sha256 of that
 * rendering, so any change in what the model sees changes the cache key.
 */
import { createHash } from 'node:crypto';
import {
  MAX_MINUTES,
  type CanonicalMessage,
  type CustomFacetDefinition,
  type FacetAnswer,
} from '@silhouette/contracts';
import type { StructuredLlmClient } from '../openai/structured-client';
import {
  TAG_PROMPT_VERSION,
  TAG_SCHEMA_NAME,
  buildTagUserMessage,
  renderConversation,
  tagPrompt,
} from './prompt';
import type { FacetTagger, TaggingInput, TaggingResult } from './tagger';
import { clipText, estimateTokens, truncateConversation } from './truncate';

export const TAG_TASK = 'tag';

export interface LlmTaggerOptions {
  client: Pick<StructuredLlmClient, 'complete'>;
  /** The TAG model name (env TAG_MODEL). */
  model: string;
  /** Budget for the rendered conversation, estimated tokens. Default 4,000. */
  maxConversationTokens?: number;
  /** Cap for each system or tool message before truncation. Default 200. */
  maxAuxiliaryMessageTokens?: number;
  /** Default 400: a facet answer is ~150 tokens. */
  maxOutputTokens?: number;
  /** Unset by default: some models (OpenAI reasoning models) reject anything but the default. */
  temperature?: number;
}

export interface PreparedConversation {
  rendered: string;
  contentHash: string;
  omittedMessages: number;
  estimatedTokens: number;
}

/** Defaults of `LlmTaggerOptions` that shape the prompt (and so its token count). */
export const DEFAULT_MAX_CONVERSATION_TOKENS = 4_000;
export const DEFAULT_MAX_AUXILIARY_MESSAGE_TOKENS = 200;

/**
 * The conversation as the tagger shows it to the model: system and tool messages clipped,
 * the whole truncated from the middle to the budget, rendered compactly.
 */
export function prepareTagConversation(
  messages: readonly CanonicalMessage[],
  options: { maxConversationTokens?: number; maxAuxiliaryMessageTokens?: number } = {},
): PreparedConversation {
  const auxiliary = options.maxAuxiliaryMessageTokens ?? DEFAULT_MAX_AUXILIARY_MESSAGE_TOKENS;
  const clipped = messages.map((m) =>
    m.role === 'system' || m.role === 'tool'
      ? { role: m.role, content: clipText(m.content, auxiliary) }
      : m,
  );
  const truncated = truncateConversation(
    clipped,
    options.maxConversationTokens ?? DEFAULT_MAX_CONVERSATION_TOKENS,
  );
  const rendered = renderConversation(truncated.messages);
  return {
    rendered,
    contentHash: createHash('sha256').update(rendered).digest('hex'),
    omittedMessages: truncated.omittedMessages,
    estimatedTokens: truncated.estimatedTokens,
  };
}

/**
 * Estimated prompt tokens of the conversation part of its facet call (the user message the
 * tagger sends, wrapper included): what ingest stores so a backlog can be priced later without
 * opening it. The fixed part (system prompt, schema, framing) is `tagPromptOverheadTokens()`.
 */
export function estimateTagConversationTokens(messages: readonly CanonicalMessage[]): number {
  if (messages.length === 0) return 0;
  return estimateTokens(prepareTagConversation(messages).rendered);
}

export class LlmTagger implements FacetTagger {
  readonly provider = 'openai-compatible' as const;
  readonly promptVersion = TAG_PROMPT_VERSION;
  private readonly maxConversationTokens: number;
  private readonly maxAuxiliaryMessageTokens: number;
  private readonly maxOutputTokens: number;

  constructor(private readonly options: LlmTaggerOptions) {
    this.maxConversationTokens = options.maxConversationTokens ?? DEFAULT_MAX_CONVERSATION_TOKENS;
    this.maxAuxiliaryMessageTokens =
      options.maxAuxiliaryMessageTokens ?? DEFAULT_MAX_AUXILIARY_MESSAGE_TOKENS;
    this.maxOutputTokens = options.maxOutputTokens ?? 400;
  }

  promptVersionFor(customFacets: readonly CustomFacetDefinition[]): string {
    return tagPrompt(customFacets).promptVersion;
  }

  /** What the model will be shown for these messages (exposed for tests and cost estimates). */
  prepare(messages: readonly CanonicalMessage[]): PreparedConversation {
    return prepareTagConversation(messages, {
      maxConversationTokens: this.maxConversationTokens,
      maxAuxiliaryMessageTokens: this.maxAuxiliaryMessageTokens,
    });
  }

  async tag(input: TaggingInput): Promise<TaggingResult> {
    if (input.messages.length === 0)
      throw new RangeError('cannot tag a conversation without messages');
    const prepared = this.prepare(input.messages);
    const prompt = tagPrompt(input.customFacets ?? []);
    const result = await this.options.client.complete({
      task: TAG_TASK,
      model: this.options.model,
      schema: prompt.schema,
      schemaName: TAG_SCHEMA_NAME,
      schemaDescriptions: false, // the system prompt explains the fields (see prompt.ts budget)
      system: prompt.system,
      user: buildTagUserMessage(prepared.rendered),
      promptVersion: prompt.promptVersion,
      maxOutputTokens: this.maxOutputTokens,
      contentHash: prepared.contentHash,
      ...(this.options.temperature !== undefined ? { temperature: this.options.temperature } : {}),
    });
    return {
      facet: applyMinutesOverrides(result.value.facet, input.minutesOverrides),
      custom: result.value.custom,
      provider: this.provider,
      // The configured name, not the served snapshot name: facet rows are versioned by it and a
      // cache hit must report the same model as the call that filled the cache.
      model: this.options.model,
      promptVersion: prompt.promptVersion,
      promptTokens: result.usage.promptTokens,
      completionTokens: result.usage.completionTokens,
      latencyMs: result.latencyMs,
      cached: result.cached,
    };
  }
}

/**
 * A tenant's manual-minutes table replaces the model's `minutes_without_ai` for a matching task
 * type (compared trimmed and case-insensitively). Applied after the cache, so editing the table
 * never needs a re-tag.
 */
export function applyMinutesOverrides(
  facet: FacetAnswer,
  overrides: TaggingInput['minutesOverrides'],
): FacetAnswer {
  if (!overrides) return facet;
  const wanted = facet.task_type.trim().toLowerCase();
  const match = Object.entries(overrides).find(([label]) => label.trim().toLowerCase() === wanted);
  if (!match) return facet;
  const minutes = Math.min(MAX_MINUTES, Math.max(0, match[1].manualMinutes));
  return Number.isFinite(minutes) ? { ...facet, minutes_without_ai: minutes } : facet;
}
