/**
 * Outcome, failure reasons and user frustration from observable conversation signals:
 * corrections and rephrasing by the user, refusals, apologies, tool errors and requests for more
 * context by the assistant, thanks or a polite close at the end, profanity, shouting and
 * exclamation marks. Phrase lists are English plus a few thanks words in other languages; a
 * conversation with no recognisable end signal gets an outcome inferred from its shape, and says
 * so (`explicitEnd: false` lowers the facet confidence).
 *
 * Semantics (kept in line with the LLM prompt): `outcome` is the end state; `failure_reasons` is
 * empty for resolved conversations, otherwise the failures that explain the end state.
 */
import type { FailureReason, Outcome } from '@silhouette/contracts';
import type { PreparedConversation, PreparedMessage } from './prepared-conversation';
import { REFUSAL_MAX_WORDS, REPETITION_JACCARD, REPETITION_MIN_WORDS } from './tagging-tables';

export interface ConversationSignals {
  readonly outcome: Outcome;
  readonly failureReasons: FailureReason[];
  readonly userFrustration: number;
  /** True when the outcome rests on an explicit signal rather than on the conversation's shape. */
  readonly explicitEnd: boolean;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Matches any of the phrases on word boundaries (input is normalised lowercase text). */
function phrases(list: readonly string[]): RegExp {
  const body = list.map(escapeRegExp).join('|');
  return new RegExp(`(?:^|[^\\p{L}\\p{N}'])(?:${body})(?=$|[^\\p{L}\\p{N}'])`, 'u');
}

const POSITIVE = phrases([
  'thank',
  'thanks',
  'thank you',
  'thx',
  'ty',
  'appreciate it',
  'appreciated',
  'much appreciated',
  'perfect',
  'great',
  'awesome',
  'excellent',
  'brilliant',
  'wonderful',
  'fantastic',
  'amazing',
  'that works',
  'that worked',
  'it works',
  'it worked',
  'works now',
  'works perfectly',
  'worked',
  'that helps',
  'that helped',
  'very helpful',
  'helpful',
  'exactly what i',
  'got it',
  'makes sense',
  'all set',
  'sounds good',
  'cheers',
  'solved',
  'fixed it',
  'that did it',
  'that did the trick',
  'good job',
  'nice',
  'love it',
  "you're the best",
  'merci',
  'gracias',
  'danke',
  'grazie',
  'obrigado',
  'obrigada',
  'bedankt',
  'tack',
  'dziękuję',
  'teşekkürler',
  'teşekkür',
  'спасибо',
  'дякую',
]);
/** Thanks in scripts without word spacing. */
const POSITIVE_CJK = /谢谢|謝謝|ありがとう|감사|고마워|شكرا|धन्यवाद|ขอบคุณ|תודה|ευχαριστώ/;

/** A short acknowledgement as the last word: weakly positive ("ok", "got it"). */
const ACKNOWLEDGEMENT =
  /^\s*(?:ok|okay|k|alright|all right|cool|fine|sure|understood|i see|noted|got it|good)\b[\s.!]*$/;

const PARTIAL = phrases([
  'partially',
  'partly',
  'somewhat',
  'kind of works',
  'sort of works',
  'almost',
  'close but',
  'mostly works',
  'helps a bit',
  'not quite',
  'but still',
  'good start',
  'half of it',
  'only part',
  'some of it',
]);

const CORRECTION_INCORRECT = phrases([
  "that's wrong",
  'that is wrong',
  "that's not right",
  'that is not right',
  "that isn't right",
  "that's incorrect",
  'that is incorrect',
  "that's not correct",
  'that is not correct',
  'this is wrong',
  "it's wrong",
  'wrong answer',
  "you're wrong",
  'you are wrong',
  'still wrong',
  "doesn't work",
  'does not work',
  "didn't work",
  'did not work',
  "still doesn't",
  'still not working',
  'still getting',
  'still broken',
  'still fails',
  'still failing',
  'not working',
  "that's not true",
  "that isn't true",
  'not correct',
  'incorrect',
  'you made a mistake',
  "there's a mistake",
  'there is a mistake',
  "there's an error in",
  'there is an error in',
  'wrong result',
  'wrong again',
  "that's false",
  'not accurate',
  'inaccurate',
  'made that up',
  'is wrong',
  'are wrong',
  'was wrong',
]);

const CORRECTION_MISUNDERSTOOD = phrases([
  'not what i asked',
  'not what i meant',
  'not what i wanted',
  "that's not what i",
  'that is not what i',
  'no, i meant',
  'no i meant',
  'i meant',
  'what i meant',
  'i said',
  'you misunderstood',
  'misunderstood',
  "you didn't understand",
  'you did not understand',
  "that's not my question",
  'not my question',
  'read my question',
  'i asked for',
  'i asked about',
  "i didn't ask",
  'i did not ask',
  "not what i'm looking for",
  'not what i was looking for',
  "you're not listening",
  'answer my question',
  'let me rephrase',
  'let me clarify',
  'to clarify',
  "that's not it",
  'off topic',
  'irrelevant',
]);

const TOO_VERBOSE_OR_SLOW = phrases([
  'too long',
  'too verbose',
  'too wordy',
  'shorter please',
  'get to the point',
  'too slow',
  'taking too long',
  'so slow',
  'tl;dr',
  'too much text',
  'just give me the answer',
  'be brief',
  'way too long',
]);

const PROFANITY = phrases([
  'fuck',
  'fucking',
  'fucked',
  'shit',
  'shitty',
  'damn',
  'dammit',
  'goddamn',
  'crap',
  'crappy',
  'bullshit',
  'wtf',
  'stupid',
  'idiot',
  'idiotic',
  'dumb',
  'useless',
  'pathetic',
  'garbage',
  'trash',
  'sucks',
  'what the hell',
  'piss',
  'pissed',
]);

const FRUSTRATION = phrases([
  'waste of time',
  'ridiculous',
  'frustrating',
  'frustrated',
  'annoying',
  'annoyed',
  'come on',
  'seriously',
  'for the last time',
  'i already told you',
  'i already said',
  'how many times',
  'are you kidding',
  'you keep',
  'not again',
  'this is useless',
  "doesn't help",
  'does not help',
  'not helpful',
  'unhelpful',
  'terrible',
  'awful',
  'worst',
  'give up',
  'forget it',
  'never mind',
  'nevermind',
]);

const REFUSAL = phrases([
  "i can't help",
  'i cannot help',
  "i can't assist",
  'i cannot assist',
  "i'm unable to help",
  'i am unable to help',
  "i'm unable to assist",
  'i am unable to assist',
  "i'm not able to help",
  'i am not able to help',
  "i'm not able to assist",
  "i can't provide",
  'i cannot provide',
  "i can't comply",
  'i cannot comply',
  "i won't be able to help",
  'i will not be able to help',
  'i must decline',
  'i have to decline',
  "i can't do that",
  'i cannot do that',
  "i'm not allowed to",
  'i am not allowed to',
  'against my guidelines',
  'against my policies',
  'against my policy',
  'violates my',
  "i can't fulfill",
  'i cannot fulfill',
  "i can't fulfil",
  "i'm unable to provide",
  'i am unable to provide',
  "i can't create",
  'i cannot create',
  "i can't write",
  'i cannot write',
  "i can't generate",
  'i cannot generate',
  "i can't share",
  'i cannot share',
  "i'm not comfortable",
  "i won't help",
  "i won't provide",
  "i can't engage",
]);
const AS_AN_AI = phrases([
  'as an ai',
  'as a language model',
  'as an ai language model',
  'as an assistant',
]);
const INABILITY = phrases(["can't", 'cannot', 'unable to', 'not able to', 'not allowed', "won't"]);

const APOLOGY = phrases([
  'i apologize',
  'i apologise',
  'apologies',
  'my apologies',
  'sorry for the confusion',
  'sorry about that',
  "you're right",
  'you are right',
  'my mistake',
  'i made a mistake',
  'i was wrong',
  'good catch',
]);

const TOOL_ERROR = phrases([
  'an error occurred',
  'an error has occurred',
  'encountered an error',
  'ran into an error',
  'something went wrong',
  'unable to complete',
  'unable to process',
  "couldn't complete",
  'could not complete',
  "couldn't process",
  'could not process',
  'service is unavailable',
  'service unavailable',
  'currently unavailable',
  'temporarily unavailable',
  'system is down',
  'request timed out',
  'timed out',
  'try again later',
  'technical issue',
  'technical issues',
  'technical difficulties',
  'technical problem',
  'internal error',
  'server error',
  'could not connect',
  "couldn't connect",
  'unable to connect',
  'unable to reach',
  'the transaction failed',
  'the reservation failed',
  'the booking failed',
  'the payment failed',
  'the transfer failed',
  'was unable to book',
  "wasn't able to book",
  "couldn't book",
  'could not book',
  'unable to book',
  'unable to reserve',
  "couldn't reserve",
  'could not reserve',
  "couldn't make the reservation",
  'could not make the reservation',
  "couldn't make the booking",
  'failed to book',
  'failed to reserve',
  'failed to process',
  'failed to complete',
  'failed to connect',
  'failed to load',
  'failed to retrieve',
  'failed to fetch',
  'failed to submit',
  'failed to send',
  'failed to transfer',
  'failed to place',
  'failed to save',
  'failed to access',
]);
const TOOL_MESSAGE_ERROR =
  /\b(?:error|failed|failure|exception|timed out|timeout|unavailable|denied|forbidden)\b/;

const MISSING_CONTEXT = phrases([
  'could you provide',
  'can you provide',
  'could you please provide',
  'could you share',
  'can you share',
  'please provide',
  'could you clarify',
  'can you clarify',
  'could you please clarify',
  'i need more information',
  'i need more details',
  'i need more context',
  'need a bit more',
  'more context',
  'could you tell me more',
  'can you tell me more',
  'without more information',
  'without more context',
  'please specify',
  'could you specify',
  'can you specify',
  'what do you mean by',
  'which one do you mean',
  'could you be more specific',
  'can you be more specific',
  'please clarify',
]);

const NOT_FOUND = phrases([
  "couldn't find",
  'could not find',
  "can't find",
  'cannot find',
  'no results',
  "didn't find",
  'did not find',
  'unable to find',
  "wasn't able to find",
  'nothing available',
  'none available',
  'no availability',
  'not available',
  'there are no',
  "there aren't any",
  'sold out',
  'fully booked',
  'no matching',
]);

const ANYTHING_ELSE = phrases([
  'anything else',
  'something else',
  'else i can help',
  'else can i help',
  'further assistance',
  'any other help',
  'other questions',
  'help you with anything',
  'anything more',
]);
const CLOSING_REPLY =
  /^\s*(?:no|nope|not|nothing|none|that's|that is|that'll|that will|i'm good|i am good|all good|i'm all set|all set|ok|okay|bye|goodbye)\b/;

const CAPS_WORD_RE = /\b[A-Z]{3,}\b/g;
const LONG_WORD_RE = /\b[A-Za-z]{3,}\b/g;

interface UserSignals {
  positive: boolean;
  partial: boolean;
  incorrect: boolean;
  misunderstood: boolean;
  tooVerbose: boolean;
  profanity: boolean;
  frustration: boolean;
  shouting: boolean;
  exclaiming: boolean;
}

function userSignals(m: PreparedMessage, afterAssistant: boolean): UserSignals {
  const text = m.lower;
  const caps = m.raw.match(CAPS_WORD_RE)?.length ?? 0;
  const longWords = caps >= 3 ? (m.raw.match(LONG_WORD_RE)?.length ?? 0) : 0;
  return {
    positive: POSITIVE.test(text) || POSITIVE_CJK.test(text),
    partial: afterAssistant && PARTIAL.test(text),
    incorrect: afterAssistant && CORRECTION_INCORRECT.test(text),
    misunderstood: afterAssistant && CORRECTION_MISUNDERSTOOD.test(text),
    tooVerbose: afterAssistant && TOO_VERBOSE_OR_SLOW.test(text),
    profanity: PROFANITY.test(text),
    frustration: FRUSTRATION.test(text),
    shouting: caps >= 3 && caps / Math.max(1, longWords) >= 0.5,
    exclaiming: /!{2,}|\?!|!\?/.test(m.raw),
  };
}

function isNegative(s: UserSignals): boolean {
  return s.incorrect || s.misunderstood || s.tooVerbose || s.profanity || s.frustration;
}

function contentWordSet(m: PreparedMessage): Set<string> {
  return new Set(m.stems.filter((s) => s.length > 3));
}

function jaccard(a: Set<string>, b: Set<string>): number {
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  const union = a.size + b.size - inter;
  return union === 0 ? 0 : inter / union;
}

export function analyzeConversationSignals(
  conversation: PreparedConversation,
): ConversationSignals {
  const messages = conversation.messages.filter((m) => m.role !== 'system');
  const reasons = new Set<FailureReason>();

  let seenAssistant = false;
  let incorrect = 0;
  let misunderstood = 0;
  let repetitions = 0;
  let tooVerbose = false;
  let profanity = false;
  let frustration = false;
  let shouting = false;
  let negativeExclaiming = false;
  let refusal = false;
  let lastUser: { index: number; signals: UserSignals } | undefined;
  let previousUser: { index: number; signals: UserSignals } | undefined;
  const earlierUserWords: Set<string>[] = [];

  messages.forEach((m, index) => {
    if (m.role === 'user') {
      const s = userSignals(m, seenAssistant);
      if (s.incorrect) incorrect++;
      if (s.misunderstood) misunderstood++;
      tooVerbose ||= s.tooVerbose;
      profanity ||= s.profanity;
      frustration ||= s.frustration;
      shouting ||= s.shouting;
      negativeExclaiming ||= s.exclaiming && !s.positive;
      const words = contentWordSet(m);
      if (seenAssistant && words.size >= REPETITION_MIN_WORDS) {
        if (
          earlierUserWords.some(
            (w) => w.size >= REPETITION_MIN_WORDS && jaccard(w, words) >= REPETITION_JACCARD,
          )
        ) {
          repetitions++;
        }
      }
      earlierUserWords.push(words);
      previousUser = lastUser;
      lastUser = { index, signals: s };
    } else if (m.role === 'assistant') {
      // "You're right, I apologize" answering a reply to an earlier answer: the user corrected
      // it in words our lists missed.
      const prev = messages[index - 1];
      if (
        seenAssistant &&
        prev?.role === 'user' &&
        lastUser?.index === index - 1 &&
        APOLOGY.test(m.lower)
      ) {
        if (!lastUser.signals.incorrect && !lastUser.signals.misunderstood) incorrect++;
      }
      seenAssistant = true;
      if (
        m.words <= REFUSAL_MAX_WORDS &&
        (REFUSAL.test(m.lower) || (AS_AN_AI.test(m.lower) && INABILITY.test(m.lower)))
      ) {
        refusal = true;
      }
    }
  });

  const frustrationLevel = (bonus: number, resolved: boolean): number => {
    let score = Math.min(2, incorrect + misunderstood) + (repetitions > 0 ? 1 : 0);
    score +=
      (profanity ? 2 : 0) +
      (frustration ? 1 : 0) +
      (shouting ? 1 : 0) +
      (negativeExclaiming ? 1 : 0);
    score += bonus;
    if (resolved) score -= 1;
    return Math.max(1, Math.min(5, 1 + score));
  };

  if (!seenAssistant) {
    // The user asked and nothing answered: the need was not met (we cannot tell why).
    return {
      outcome: 'unresolved',
      failureReasons: ['incomplete'],
      userFrustration: frustrationLevel(0, false),
      explicitEnd: false,
    };
  }

  const last = messages[messages.length - 1]!;
  const lastUserSignals = lastUser?.signals;
  // Messages after the last user message: what the assistant (or a tool) did last.
  const tail = lastUser ? messages.slice(lastUser.index + 1) : messages;
  const lastAssistant = [...tail].reverse().find((m) => m.role === 'assistant');
  const assistantBeforeLastUser = lastUser
    ? [...messages.slice(0, lastUser.index)].reverse().find((m) => m.role === 'assistant')
    : undefined;

  const closingAfterOffer =
    lastUser !== undefined &&
    assistantBeforeLastUser !== undefined &&
    ANYTHING_ELSE.test(assistantBeforeLastUser.lower) &&
    CLOSING_REPLY.test(messages[lastUser.index]!.lower);
  const lastUserNegative = lastUserSignals !== undefined && isNegative(lastUserSignals);
  const positiveEnd =
    lastUserSignals !== undefined &&
    !lastUserNegative &&
    (lastUserSignals.positive ||
      closingAfterOffer ||
      // "Thanks!" then "No, that's all": the thanks is one message earlier.
      (previousUser !== undefined &&
        previousUser.signals.positive &&
        !isNegative(previousUser.signals) &&
        CLOSING_REPLY.test(messages[lastUser!.index]!.lower)));

  const tailToolError = tail.some(
    (m) =>
      (m.role === 'tool' && TOOL_MESSAGE_ERROR.test(m.lower)) ||
      (m.role === 'assistant' && TOOL_ERROR.test(m.lower)),
  );

  const correctionReasons = (): void => {
    if (incorrect > 0) reasons.add('incorrect_answer');
    if (misunderstood > 0 || repetitions > 0) reasons.add('misunderstood_request');
    if (tooVerbose) reasons.add('too_verbose_or_slow');
  };
  const done = (outcome: Outcome, explicitEnd: boolean, bonus = 0): ConversationSignals => ({
    outcome,
    failureReasons: outcome === 'resolved' ? [] : [...reasons],
    userFrustration: frustrationLevel(bonus, outcome === 'resolved'),
    explicitEnd,
  });

  if (refusal && !positiveEnd) {
    reasons.add('refused');
    return done('refused', true, 1);
  }
  if (lastUserNegative) {
    correctionReasons();
    if (reasons.size === 0) reasons.add('other');
    return done('unresolved', true);
  }
  if (tailToolError && !positiveEnd) {
    reasons.add('tool_error');
    return done('abandoned', true, 1);
  }
  if (last.role === 'assistant' && MISSING_CONTEXT.test(last.lower) && !positiveEnd) {
    reasons.add('missing_context');
    return done('abandoned', true);
  }
  if (last.role === 'user' && !positiveEnd && ACKNOWLEDGEMENT.test(last.lower)) {
    // "ok" after an answer: taken as accepted, but only weakly.
    return done('resolved', false);
  }
  if (last.role === 'user' && !positiveEnd) {
    // The user's last message got no answer.
    correctionReasons();
    reasons.add('incomplete');
    return done('unresolved', false);
  }
  if (lastUserSignals?.partial) {
    correctionReasons();
    reasons.add('incomplete');
    return done('partially_resolved', true);
  }
  if (positiveEnd) return done('resolved', true);
  if (lastAssistant && NOT_FOUND.test(lastAssistant.lower)) {
    reasons.add('incomplete');
    return done('unresolved', false);
  }
  if (incorrect + misunderstood + repetitions > 0 || tooVerbose) {
    correctionReasons();
    return done('partially_resolved', false);
  }
  return done('resolved', false);
}
