/**
 * Answers that are right in substance but off in form, made usable without another model call:
 *
 * - Over-long text: a string over its schema's `.max(n)` characters, or over a word limit that a
 *   refinement declares with `params: { maxWords: n }`, is cut at a word boundary. Driven by the
 *   zod issues, so it applies to any field of any schema (facets added per tenant included). Only
 *   length is repaired: wrong types, unknown enum values, out-of-range numbers and empty strings
 *   stay invalid and go to the repair call.
 * - JSON inside prose: endpoints without structured output (JSON mode off, or ignored) often wrap
 *   the object in a Markdown fence or a sentence; the first complete JSON object is taken.
 *
 * Nothing here logs or returns text: callers get field paths (schema keys) to count.
 */
import type { z } from 'zod';

type Issue = z.ZodError['issues'][number];
type PathSegment = PropertyKey;

export interface CoercedField {
  path: readonly PathSegment[];
  kind: 'max_chars' | 'max_words';
}

/**
 * Repairs every issue if each one is an over-long string; undefined when any issue is of another
 * kind (the answer then goes to the repair call unchanged). `value` is not modified.
 */
export function coerceOverlongStrings(
  value: unknown,
  issues: readonly Issue[],
): { value: unknown; fields: CoercedField[] } | undefined {
  const fixes: { path: readonly PathSegment[]; kind: CoercedField['kind']; limit: number }[] = [];
  for (const issue of issues) {
    if (issue.code === 'too_big' && issue.origin === 'string') {
      fixes.push({ path: issue.path, kind: 'max_chars', limit: Number(issue.maximum) });
      continue;
    }
    const maxWords = issue.code === 'custom' ? (issue.params?.['maxWords'] as unknown) : undefined;
    if (typeof maxWords === 'number' && Number.isInteger(maxWords) && maxWords > 0) {
      fixes.push({ path: issue.path, kind: 'max_words', limit: maxWords });
      continue;
    }
    return undefined;
  }
  if (fixes.length === 0) return undefined;
  const copy = structuredClone(value);
  const fields: CoercedField[] = [];
  for (const fix of fixes) {
    const current = getAt(copy, fix.path);
    if (typeof current !== 'string') return undefined;
    const cut =
      fix.kind === 'max_chars'
        ? cutAtWordBoundary(current, fix.limit)
        : cutToWords(current, fix.limit);
    if (cut.length === 0 || cut === current) return undefined;
    if (!setAt(copy, fix.path, cut)) return undefined;
    fields.push({ path: fix.path, kind: fix.kind });
  }
  return { value: copy, fields };
}

/** At most `maxChars` characters, ending at a word boundary when there is one in the second half. */
export function cutAtWordBoundary(text: string, maxChars: number): string {
  const trimmed = text.trim();
  if (trimmed.length <= maxChars) return trimmed;
  const head = trimmed.slice(0, maxChars + 1);
  let boundary = -1;
  for (let i = head.length - 1; i > 0; i--) {
    if (/\s/.test(head[i]!)) {
      boundary = i;
      break;
    }
  }
  let cut = boundary >= maxChars / 2 ? head.slice(0, boundary) : trimmed.slice(0, maxChars);
  // Never leave half of a surrogate pair.
  if (/[\uD800-\uDBFF]$/.test(cut)) cut = cut.slice(0, -1);
  return stripDangling(cut);
}

/** The first `maxWords` words (whitespace-separated, as the schemas count them). */
export function cutToWords(text: string, maxWords: number): string {
  const words = text.trim().split(/\s+/).filter(Boolean);
  if (words.length <= maxWords) return text.trim();
  return stripDangling(words.slice(0, maxWords).join(' '));
}

/** Punctuation and joiners that read badly at the end of a cut label. */
function stripDangling(text: string): string {
  let stripped = text;
  for (let previous = ''; previous !== stripped;) {
    previous = stripped;
    stripped = stripped
      .replace(/[\s,;:(/&+–—-]+$/u, '')
      .replace(/\s+(?:and|or|of|for|to|with|the|a|an|in|on)$/i, '');
  }
  return stripped.trim() || text.trim();
}

/**
 * The JSON text in an answer: the whole answer, a fenced block, or the first balanced `{…}` in
 * prose. Returns the trimmed answer when nothing better is found (JSON.parse then reports it).
 */
export function extractJsonText(content: string): string {
  const trimmed = content.trim();
  const whole = /^```(?:json)?\s*\n([\s\S]*?)\n?```$/i.exec(trimmed);
  if (whole) return whole[1]!.trim();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) return trimmed;
  const fenced = /```(?:json)?\s*\n([\s\S]*?)\n?```/i.exec(trimmed);
  if (fenced && fenced[1]!.trim().startsWith('{')) return fenced[1]!.trim();
  const object = firstBalancedObject(trimmed);
  return object ?? trimmed;
}

function firstBalancedObject(text: string): string | undefined {
  const start = text.indexOf('{');
  if (start < 0) return undefined;
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let i = start; i < text.length; i++) {
    const ch = text[i]!;
    if (inString) {
      if (escaped) escaped = false;
      else if (ch === '\\') escaped = true;
      else if (ch === '"') inString = false;
      continue;
    }
    if (ch === '"') inString = true;
    else if (ch === '{') depth++;
    else if (ch === '}') {
      depth--;
      if (depth === 0) return text.slice(start, i + 1);
    }
  }
  return undefined;
}

function getAt(root: unknown, path: readonly PathSegment[]): unknown {
  let node = root;
  for (const segment of path) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<PropertyKey, unknown>)[segment];
  }
  return node;
}

function setAt(root: unknown, path: readonly PathSegment[], value: unknown): boolean {
  if (path.length === 0) return false;
  const parent = getAt(root, path.slice(0, -1));
  if (typeof parent !== 'object' || parent === null) return false;
  (parent as Record<PropertyKey, unknown>)[path[path.length - 1]!] = value;
  return true;
}
