/**
 * The default offline embedder: LSA (latent semantic analysis) over hashed word uni/bigram and
 * character 3-5-gram TF-IDF, fitted on the corpus being clustered. No network, nothing downloaded,
 * deterministic for a given corpus.
 *
 * Why this one (spherical k-means, seeds 1-3, mean NMI / ARI / ACC in %; reproduce with
 * `npm run eval -- clustering --candidates`, 2-core AMD EPYC, node 20):
 *
 *   candidate                                   banking77 (k=77)     sgd-dev 1-domain (k=16)
 *   (a) word uni+bigram TF-IDF → RP 256         56.8 / 22.6 / 35.8   69.5 / 59.3 / 71.3
 *   (a) word uni+bigram TF, no IDF → RP 256     62.0 / 23.9 / 38.8   86.9 / 80.0 / 83.5
 *   (b) char 3-5 TF-IDF → RP 256                64.0 / 29.3 / 42.6   90.2 / 80.4 / 82.0
 *   (c) word+char TF-IDF → RP 256               63.6 / 29.1 / 42.3   85.2 / 75.6 / 80.7
 *   (c) word+char TF → RP 256 (HashingEmbedder) 65.1 / 29.2 / 42.9   91.7 / 86.7 / 88.4
 *   (d) word+char TF-IDF → LSA 64               68.6 / 33.7 / 47.3   95.0 / 88.4 / 87.4
 *   (d) word+char TF-IDF → LSA 96 (this)        68.6 / 33.8 / 47.6   96.1 / 91.2 / 90.8
 *   (d) word+char TF-IDF → LSA 128              68.4 / 33.3 / 47.0   95.6 / 90.6 / 91.1
 *   (e) GloVe 100-d (wink) mean                 49.4 / 12.9 / 28.6   70.4 / 50.2 / 63.4
 *   (e) GloVe 100-d (wink) SIF − 1st PC         63.1 / 29.7 / 42.9   87.7 / 79.3 / 81.7
 *   (f) LSA 96 ⊕ GloVe SIF                      71.2 / 38.2 / 51.5   94.0 / 87.0 / 87.7
 *   published on banking77: k-means on GloVe NMI 49.3 / ACC 28.6 (matched by (e) mean), SCCL 63.9,
 *   USNID 75.3, ClusterLLM 85.1 / ACC 70.8.
 * Cost on banking77 (3,080 texts): fit + embed 2.7 s, peak RSS 217 MB; 100k texts: fit on a
 * 20k sample 9 s + embed 4 s on two worker threads; 1M: 9 s + 26 s (npm run bench -- clustering
 * --embed-size N). GloVe needs a 290 MB package and
 * ~1.1 GB RSS, and only helps in combination on one of the two sets, so it is not shipped.
 *
 * LSA beats the best stateless variant by ~3.5 NMI on short banking questions and ~4.5 on whole
 * dialogues: the low-rank projection keeps co-occurring vocabulary together and filters out the
 * conversational filler that a random projection keeps. 64-128 dimensions score the same; 96
 * keeps headroom for corpora with many more topics than these while keeping k-means cheap.
 *
 * The price is that the model depends on the corpus. Design:
 *  - `OfflineEmbedder.fit(texts)` learns the vocabulary, IDF and the SVD basis once per clustering
 *    run (on a seeded sample of at most `maxFitTexts` texts) and returns an immutable embedder;
 *  - `embed(texts)` applies that fixed model to any text, including texts that arrive after the run,
 *    so new items can be assigned to the run's clusters (features never seen at fit time are ignored);
 *  - `toBytes()` / `fromBytes()` persist the model with the run; `model` carries a fingerprint of
 *    the fitted state, so vectors from two different fits are never mixed by accident.
 * Where no corpus is at hand, `HashingEmbedder` is the stateless alternative.
 */
import { finalizeHash, seededRandom } from '../random/seeded-random';
import type { Embedder } from './embedder';
import {
  documentFrequencies,
  featureCounts,
  smoothIdf,
  tfidfVector,
  visitFeatures,
  type SparseVector,
} from './hashed-features';
import { randomizedSvd, symmetricEigen } from './randomized-svd';
import { sifSum, wordVectors, type WordVectors } from './word-vectors';

