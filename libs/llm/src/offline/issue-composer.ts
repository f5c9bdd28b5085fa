/**
 * The offline `issue` facet: what went wrong, composed from the conversation signals
 * (`conversation-signals.ts`: the signal the outcome rests on, the signals that fired, the failure
 * reasons), all closed vocabularies, never from the conversation's words. It says what went wrong,
 * not where: the task type is left out, because the issues map already lists the topic clusters
 * each issue occurs in, and with it the map grouped by task and repeated the topic tree.
 * A conversation that did not fully succeed but shows no failure signal gets an empty issue, and
 * the facet's confidence says how little the offline tagger knows (issue #15).
 */
import type { FailureReason, Outcome } from '@silhouette/contracts';
import type { ConversationSignals, SignalKind } from './conversation-signals';

/**
 * What each failure signal says went wrong, as a short label ("wrong answer", "context gap").
 * Offline issues are never shown one by one, only as the map's clusters, whose readable names
 * (`nameTree`, from the noun phrases members share) and keywords come from these words: a label
 * alone names its group; a longer sentence gave groups names made of its filler ("User
 * reported"). Words in -ing are avoided, as the namer reads them as verbs. Signals of no failure
 * say nothing.
 */
const SIGNAL_PHRASES: Partial<Record<SignalKind, string>> = {
  user_correction: 'wrong answer',
  user_misunderstood: 'misread intent',
  user_rephrase: 'misread intent',
  user_complaint: 'unhelpful answer',
  user_gave_up: 'abandoned task',
  user_wants_shorter: 'overlong answer',
  // "Failing" leads, so the namer takes "failing fix" as one verb phrase.
  pasted_error: 'failing fix',
  user_partial: 'partial solution',
  assistant_refusal: 'assistant refusal',
  assistant_cannot: 'access gap',
  assistant_needs_context: 'context gap',
  action_failed: 'failed action',
  nothing_found: 'empty search',
  off_topic_answer: 'off-topic answer',
  unanswered: 'unanswered message',
};

/** A failure reason with no signal behind it (inferred from the conversation's shape). */
const REASON_PHRASES: Record<FailureReason, string> = {
  misunderstood_request: 'misread intent',
  incorrect_answer: 'wrong answer',
  refused: 'assistant refusal',
  incomplete: 'incomplete answer',
  tool_error: 'failed tool call',
  missing_context: 'context gap',
  too_verbose_or_slow: 'overlong answer',
  other: '',
};

/** Outcomes without a recognised reason still say something when the outcome itself does. */
const OUTCOME_PHRASES: Partial<Record<Outcome, string>> = {
  refused: 'assistant refusal',
  abandoned: 'abandoned task',
};

export interface ComposedIssue {
  issue: string;
  /** True when the conversation did not fully succeed and no signal says why. */
  unexplained: boolean;
}

export function composeIssue(
  signals: Pick<ConversationSignals, 'outcome' | 'failureReasons' | 'decidedBy' | 'evidence'>,
): ComposedIssue {
  if (signals.outcome === 'resolved') return { issue: '', unexplained: false };
  // The signal the outcome rests on says most; else the latest failure signal that fired.
  const decisive = signals.decidedBy && SIGNAL_PHRASES[signals.decidedBy];
  const latest = [...signals.evidence]
    .reverse()
    .map((signal) => SIGNAL_PHRASES[signal.kind])
    .find(Boolean);
  const phrase =
    decisive ||
    latest ||
    signals.failureReasons.map((reason) => REASON_PHRASES[reason]).find(Boolean) ||
    OUTCOME_PHRASES[signals.outcome];
  if (!phrase) return { issue: '', unexplained: true };
  return { issue: phrase, unexplained: false };
}
