/**
 * k-means for many clusters (k in the thousands): first √k coarse clusters, then k-means inside
 * each coarse cluster with a share of k proportional to its size.
 *
 * Why: flat Lloyd costs n·k·d per pass; with 100k items and k ≈ 3,300 (30 per cluster) that is
 * ~3·10¹⁰ multiply-adds per pass, too slow for the 60 s budget in single-threaded JS. Two levels
 * cost about n·2√k·d per pass (≈ 60× less) and lose a little inertia at coarse-cluster borders,
 * which matters little for base clusters of ~30 items that the LLM then names and checks.
 */
import { kmeans, type KMeansOptions, type KMeansResult } from './kmeans';

export interface TwoLevelKMeansOptions extends KMeansOptions {
  /** Coarse clusters. Default round(√k). */
  coarseK?: number;
}

/** Above this n·k·d a flat run is replaced by two levels (≈ 5-10 s of flat passes in V8). */
const FLAT_BUDGET = 2e9;
const COARSE_MAX_ITERATIONS = 20;

/** Flat k-means when affordable, two-level otherwise. The choice depends only on n, k and d. */
export function clusterBaseLevel(
  data: Float32Array,
  dimension: number,
  options: TwoLevelKMeansOptions,
): KMeansResult {
  const n = data.length / dimension;
  if (n * options.k * dimension <= FLAT_BUDGET || options.k < 16)
    return kmeans(data, dimension, options);
  return twoLevelKmeans(data, dimension, options);
}

export function twoLevelKmeans(
  data: Float32Array,
  dimension: number,
  options: TwoLevelKMeansOptions,
): KMeansResult {
  const d = dimension;
  const n = data.length / d;
  const k = options.k;
  const seed = options.seed ?? 42;
  const coarseK = Math.min(k, n, Math.max(1, options.coarseK ?? Math.round(Math.sqrt(k))));
  // Initial centroids describe k clusters, not the coarse ones: both levels seed with k-means++.
  const { coarseK: _coarseK, initialCentroids: _initial, ...fineOptions } = options;
  // The coarse partition only routes points to fine problems: it need not fully converge.
  const coarse = kmeans(data, d, {
    ...fineOptions,
    k: coarseK,
    maxIterations: Math.min(options.maxIterations ?? 100, COARSE_MAX_ITERATIONS),
  });

  const members = groupMembers(coarse.assignments, coarseK);
  const shares = allocate(
    k,
    members.map((m) => m.length),
  );
  const total = shares.reduce((a, b) => a + b, 0); // = k whenever k ≤ n
  const assignments = new Int32Array(n);
  const centroids = new Float32Array(total * d);
  const sizes = new Float64Array(total);
  let inertia = 0;
  let iterations = coarse.iterations;
  let converged = coarse.converged;
  let offset = 0;
  members.forEach((rows, g) => {
    const share = shares[g]!;
    if (rows.length === 0 || share === 0) return;
    const sub = new Float32Array(rows.length * d);
    rows.forEach((i, r) => sub.set(data.subarray(i * d, i * d + d), r * d));
    const weights = options.weights ? Array.from(rows, (i) => options.weights![i]!) : undefined;
    const fine = kmeans(sub, d, { ...fineOptions, k: share, seed: seed + 1 + g, weights });
    rows.forEach((i, r) => {
      assignments[i] = offset + fine.assignments[r]!;
    });
    centroids.set(fine.centroids, offset * d);
    sizes.set(fine.sizes, offset);
    inertia += fine.inertia;
    iterations = Math.max(iterations, coarse.iterations + fine.iterations);
    converged &&= fine.converged;
    offset += share;
  });
  return { k: total, dimension: d, assignments, centroids, sizes, inertia, iterations, converged };
}

function groupMembers(assignments: Int32Array, groups: number): Int32Array[] {
  const counts = new Int32Array(groups);
  for (const a of assignments) counts[a]!++;
  const members = Array.from(counts, (c) => new Int32Array(c));
  const filled = new Int32Array(groups);
  assignments.forEach((a, i) => {
    members[a]![filled[a]!++] = i;
  });
  return members;
}

/**
 * Splits k over groups in proportion to their sizes (largest remainder), with every non-empty
 * group getting at least 1 and no group more clusters than members.
 */
export function allocate(k: number, sizes: readonly number[]): number[] {
  const n = sizes.reduce((a, b) => a + b, 0);
  const exact = sizes.map((s) => (k * s) / n);
  const shares = exact.map((e, g) =>
    Math.min(sizes[g]!, Math.max(sizes[g]! > 0 ? 1 : 0, Math.floor(e))),
  );
  let left = k - shares.reduce((a, b) => a + b, 0);
  // Hand out (or take back) one at a time, largest deficit first; ties by group index.
  while (left !== 0) {
    let pick = -1;
    let pickGap = -Infinity;
    shares.forEach((share, g) => {
      const gap = left > 0 ? exact[g]! - share : share - exact[g]!;
      const allowed = left > 0 ? share < sizes[g]! : share > 1;
      if (allowed && gap > pickGap) {
        pickGap = gap;
        pick = g;
      }
    });
    if (pick < 0) break; // k > n or k < number of groups: give what the sizes allow
    shares[pick]! += left > 0 ? 1 : -1;
    left += left > 0 ? -1 : 1;
  }
  return shares;
}
