/**
 * Canonical labels for free-form facet values (BRIEF: tags drift, "python" / "Python scripts" /
 * "python script"). Labels are folded (lowercase, trimmed, punctuation stripped, singular), then
 * grouped by leader clustering: labels are visited from the most frequent down, and each joins
 * the most similar existing group whose leader it matches, or founds a new group. A group's
 * canonical label is therefore its most frequent member. Matching against the leader only (not
 * any member) avoids the chaining of single linkage, where "data" would bridge "data entry" and
 * "data science" into one group.
 *
 * Two labels match when their folded forms are equal, when the Jaccard index of their
 * content-word sets is ≥ 0.5, or (with an embedder) when the cosine of their embeddings is
 * ≥ `similarity`. Deterministic: ties are broken by the folded and then the original text.
 */
import { ENGLISH_STOP_WORDS, foldCase, singularize } from './text-terms';

export interface LabelCount {
  label: string;
  count: number;
}

export interface CanonicalLabelOptions {
  /** Cosine threshold for the embedding test. Default 0.85. */
  similarity?: number;
  /** Token-set Jaccard threshold. Default 0.5 ("python" ~ "python script"). */
  jaccard?: number;
  /** Optional embedder; labels are embedded in their folded form, one call for all. */
  embed?: (texts: string[]) => Promise<Float32Array[]>;
}

// Keep "c++", "c#", ".net"-like tokens recognisable; everything else that is not a letter or a
// digit separates words.
const LABEL_WORD_RE = /[\p{L}\p{N}]+(?:['-][\p{L}\p{N}]+)*(?:\+\+|#)?/gu;

/** "  Python Scripts! " → "python script". Exported for display and tests. */
export function foldLabel(label: string): string {
  const words = foldCase(label).match(LABEL_WORD_RE) ?? [];
  return words.map((w) => singularize(w.endsWith("'s") ? w.slice(0, -2) : w)).join(' ');
}

interface LabelGroup {
  folded: string;
  words: ReadonlySet<string>;
  vector?: Float32Array;
  /** The leader's original label: the canonical label of the group. */
  canonical: string;
}

interface FoldedLabel {
  folded: string;
  count: number;
  /** Original spellings with their counts; the most frequent one represents the folded form. */
  originals: Map<string, number>;
}

/**
 * Map every original label to its canonical label. Labels that fold to nothing (punctuation
 * only) map to themselves. The canonical label is the most frequent original spelling of the
 * most frequent folded form of the group, lowercased, trimmed and with inner whitespace collapsed
 * (but not singularised: "python scripts" may be canonical, "python script" would then map to it).
 */
export async function canonicalLabels(
  labels: readonly LabelCount[],
  options: CanonicalLabelOptions = {},
): Promise<Map<string, string>> {
  const similarity = options.similarity ?? 0.85;
  const jaccardThreshold = options.jaccard ?? 0.5;
  const result = new Map<string, string>();

  const byFolded = new Map<string, FoldedLabel>();
  for (const { label, count } of labels) {
    if (!Number.isFinite(count) || count < 0) throw new RangeError('label counts must be ≥ 0');
    const folded = foldLabel(label);
    if (folded === '') {
      result.set(label, label);
      continue;
    }
    let entry = byFolded.get(folded);
    if (!entry) byFolded.set(folded, (entry = { folded, count: 0, originals: new Map() }));
    entry.count += count;
    entry.originals.set(label, (entry.originals.get(label) ?? 0) + count);
  }
  const folded = [...byFolded.values()].sort(
    (a, b) => b.count - a.count || compare(a.folded, b.folded),
  );

  let vectors: Float32Array[] | undefined;
  if (options.embed && folded.length > 0) {
    vectors = await options.embed(folded.map((f) => f.folded));
    if (vectors.length !== folded.length)
      throw new Error('embed returned a different number of vectors than labels');
    vectors = vectors.map(unit);
  }

  const groups: LabelGroup[] = [];
  folded.forEach((entry, i) => {
    const words = contentWords(entry.folded);
    const vector = vectors?.[i];
    let best: LabelGroup | undefined;
    let bestScore = -Infinity;
    for (const group of groups) {
      const score = matchScore(entry.folded, words, vector, group, jaccardThreshold, similarity);
      if (score > bestScore) {
        best = group;
        bestScore = score;
      }
    }
    let group = best;
    if (!group) {
      group = { folded: entry.folded, words, canonical: representative(entry.originals) };
      if (vector) group.vector = vector;
      groups.push(group);
    }
    for (const original of entry.originals.keys()) result.set(original, group.canonical);
  });
  return result;
}

/**
 * How well a label matches a group's leader, or -Infinity when it does not match. Equal folded
 * forms win outright; otherwise the larger of the Jaccard index and the cosine, each counted
 * only above its threshold.
 */
function matchScore(
  folded: string,
  words: ReadonlySet<string>,
  vector: Float32Array | undefined,
  group: LabelGroup,
  jaccardThreshold: number,
  similarity: number,
): number {
  if (folded === group.folded) return Infinity;
  let score = -Infinity;
  const j = jaccard(words, group.words);
  if (j >= jaccardThreshold) score = j;
  if (vector && group.vector) {
    const cos = dot(vector, group.vector);
    if (cos >= similarity) score = Math.max(score, cos);
  }
  return score;
}

/**
 * Content words of a folded label; all words when every one of them is a stop word. Only
 * function words are dropped here: facet filler such as "user" is a real word in a label
 * ("user research" must not match "market research").
 */
function contentWords(folded: string): Set<string> {
  const all = folded.split(' ');
  const content = all.filter((w) => !ENGLISH_STOP_WORDS.has(w));
  return new Set(content.length > 0 ? content : all);
}

function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  let both = 0;
  for (const w of a) if (b.has(w)) both++;
  const either = a.size + b.size - both;
  return either === 0 ? 0 : both / either;
}

function representative(originals: ReadonlyMap<string, number>): string {
  let best = '';
  let bestCount = -1;
  for (const [label, count] of originals) {
    const tidy = foldCase(label).trim().replace(/\s+/g, ' ');
    if (count > bestCount || (count === bestCount && compare(tidy, best) < 0)) {
      best = tidy;
      bestCount = count;
    }
  }
  return best;
}

function unit(v: Float32Array): Float32Array {
  let norm = 0;
  for (let i = 0; i < v.length; i++) norm += v[i]! * v[i]!;
  norm = Math.sqrt(norm);
  if (norm === 0) return v;
  const out = new Float32Array(v.length);
  for (let i = 0; i < v.length; i++) out[i] = v[i]! / norm;
  return out;
}

function dot(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error('embeddings of different dimensions');
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
