/**
 * k-means for many clusters (k in the thousands): first √k coarse clusters, then k-means inside
 * each coarse cluster with a share of k proportional to its size.
 *
 * Why: flat Lloyd costs n·k·d per pass; with 100k items and k ≈ 3,300 (30 per cluster) that is
 * ~3·10¹⁰ multiply-adds per pass, too slow for the 60 s budget in single-threaded JS. Two levels
 * cost about n·2√k·d per pass (≈ 60× less) and lose a little inertia at coarse-cluster borders,
 * which matters little for base clusters of ~30 items that the LLM then names and checks.
 *
 * The coarse level only routes points to fine problems, so it is fitted on a seeded sample
 * (1,000 rows per coarse cluster, at least 20,000) and then every row takes its nearest coarse
 * centroid in one pass, instead of Lloyd iterations over all n rows. Smaller samples route worse:
 * at 100k items, 100 rows per coarse cluster cost 0.5% of final inertia, 1,000 cost none beyond
 * the ±0.2% that seeds vary by. Fine problems are seeded with plain k-means++ (one candidate per
 * step): the greedy variant's extra candidates cost ~40% of the fine-level time and bought no
 * inertia once Lloyd had run.
 *
 * The fine problems are independent of each other, and each row's coarse assignment depends only
 * on that row: `parallel/` runs both on worker threads with the very same functions, so the
 * result does not depend on the number of threads or their scheduling.
 */
import { seededRandom } from '../random/seeded-random';
import {
  assignToNearest,
  kmeans,
  sampleRows,
  type KMeansOptions,
  type KMeansResult,
} from './kmeans';

export interface TwoLevelKMeansOptions extends KMeansOptions {
  /** Coarse clusters. Default round(√k). */
  coarseK?: number;
}

/** Above this n·k·d a flat run is replaced by two levels (≈ 5-10 s of flat passes in V8). */
const FLAT_BUDGET = 2e9;
const COARSE_MAX_ITERATIONS = 20;
/** Rows the coarse level is fitted on: at least this many, and at least 100 per coarse cluster. */
const COARSE_SAMPLE = 20_000;
const COARSE_SAMPLE_PER_CLUSTER = 1_000;

/** True when `clusterBaseLevel` takes the two-level path. Depends only on n, k and d. */
export function needsTwoLevels(n: number, k: number, dimension: number): boolean {
  return n * k * dimension > FLAT_BUDGET && k >= 16;
}

/** Flat k-means when affordable, two-level otherwise. The choice depends only on n, k and d. */
export function clusterBaseLevel(
  data: Float32Array,
  dimension: number,
  options: TwoLevelKMeansOptions,
): KMeansResult {
  const n = data.length / dimension;
  if (!needsTwoLevels(n, options.k, dimension)) return kmeans(data, dimension, options);
  return twoLevelKmeans(data, dimension, options);
}

export function twoLevelKmeans(
  data: Float32Array,
  dimension: number,
  options: TwoLevelKMeansOptions,
): KMeansResult {
  const d = dimension;
  const coarse = coarseCentroids(data, d, options);
  const routes = assignToNearest(data, d, coarse.centroids).assignments;
  const plan = planFineProblems(routes, coarse.k, options);
  const fineOptions = fineOptionsOf(options);
  const results = plan.problems.map((problem) =>
    solveFineProblem(
      gatherRows(data, d, problem.rows),
      d,
      problem,
      fineOptions,
      rowWeights(options.weights, problem.rows),
    ),
  );
  return assembleFineResults(plan, results, coarse, d);
}

/** The coarse level: k-means on a seeded sample of the rows (all rows when n is small). */
export function coarseCentroids(
  data: Float32Array,
  d: number,
  options: TwoLevelKMeansOptions,
): KMeansResult {
  const n = data.length / d;
  const coarseK = Math.min(
    options.k,
    n,
    Math.max(1, options.coarseK ?? Math.round(Math.sqrt(options.k))),
  );
  const sampleSize = Math.min(n, Math.max(COARSE_SAMPLE, COARSE_SAMPLE_PER_CLUSTER * coarseK));
  const seed = options.seed ?? 42;
  const rows = sampleRows(n, sampleSize, seededRandom(seed ^ 0x5bd1e995));
  const weights = rowWeights(options.weights, rows);
  // Initial centroids describe k clusters, not the coarse ones: both levels seed with k-means++.
  const { coarseK: _coarseK, initialCentroids: _initial, ...rest } = options;
  return kmeans(sampleSize === n ? data : gatherRows(data, d, rows), d, {
    ...rest,
    k: coarseK,
    seed,
    weights,
    maxIterations: Math.min(options.maxIterations ?? 100, COARSE_MAX_ITERATIONS),
  });
}