export interface OfflineEmbedderOptions {
  /** Output dimension. Default 96. */
  dimension?: number;
  /** Seed for the fit sample and the randomized SVD. Default 7. */
  seed?: number;
  /** Largest number of texts the model is fitted on (a seeded sample beyond). Default 20,000. */
  maxFitTexts?: number;
  /** Features in fewer texts are dropped (typos, ids). Default 2, or 1 for fewer than 100 texts. */
  minDocumentFrequency?: number;
  /** At most this many features per family (most frequent kept). Default 100,000. */
  maxFeatures?: number;
  /**
   * Combine the LSA view with SIF-weighted GloVe word vectors (`word-vectors.ts`). Default true;
   * false gives the LSA-only model of format 1.
   */
  wordVectors?: boolean;
}

const FEATURES = { wordWeight: 0.5, charWeight: 0.5, charRange: [3, 5] as const };
const BLOCK_WEIGHTS = [FEATURES.wordWeight, FEATURES.charWeight];
// One power iteration scores the same as two on banking77 and sgd-dev and fits ~35% faster.
const POWER_ITERATIONS = 1;
/** 1: LSA only. 2: LSA combined with SIF word vectors through a fitted projection. */
const FORMAT_VERSION = 2;
/** Share of the combined vector's squared length that the word-vector view gets. */
const SEMANTIC_WEIGHT = 0.3;
/** The combined view is projected on its principal axes fitted on at most this many texts. */
const MAX_PROJECTION_TEXTS = 10_000;

/**
 * The word-vector view and how it joins the LSA view: each text's SIF sum, minus its projection
 * on the corpus' common component, unit length, then [√(1−w)·lsa, √w·sif] projected on the
 * principal axes of that combination (fitted on the corpus), back to the LSA dimension.
 */
interface SemanticView {
  weight: number;
  /** Unit vector (word-vector dimension): SIF's first principal component of the corpus. */
  commonComponent: Float32Array;
  /** (LSA dimension + word-vector dimension) × output dimension, row-major. */
  projection: Float32Array;
  outputDimension: number;
  /** Fingerprint of the word-vector table the view was fitted with. */
  table: number;
}

/** The fitted state. */
interface LsaModel {
  /** LSA rank (the output dimension too, without a semantic view). */
  dimension: number;
  /** Per feature family: hashed feature → IDF. Only kept features appear. */
  idf: Map<number, number>[];
  /** Combined hashed index → row of `components`. */
  columns: Map<number, number>;
  /** columns × dimension, row-major. */
  components: Float32Array;
  semantic?: SemanticView;
}

export class OfflineEmbedder implements Embedder {
  readonly model: string;
  readonly dimension: number;

  /** Working tables of `embedSync`, built on first use (≈ 20 MB). */
  private scratch: EmbedScratch | undefined;
  /** The word-vector table and a buffer for the semantic view, on first use. */
  private semanticScratch: SemanticScratch | undefined;

  private constructor(private readonly lsa: LsaModel) {
    this.dimension = lsa.semantic?.outputDimension ?? lsa.dimension;
    const kind = lsa.semantic ? `offline-lsa-sif-v${FORMAT_VERSION}` : 'offline-lsa-v1';
    this.model = `${kind}/d${this.dimension}/${fingerprint(lsa)}`;
  }

  /**
   * Whether a stored model (`toBytes`) is of the current format. A full re-cluster refits an
   * older one rather than reuse it: that moves the tenant to the current embedding space once
   * (ids then carry over by member overlap, see run-clustering).
   */
  static isCurrentFormat(bytes: Uint8Array): boolean {
    try {
      return readHeader(bytes).header.version === FORMAT_VERSION;
    } catch {
      return false;
    }
  }

