/**
 * Deterministic PII detection for text that crosses the sealed boundary (BRIEF.md, invariant 5).
 *
 *   detectPii(text)   -> sorted, non-overlapping spans { type, start, end }
 *   scrubPii(text)    -> { text, redactions, byType } with "[EMAIL]", "[PERSON]", ... placeholders
 *   containsPii(text) -> boolean
 *
 * Recall first: the LLM that wrote the text may leak, and this is the gate after it. The figures
 * of the last evaluation and the known gaps are in scripts/eval/pii.ts's output and the PR notes.
 */
export { containsPii, detectPii } from './pii.detector';
export { scrubPii, type ScrubResult } from './pii.scrubber';
export { PII_PLACEHOLDERS, PII_TYPES, type PiiSpan, type PiiType } from './pii.types';
