/**
 * One tagging call per conversation, whatever answers it: an OpenAI-compatible model or the
 * offline heuristics. Both return the same validated `FacetAnswer` plus accounting.
 */
import type { CanonicalMessage, FacetAnswer } from '@silhouette/contracts';

/** What a tagger sees: the decrypted messages, inside the sealed worker only. */
export interface TaggingInput {
  conversationId: string;
  messages: CanonicalMessage[];
  /** Per-tenant overrides of the minutes table, keyed by task type label. */
  minutesOverrides?: Record<string, { manualMinutes: number }>;
}

export interface TaggingResult {
  facet: FacetAnswer;
  provider: 'openai-compatible' | 'offline';
  model: string;
  promptVersion: string;
  promptTokens: number;
  completionTokens: number;
  latencyMs: number;
  /** True when the answer came from the response cache (no model call was made). */
  cached: boolean;
}

export interface FacetTagger {
  readonly provider: TaggingResult['provider'];
  readonly promptVersion: string;
  tag(input: TaggingInput): Promise<TaggingResult>;
}