  /** Fits the model on `texts` (the corpus to be clustered). Deterministic for the same input. */
  static fit(texts: readonly string[], options: OfflineEmbedderOptions = {}): OfflineEmbedder {
    const dimension = options.dimension ?? 96;
    const seed = options.seed ?? 7;
    const sample = seededSample(texts, options.maxFitTexts ?? 20_000, seed);
    const counts = sample.map((text) => featureCounts(text, FEATURES));
    const minDf = options.minDocumentFrequency ?? (sample.length >= 100 ? 2 : 1);
    const maxFeatures = options.maxFeatures ?? 100_000;

    const idf = documentFrequencies(counts).map((df) => {
      const kept = [...df].filter(([, count]) => count >= minDf);
      kept.sort((a, b) => b[1] - a[1] || a[0] - b[0]); // most frequent first, ties by index
      // Stored as float32 (see toBytes), so a restored model embeds bit-identically.
      return new Map(
        kept
          .slice(0, maxFeatures)
          .map(([index, count]) => [index, Math.fround(smoothIdf(count, sample.length))]),
      );
    });
    const columns = new Map<number, number>();
    const rows = counts.map((blocks) => {
      const vector = weightedVector(blocks, idf);
      const indices = new Int32Array(vector.indices.length);
      vector.indices.forEach((index, e) => {
        let column = columns.get(index);
        if (column === undefined) {
          column = columns.size;
          columns.set(index, column);
        }
        indices[e] = column;
      });
      return { indices, values: vector.values };
    });

    const components = new Float32Array(columns.size * dimension);
    if (columns.size > 0) {
      const svd = randomizedSvd(
        { rows, columns: columns.size },
        { rank: dimension, seed, powerIterations: POWER_ITERATIONS },
      );
      // Fewer texts or features than dimensions: the missing directions stay zero.
      for (let c = 0; c < columns.size; c++) {
        for (let r = 0; r < svd.rank; r++)
          components[c * dimension + r] = svd.components[c * svd.rank + r]!;
      }
    }
    const lsa: LsaModel = { dimension, idf, columns, components };
    if (options.wordVectors === false) return new OfflineEmbedder(lsa);
    const embedLsa = (some: readonly string[]) => new OfflineEmbedder(lsa).embedSync(some);
    return new OfflineEmbedder({ ...lsa, semantic: fitSemanticView(lsa, sample, seed, embedLsa) });
  }

  /**
   * Unit vectors under the fitted model. A text with no feature known to the model (empty, or
   * only unseen words) gets the zero vector: it is equally far from every unit centroid.
   */
  embedSync(texts: readonly string[]): Float32Array[] {
    this.scratch ??= new EmbedScratch(this.lsa);
    const scratch = this.scratch;
    return texts.map((text) => this.embedOne(text, scratch));
  }

  /**
   * One text, with the arithmetic of `weightedVector` followed by the projection, in the same
   * order (so the same bits), but without its per-text maps: features are counted and looked up
   * in direct-indexed tables over the hashed feature space, entries sorted by packing
   * (feature, position) into one number.
   */
  private embedOne(text: string, scratch: EmbedScratch): Float32Array {
    const { dimension, components, idf } = this.lsa;
    const { counts, touched, touchedCount, idfTable, columnTable } = scratch;
    touchedCount.fill(0);
    visitFeatures(text, FEATURES, scratch.count);
    const size = touchedCount.reduce((a, b) => a + b, 0);
    if (size >= PACK) {
      scratch.reset();
      return this.projectText(weightedVector(featureCounts(text, FEATURES), idf), text); // never for facet texts
    }
    const { features, values, keys } = scratch.reserve(size);
    let m = 0;
    for (let b = 0; b < counts.length; b++) {
      const blockCounts = counts[b]!;
      const blockIdf = idfTable[b]!;
      const first = m;
      let norm = 0;
      // First occurrences in text order: the insertion order of featureCounts' maps.
      for (let t = 0; t < touchedCount[b]!; t++) {
        const index = touched[b]![t]!;
        const count = blockCounts[index]!;
        blockCounts[index] = 0;
        const weight = blockIdf[index]!;
        if (weight === 0) continue; // not a feature of the model (every IDF is ≥ 1)
        const value = (1 + Math.log(count)) * weight;
        features[m] = index;
        values[m] = value;
        norm += value * value;
        m++;
      }
      if (norm === 0) continue;
      const scale = Math.sqrt(BLOCK_WEIGHTS[b]! / norm);
      for (let e = first; e < m; e++) values[e]! *= scale;
    }
    // Sorted by feature; a feature in both blocks (a hash collision) keeps block order.
    for (let e = 0; e < m; e++) keys[e] = features[e]! * PACK + e;
    const sorted = keys.subarray(0, m).sort();
    const { offsets, weights } = scratch;
    let known = 0;
    for (let s = 0; s < m;) {
      const feature = Math.floor(sorted[s]! / PACK);
      let sum = 0;
      for (; s < m && Math.floor(sorted[s]! / PACK) === feature; s++)
        sum += values[sorted[s]! % PACK]!;
      const column = columnTable[feature]!;
      if (column < 0) continue;
      offsets[known] = column * dimension;
      weights[known] = Math.fround(sum);
      known++;
    }
    // out[r] = Σ weight · component, rounded to float32 after every addition exactly as
    // `out[r] += …` on a Float32Array does, but four outputs at a time in registers.
    const out = new Float32Array(dimension);
    let r = 0;
    for (; r + 3 < dimension; r += 4) {
      let a0 = 0;
      let a1 = 0;
      let a2 = 0;
      let a3 = 0;
      for (let e = 0; e < known; e++) {
        const o = offsets[e]! + r;
        const w = weights[e]!;
        a0 = Math.fround(a0 + w * components[o]!);
        a1 = Math.fround(a1 + w * components[o + 1]!);
        a2 = Math.fround(a2 + w * components[o + 2]!);
        a3 = Math.fround(a3 + w * components[o + 3]!);
      }
      out[r] = a0;
      out[r + 1] = a1;
      out[r + 2] = a2;
      out[r + 3] = a3;
    }
    for (; r < dimension; r++) {
      let a = 0;
      for (let e = 0; e < known; e++)
        a = Math.fround(a + weights[e]! * components[offsets[e]! + r]!);
      out[r] = a;
    }
    return this.withSemantic(normalized(out), text);
  }

