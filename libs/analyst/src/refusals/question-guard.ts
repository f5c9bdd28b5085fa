/**
 * Refuses, before any tool or model runs, questions about an individual or a group below the
 * thresholds ("what did user X ask", "what did the two people in legal do") and requests for
 * conversation text. Deterministic, the same in both modes. The tools could not answer them
 * anyway (nothing per person is published); refusing says why instead of abstaining vaguely.
 */
import { detectPii } from '@silhouette/privacy';
import { NUMBER_WORDS } from '../offline/number-words';

export interface Refusal {
  reason: string;
}

const INDIVIDUAL_REASON = (kUsers: number) =>
  `Silhouette publishes only aggregates over at least ${kUsers} people; it cannot say anything about one person`;
const SMALL_GROUP_REASON = (kUsers: number) =>
  `Silhouette publishes only groups of at least ${kUsers} people; a smaller group could identify someone`;
const CONTENT_REASON =
  'conversations are sealed and never readable; only anonymous aggregates are published';

/** Words for small groups, beside the numbers ("a couple of people"). */
const GROUP_WORDS: Record<string, number> = {
  ...NUMBER_WORDS,
  single: 1,
  couple: 2,
  pair: 2,
  both: 2,
};
const PEOPLE =
  '(?:people|persons?|users?|employees?|colleagues?|members?|individuals?|staff|guys|folks|engineers?|developers?|lawyers?|analysts?|managers?|designers?|interns?|agents?|reps?|accountants?|admins?|executives?|directors?|salespeople|recruiters?|consultants?)';

const INDIVIDUAL_PATTERNS: RegExp[] = [
  // A specific user: "user 42", "user u_ab12", "user id 7", "user X"
  /\buser\s+(?:id\s+|#\s*|named\s+|called\s+)?["'“]?[\p{L}\p{N}_@.-]*\d[\p{L}\p{N}_@.-]*/iu,
  /\buser\s+(?:named|called)\b/i,
  /\buser[-_#]\s*[\p{L}\p{N}]*\d/iu,
  /\bu_[0-9a-z]{4,}\b/i,
  // "which user / person / employee …", "who asked / used / …"
  /\b(?:which|what)\s+(?:specific\s+)?(?:user|person|employee|individual|colleague|people|users|employees|individuals)\b/i,
  /\bwho\s+(?:exactly\s+|specifically\s+)?(?:asked|used|uses|wrote|said|saved|complained|typed|is|was|were|has|had|sent|talked|chatted|searched)\b/i,
  /\b(?:his|her)\s+(?:conversations?|questions?|chats?|messages?|prompts?|usage)\b/i,
  /\bwhat\s+(?:did|does|has)\s+(?:he|she|him|her)\b/i,
  /\b(?:my|our|the)\s+(?:ceo|cfo|cto|boss|manager|intern|colleague|coworker|co-worker)\b(?!s)/i,
  /\bnamed\s+[A-Z]/,
  /\b(?:each|every|individual|specific|particular|single)\s+(?:user|person|employee|individual)'?s?\b/i,
  /\b(?:that|this)\s+(?:user|person|employee|individual)\b/i,
  /\b(?:a|one)\s+(?:specific|particular|single|certain)\s+(?:user|person|employee|individual)\b/i,
];

const CONTENT_PATTERNS: RegExp[] = [
  /\b(?:show|read|give|list|print|quote|see|display)\b[^.?!]{0,40}\b(?:conversations?|transcripts?|messages?|chats?|prompts?)\b(?![^.?!]{0,20}\b(?:per|by)\b)/i,
  /\b(?:exact|actual|raw|verbatim|full)\s+(?:text|words|conversations?|messages?|transcripts?|prompts?|questions?)\b/i,
  /\bwhat\s+exactly\s+did\b/i,
];

/** A refusal when the question is about an individual, a small group or conversation text. */
export function refusalFor(question: string, kUsers: number): Refusal | undefined {
  const pii = detectPii(question).filter((span) => span.type !== 'DATE_OF_BIRTH');
  if (pii.length > 0) return { reason: INDIVIDUAL_REASON(kUsers) };
  for (const pattern of CONTENT_PATTERNS) {
    if (pattern.test(question)) return { reason: CONTENT_REASON };
  }
  for (const pattern of INDIVIDUAL_PATTERNS) {
    if (pattern.test(question)) return { reason: INDIVIDUAL_REASON(kUsers) };
  }
  const group = new RegExp(
    `\\b(?:the\\s+|a\\s+|only\\s+|just\\s+)?(\\d+|${Object.keys(GROUP_WORDS).join('|')})\\s+(?:of\\s+(?:the\\s+)?)?(?:[\\p{L}-]+\\s+)?${PEOPLE}\\b`,
    'giu',
  );
  for (const match of question.matchAll(group)) {
    const word = match[1]!.toLowerCase();
    const size = GROUP_WORDS[word] ?? Number(word);
    if (Number.isFinite(size) && size > 0 && size < kUsers) {
      return { reason: SMALL_GROUP_REASON(kUsers) };
    }
  }
  if (/\b(?:the\s+only|alone|by\s+(?:him|her)self)\b/i.test(question)) {
    return { reason: SMALL_GROUP_REASON(kUsers) };
  }
  return undefined;
}