export interface FineProblem {
  /** Index of the coarse cluster. */
  group: number;
  /** Rows of the data in this coarse cluster, increasing. */
  rows: Int32Array;
  /** Fine clusters wanted. */
  k: number;
  seed: number;
}

export interface FinePlan {
  n: number;
  k: number;
  /** Non-empty problems in coarse-cluster order; offsets of their clusters follow this order. */
  problems: FineProblem[];
}

/** Splits k over the coarse clusters and lists the fine k-means problems to solve. */
export function planFineProblems(
  routes: Int32Array,
  coarseK: number,
  options: TwoLevelKMeansOptions,
): FinePlan {
  const members = groupMembers(routes, coarseK);
  const shares = allocate(
    options.k,
    members.map((m) => m.length),
  );
  const seed = options.seed ?? 42;
  const problems: FineProblem[] = [];
  members.forEach((rows, group) => {
    const k = shares[group]!;
    if (rows.length > 0 && k > 0) problems.push({ group, rows, k, seed: seed + 1 + group });
  });
  return { n: routes.length, k: shares.reduce((a, b) => a + b, 0), problems };
}

/** The k-means options of a fine problem that do not depend on the rows (no weights, no start). */
export type FineKMeansOptions = Pick<
  KMeansOptions,
  'metric' | 'tolerance' | 'maxIterations' | 'seedingTrials' | 'seedingSampleSize' | 'bounds'
>;

export function fineOptionsOf(options: TwoLevelKMeansOptions): FineKMeansOptions {
  const { metric, tolerance, maxIterations, seedingTrials, seedingSampleSize, bounds } = options;
  const picked: FineKMeansOptions = {
    metric,
    tolerance,
    maxIterations,
    seedingTrials,
    seedingSampleSize,
    bounds,
  };
  for (const key of Object.keys(picked) as (keyof FineKMeansOptions)[])
    if (picked[key] === undefined) delete picked[key];
  return picked;
}

/** Weights of the listed rows, when the rows are weighted. */
export function rowWeights(
  weights: ArrayLike<number> | undefined,
  rows: Int32Array,
): Float64Array | undefined {
  return weights ? Float64Array.from(rows, (i) => weights[i]!) : undefined;
}

/** One fine problem: k-means over the rows of one coarse cluster (`sub` holds them, in order). */
export function solveFineProblem(
  sub: Float32Array,
  d: number,
  problem: Pick<FineProblem, 'k' | 'seed'>,
  options: FineKMeansOptions,
  weights: Float64Array | undefined,
): KMeansResult {
  return kmeans(sub, d, {
    seedingTrials: 1,
    ...options,
    k: problem.k,
    seed: problem.seed,
    ...(weights ? { weights } : {}),
  });
}

/** The fine results, in plan order, as one k-means result over all rows. */
export function assembleFineResults(
  plan: FinePlan,
  results: readonly KMeansResult[],
  coarse: Pick<KMeansResult, 'iterations' | 'converged'>,
  d: number,
): KMeansResult {
  const assignments = new Int32Array(plan.n);
  const centroids = new Float32Array(plan.k * d);
  const sizes = new Float64Array(plan.k);
  let inertia = 0;
  let iterations = coarse.iterations;
  let converged = coarse.converged;
  let offset = 0;
  plan.problems.forEach((problem, p) => {
    const fine = results[p]!;
    problem.rows.forEach((i, r) => {
      assignments[i] = offset + fine.assignments[r]!;
    });
    centroids.set(fine.centroids, offset * d);
    sizes.set(fine.sizes, offset);
    inertia += fine.inertia;
    iterations = Math.max(iterations, coarse.iterations + fine.iterations);
    converged &&= fine.converged;
    offset += problem.k;
  });
  return { k: plan.k, dimension: d, assignments, centroids, sizes, inertia, iterations, converged };
}

/** The listed rows of `data`, packed in order. */
export function gatherRows(data: Float32Array, d: number, rows: Int32Array): Float32Array {
  const out = new Float32Array(rows.length * d);
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r]!;
    out.set(data.subarray(i * d, i * d + d), r * d);
  }
  return out;
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