  /** The output vector from the unit LSA vector of `text`: itself, or joined with its SIF view. */
  private withSemantic(lsaVector: Float32Array, text: string): Float32Array {
    const semantic = this.lsa.semantic;
    if (!semantic) return lsaVector;
    const view = (this.semanticScratch ??= new SemanticScratch(wordVectors(), semantic));
    // The projection of [√(1−w)·lsa, √w·sif] in two parts, without forming the joined vector:
    // the LSA rows of the projection, then the word rows, applied to each word through the
    // pre-projected word table (Pᵀ(s − (s·pc)pc) = Σ weight·Pᵀv − (s·pc)·Pᵀpc).
    const { outputDimension: out, projection, weight } = semantic;
    const acc = view.acc.fill(0);
    const lsaScale = Math.sqrt(1 - weight);
    for (let j = 0; j < lsaVector.length; j++) {
      const value = lsaScale * lsaVector[j]!;
      if (value === 0) continue;
      const base = j * out;
      for (let r = 0; r < out; r++) acc[r]! += value * projection[base + r]!;
    }
    const { table, sum, projectedSum } = view;
    if (sifSum(table, text, sum, view.projectedWords, projectedSum) > 0) {
      const pc = semantic.commonComponent;
      let along = 0;
      let squared = 0;
      for (let j = 0; j < sum.length; j++) {
        along += sum[j]! * pc[j]!;
        squared += sum[j]! * sum[j]!;
      }
      const norm = squared - along * along;
      if (norm > 1e-12) {
        const scale = Math.sqrt(weight / norm);
        const pcProjected = view.projectedComponent;
        for (let r = 0; r < out; r++)
          acc[r]! += scale * (projectedSum[r]! - along * pcProjected[r]!);
      }
    }
    return normalized(Float32Array.from(acc));
  }

  /** x·V for a sparse TF-IDF vector, normalised. */
  private project(vector: SparseVector): Float32Array {
    const { dimension, columns, components } = this.lsa;
    const out = new Float32Array(dimension);
    for (let e = 0; e < vector.indices.length; e++) {
      const column = columns.get(vector.indices[e]!);
      if (column === undefined) continue;
      const value = vector.values[e]!;
      const offset = column * dimension;
      for (let r = 0; r < dimension; r++) out[r]! += value * components[offset + r]!;
    }
    return normalized(out);
  }

  /** The LSA vector of `project` followed by the semantic view, for the map-based path. */
  private projectText(vector: SparseVector, text: string): Float32Array {
    return this.withSemantic(this.project(vector), text);
  }

