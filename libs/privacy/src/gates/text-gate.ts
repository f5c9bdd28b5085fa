/**
 * The last gate for free text that crosses the boundary: cluster names and descriptions, goal
 * statements, report lines (BRIEF.md, privacy invariant 5). Two checks, cheapest and
 * deterministic first:
 *   1. the deterministic PII detector (`../pii`), which never depends on a model behaving;
 *   2. the LLM privacy auditor's score when one was given (1 = identifies a person, 5 = fully
 *      general); publish only at or above `minAuditorScore` (default 4, may only be raised).
 * The text is canonicalised before checking (Unicode NFKC, invisible format characters removed,
 * whitespace collapsed), and the canonical text is what the caller publishes: the string that was
 * checked is the string that is shown. Without canonicalisation "ｊｏｈｎ＠ｅｘａｍｐｌｅ．ｃｏｍ" or an
 * address split by a zero-width space would pass the detector and still read as PII.
 *
 * A rejection explains itself with PII TYPES only ("EMAIL_ADDRESS, PERSON"), never the value,
 * so the result can be logged and stored as evidence.
 */
import { detectPii } from '../pii';

export type TextRejectionReason = 'pii_detected' | 'auditor_score' | 'empty';

export const TEXT_REJECTION_REASONS: readonly TextRejectionReason[] = Object.freeze([
  'pii_detected',
  'auditor_score',
  'empty',
]);

export interface TextGateOptions {
  /** The privacy auditor's score for this text, 1–5, when an auditor ran. */
  auditorScore?: number;
  /** Minimum auditor score to publish; default 4, allowed 4–5 (invariant 5 sets the floor). */
  minAuditorScore?: number;
}

export type TextGateResult =
  | {
      ok: true;
      /** The canonical text to publish. */
      text: string;
      /** Whether an auditor score was part of the decision (false offline: PII gate only). */
      audited: boolean;
    }
  | { ok: false; reason: TextRejectionReason; detail: string };

export const DEFAULT_MIN_AUDITOR_SCORE = 4;

/** Format characters (zero-width spaces and joiners, bidi controls, soft hyphen, BOM). */
const INVISIBLE = /\p{Cf}/gu;
/** Any run of whitespace, including control characters such as tabs and newlines. */
const WHITESPACE = /[\s\p{Cc}]+/gu;

/** NFKC, invisible characters removed, whitespace collapsed and trimmed. */
export function canonicalizePublishedText(text: string): string {
  return text.normalize('NFKC').replace(INVISIBLE, '').replace(WHITESPACE, ' ').trim();
}

/** The distinct PII types in `text`, sorted, or an empty array. */
export function piiTypesIn(text: string): string[] {
  return [...new Set(detectPii(text).map((span) => span.type))].sort();
}

/** Decides whether `text` may be published; see the module header for the order of checks. */
export function gatePublishedText(text: string, options: TextGateOptions = {}): TextGateResult {
  const minAuditorScore = options.minAuditorScore ?? DEFAULT_MIN_AUDITOR_SCORE;
  if (
    !Number.isFinite(minAuditorScore) ||
    minAuditorScore < DEFAULT_MIN_AUDITOR_SCORE ||
    minAuditorScore > 5
  ) {
    throw new RangeError(
      `minAuditorScore must be between ${DEFAULT_MIN_AUDITOR_SCORE} and 5, got ${minAuditorScore}`,
    );
  }
  if (typeof text !== 'string') {
    return { ok: false, reason: 'empty', detail: 'text is not a string' };
  }
  const canonical = canonicalizePublishedText(text);
  if (canonical.length === 0) {
    return { ok: false, reason: 'empty', detail: 'text is empty after normalisation' };
  }
  const types = piiTypesIn(canonical);
  if (types.length > 0) return { ok: false, reason: 'pii_detected', detail: types.join(', ') };

  const { auditorScore } = options;
  if (auditorScore === undefined) return { ok: true, text: canonical, audited: false };
  // A malformed score is a failed audit, not a missing one: fail closed.
  if (typeof auditorScore !== 'number' || !Number.isFinite(auditorScore)) {
    return { ok: false, reason: 'auditor_score', detail: 'auditor score is not a number' };
  }
  if (auditorScore < 1 || auditorScore > 5) {
    return {
      ok: false,
      reason: 'auditor_score',
      detail: `auditor score ${auditorScore} is outside 1–5`,
    };
  }
  if (auditorScore < minAuditorScore) {
    return {
      ok: false,
      reason: 'auditor_score',
      detail: `auditor score ${auditorScore} is below ${minAuditorScore}`,
    };
  }
  return { ok: true, text: canonical, audited: true };
}
