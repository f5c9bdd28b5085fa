/**
 * Sparse bag-of-features vectors for the offline embedder: word unigrams and bigrams and
 * character n-grams, hashed into a fixed index space (no vocabulary to build, store or ship), with
 * sublinear term frequency and optional IDF.
 *
 * Hashing collisions are rare at 2^20 buckets for the few thousand distinct features of a corpus
 * of short texts, and harmless when they happen (two features share a weight).
 */
import { normalizedWords, STOP_WORDS, wordTokens } from '@silhouette/llm';
import { finalizeHash, hashString } from '../random/seeded-random';

/** Sorted unique indices with their values. */
export interface SparseVector {
  indices: Int32Array;
  values: Float32Array;
}

export interface FeatureOptions {
  /** Word unigrams (stop words dropped) and bigrams of adjacent content words. Weight 0 = off. */
  wordWeight: number;
  /** Character n-grams of the normalised text, inside word boundaries ("char_wb"). Weight 0 = off. */
  charWeight: number;
  /** Character n-gram lengths. Default [3, 5]. */
  charRange?: readonly [number, number];
  /** log2 of the hashed index space. Default 20. */
  hashBits?: number;
}

const WORD_SEED = 0x9e3779b1;
const BIGRAM_SEED = 0x85ebca77;
const CHAR_SEED = 0xc2b2ae3d;

/**
 * Raw feature counts of one text, one block per feature family so each family can be weighted
 * on its own before the blocks are combined.
 */
export function featureCounts(text: string, options: FeatureOptions): Map<number, number>[] {
  const blocks: Map<number, number>[] = [];
  if (options.wordWeight > 0) blocks.push(new Map());
  if (options.charWeight > 0) blocks.push(new Map());
  visitFeatures(text, options, (block, index) => increment(blocks[block]!, index));
  return blocks;
}

/**
 * Every feature occurrence of one text, as (block, hashed index), in the order `featureCounts`
 * counts them (so first occurrences come in its maps' insertion order). Blocks are numbered as in
 * `featureCounts`: words first when enabled, then characters.
 */
export function visitFeatures(
  text: string,
  options: FeatureOptions,
  visit: (block: number, index: number) => void,
): void {
  const mask = (1 << (options.hashBits ?? 20)) - 1;
  let block = 0;
  if (options.wordWeight > 0) {
    const content = wordTokens(text).filter((t) => !STOP_WORDS.has(t));
    for (let i = 0; i < content.length; i++) {
      visit(block, hashString(content[i]!, WORD_SEED) & mask);
      if (i + 1 < content.length) {
        visit(block, hashString(`${content[i]} ${content[i + 1]}`, BIGRAM_SEED) & mask);
      }
    }
    block++;
  }
  if (options.charWeight > 0) {
    const [min, max] = options.charRange ?? [3, 5];
    for (const word of normalizedWords(text).split(' ')) {
      if (word.length === 0) continue;
      const padded = ` ${word} `;
      for (let size = min; size <= max; size++) {
        if (padded.length < size) break;
        for (let start = 0; start + size <= padded.length; start++) {
          // hashString(padded.slice(start, start + size), CHAR_SEED + size), without the slice.
          let h = (CHAR_SEED + size) >>> 0;
          for (let c = start; c < start + size; c++) {
            h ^= padded.charCodeAt(c);
            h = Math.imul(h, 0x01000193);
          }
          visit(block, finalizeHash(h) & mask);
        }
      }
    }
  }
}

/**
 * Document frequencies of hashed features over a corpus, for a corpus-fitted IDF.
 * Returned as a map because only a tiny part of the 2^20 space is ever used.
 */
export function documentFrequencies(
  countsPerText: readonly Map<number, number>[][],
): Map<number, number>[] {
  const blocks = countsPerText[0]?.length ?? 0;
  const df = Array.from({ length: blocks }, () => new Map<number, number>());
  for (const text of countsPerText) {
    text.forEach((block, b) => {
      for (const index of block.keys()) increment(df[b]!, index);
    });
  }
  return df;
}

/** Smoothed IDF as in scikit-learn: ln((1 + N) / (1 + df)) + 1. */
export function smoothIdf(df: number, documents: number): number {
  return Math.log((1 + documents) / (1 + df)) + 1;
}

/**
 * TF-IDF vector of one text: sublinear tf (1 + ln tf), times IDF (1 when no table is given),
 * each block scaled to length √weight, so the combined vector has unit length when every block
 * is non-empty and the weights sum to 1. Blocks share the index space (their hashes are seeded
 * differently).
 */
export function tfidfVector(
  blocks: readonly Map<number, number>[],
  blockWeights: readonly number[],
  idf?: readonly Map<number, number>[],
  defaultIdf = 1,
): SparseVector {
  const combined = new Map<number, number>();
  blocks.forEach((block, b) => {
    let norm = 0;
    const weighted: [number, number][] = [];
    for (const [index, count] of block) {
      const value = (1 + Math.log(count)) * (idf ? (idf[b]!.get(index) ?? defaultIdf) : 1);
      weighted.push([index, value]);
      norm += value * value;
    }
    if (norm === 0) return;
    const scale = Math.sqrt(blockWeights[b]! / norm);
    for (const [index, value] of weighted) {
      combined.set(index, (combined.get(index) ?? 0) + value * scale);
    }
  });
  return toSparseVector(combined);
}

export function toSparseVector(entries: Map<number, number>): SparseVector {
  const indices = Int32Array.from(entries.keys()).sort();
  const values = new Float32Array(indices.length);
  indices.forEach((index, i) => {
    values[i] = entries.get(index)!;
  });
  return { indices, values };
}

/**
 * Sparse random projection (a "sparse Johnson-Lindenstrauss" transform): every hashed feature
 * adds ±value/√s to s output dimensions chosen by hashing (feature, seed). Nothing is stored and
 * nothing is fitted, so the projection of a text never depends on the other texts.
 */
export function projectSparse(
  vector: SparseVector,
  dimension: number,
  seed: number,
  hashesPerFeature = 4,
): Float32Array {
  const out = new Float32Array(dimension);
  const scale = 1 / Math.sqrt(hashesPerFeature);
  for (let e = 0; e < vector.indices.length; e++) {
    const feature = vector.indices[e]!;
    const value = vector.values[e]! * scale;
    for (let s = 0; s < hashesPerFeature; s++) {
      const h = finalizeHash((Math.imul(feature, hashesPerFeature) + s) ^ seed);
      const dim = h % dimension;
      out[dim]! += h & 0x80000000 ? -value : value;
    }
  }
  return out;
}

function increment(map: Map<number, number>, key: number): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}