  embed(texts: string[]): Promise<Float32Array[]> {
    return Promise.resolve(this.embedSync(texts));
  }

  /** Number of features the model knows. */
  get vocabularySize(): number {
    return this.lsa.columns.size;
  }

  /**
   * Binary form to store with a clustering run: a JSON header line, then little-endian arrays
   * (column keys, per-family IDF keys and values, components; with a semantic view, its common
   * component and projection).
   */
  toBytes(): Uint8Array {
    const { dimension, idf, columns, components, semantic } = this.lsa;
    const columnKeys = Int32Array.from(columns.keys());
    const idfKeys = idf.map((m) => Int32Array.from(m.keys()));
    const idfValues = idf.map((m) => Float32Array.from(m.values()));
    const header: StoredHeader = {
      format: 'silhouette-offline-lsa',
      version: semantic ? FORMAT_VERSION : 1,
      dimension,
      columns: columnKeys.length,
      idf: idfKeys.map((k) => k.length),
      ...(semantic
        ? {
            semantic: {
              weight: semantic.weight,
              wordDimension: semantic.commonComponent.length,
              outputDimension: semantic.outputDimension,
              table: semantic.table,
            },
          }
        : {}),
    };
    const parts: ArrayBufferView[] = [
      columnKeys,
      ...idfKeys.flatMap((k, b) => [k, idfValues[b]!]),
      components,
      ...(semantic ? [semantic.commonComponent, semantic.projection] : []),
    ];
    const head = new TextEncoder().encode(`${JSON.stringify(header)}\n`);
    // Pad the header so every array starts 4-byte aligned.
    const headLength = Math.ceil(head.length / 4) * 4;
    const total = headLength + parts.reduce((sum, p) => sum + p.byteLength, 0);
    const out = new Uint8Array(total).fill(0x20, 0, headLength);
    out.set(head.subarray(0, head.length - 1), 0);
    out[headLength - 1] = 0x0a;
    let offset = headLength;
    for (const part of parts) {
      out.set(new Uint8Array(part.buffer, part.byteOffset, part.byteLength), offset);
      offset += part.byteLength;
    }
    return out;
  }

  static fromBytes(bytes: Uint8Array): OfflineEmbedder {
    const { header, newline } = readHeader(bytes);
    // Copy into an aligned buffer of its own: the caller's bytes may start at any offset, and a
    // Node Buffer's slice() is a view into a shared pool, not a copy.
    const body = new Uint8Array(bytes.subarray(newline + 1));
    const view = header.semantic;
    const semanticFloats = view
      ? view.wordDimension + (header.dimension + view.wordDimension) * view.outputDimension
      : 0;
    const expected =
      4 *
      (header.columns +
        2 * header.idf.reduce((a, b) => a + b, 0) +
        header.columns * header.dimension +
        semanticFloats);
    if (body.byteLength !== expected)
      throw new Error('offline embedder model: truncated or corrupt');
    let offset = 0;
    const take = <T>(
      make: (buffer: ArrayBuffer, offset: number, length: number) => T,
      length: number,
    ): T => {
      const value = make(body.buffer, offset, length);
      offset += length * 4;
      return value;
    };
    const int32 = (b: ArrayBuffer, o: number, l: number) => new Int32Array(b, o, l);
    const float32 = (b: ArrayBuffer, o: number, l: number) => new Float32Array(b, o, l);
    const columnKeys = take(int32, header.columns);
    const idf = header.idf.map((length) => {
      const keys = take(int32, length);
      const values = take(float32, length);
      return new Map(Array.from(keys, (k, i) => [k, values[i]!]));
    });
    const components = take(float32, header.columns * header.dimension);
    const columns = new Map(Array.from(columnKeys, (k, i) => [k, i]));
    const lsa: LsaModel = { dimension: header.dimension, idf, columns, components };
    if (view) {
      if (view.table !== tableFingerprint(wordVectors()))
        throw new Error('offline embedder model: fitted with other word vectors');
      lsa.semantic = {
        weight: view.weight,
        commonComponent: take(float32, view.wordDimension),
        projection: take(float32, (header.dimension + view.wordDimension) * view.outputDimension),
        outputDimension: view.outputDimension,
        table: view.table,
      };
    }
    return new OfflineEmbedder(lsa);
  }
}

