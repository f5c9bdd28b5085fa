/**
 * One tagging call per conversation, whatever answers it: an OpenAI-compatible model or the
 * offline heuristics. Both return the same validated `FacetAnswer` plus accounting.
 */
import type {
  CanonicalMessage,
  CustomFacetDefinition,
  CustomFacetValue,
  FacetAnswer,
} from '@silhouette/contracts';

/** What a tagger sees: the decrypted messages, inside the sealed worker only. */
export interface TaggingInput {
  conversationId: string;
  messages: CanonicalMessage[];
  /** Per-tenant overrides of the minutes table, keyed by task type label. */
  minutesOverrides?: Record<string, { manualMinutes: number }>;
  /** The tenant's custom facets, answered in the same call (issue #15). */
  customFacets?: readonly CustomFacetDefinition[];
}

export interface TaggingResult {
  facet: FacetAnswer;
  /** Custom facet answers by key; null where the tagger could not answer (offline without a rule). */
  custom?: Record<string, CustomFacetValue>;
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
  /** The version without custom facets. */
  readonly promptVersion: string;
  /** The version a conversation of a tenant with these custom facets is tagged with. */
  promptVersionFor?(customFacets: readonly CustomFacetDefinition[]): string;
  tag(input: TaggingInput): Promise<TaggingResult>;
}

/** A tagger without custom-facet support answers none, under its plain version. */
export function taggerPromptVersion(
  tagger: Pick<FacetTagger, 'promptVersion' | 'promptVersionFor'>,
  customFacets: readonly CustomFacetDefinition[],
): string {
  return customFacets.length && tagger.promptVersionFor
    ? tagger.promptVersionFor(customFacets)
    : tagger.promptVersion;
}
