/**
 * Outcome, failure reasons and user frustration from signals a person reading the conversation
 * would point at: the user correcting or contradicting the assistant, saying it did not help,
 * rephrasing the same request, pasting back an error, giving up; the assistant refusing,
 * apologising, saying what it cannot do, asking for details nobody gave, announcing that an
 * action failed, or answering something else than what was asked. Phrase lists live in
 * conversation-signal-phrases.ts.
 *
 * The result says which signals fired and where (`evidence`), which one decided the outcome
 * (`decidedBy`), and how sure it is (`confidence`). When no signal decides, the outcome is
 * inferred from the conversation's shape with a low confidence: we abstain rather than guess.
 *
 * Semantics (kept in line with the LLM prompt): `outcome` is the end state; `failure_reasons` is
 * empty for resolved conversations, otherwise the failures that explain the end state.
 */
import type { FailureReason, MessageRole, Outcome } from '@silhouette/contracts';
import {
  ACKNOWLEDGEMENT,
  ACTION_SUCCEEDED,
  ANYTHING_ELSE,
  APOLOGY,
  AS_AN_AI,
  CANNOT,
  CLOSING_REPLY,
  COMPLAINT,
  CORRECTION_INCORRECT,
  CORRECTION_MISUNDERSTOOD,
  DETAIL_QUESTION,
  FRUSTRATION,
  GAVE_UP,
  INABILITY,
  MISSING_CONTEXT,
  NOT_FOUND,
  OFFER_QUESTION,
  PARTIAL,
  PASTED_ERROR,
  POSITIVE,
  POSITIVE_CJK,
  PROFANITY,
  REFUSAL,
  TOO_VERBOSE_OR_SLOW,
  TOOL_ERROR,
  TOOL_MESSAGE_ERROR,
} from './conversation-signal-phrases';
import type { PreparedConversation, PreparedMessage } from './prepared-conversation';
import { STOP_WORDS } from './text-normalizer';
import { REFUSAL_MAX_WORDS, REPETITION_JACCARD, REPETITION_MIN_WORDS } from './tagging-tables';

/** Every signal the detector reports, with the failure reason it stands for (if any). */
export const SIGNAL_KINDS = {
  /** "that's wrong", "still doesn't work" after an answer. */
  user_correction: 'incorrect_answer',
  /** "not what I asked", "I meant ...". */
  user_misunderstood: 'misunderstood_request',
  /** The same request again, in other words. */
  user_rephrase: 'misunderstood_request',
  /** "not helpful", "try again": it failed, but the user does not say how. */
  user_complaint: 'other',
  /** "never mind", "I'll ask someone else". */
  user_gave_up: 'other',
  /** "too long", "get to the point". */
  user_wants_shorter: 'too_verbose_or_slow',
  /** Profanity, shouting, "!!" or exasperation ("how many times"). */
  user_frustrated: null,
  /** A stack trace or error output pasted back after an answer. */
  pasted_error: 'incorrect_answer',
  /** "Only partly", "almost". */
  user_partial: 'incomplete',
  assistant_refusal: 'refused',
  /** An apology right after the user reacted to an answer. */
  assistant_apology: null,
  /** "I don't have access to ...", "I don't have more information". */
  assistant_cannot: 'incomplete',
  /** The conversation ends on the assistant asking for a detail it needs. */
  assistant_needs_context: 'missing_context',
  /** The assistant (or a tool) says an action failed. */
  action_failed: 'tool_error',
  /** ... and a later message says it went through after all. */
  action_succeeded: null,
  /** The assistant found nothing ("no results", "none available"). */
  nothing_found: 'incomplete',
  /** The final answer shares no content word with the request it answers. */
  off_topic_answer: 'misunderstood_request',
  /** The user's last message got no answer. */
  unanswered: 'incomplete',
  user_thanks: null,
  /** "No, that's all" after "anything else?". */
  polite_close: null,
  /** A bare "ok" at the end. */
  acknowledgement: null,
} as const satisfies Record<string, FailureReason | null>;
export type SignalKind = keyof typeof SIGNAL_KINDS;

export interface ConversationSignal {
  readonly kind: SignalKind;
  /** Index among the conversation's messages that have text (system messages included). */
  readonly messageIndex: number;
  readonly role: MessageRole;
}

export interface ConversationSignals {
  readonly outcome: Outcome;
  readonly failureReasons: FailureReason[];
  readonly userFrustration: number;
  /** True when the outcome rests on an explicit signal rather than on the conversation's shape. */
  readonly explicitEnd: boolean;
  /** How sure the outcome is, 0-1; below LOW_SIGNAL_CONFIDENCE the detector abstains. */
  readonly confidence: number;
  /** The signal the outcome rests on, or undefined when it was inferred from the shape. */
  readonly decidedBy: SignalKind | undefined;
  /** Every signal that fired, in conversation order. */
  readonly evidence: readonly ConversationSignal[];
}

