/**
 * The facet row every conversation gets inside the sealed boundary (see BRIEF.md, "Facets").
 * The LLM answers `FacetAnswer`; the tagger adds the computed fields to make a `FacetRecord`.
 */
import { z } from 'zod';

export const OUTCOMES = [
  'resolved',
  'partially_resolved',
  'unresolved',
  'abandoned',
  'refused',
] as const;
export type Outcome = (typeof OUTCOMES)[number];

export const FAILURE_REASONS = [
  'misunderstood_request',
  'incorrect_answer',
  'refused',
  'incomplete',
  'tool_error',
  'missing_context',
  'too_verbose_or_slow',
  'other',
] as const;
export type FailureReason = (typeof FAILURE_REASONS)[number];

/** Outcomes that earn no minutes saved (success-adjusted savings). */
export const UNSUCCESSFUL_OUTCOMES: readonly Outcome[] = ['unresolved', 'abandoned', 'refused'];

/** The pooled cell's value in published breakdowns (a real label may well be "other"). */
export const OTHER_VALUE = '(other)';
/** Rows without a value form their own part: dropping them would let "total − parts" reveal them. */
export const NOT_SET_VALUE = '(not set)';

/** Eight hours: the upper bound of any per-conversation time estimate. */
export const MAX_MINUTES = 480;

const shortLabel = z.string().trim().min(1).max(60);

/** What one facet call returns (LLM or offline tagger). Free-text fields are scrubbed afterwards. */
export const facetAnswerSchema = z.object({
  domain: shortLabel.describe('Subject area, a short lowercase phrase, e.g. "finance"'),
  task_type: shortLabel.describe('Kind of task, a short lowercase phrase, e.g. "debugging"'),
  use_case: z
    .string()
    .trim()
    .min(1)
    .max(120)
    .refine((s) => s.split(/\s+/).length <= 12, {
      message: 'at most 12 words',
      // Lets the LLM client cut an over-long answer to the limit instead of failing it.
      params: { maxWords: 12 },
    })
    .describe('What the assistant was used for, at most 12 words, no names'),
  goal_summary: z
    .string()
    .trim()
    .min(1)
    .max(240)
    .refine((s) => s.split(/\s+/).length <= 25, {
      message: 'at most 25 words',
      params: { maxWords: 25 },
    })
    .describe('What the user was trying to achieve, at most 25 words, no PII, no proper nouns'),
  minutes_without_ai: z.number().min(0).max(MAX_MINUTES),
  minutes_with_ai: z.number().min(0).max(MAX_MINUTES),
  outcome: z.enum(OUTCOMES),
  failure_reasons: z.array(z.enum(FAILURE_REASONS)).max(FAILURE_REASONS.length),
  // Optional so that answers of the earlier prompt version (and older rows) still parse: read a
  // missing issue as "".
  issue: z
    .string()
    .trim()
    .max(120)
    .refine((s) => s.split(/\s+/).filter(Boolean).length <= 12, {
      message: 'at most 12 words',
      params: { maxWords: 12 },
    })
    .optional()
    .describe('What went wrong when not fully resolved, at most 12 words, no names; "" otherwise'),
  user_frustration: z.number().int().min(1).max(5),
  language: z
    .string()
    .regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/, 'a BCP-47 tag such as "en" or "pt-BR"'),
  confidence: z.number().min(0).max(1),
});
export type FacetAnswer = z.infer<typeof facetAnswerSchema>;

/** Computed from the conversation, never asked of the LLM. */
export interface ConversationStats {
  turns: number;
  user_tokens: number;
  assistant_tokens: number;
}

/** Minutes saved, success-adjusted: 0 for unsuccessful outcomes, never negative. */
export function minutesSaved(
  facet: Pick<FacetAnswer, 'minutes_without_ai' | 'minutes_with_ai' | 'outcome'>,
): number {
  if (UNSUCCESSFUL_OUTCOMES.includes(facet.outcome)) return 0;
  return Math.max(0, facet.minutes_without_ai - facet.minutes_with_ai);
}
