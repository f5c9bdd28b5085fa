/**
 * Token estimates and middle-out truncation of conversations before they go to the tagger.
 *
 * The estimate is the usual chars/4 heuristic (about right for English text and code with
 * OpenAI-style BPE tokenizers), with one correction: CJK ideographs, kana, hangul and astral
 * characters (emoji) count one token each, because chars/4 would undercount those scripts three-
 * to fourfold and blow the real budget. It is an estimate, not a tokenizer: JSON and unusual
 * scripts run denser, so budgets built on it should keep a margin.
 *
 * Truncation keeps what says most about a conversation: the first user turn (the request) and the
 * last turns (the outcome). The middle is replaced by one marker message. Deterministic.
 */
import type { CanonicalMessage } from '@silhouette/contracts';

// Any character from U+3000 up (the only ones that can count as dense).
const MAYBE_DENSE = /[\u3000-\uffff]/;

export function estimateTokens(text: string): number {
  // Most text has no such character: the answer of the loop below, without the loop (it runs
  // several times a conversation in the tag worker).
  if (!MAYBE_DENSE.test(text)) return Math.ceil(text.length / 4);
  let light = 0;
  let dense = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x3000) light++;
    else if (c >= 0xdc00 && c <= 0xdfff)
      continue; // low surrogate: counted with its high half
    else if (c >= 0xd800 && c <= 0xdbff) dense++;
    else if (
      (c >= 0x3040 && c <= 0x30ff) || // kana
      (c >= 0x3400 && c <= 0x9fff) || // CJK ideographs
      (c >= 0xac00 && c <= 0xd7af) || // hangul
      (c >= 0xf900 && c <= 0xfaff) || // CJK compatibility
      (c >= 0xff00 && c <= 0xffef) // full-width forms
    )
      dense++;
    else light++;
  }
  return Math.ceil(light / 4 + dense);
}

/** Role label plus separators in the rendered prompt ("ASSISTANT: " and a newline). */
export const MESSAGE_OVERHEAD_TOKENS = 3;

export function messageTokens(message: CanonicalMessage): number {
  return estimateTokens(message.content) + MESSAGE_OVERHEAD_TOKENS;
}

export function conversationTokens(messages: readonly CanonicalMessage[]): number {
  let total = 0;
  for (const message of messages) total += messageTokens(message);
  return total;
}

/** Smallest budget `truncateConversation` accepts: room for a clipped request and the marker. */
export const MIN_TRUNCATION_BUDGET = 32;

export function omissionMarker(omitted: number): CanonicalMessage {
  return { role: 'system', content: `[… ${omitted} turns omitted …]` };
}

export interface TruncatedConversation {
  messages: CanonicalMessage[];
  /** Messages dropped from the middle (and any non-user messages before the first user turn). */
  omittedMessages: number;
  /** Messages kept but shortened in their middle (the first user turn or the last turn). */
  clippedMessages: number;
  /** `conversationTokens(messages)`, always ≤ the budget. */
  estimatedTokens: number;
  truncated: boolean;
}

/**
 * Fits `messages` into `budgetTokens` (estimated, including per-message overhead):
 * - unchanged when it already fits;
 * - otherwise the first user turn (clipped in its middle if it would take more than half of the
 *   budget and the rest needs the room), a marker "[… N turns omitted …]", and as many of the last
 *   messages as fit, newest first; when not even the last message fits, it is clipped to the room left.
 * Messages before the first user turn (greetings, system prompts) are counted as omitted; the single
 * marker sits after the first user turn.
 */
export function truncateConversation(
  messages: readonly CanonicalMessage[],
  budgetTokens: number,
): TruncatedConversation {
  if (!Number.isFinite(budgetTokens) || budgetTokens < MIN_TRUNCATION_BUDGET) {
    throw new RangeError(`budgetTokens must be at least ${MIN_TRUNCATION_BUDGET}`);
  }
  const budget = Math.floor(budgetTokens);
  const total = conversationTokens(messages);
  if (total <= budget) {
    return {
      messages: [...messages],
      omittedMessages: 0,
      clippedMessages: 0,
      estimatedTokens: total,
      truncated: false,
    };
  }

  // Reserve room for a marker with the largest possible count.
  const markerCost = messageTokens(omissionMarker(messages.length));
  const available = budget - markerCost;
  const headIndex = messages.findIndex((m) => m.role === 'user');
  const after = headIndex >= 0 ? messages.slice(headIndex + 1) : [...messages];

  let head: CanonicalMessage | undefined;
  let clipped = 0;
  if (headIndex >= 0) {
    const original = messages[headIndex]!;
    const cost = messageTokens(original);
    const cap = Math.min(
      cost,
      Math.max(Math.floor(available / 2), available - conversationTokens(after)),
    );
    if (cost <= cap) {
      head = original;
    } else {
      head = clipMessage(original, cap);
      clipped++;
    }
  }

  let remaining = available - (head ? messageTokens(head) : 0);
  const tail: CanonicalMessage[] = [];
  for (let i = after.length - 1; i >= 0; i--) {
    const cost = messageTokens(after[i]!);
    if (cost > remaining) break;
    tail.unshift(after[i]!);
    remaining -= cost;
  }
  if (tail.length === 0 && after.length > 0 && remaining >= MESSAGE_OVERHEAD_TOKENS + 8) {
    tail.push(clipMessage(after[after.length - 1]!, remaining));
    clipped++;
  }

  const kept = (head ? 1 : 0) + tail.length;
  const omitted = messages.length - kept;
  const result: CanonicalMessage[] = [];
  if (head) result.push(head);
  if (omitted > 0) result.push(omissionMarker(omitted));
  result.push(...tail);
  return {
    messages: result,
    omittedMessages: omitted,
    clippedMessages: clipped,
    estimatedTokens: conversationTokens(result),
    truncated: true,
  };
}

function clipMessage(message: CanonicalMessage, maxTokens: number): CanonicalMessage {
  return {
    role: message.role,
    content: clipText(message.content, maxTokens - MESSAGE_OVERHEAD_TOKENS),
  };
}

const CLIP_MARK = ' […] ';

/**
 * Shortens `text` to at most `maxTokens` (estimated) by cutting its middle: keeps about 70% from
 * the start and 30% from the end, joined by " […] ". Surrogate pairs are never split.
 */
export function clipText(text: string, maxTokens: number): string {
  if (estimateTokens(text) <= maxTokens) return text;
  if (maxTokens <= estimateTokens(CLIP_MARK)) return '';
  const build = (keep: number) => {
    const headLength = safeEnd(text, Math.ceil(keep * 0.7));
    const tailStart = safeStart(text, text.length - (keep - Math.ceil(keep * 0.7)));
    return text.slice(0, headLength) + CLIP_MARK + text.slice(Math.max(tailStart, headLength));
  };
  // Largest number of kept characters whose clipped form fits (the estimate is monotone in it).
  let low = 0;
  let high = Math.min(text.length, maxTokens * 4);
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (estimateTokens(build(mid)) <= maxTokens) low = mid;
    else high = mid - 1;
  }
  return build(low);
}

/** Moves an end index back off the middle of a surrogate pair. */
function safeEnd(text: string, end: number): number {
  const c = text.charCodeAt(end - 1);
  return end > 0 && c >= 0xd800 && c <= 0xdbff ? end - 1 : end;
}

/** Moves a start index forward off the middle of a surrogate pair. */
function safeStart(text: string, start: number): number {
  const c = text.charCodeAt(start);
  return start < text.length && c >= 0xdc00 && c <= 0xdfff ? start + 1 : start;
}
