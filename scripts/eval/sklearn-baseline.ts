/**
 * The reference the offline embedder has to beat (issue #14): the classic scikit-learn text
 * clustering pipeline, re-implemented here because PyPI is unreachable from this machine:
 *
 *   TfidfVectorizer()                      # defaults: lowercase, token_pattern (?u)\b\w\w+\b,
 *                                          # unigrams, raw tf, smooth idf ln((1+n)/(1+df))+1, l2
 *   TruncatedSVD(n_components=100, n_iter=5, random_state=seed)
 *   Normalizer()                           # l2 rows
 *   KMeans(n_clusters=k, init="k-means++", n_init=1 ("auto"), max_iter=300, random_state=seed)
 *
 * Differences that remain: the randomized SVD normalises its power iterations by Cholesky-QR
 * rather than LU (the same subspace up to rounding), k-means stops when no centroid moves more
 * than 1e-4 rather than on scikit-learn's variance-scaled tolerance, and the random streams
 * differ, so single seeds differ while averages over seeds compare.
 */
import { kmeans, normalizeRows, randomizedSvd } from '@silhouette/clustering';

// Python's \w under re.UNICODE: letters, digits, marks and "_"; tokens of two or more.
const TOKEN_RE = /[\p{L}\p{N}\p{M}_]+/gu;

export function sklearnTfidfSvdKmeans(
  texts: readonly string[],
  k: number,
  seed: number,
): Int32Array {
  const vocabulary = new Map<string, number>();
  const documents = texts.map((text) => {
    const counts = new Map<number, number>();
    for (const token of text.toLowerCase().match(TOKEN_RE) ?? []) {
      if ([...token].length < 2) continue;
      let index = vocabulary.get(token);
      if (index === undefined) vocabulary.set(token, (index = vocabulary.size));
      counts.set(index, (counts.get(index) ?? 0) + 1);
    }
    return counts;
  });
  const n = texts.length;
  const df = new Float64Array(vocabulary.size);
  for (const counts of documents) for (const index of counts.keys()) df[index]!++;
  const idf = Array.from(df, (count) => Math.log((1 + n) / (1 + count)) + 1);
  const rows = documents.map((counts) => {
    const indices = [...counts.keys()].sort((a, b) => a - b);
    const values = indices.map((i) => counts.get(i)! * idf[i]!);
    const norm = Math.sqrt(values.reduce((sum, v) => sum + v * v, 0)) || 1;
    return {
      indices: Int32Array.from(indices),
      values: Float32Array.from(values, (v) => v / norm),
    };
  });
  const rank = Math.min(100, vocabulary.size - 1, n - 1);
  const svd = randomizedSvd(
    { rows, columns: vocabulary.size },
    { rank, seed, powerIterations: 5, oversampling: 10 },
  );
  const d = svd.rank;
  const data = new Float32Array(n * d);
  rows.forEach((row, i) => {
    for (let e = 0; e < row.indices.length; e++) {
      const value = row.values[e]!;
      const base = row.indices[e]! * d;
      for (let j = 0; j < d; j++) data[i * d + j]! += value * svd.components[base + j]!;
    }
  });
  normalizeRows(data, d);
  return kmeans(data, d, {
    k,
    seed,
    metric: 'euclidean',
    maxIterations: 300,
    seedingSampleSize: n,
  }).assignments;
}