interface StoredHeader {
  format?: string;
  version?: number;
  dimension: number;
  columns: number;
  idf: number[];
  semantic?: { weight: number; wordDimension: number; outputDimension: number; table: number };
}

function readHeader(bytes: Uint8Array): { header: StoredHeader; newline: number } {
  const newline = bytes.indexOf(0x0a);
  if (newline < 0) throw new Error('offline embedder model: missing header');
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(0, newline))) as StoredHeader;
  const supported =
    header.format === 'silhouette-offline-lsa' &&
    (header.version === 1 || (header.version === FORMAT_VERSION && header.semantic));
  if (!supported) throw new Error('offline embedder model: unsupported format or version');
  return { header, newline };
}

/**
 * The word-vector table and buffers of the semantic view (one text at a time). `projectedWords`
 * holds each word's vector already projected by the word rows of the model's projection
 * (size × output), so a text costs one output-sized addition per word.
 */
class SemanticScratch {
  readonly sum: Float64Array;
  readonly acc: Float64Array;
  readonly projectedSum: Float64Array;
  readonly projectedWords: Float32Array;
  readonly projectedComponent: Float64Array;
  constructor(
    readonly table: WordVectors,
    semantic?: SemanticView,
  ) {
    this.sum = new Float64Array(table.dimension);
    const out = semantic?.outputDimension ?? 0;
    this.acc = new Float64Array(out);
    this.projectedSum = new Float64Array(out);
    this.projectedWords = new Float32Array(semantic ? table.size * out : 0);
    this.projectedComponent = new Float64Array(out);
    if (!semantic) return;
    const wd = table.dimension;
    const first = semantic.projection.length / out - wd; // the LSA rows come first
    const row = new Float64Array(out);
    for (let w = 0; w < table.size; w++) {
      row.fill(0);
      for (let j = 0; j < wd; j++) {
        const value = table.vectors[w * wd + j]!;
        const base = (first + j) * out;
        for (let r = 0; r < out; r++) row[r]! += value * semantic.projection[base + r]!;
      }
      this.projectedWords.set(row, w * out);
    }
    for (let j = 0; j < wd; j++) {
      const value = semantic.commonComponent[j]!;
      const base = (first + j) * out;
      for (let r = 0; r < out; r++)
        this.projectedComponent[r]! += value * semantic.projection[base + r]!;
    }
  }
}

/**
 * [√(1−w)·lsa, √w·sif] for one text: `lsaVector` is unit length, the SIF sum has the common
 * component removed and is scaled to unit length (left at zero when no word is known).
 */
function joinViews(
  lsaVector: Float32Array,
  text: string,
  semantic: SemanticView,
  scratch: SemanticScratch,
): Float64Array {
  const { table, sum } = scratch;
  const d = lsaVector.length;
  const joined = new Float64Array(d + table.dimension);
  const lsaScale = Math.sqrt(1 - semantic.weight);
  for (let j = 0; j < d; j++) joined[j] = lsaScale * lsaVector[j]!;
  if (sifSum(table, text, sum) === 0) return joined;
  const pc = semantic.commonComponent;
  let along = 0;
  for (let j = 0; j < sum.length; j++) along += sum[j]! * pc[j]!;
  let norm = 0;
  for (let j = 0; j < sum.length; j++) {
    sum[j]! -= along * pc[j]!;
    norm += sum[j]! * sum[j]!;
  }
  if (norm === 0) return joined;
  const scale = Math.sqrt(semantic.weight / norm);
  for (let j = 0; j < sum.length; j++) joined[d + j] = scale * sum[j]!;
  return joined;
}

/**
 * Fits the semantic view on the fit sample: SIF's common component from the Gram matrix of the
 * SIF sums, then the principal axes of the joined views (exact eigenvectors of their Gram
 * matrix, w ≤ 196, over at most MAX_PROJECTION_TEXTS texts of the sample).
 */
