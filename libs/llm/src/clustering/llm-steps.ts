/**
 * Shared plumbing for the Clio-style clustering steps (naming, hierarchy, privacy audit): the small
 * client interface they take, the per-prompt item cap, prompt-item rendering, a concurrency-limited
 * map, seeded shuffles (the generator is libs/privacy's mulberry32) and the word/token helpers used for validation and fallbacks.
 *
 * Everything here runs inside the sealed boundary: prompts carry member texts. Nothing in this
 * module logs or throws with text in the message.
 */
import { createHash } from 'node:crypto';
import { LlmOutputError, LlmUnavailableError } from '../openai/errors';
import type { StructuredLlmClient } from '../openai/structured-client';

/** What the steps need from the structured client; tests and fakes implement just this. */
export type LlmCall = Pick<StructuredLlmClient, 'complete'>;

/**
 * An LLM alone fails past about 100 items per prompt (drops items, invents near-duplicates):
 * BRIEF.md, "Clustering". Every prompt built in this folder stays at or under this many items.
 */
export const MAX_ITEMS_PER_PROMPT = 100;

/** Longest text of one prompt item; facet texts are short, this only bounds pathological input. */
const MAX_ITEM_CHARS = 300;

/** One line per item: whitespace collapsed (an item cannot fake extra list lines), clipped. */
export function promptItem(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > MAX_ITEM_CHARS ? `${flat.slice(0, MAX_ITEM_CHARS - 1)}…` : flat;
}

/** Cache key material: the response cache is keyed by this plus prompt version, model and schema. */
export function promptHash(system: string, user: string): string {
  return createHash('sha256').update(system).update('\u0000').update(user).digest('hex');
}

/**
 * Failures of one LLM call that a step may absorb locally (keep an offline name, fall back to a
 * heuristic). Request errors (bad model name, auth) are configuration problems and propagate.
 */
export function isAbsorbableLlmFailure(error: unknown): boolean {
  return error instanceof LlmOutputError || error instanceof LlmUnavailableError;
}

/** `fn` over `items` with at most `limit` promises pending; results in input order. */
export async function mapWithConcurrency<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  if (!Number.isInteger(limit) || limit < 1)
    throw new RangeError('concurrency must be a positive integer');
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Fisher–Yates on a copy. */
export function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

export function wordCount(text: string): number {
  return text.trim().split(/\s+/).filter(Boolean).length;
}

/** Sentences, counted loosely: common abbreviations do not end one. */
export function sentenceCount(text: string): number {
  const plain = text.replace(/\b(?:e\.g|i\.e|etc|vs)\./gi, '');
  return plain.split(/[.!?]+(?:\s+|$)/).filter((part) => part.trim().length > 0).length;
}

const STOP_WORDS = new Set(
  'a an and are as at be by for from in into is of on or the to with without their them this that these those'.split(
    ' ',
  ),
);

/** Lowercased content words, crude plural folding, for token-overlap similarity. */
export function contentTokens(text: string): Set<string> {
  const words = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  return new Set(
    words
      .filter((w) => w.length > 1 && !STOP_WORDS.has(w))
      .map((w) => (w.length > 3 && w.endsWith('s') ? w.slice(0, -1) : w)),
  );
}

/** Jaccard similarity of two token sets (0 when both are empty). */
export function tokenOverlap(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let shared = 0;
  for (const token of a) if (b.has(token)) shared++;
  const union = a.size + b.size - shared;
  return union === 0 ? 0 : shared / union;
}
