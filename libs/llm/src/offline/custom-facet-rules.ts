/**
 * Offline answers to a tenant's custom facets (issue #15). Without a model, only what the admin's
 * keyword rules say can be answered: an `enum` value (or a `boolean` true/false) whose keyword
 * occurs in the conversation's user or assistant messages, matched on word stems so "competitors"
 * matches "competitor". Everything else stays unanswered (null), and `number` and `short_text`
 * facets always do: the offline tagger does not guess.
 */
import type { CustomFacetDefinition, CustomFacetValue } from '@silhouette/contracts';
import type { PreparedConversation } from './prepared-conversation';
import { stemPhrase } from './text-normalizer';

function containsSequence(haystack: readonly string[], needle: readonly string[]): boolean {
  if (needle.length === 0 || needle.length > haystack.length) return false;
  outer: for (let i = 0; i <= haystack.length - needle.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return true;
  }
  return false;
}

function matches(conversation: PreparedConversation, keywords: readonly string[] | undefined) {
  if (!keywords?.length) return false;
  const phrases = keywords.map(stemPhrase);
  return conversation.messages.some(
    (message) =>
      (message.role === 'user' || message.role === 'assistant') &&
      phrases.some((phrase) => containsSequence(message.stems, phrase)),
  );
}

/** The rule-based answer of one custom facet, or null when no rule matches. */
export function answerByRules(
  definition: CustomFacetDefinition,
  conversation: PreparedConversation,
): CustomFacetValue {
  const rules = definition.rules ?? {};
  if (definition.type === 'enum') {
    // The first value in the admin's order whose rule matches.
    return definition.values?.find((value) => matches(conversation, rules[value])) ?? null;
  }
  if (definition.type === 'boolean') {
    if (matches(conversation, rules['true'])) return true;
    if (matches(conversation, rules['false'])) return false;
  }
  return null;
}
