/**
 * Replaces detected PII with typed placeholders ("[EMAIL]", "[PERSON]", ...). Scrubbing repeats
 * until nothing new is found (at most a few passes), so scrubbing scrubbed text is a no-op even
 * when removing one value exposes another pattern.
 */
import { detectPii } from './pii.detector';
import { PII_PLACEHOLDERS, type PiiSpan, type PiiType } from './pii.types';

export interface ScrubResult {
  text: string;
  redactions: number;
  byType: Partial<Record<PiiType, number>>;
}

const MAX_PASSES = 4;

export function applyRedactions(text: string, spans: readonly PiiSpan[]): string {
  let out = '';
  let pos = 0;
  for (const span of spans) {
    out += text.slice(pos, span.start) + PII_PLACEHOLDERS[span.type];
    pos = span.end;
  }
  return out + text.slice(pos);
}

export function scrubPii(text: string): ScrubResult {
  let current = text;
  let redactions = 0;
  const byType: Partial<Record<PiiType, number>> = {};
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const spans = detectPii(current);
    if (spans.length === 0) break;
    for (const span of spans) byType[span.type] = (byType[span.type] ?? 0) + 1;
    redactions += spans.length;
    current = applyRedactions(current, spans);
  }
  return { text: current, redactions, byType };
}
