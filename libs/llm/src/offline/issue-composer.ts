/**
 * The offline `issue` facet: what went wrong, composed from the failure signals and the task type
 * (both closed vocabularies), never from the conversation's words. A conversation that did not
 * fully succeed but shows no failure signal gets an empty issue, and the facet's confidence says
 * how little the offline tagger knows (issue #15).
 */
import type { FailureReason, Outcome } from '@silhouette/contracts';
import { ABSTAIN_LABEL } from './tagging-tables';

const REASON_PHRASES: Record<FailureReason, string> = {
  misunderstood_request: 'assistant misunderstood the request',
  incorrect_answer: 'assistant gave an incorrect answer',
  refused: 'assistant refused the request',
  incomplete: 'answer left the task incomplete',
  tool_error: 'a tool the assistant used failed',
  missing_context: 'assistant lacked context it needed',
  too_verbose_or_slow: 'answer was too long or slow',
  other: '',
};

/** Outcomes without a recognised reason still say something when the outcome itself does. */
const OUTCOME_PHRASES: Partial<Record<Outcome, string>> = {
  refused: 'assistant refused the request',
  abandoned: 'user left before the task was done',
};

export interface ComposedIssue {
  issue: string;
  /** True when the conversation did not fully succeed and no signal says why. */
  unexplained: boolean;
}

export function composeIssue(signals: {
  outcome: Outcome;
  failureReasons: readonly FailureReason[];
  taskType: string;
}): ComposedIssue {
  if (signals.outcome === 'resolved') return { issue: '', unexplained: false };
  const phrase =
    signals.failureReasons.map((reason) => REASON_PHRASES[reason]).find(Boolean) ??
    OUTCOME_PHRASES[signals.outcome];
  if (!phrase) return { issue: '', unexplained: true };
  // The task type is a taxonomy label (or the abstention), so it is safe to publish.
  const task = signals.taskType !== ABSTAIN_LABEL ? ` while ${signals.taskType}` : '';
  const issue = `${phrase}${task}`.split(/\s+/).slice(0, 12).join(' ');
  return { issue, unexplained: false };
}
