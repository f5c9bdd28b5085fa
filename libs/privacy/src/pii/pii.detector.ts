/**
 * The deterministic PII gate for free text that leaves the sealed boundary (use cases, goal
 * summaries, cluster names and descriptions). Runs every recognizer, then resolves overlaps so
 * that the result is sorted and non-overlapping, preferring the more specific detection.
 * No network, no randomness, no state besides the lazily loaded name lexicon.
 */
import { findAddresses } from './address.recognizer';
import { findNumericPii } from './numeric.recognizer';
import { findPersons } from './person.recognizer';
import { PII_PLACEHOLDERS, type PiiCandidate, type PiiSpan } from './pii.types';
import {
  findEmails,
  findIbans,
  findIpAddresses,
  findSecrets,
  findUrlsWithSecrets,
} from './structured.recognizer';

const PLACEHOLDER_RE = new RegExp(
  [...new Set(Object.values(PII_PLACEHOLDERS))].map((p) => p.replace(/[[\]]/g, '\\$&')).join('|'),
  'g',
);

/** Overlapping address pieces (street line, unit, city line) are one address: take the union. */
function mergeAddresses(candidates: PiiCandidate[]): {
  others: PiiCandidate[];
  addresses: PiiCandidate[];
} {
  const others: PiiCandidate[] = [];
  const raw: PiiCandidate[] = [];
  for (const c of candidates) (c.type === 'STREET_ADDRESS' ? raw : others).push(c);
  raw.sort((a, b) => a.start - b.start);
  const addresses: PiiCandidate[] = [];
  for (const a of raw) {
    const last = addresses[addresses.length - 1];
    if (last && a.start < last.end) {
      last.end = Math.max(last.end, a.end);
      last.priority = Math.max(last.priority, a.priority);
    } else {
      addresses.push({ ...a });
    }
  }
  return { others, addresses };
}

/** Index of the last range in `sorted` (by start) whose start is <= pos, or -1. */
function lastStartingAtOrBefore(sorted: ReadonlyArray<{ start: number }>, pos: number): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((sorted[mid] as { start: number }).start <= pos) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/**
 * Greedy interval selection: candidates are taken by priority, then length, then position; one
 * that overlaps an already accepted span is dropped. Occupancy is tracked per character, so the
 * cost is linear in the text and the candidates' lengths, whatever their number.
 */
export function resolveOverlaps(input: PiiCandidate[], textLength: number): PiiSpan[] {
  const { others, addresses } = mergeAddresses(input);
  // A phone-shaped number inside a street address ("04311 2219 Birch St") is part of the address.
  const insideAddress = (c: PiiCandidate): boolean => {
    const a = addresses[lastStartingAtOrBefore(addresses, c.start)];
    return a !== undefined && a.end >= c.end;
  };
  const ordered = [
    ...others.filter((c) => c.type !== 'PHONE_NUMBER' || !insideAddress(c)),
    ...addresses,
  ]
    .filter((c) => c.end > c.start && c.start >= 0 && c.end <= textLength)
    .sort(
      (a, b) => b.priority - a.priority || b.end - b.start - (a.end - a.start) || a.start - b.start,
    );
  const occupied = new Uint8Array(textLength);
  const accepted: PiiSpan[] = [];
  for (const c of ordered) {
    let free = true;
    for (let i = c.start; i < c.end; i++) {
      if (occupied[i]) {
        free = false;
        break;
      }
    }
    if (!free) continue;
    occupied.fill(1, c.start, c.end);
    accepted.push({ type: c.type, start: c.start, end: c.end });
  }
  return accepted.sort((a, b) => a.start - b.start);
}

export function collectCandidates(text: string): PiiCandidate[] {
  const out: PiiCandidate[] = [];
  if (text.length === 0) return out;
  findSecrets(text, out);
  findUrlsWithSecrets(text, out);
  findEmails(text, out);
  findIbans(text, out);
  findIpAddresses(text, out);
  findNumericPii(text, out);
  findAddresses(text, out);
  findPersons(text, out);
  return out;
}

/** Sorted, non-overlapping PII spans in `text`. */
export function detectPii(text: string): PiiSpan[] {
  let candidates = collectCandidates(text);
  if (candidates.length === 0) return [];
  // Placeholders from an earlier scrub are never PII themselves (keeps scrubbing idempotent).
  if (text.includes('[')) {
    const placeholders = [...text.matchAll(PLACEHOLDER_RE)].map((m) => ({
      start: m.index,
      end: m.index + m[0].length,
    }));
    if (placeholders.length > 0) {
      candidates = candidates.filter((c) => {
        const p = placeholders[lastStartingAtOrBefore(placeholders, c.start)];
        return !(p && c.end <= p.end);
      });
    }
  }
  return resolveOverlaps(candidates, text.length);
}

export function containsPii(text: string): boolean {
  return detectPii(text).length > 0;
}