function fitSemanticView(
  lsa: LsaModel,
  sample: readonly string[],
  seed: number,
  embedLsa: (texts: readonly string[]) => Float32Array[],
): SemanticView {
  const table = wordVectors();
  const wd = table.dimension;
  const texts = seededSample(sample, MAX_PROJECTION_TEXTS, seed);
  const sums = new Float64Array(texts.length * wd);
  const sum = new Float64Array(wd);
  texts.forEach((text, i) => {
    sifSum(table, text, sum);
    sums.set(sum, i * wd);
  });
  const commonComponent = Float32Array.from(
    principalAxes(gram(sums, texts.length, wd), wd, 1).subarray(0, wd),
  );
  const semantic: SemanticView = {
    weight: SEMANTIC_WEIGHT,
    commonComponent,
    projection: new Float32Array(0),
    outputDimension: lsa.dimension,
    table: tableFingerprint(table),
  };
  const w = lsa.dimension + wd;
  const scratch = new SemanticScratch(table);
  const joined = new Float64Array(texts.length * w);
  const lsaVectors = embedLsa(texts);
  texts.forEach((text, i) => joined.set(joinViews(lsaVectors[i]!, text, semantic, scratch), i * w));
  // The principal axes of the joined views, as columns: w × output, row-major.
  const axes = principalAxes(gram(joined, texts.length, w), w, lsa.dimension);
  semantic.projection = Float32Array.from(axes);
  return semantic;
}

/** XᵀX of an n × w row-major matrix. */
function gram(x: Float64Array, n: number, w: number): Float64Array {
  const out = new Float64Array(w * w);
  for (let i = 0; i < n; i++) {
    const base = i * w;
    for (let a = 0; a < w; a++) {
      const xa = x[base + a]!;
      if (xa === 0) continue;
      const row = a * w;
      for (let b = a; b < w; b++) out[row + b]! += xa * x[base + b]!;
    }
  }
  for (let a = 0; a < w; a++) for (let b = 0; b < a; b++) out[a * w + b] = out[b * w + a]!;
  return out;
}

/**
 * The `rank` eigenvectors of a symmetric w × w matrix with the largest eigenvalues, as columns of
 * a w × rank row-major array, each signed so that its largest loading is positive.
 */
function principalAxes(matrix: Float64Array, w: number, rank: number): Float64Array {
  const { values, vectors } = symmetricEigen(matrix, w);
  const order = Array.from(values.keys()).sort((a, b) => values[b]! - values[a]! || a - b);
  const out = new Float64Array(w * rank);
  for (let r = 0; r < Math.min(rank, w); r++) {
    const column = order[r]!;
    let largest = 0;
    for (let i = 0; i < w; i++) {
      const value = vectors[i * w + column]!;
      if (Math.abs(value) > Math.abs(largest)) largest = value;
    }
    const sign = largest < 0 ? -1 : 1;
    for (let i = 0; i < w; i++) out[i * rank + r] = sign * vectors[i * w + column]!;
  }
  return out;
}

/** Identifies a word-vector table (size, dimension and a hash of its values). */
function tableFingerprint(table: WordVectors): number {
  let h = 0x811c9dc5 ^ table.size ^ (table.dimension << 20);
  const words = new Uint32Array(
    table.vectors.buffer,
    table.vectors.byteOffset,
    table.vectors.length,
  );
  for (let i = 0; i < words.length; i += 97) h = Math.imul(h ^ words[i]!, 0x01000193);
  return finalizeHash(h);
}

/** Entries per text beyond which `embedOne` falls back to maps (keys pack feature · PACK + entry). */
const PACK = 4096;

/** Size of the hashed feature space (`featureCounts`' default of 20 hash bits). */
const HASH_SPACE = 1 << 20;

/** Working arrays of `embedOne`: direct-indexed model tables and per-text counters. */
class EmbedScratch {
  /** Per block: hashed feature → IDF, 0 when the model does not know the feature. */
  readonly idfTable: Float32Array[];
  /** Hashed feature → row of `components`, -1 when unknown. */
  readonly columnTable = new Int32Array(HASH_SPACE).fill(-1);
  /** Per block: occurrences of each feature in the current text (reset after each text). */
  readonly counts: Int32Array[];
  /** Per block: features of the current text in order of first occurrence. */
  readonly touched: Int32Array[];
  readonly touchedCount: Int32Array;
  features = new Int32Array(256);
  values = new Float64Array(256);
  keys = new Float64Array(256);
  /** Per distinct known feature: its row offset in `components` and its float32 weight. */
  offsets = new Int32Array(256);
  weights = new Float64Array(256);
  /** `visitFeatures` callback: counts one occurrence. */
  readonly count: (block: number, index: number) => void;