/** Outcomes below this confidence are guesses (counted as low confidence downstream). */
export const LOW_SIGNAL_CONFIDENCE = 0.5;
const EXPLICIT = 0.8;
const LIKELY = 0.65;
const WEAK = 0.55;
const GUESS = 0.4;

/** An answer shorter than this says too little to be a fix or to be judged off topic. */
const SUBSTANTIVE_ANSWER_WORDS = 25;
/** An off-topic answer shares at most this many content words with the conversation before it. */
const OFF_TOPIC_MAX_SHARED_WORDS = 1;
/** An answer this short is not judged off topic. */
const OFF_TOPIC_MIN_ANSWER_WORDS = 12;
/** A thanks followed by an answer closes the conversation only when it is this short. */
const THANKS_MAX_WORDS = 15;
/** A request needs this many content words before an answer can be judged off topic. */
const OFF_TOPIC_MIN_REQUEST_WORDS = 2;
/** A message announcing that an action failed or went through is short. */
const ACTION_NOTICE_MAX_WORDS = 60;
/** A closing detail question is only a blocking question in a short message. */
const DETAIL_QUESTION_MAX_WORDS = 40;

const CAPS_WORD_RE = /\b[A-Z]{3,}\b/g;
const LONG_WORD_RE = /\b[A-Za-z]{3,}\b/g;

interface UserReading {
  positive: boolean;
  partial: boolean;
  incorrect: boolean;
  misunderstood: boolean;
  complaint: boolean;
  gaveUp: boolean;
  tooVerbose: boolean;
  pastedError: boolean;
  profanity: boolean;
  frustration: boolean;
  shouting: boolean;
  exclaiming: boolean;
}

function readUser(m: PreparedMessage, afterAssistant: boolean): UserReading {
  const text = m.lower;
  const caps = m.raw.match(CAPS_WORD_RE)?.length ?? 0;
  const longWords = caps >= 3 ? (m.raw.match(LONG_WORD_RE)?.length ?? 0) : 0;
  return {
    positive: POSITIVE.test(text) || POSITIVE_CJK.test(text),
    partial: afterAssistant && PARTIAL.test(text),
    incorrect: afterAssistant && CORRECTION_INCORRECT.test(text),
    misunderstood: afterAssistant && CORRECTION_MISUNDERSTOOD.test(text),
    complaint: afterAssistant && COMPLAINT.test(text),
    gaveUp: afterAssistant && GAVE_UP.test(text),
    tooVerbose: afterAssistant && TOO_VERBOSE_OR_SLOW.test(text),
    // Pasting an error in the first message asks for debugging; after an answer it reports one.
    pastedError: afterAssistant && PASTED_ERROR.some((re) => re.test(m.raw)),
    profanity: PROFANITY.test(text),
    frustration: FRUSTRATION.test(text),
    shouting: caps >= 3 && caps / Math.max(1, longWords) >= 0.5,
    exclaiming: /!{2,}|\?!|!\?/.test(m.raw),
  };
}

function isNegative(r: UserReading): boolean {
  return (
    r.incorrect ||
    r.misunderstood ||
    r.complaint ||
    r.gaveUp ||
    r.tooVerbose ||
    r.pastedError ||
    r.profanity ||
    r.frustration
  );
}

function contentWords(m: PreparedMessage): Set<string> {
  return new Set(m.stems.filter((s) => s.length >= 3 && !STOP_WORDS.has(s)));
}

function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  const union = a.size + b.size - inter;
  return union === 0 ? 0 : inter / union;
}

function lastSentence(text: string): string {
  const trimmed = text.trim();
  const parts = trimmed.split(/(?<=[.!?])\s+/);
  return parts[parts.length - 1] ?? trimmed;
}

function isRefusal(m: PreparedMessage): boolean {
  return (
    m.words <= REFUSAL_MAX_WORDS &&
    (REFUSAL.test(m.lower) || (AS_AN_AI.test(m.lower) && INABILITY.test(m.lower)))
  );
}

/** Does the assistant's message end by asking for something it needs to go on? */
function asksForContext(m: PreparedMessage): 'phrase' | 'question' | undefined {
  if (MISSING_CONTEXT.test(m.lower)) return 'phrase';
  const sentence = lastSentence(m.lower);
  if (
    m.words <= DETAIL_QUESTION_MAX_WORDS &&
    sentence.endsWith('?') &&
    !OFFER_QUESTION.test(sentence) &&
    !/^what else\b/.test(sentence) &&
    DETAIL_QUESTION.test(sentence)
  )
    return 'question';
  return undefined;
}

