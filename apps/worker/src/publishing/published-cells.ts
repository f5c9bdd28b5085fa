/**
 * Rules both publishers share (threshold mode, build-snapshot.ts; dp mode, dp/): the names and
 * stable ids of "Other" groups, rates from published outcome figures only, and the text gate on
 * every free-text value a breakdown or trend would show.
 */
import { createHash } from 'node:crypto';
import {
  NOT_SET_VALUE,
  OTHER_VALUE,
  UNSUCCESSFUL_OUTCOMES,
  WITHHELD_METADATA_VALUE,
} from '@silhouette/contracts';
import {
  canonicalizePublishedText,
  gatePublishedText,
  type EvidenceRecorder,
  type SuppressionReason,
} from '@silhouette/privacy';

export const UNNAMED = 'Unnamed group';
export const OTHER_NAME = 'Other';
export const OTHER_DESCRIPTION =
  'Smaller groups pooled together: each alone has too few people or conversations to show.';

/** A stable id for the "other" node under a parent, so it too survives re-publishing. */
export function otherId(parentId: string | null, level: number): string {
  const hex = createHash('sha256')
    .update(`other/${parentId ?? 'root'}/${level}`)
    .digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * A free-text value as it would be published: canonical (the string checked is the string
 * shown). A value spelling one of our own labels ("(other)") is moved out of its way, and the
 * text gate then pools it (it no longer equals its canonical form).
 */
export function textValue(value: string | null): string | null {
  if (value === null) return null;
  const canonical = canonicalizePublishedText(value);
  return canonical === OTHER_VALUE || canonical === NOT_SET_VALUE
    ? `\u0000${canonical}`
    : canonical;
}

const FAILED_OUTCOMES = new Set<string>(UNSUCCESSFUL_OUTCOMES);

/** Resolution and failure rates from published outcome parts (pooled outcomes count in neither). */
export function ratesFrom(
  outcomes: readonly { value: string; isOther: boolean; conversations: number }[],
  total: number,
) {
  const published = (predicate: (value: string) => boolean) =>
    outcomes
      .filter((row) => !row.isOther && predicate(row.value))
      .reduce((sum, row) => sum + row.conversations, 0);
  // In dp mode both counts are noisy, so their ratio can leave [0, 1] (a failure rate of 1.33
  // was published): clamping is post-processing and costs no budget.
  const rate = (count: number) =>
    Math.round(Math.min(1, Math.max(0, count / total)) * 10_000) / 10_000;
  return {
    resolution_rate: total ? rate(published((value) => value === 'resolved')) : 0,
    failure_rate: total ? rate(published((value) => FAILED_OUTCOMES.has(value))) : 0,
  };
}

/**
 * Why a free-text value a breakdown or trend would show may not be shown, or null when it may.
 * Every such value passes the text gate once per snapshot (issue #10, finding 2: a team named
 * after a person with their e-mail was shown verbatim). A metadata value the worker withheld at
 * tagging (it failed the same gate) pools like one that fails here. With the LLM auditor's
 * `scores` (see `publishedValueCandidates`), a value also needs the auditor's pass; one without a
 * score fails.
 */
export function publishedValueRefusal(
  evidence: EvidenceRecorder,
  scores?: ReadonlyMap<string, number>,
): (value: string) => SuppressionReason | null {
  const refusals = new Map<string, SuppressionReason | null>();
  return (value) => {
    if (value === NOT_SET_VALUE) return null;
    if (value === WITHHELD_METADATA_VALUE) return 'pii_detected';
    let refusal = refusals.get(value);
    if (refusal === undefined) {
      const gated = gatePublishedText(
        value,
        scores ? { auditorScore: scores.get(value) ?? 1 } : {},
      );
      evidence.recordText(gated);
      refusal =
        gated.ok && gated.text === value
          ? null
          : !gated.ok && gated.reason === 'auditor_score'
            ? 'auditor_score'
            : 'pii_detected';
      refusals.set(value, refusal);
    }
    return refusal;
  };
}