  constructor(lsa: LsaModel) {
    this.idfTable = lsa.idf.map((table) => {
      const dense = new Float32Array(HASH_SPACE);
      for (const [index, value] of table) dense[index] = value;
      return dense;
    });
    for (const [index, column] of lsa.columns) this.columnTable[index] = column;
    this.counts = lsa.idf.map(() => new Int32Array(HASH_SPACE));
    this.touched = lsa.idf.map(() => new Int32Array(1024));
    this.touchedCount = new Int32Array(lsa.idf.length);
    this.count = (block, index) => {
      const counts = this.counts[block]!;
      if (counts[index] === 0) {
        let list = this.touched[block]!;
        const at = this.touchedCount[block]!;
        if (at === list.length) {
          const grown = new Int32Array(list.length * 2);
          grown.set(list);
          this.touched[block] = list = grown;
        }
        list[at] = index;
        this.touchedCount[block] = at + 1;
      }
      counts[index]!++;
    };
  }

  /** Clears the counters of the current text. */
  reset(): void {
    this.counts.forEach((counts, b) => {
      for (let t = 0; t < this.touchedCount[b]!; t++) counts[this.touched[b]![t]!] = 0;
    });
    this.touchedCount.fill(0);
  }

  reserve(size: number): this {
    if (size > this.features.length) {
      const capacity = Math.max(size, this.features.length * 2);
      this.features = new Int32Array(capacity);
      this.values = new Float64Array(capacity);
      this.keys = new Float64Array(capacity);
      this.offsets = new Int32Array(capacity);
      this.weights = new Float64Array(capacity);
    }
    return this;
  }
}

/** Scales to unit length in place (a zero vector stays zero). */
function normalized(out: Float32Array): Float32Array {
  let norm = 0;
  for (let r = 0; r < out.length; r++) norm += out[r]! * out[r]!;
  if (norm > 0) {
    const scale = 1 / Math.sqrt(norm);
    for (let r = 0; r < out.length; r++) out[r]! *= scale;
  }
  return out;
}

/** TF-IDF over the model's features only, so fit and embed see exactly the same vector. */
function weightedVector(
  blocks: Map<number, number>[],
  idf: readonly Map<number, number>[],
): SparseVector {
  const known = blocks.map((block, b) => {
    const kept = new Map<number, number>();
    for (const [index, count] of block) if (idf[b]!.has(index)) kept.set(index, count);
    return kept;
  });
  return tfidfVector(known, BLOCK_WEIGHTS, idf);
}

/** The first `size` texts of a seeded shuffle (all texts, in order, when there are few enough). */
function seededSample(texts: readonly string[], size: number, seed: number): readonly string[] {
  if (texts.length <= size) return texts;
  const random = seededRandom(seed);
  const order = Array.from(texts.keys());
  for (let i = 0; i < size; i++) {
    const j = i + Math.floor(random() * (order.length - i));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  return order.slice(0, size).map((i) => texts[i]!);
}

/** Short content hash of the fitted state for the model name. */
function fingerprint({ components, columns, semantic }: LsaModel): string {
  let h = 0x811c9dc5 ^ columns.size;
  const words = new Uint32Array(components.buffer, components.byteOffset, components.length);
  for (let i = 0; i < words.length; i++) h = Math.imul(h ^ words[i]!, 0x01000193);
  for (const key of columns.keys()) h = Math.imul(h ^ key, 0x01000193);
  if (semantic) {
    const projection = new Uint32Array(
      semantic.projection.buffer,
      semantic.projection.byteOffset,
      semantic.projection.length,
    );
    for (let i = 0; i < projection.length; i++) h = Math.imul(h ^ projection[i]!, 0x01000193);
    h = Math.imul(h ^ semantic.table, 0x01000193);
  }
  return finalizeHash(h).toString(16).padStart(8, '0');
}