export function analyzeConversationSignals(
  conversation: PreparedConversation,
): ConversationSignals {
  const messages = conversation.messages;
  const evidence: ConversationSignal[] = [];
  const note = (kind: SignalKind, messageIndex: number) =>
    evidence.push({ kind, messageIndex, role: messages[messageIndex]!.role });

  const readings = new Map<number, UserReading>();
  const earlierRequests: Set<string>[] = [];
  let seenAssistant = false;
  let lastUserIndex = -1;
  let lastFailureIndex = -1;
  let lastSuccessIndex = -1;

  messages.forEach((m, index) => {
    if (m.role === 'user') {
      const r = readUser(m, seenAssistant);
      readings.set(index, r);
      if (r.pastedError) note('pasted_error', index);
      if (r.incorrect) note('user_correction', index);
      if (r.misunderstood) note('user_misunderstood', index);
      if (r.complaint) note('user_complaint', index);
      if (r.gaveUp) note('user_gave_up', index);
      if (r.tooVerbose) note('user_wants_shorter', index);
      if (r.partial) note('user_partial', index);
      if (r.profanity || r.frustration || r.shouting || (r.exclaiming && !r.positive))
        note('user_frustrated', index);
      if (r.positive && !isNegative(r)) note('user_thanks', index);
      const words = contentWords(m);
      if (
        seenAssistant &&
        words.size >= REPETITION_MIN_WORDS &&
        earlierRequests.some(
          (w) => w.size >= REPETITION_MIN_WORDS && jaccard(w, words) >= REPETITION_JACCARD,
        )
      )
        note('user_rephrase', index);
      earlierRequests.push(words);
      lastUserIndex = index;
    } else if (m.role === 'assistant' || m.role === 'tool') {
      const previous = messages[index - 1];
      const reactedTo = previous?.role === 'user' && seenAssistant;
      if (m.role === 'assistant') {
        if (isRefusal(m)) note('assistant_refusal', index);
        // "You're right, I apologize" answering a reply to an earlier answer.
        if (reactedTo && APOLOGY.test(m.lower)) note('assistant_apology', index);
        if (CANNOT.test(m.lower)) note('assistant_cannot', index);
      }
      // Status notices are short; a long answer explaining errors is not one.
      const notice = m.words <= ACTION_NOTICE_MAX_WORDS;
      const failed =
        (m.role === 'tool' && TOOL_MESSAGE_ERROR.test(m.lower)) ||
        (m.role === 'assistant' && notice && TOOL_ERROR.test(m.lower));
      if (failed) {
        note('action_failed', index);
        lastFailureIndex = index;
      } else if (notice && ACTION_SUCCEEDED.test(m.lower)) {
        note('action_succeeded', index);
        lastSuccessIndex = index;
      }
      if (m.role === 'assistant') seenAssistant = true;
    }
  });

  const has = (kind: SignalKind, from = 0) =>
    evidence.some((e) => e.kind === kind && e.messageIndex >= from);

  // Frustration: what the user wrote, not what went wrong.
  const frustrationLevel = (resolved: boolean, bonus: number): number => {
    let corrections = 0;
    let profanity = false;
    let frustrated = false;
    let shouting = false;
    let exclaiming = false;
    for (const r of readings.values()) {
      corrections += Number(r.incorrect || r.misunderstood || r.pastedError || r.complaint);
      profanity ||= r.profanity;
      frustrated ||= r.frustration || r.gaveUp;
      shouting ||= r.shouting;
      exclaiming ||= r.exclaiming && !r.positive;
    }
    let score = Math.min(2, corrections) + (has('user_rephrase') ? 1 : 0);
    score += (profanity ? 2 : 0) + (frustrated ? 1 : 0) + (shouting ? 1 : 0) + (exclaiming ? 1 : 0);
    score += bonus - (resolved ? 1 : 0);
    return Math.max(1, Math.min(5, 1 + score));
  };

  // The reasons behind every failure signal seen ("other" only when nothing says more); a failed
  // action that a later one made good is no reason.
  const reasonsSeen = (): Set<FailureReason> => {
    const reasons = new Set<FailureReason>();
    for (const e of evidence) {
      const reason = SIGNAL_KINDS[e.kind];
      if (e.kind === 'action_failed' && e.messageIndex < lastSuccessIndex) continue;
      if (reason && reason !== 'other') reasons.add(reason);
    }
    return reasons;
  };
  const finish = (
    outcome: Outcome,
    confidence: number,
    decidedBy: SignalKind | undefined,
    reasons: Iterable<FailureReason> = [],
    bonus = 0,
  ): ConversationSignals => {
    let failureReasons = outcome === 'resolved' ? [] : [...new Set(reasons)];
    if (outcome !== 'resolved' && failureReasons.length === 0) failureReasons = ['other'];
    return {
      outcome,
      failureReasons,
      userFrustration: frustrationLevel(outcome === 'resolved', bonus),
      explicitEnd: confidence >= LIKELY,
      confidence,
      decidedBy,
      evidence,
    };
  };

  if (!seenAssistant) {
    // The user asked and nothing answered: the need was not met (we cannot tell why).
    if (lastUserIndex >= 0) note('unanswered', lastUserIndex);
    return finish('unresolved', GUESS, 'unanswered', ['incomplete']);
  }

  const last = messages[messages.length - 1]!;
  const lastUser = lastUserIndex >= 0 ? readings.get(lastUserIndex) : undefined;
  // What the assistant said after the user's last message.
  const tail = messages.slice(lastUserIndex + 1);
  const finalAnswer = [...tail].reverse().find((m) => m.role === 'assistant');
  const finalAnswerIndex = finalAnswer ? messages.lastIndexOf(finalAnswer) : -1;
  const answerBeforeLastUser = [...messages.slice(0, Math.max(0, lastUserIndex))]
    .reverse()
    .find((m) => m.role === 'assistant');

  const lastUserNegative = lastUser !== undefined && isNegative(lastUser);
  // Thanks that come with a new request ("thanks! and how do I ...?") close nothing: the answer
  // to the new request decides.
  const thanksOnly = (index: number) =>
    index === messages.length - 1 ||
    (!messages[index]!.raw.includes('?') && messages[index]!.words <= THANKS_MAX_WORDS);
  const closingAfterOffer =
    lastUser !== undefined &&
    answerBeforeLastUser !== undefined &&
    ANYTHING_ELSE.test(answerBeforeLastUser.lower) &&
    CLOSING_REPLY.test(messages[lastUserIndex]!.lower);
  const previousUserIndex = [...readings.keys()].filter((i) => i < lastUserIndex).pop();
  const previousUser =
    previousUserIndex !== undefined ? readings.get(previousUserIndex) : undefined;
  const positiveEnd =
    lastUser !== undefined &&
    !lastUserNegative &&
    ((lastUser.positive && thanksOnly(lastUserIndex)) ||
      closingAfterOffer ||
      // "Thanks!" then "No, that's all": the thanks is one message earlier.
      (previousUser !== undefined &&
        previousUser.positive &&
        !isNegative(previousUser) &&
        CLOSING_REPLY.test(messages[lastUserIndex]!.lower)));
  if (closingAfterOffer) note('polite_close', lastUserIndex);

  // 1. A refusal the conversation ends on (the last answer, or the one the user last reacted to).
  const refusedAtEnd =
    (finalAnswer !== undefined && isRefusal(finalAnswer)) ||
    (finalAnswer === undefined &&
      answerBeforeLastUser !== undefined &&
      isRefusal(answerBeforeLastUser));
  if (refusedAtEnd && !positiveEnd)
    return finish('refused', EXPLICIT, 'assistant_refusal', ['refused'], 1);

  // 2. An action failed and nothing succeeded after it: thanks after a failed booking are politeness.
  if (lastFailureIndex >= 0 && lastFailureIndex > lastSuccessIndex) {
    const reasons = reasonsSeen();
    reasons.add('tool_error');
    // Nobody answered the failure: the user left.
    if (lastFailureIndex > lastUserIndex)
      return finish('abandoned', EXPLICIT, 'action_failed', reasons, 1);
    return finish('unresolved', LIKELY, 'action_failed', reasons, 1);
  }

  // 3. The user's last word is negative.
  if (lastUserNegative) {
    const decidedBy =
      evidence.filter((e) => e.messageIndex === lastUserIndex && SIGNAL_KINDS[e.kind] !== null)[0]
        ?.kind ?? 'user_frustrated';
    const answeredAgain =
      finalAnswer !== undefined &&
      finalAnswer.words >= SUBSTANTIVE_ANSWER_WORDS &&
      !has('assistant_cannot', lastUserIndex + 1) &&
      !isRefusal(finalAnswer) &&
      !lastUser.gaveUp;
    if (!answeredAgain) {
      // Left with the complaint, or the assistant could only apologise.
      const reasons = reasonsSeen();
      if (has('assistant_cannot', lastUserIndex + 1)) reasons.add('incomplete');
      return finish('unresolved', EXPLICIT, decidedBy, reasons);
    }
    // The assistant tried again. Whether the new answer works, only the user knows: abstain.
    if (offTopic(messages.slice(0, finalAnswerIndex), finalAnswer)) {
      note('off_topic_answer', finalAnswerIndex);
      return finish('unresolved', WEAK, 'off_topic_answer', reasonsSeen());
    }
    if (has('assistant_apology', lastUserIndex + 1))
      return finish('resolved', GUESS, 'assistant_apology');
    return finish('partially_resolved', GUESS, decidedBy, reasonsSeen());
  }

  // 4. The conversation ends on the assistant.
  if (last.role === 'assistant' || last.role === 'tool') {
    const ask = last.role === 'assistant' ? asksForContext(last) : undefined;
    if (ask && !positiveEnd) {
      note('assistant_needs_context', messages.length - 1);
      const reasons = reasonsSeen();
      reasons.add('missing_context');
      return finish(
        'abandoned',
        ask === 'phrase' ? LIKELY : GUESS,
        'assistant_needs_context',
        reasons,
      );
    }
    if (finalAnswer && has('assistant_cannot', lastUserIndex + 1) && !positiveEnd)
      return finish('unresolved', WEAK, 'assistant_cannot', ['incomplete']);
  }

  // 5. The conversation ends on the user.
  if (last.role === 'user') {
    if (positiveEnd)
      return finish('resolved', EXPLICIT, closingAfterOffer ? 'polite_close' : 'user_thanks');
    if (lastUser?.partial)
      return finish('partially_resolved', LIKELY, 'user_partial', [...reasonsSeen(), 'incomplete']);
    if (ACKNOWLEDGEMENT.test(last.lower)) {
      note('acknowledgement', lastUserIndex);
      return finish('resolved', WEAK, 'acknowledgement');
    }
    note('unanswered', lastUserIndex);
    return finish('unresolved', GUESS, 'unanswered', [...reasonsSeen(), 'incomplete']);
  }

  if (lastUser?.partial)
    return finish('partially_resolved', LIKELY, 'user_partial', [...reasonsSeen(), 'incomplete']);
  if (positiveEnd) return finish('resolved', EXPLICIT, 'user_thanks');

  // 6. The final answer shares nothing with the request it answers.
  if (
    finalAnswer &&
    lastUserIndex >= 0 &&
    offTopic(messages.slice(0, finalAnswerIndex), finalAnswer)
  ) {
    note('off_topic_answer', finalAnswerIndex);
    return finish('unresolved', WEAK, 'off_topic_answer', ['misunderstood_request']);
  }
  if (
    finalAnswer &&
    finalAnswer.words <= ACTION_NOTICE_MAX_WORDS &&
    NOT_FOUND.test(finalAnswer.lower)
  ) {
    note('nothing_found', finalAnswerIndex);
    return finish('unresolved', GUESS, 'nothing_found', ['incomplete']);
  }

  // 7. Earlier trouble, answered since: the last answer may or may not have fixed it.
  const earlier = evidence.find((e) => SIGNAL_KINDS[e.kind] !== null && e.role === 'user');
  if (earlier) {
    if (has('assistant_apology', earlier.messageIndex))
      return finish('resolved', GUESS, 'assistant_apology');
    return finish('partially_resolved', GUESS, earlier.kind, reasonsSeen());
  }
  // No signal either way: most such conversations are resolved, but we are only guessing.
  return finish('resolved', WEAK, undefined);
}

/**
 * An answer is off topic when it shares no content word with the request it answers and at most
 * one with anything said before it (earlier requests set the topic of a follow-up such as
 * "simpler, please", and earlier answers name what "which one is best?" refers to). The request
 * needs at least two content words, and the answer must be long enough to judge.
 */
function offTopic(before: readonly PreparedMessage[], answer: PreparedMessage): boolean {
  if (answer.words < OFF_TOPIC_MIN_ANSWER_WORDS) return false;
  const request = [...before].reverse().find((m) => m.role === 'user');
  if (!request) return false;
  const asked = contentWords(request);
  if (asked.size < OFF_TOPIC_MIN_REQUEST_WORDS) return false;
  const answered = contentWords(answer);
  for (const word of asked) if (answered.has(word)) return false;
  const context = new Set(before.flatMap((m) => [...contentWords(m)]));
  let shared = 0;
  for (const word of answered) if (context.has(word)) shared++;
  return shared <= OFF_TOPIC_MAX_SHARED_WORDS;
}
