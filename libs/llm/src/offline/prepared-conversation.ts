/**
 * One pass over the messages that every offline heuristic shares: lowercased text, tokens, stems
 * and word counts, computed once per conversation.
 */
import type { CanonicalMessage, MessageRole } from '@silhouette/contracts';
import { MAX_SCAN_CHARS_PER_MESSAGE } from './tagging-tables';
import { countWords, normalizeText, stemCached, tokenize } from './text-normalizer';

export interface PreparedMessage {
  readonly role: MessageRole;
  /** Original text, cut to MAX_SCAN_CHARS_PER_MESSAGE (case kept for the structural detectors). */
  readonly raw: string;
  /** `raw`, normalised (lowercase, unified apostrophes). */
  readonly lower: string;
  readonly tokens: readonly string[];
  readonly stems: readonly string[];
  /** Whitespace words of the whole message (not cut), for the minutes estimate. */
  readonly words: number;
}

export interface PreparedConversation {
  readonly messages: readonly PreparedMessage[];
  /** Index in `messages` of the first user message with text, or -1. */
  readonly firstUserIndex: number;
  readonly userWords: number;
  readonly assistantWords: number;
  readonly userTurns: number;
}

export function prepareConversation(messages: readonly CanonicalMessage[]): PreparedConversation {
  const prepared: PreparedMessage[] = [];
  let firstUserIndex = -1;
  let userWords = 0;
  let assistantWords = 0;
  let userTurns = 0;
  for (const message of messages) {
    const content = message.content;
    if (content.trim().length === 0) continue;
    const raw =
      content.length > MAX_SCAN_CHARS_PER_MESSAGE
        ? content.slice(0, MAX_SCAN_CHARS_PER_MESSAGE)
        : content;
    const lower = normalizeText(raw);
    const tokens = tokenize(lower);
    const stems = tokens.map(stemCached);
    const words = countWords(content);
    if (message.role === 'user') {
      if (firstUserIndex < 0) firstUserIndex = prepared.length;
      userWords += words;
      userTurns++;
    } else if (message.role === 'assistant') {
      assistantWords += words;
    }
    prepared.push({ role: message.role, raw, lower, tokens, stems, words });
  }
  return { messages: prepared, firstUserIndex, userWords, assistantWords, userTurns };
}
