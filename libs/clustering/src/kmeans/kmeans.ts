/**
 * Lloyd's k-means with Hamerly's bounds, k-means++ seeding from a fixed seed, on an n × d
 * row-major Float32Array.
 *
 * Bounds: Elkan's (one lower bound per point and centroid) while n·k stays within a memory budget,
 * Hamerly's (one lower bound per point) beyond. Both skip the points that provably keep their
 * centroid and give the same answer as plain Lloyd. In 96 dimensions Hamerly's single bound
 * prunes little (measured on the hierarchy benchmark: 75-95% of points rescanned in each of the
 * first ten passes, while only 1-12% change cluster), because it shrinks by the largest centroid
 * move; Elkan's per-centroid bounds shrink by each centroid's own move and skip most
 * distance computations after the second pass, for 8 bytes per point and centroid.
 *
 * Metrics: 'cosine' is spherical k-means (centroids are re-normalised to unit length after each
 * update, assignment by highest cosine); 'euclidean' is the classic mean. For unit-length input both
 * minimise squared Euclidean distance, so the bounds work unchanged for either.
 *
 * Same input + same options (seed included) = the same result, bit for bit.
 */
import { seededRandom, type Random } from '../random/seeded-random';
import { rowSquaredNorms } from './vector-math';

export type KMeansMetric = 'cosine' | 'euclidean';

export interface KMeansOptions {
  k: number;
  /** PRNG seed for k-means++. Default 42. */
  seed?: number;
  /** Assignment passes at most. Default 100. */
  maxIterations?: number;
  /** Stop when no centroid moves more than this (Euclidean). Default 1e-4. */
  tolerance?: number;
  /** Default 'cosine' (spherical k-means), the natural choice for L2-normalised embeddings. */
  metric?: KMeansMetric;
  /** Per-point weights (e.g. cluster sizes when clustering centroids). Default all 1. */
  weights?: ArrayLike<number>;
  /** Candidates tried per k-means++ step (greedy k-means++). Default 2 + ⌊ln k⌋ as scikit-learn. */
  seedingTrials?: number;
  /**
   * k-means++ runs on a seeded uniform sample of at most this many points (its cost is
   * trials × sample × k × d). Lloyd iterations always use all points. Default max(4096, 16·k).
   */
  seedingSampleSize?: number;
  /** Start from these k × d centroids instead of k-means++. */
  initialCentroids?: Float32Array;
  /**
   * Which bounds skip distance computations: 'auto' (default) takes Elkan's while n·k lower
   * bounds fit `ELKAN_BOUND_BUDGET`, else Hamerly's. Same answer either way; for tests.
   */
  bounds?: 'auto' | 'elkan' | 'hamerly';
}

export interface KMeansResult {
  k: number;
  dimension: number;
  /** Cluster index of each point, 0..k-1. */
  assignments: Int32Array;
  /** k × d row-major. Unit length for the cosine metric. */
  centroids: Float32Array;
  /** Total weight of each cluster (member count when unweighted). */
  sizes: Float64Array;
  /** Sum of weighted squared Euclidean distances to the assigned centroid. */
  inertia: number;
  /** Assignment passes run. */
  iterations: number;
  /** Stopped because nothing moved rather than because of maxIterations. */
  converged: boolean;
}

const DEFAULTS = { seed: 42, maxIterations: 100, tolerance: 1e-4, metric: 'cosine' as const };

/** Above this many centroid pairs × dimensions the inter-centroid bound costs more than it saves. */
const CENTROID_PAIR_BUDGET = 2e8;
/** Elkan's bounds while n·k stays under this (8 bytes each: 256 MB at most). */
const ELKAN_BOUND_BUDGET = 2 ** 25;

export function kmeans(
  data: Float32Array,
  dimension: number,
  options: KMeansOptions,
): KMeansResult {
  const d = dimension;
  const n = validateShape(data, d);
  const k = options.k;
  if (!Number.isInteger(k) || k < 1 || k > n) {
    throw new RangeError(`k must be an integer in [1, n=${n}], got ${k}`);
  }
  const seed = options.seed ?? DEFAULTS.seed;
  const maxIterations = options.maxIterations ?? DEFAULTS.maxIterations;
  const tolerance = options.tolerance ?? DEFAULTS.tolerance;
  const spherical = (options.metric ?? DEFAULTS.metric) === 'cosine';
  const weights = options.weights;
  if (weights && weights.length !== n)
    throw new RangeError('weights must have one value per point');
  const weightOf = (i: number) => (weights ? weights[i]! : 1);

  const pointNorms = rowSquaredNorms(data, n, d);
  let centroids: Float32Array;
  if (options.initialCentroids) {
    if (options.initialCentroids.length !== k * d) {
      throw new RangeError('initialCentroids must be k × d');
    }
    centroids = Float32Array.from(options.initialCentroids);
  } else {
    const trials = options.seedingTrials ?? 2 + Math.floor(Math.log(k));
    const random = seededRandom(seed);
    const sampleSize = Math.max(k, options.seedingSampleSize ?? Math.max(4096, 16 * k));
    if (n <= sampleSize) {
      centroids = kmeansPlusPlus(data, d, k, random, pointNorms, weights, trials);
    } else {
      const sample = sampleRows(n, sampleSize, random);
      const rows = new Float32Array(sampleSize * d);
      sample.forEach((i, s) => rows.set(data.subarray(i * d, i * d + d), s * d));
      const sampleWeights = weights ? Array.from(sample, (i) => weights[i]!) : undefined;
      centroids = kmeansPlusPlus(rows, d, k, random, undefined, sampleWeights, trials);
    }
  }
  if (spherical) normalizeCentroids(centroids, k, d);

  const state: LloydState = {
    data,
    d,
    n,
    k,
    pointNorms,
    centroids,
    centroidNorms: rowSquaredNorms(centroids, k, d),
    assignments: new Int32Array(n),
    sums: new Float64Array(k * d),
    sizes: new Float64Array(k),
    spherical,
    weightOf,
    tolerance,
    maxIterations,
  };
  const bounds = options.bounds ?? 'auto';
  const elkan =
    k > 1 &&
    (bounds === 'elkan' ||
      (bounds === 'auto' && n * k <= ELKAN_BOUND_BUDGET && k * k * d <= CENTROID_PAIR_BUDGET));
  const { iterations, converged } = elkan ? lloydElkan(state) : lloydHamerly(state);
  centroids = state.centroids;
  const { assignments, sizes } = state;
  const centroidNorms = state.centroidNorms;

  let inertia = 0;
  for (let i = 0; i < n; i++) {
    const a = assignments[i]!;
    const dist = distance(data, d, i, pointNorms[i]!, centroids, a, centroidNorms[a]!);
    inertia += weightOf(i) * dist * dist;
  }
  return { k, dimension: d, assignments, centroids, sizes, inertia, iterations, converged };
}

/** What both Lloyd loops share: the data, the centroids and the running member sums. */
interface LloydState {
  data: Float32Array;
  d: number;
  n: number;
  k: number;
  pointNorms: Float64Array;
  /** Updated in place. */
  centroids: Float32Array;
  centroidNorms: Float64Array;
  assignments: Int32Array;
  /** Weighted member sums and total weight per cluster, kept in step with `assignments`. */
  sums: Float64Array;
  sizes: Float64Array;
  spherical: boolean;
  weightOf: (i: number) => number;
  tolerance: number;
  maxIterations: number;
}

/** Adds point i (with its weight) to the running sums of cluster c. */
function assign(s: LloydState, i: number, c: number): void {
  s.assignments[i] = c;
  addPoint(s.sums, s.sizes, s.data, s.d, i, c, s.weightOf(i));
}

/** Moves point i from its cluster to `to`, keeping the running sums in step. */
function reassign(s: LloydState, i: number, to: number): void {
  const w = s.weightOf(i);
  addPoint(s.sums, s.sizes, s.data, s.d, i, s.assignments[i]!, -w);
  addPoint(s.sums, s.sizes, s.data, s.d, i, to, w);
  s.assignments[i] = to;
}

/**
 * Update step: every centroid to its members' mean (empty clusters refilled; `pinned` hears of
 * each point moved to refill one, which now sits on its centroid). Fills `drift` with how far each
 * centroid moved and returns the largest and second-largest moves.
 */
function moveCentroids(
  s: LloydState,
  drift: Float64Array,
  pinned: (i: number) => void,
): { max: number; maxCluster: number; second: number } {
  const { centroids, k, d } = s;
  const previous = centroids.slice();
  updateCentroids(centroids, s.sums, s.sizes, k, d, s.spherical);
  relocateEmptyClusters(s, pinned);
  s.centroidNorms = rowSquaredNorms(centroids, k, d);
  let max = 0;
  let maxCluster = -1;
  let second = 0;
  for (let c = 0; c < k; c++) {
    let sum = 0;
    for (let j = 0; j < d; j++) {
      const delta = centroids[c * d + j]! - previous[c * d + j]!;
      sum += delta * delta;
    }
    drift[c] = Math.sqrt(sum);
    if (drift[c]! > max) {
      second = max;
      max = drift[c]!;
      maxCluster = c;
    } else if (drift[c]! > second) {
      second = drift[c]!;
    }
  }
  return { max, maxCluster, second };
}

/** Lloyd iterations with Hamerly's bounds: 2 doubles per point. */
function lloydHamerly(s: LloydState): { iterations: number; converged: boolean } {
  const { data, d, n, k, pointNorms, assignments } = s;
  const upper = new Float64Array(n); // ≥ distance to the assigned centroid
  const lower = new Float64Array(n); // ≤ distance to every other centroid

  // First pass: exact nearest and second-nearest for every point.
  const all = new Int32Array(n);
  for (let i = 0; i < n; i++) all[i] = i;
  const scan = { best: new Int32Array(n), bestDist: upper, secondDist: lower };
  nearestTwo(data, d, pointNorms, all, n, s.centroids, s.centroidNorms, k, scan);
  for (let i = 0; i < n; i++) assign(s, i, scan.best[i]!);

  const halfGap = new Float64Array(k); // half the distance to the nearest other centroid
  const drift = new Float64Array(k);
  const pending = new Int32Array(n);
  const rescan = {
    best: new Int32Array(n),
    bestDist: new Float64Array(n),
    secondDist: new Float64Array(n),
  };
  let iterations = 1;
  while (true) {
    // The moved point sits on its new centroid; its bounds are exact at 0.
    const moves = moveCentroids(s, drift, (i) => {
      upper[i] = 0;
      lower[i] = 0;
    });
    for (let i = 0; i < n; i++) {
      const a = assignments[i]!;
      upper[i]! += drift[a]!;
      lower[i]! -= a === moves.maxCluster ? moves.second : moves.max;
    }
    if (moves.max <= s.tolerance) return { iterations, converged: true };
    if (iterations >= s.maxIterations) return { iterations, converged: false };

    // Assignment step: only points whose bounds overlap get an exact look.
    iterations++;
    const { centroids, centroidNorms } = s;
    computeHalfGaps(centroids, centroidNorms, k, d, halfGap);
    let pendingCount = 0;
    for (let i = 0; i < n; i++) {
      const a = assignments[i]!;
      const bound = Math.max(halfGap[a]!, lower[i]!);
      if (upper[i]! <= bound) continue;
      upper[i] = distance(data, d, i, pointNorms[i]!, centroids, a, centroidNorms[a]!);
      if (upper[i]! <= bound) continue;
      pending[pendingCount++] = i;
    }
    nearestTwo(data, d, pointNorms, pending, pendingCount, centroids, centroidNorms, k, rescan);
    let changed = 0;
    for (let p = 0; p < pendingCount; p++) {
      const i = pending[p]!;
      const best = rescan.best[p]!;
      upper[i] = rescan.bestDist[p]!;
      lower[i] = rescan.secondDist[p]!;
      if (best === assignments[i]) continue;
      changed++;
      reassign(s, i, best);
    }
    if (changed === 0) return { iterations, converged: true };
  }
}

/**
 * Lloyd iterations with Elkan's bounds (Elkan 2003): an upper bound on each point's distance to
 * its centroid and a lower bound on its distance to every centroid, each loosened only by that
 * centroid's own move. A distance is computed only when both the lower bound and half the
 * centroid-to-centroid distance fail to rule the centroid out.
 */
function lloydElkan(s: LloydState): { iterations: number; converged: boolean } {
  const { data, d, n, k, pointNorms, assignments } = s;
  const upper = new Float64Array(n);
  const lower = new Float64Array(n * k); // lower[i·k + c] ≤ distance(i, c)
  const stale = new Uint8Array(n); // upper[i] may be loose (centroids moved since it was exact)

  // First pass: every distance, exactly.
  allDistances(data, d, pointNorms, n, s.centroids, s.centroidNorms, k, lower);
  for (let i = 0; i < n; i++) {
    const row = i * k;
    let best = 0;
    for (let c = 1; c < k; c++) if (lower[row + c]! < lower[row + best]!) best = c;
    upper[i] = lower[row + best]!;
    assign(s, i, best);
  }

  const halfDistance = new Float64Array(k * k); // ½ distance between centroids a and b
  const halfGap = new Float64Array(k); // ½ distance to the nearest other centroid
  const drift = new Float64Array(k);
  let iterations = 1;
  while (true) {
    const moves = moveCentroids(s, drift, (i) => {
      upper[i] = 0;
      lower.fill(0, i * k, i * k + k);
    });
    for (let i = 0; i < n; i++) {
      upper[i]! += drift[assignments[i]!]!;
      stale[i] = 1;
      const row = i * k;
      for (let c = 0; c < k; c++) {
        const l = lower[row + c]! - drift[c]!;
        lower[row + c] = l > 0 ? l : 0;
      }
    }
    if (moves.max <= s.tolerance) return { iterations, converged: true };
    if (iterations >= s.maxIterations) return { iterations, converged: false };

    iterations++;
    const { centroids, centroidNorms } = s;
    centroidHalfDistances(centroids, centroidNorms, k, d, halfDistance, halfGap);
    let changed = 0;
    for (let i = 0; i < n; i++) {
      const start = assignments[i]!;
      let a = start;
      let u = upper[i]!;
      if (u <= halfGap[a]!) continue;
      const row = i * k;
      const pointNorm = pointNorms[i]!;
      for (let c = 0; c < k; c++) {
        if (c === a || u <= lower[row + c]! || u <= halfDistance[a * k + c]!) continue;
        if (stale[i] === 1) {
          u = distance(data, d, i, pointNorm, centroids, a, centroidNorms[a]!);
          lower[row + a] = u;
          stale[i] = 0;
          if (u <= lower[row + c]! || u <= halfDistance[a * k + c]!) continue;
        }
        const dist = distance(data, d, i, pointNorm, centroids, c, centroidNorms[c]!);
        lower[row + c] = dist;
        if (dist < u) {
          a = c;
          u = dist;
        }
      }
      upper[i] = u;
      if (a !== start) {
        changed++;
        reassign(s, i, a);
      }
    }
    if (changed === 0) return { iterations, converged: true };
  }
}

/** Nearest centroid of each row, e.g. to assign new items to existing clusters. */
export function assignToNearest(
  data: Float32Array,
  dimension: number,
  centroids: Float32Array,
): { assignments: Int32Array; distances: Float64Array } {
  const n = validateShape(data, dimension);
  const k = validateShape(centroids, dimension);
  const indices = new Int32Array(n);
  for (let i = 0; i < n; i++) indices[i] = i;
  const out = {
    best: new Int32Array(n),
    bestDist: new Float64Array(n),
    secondDist: new Float64Array(n),
  };
  nearestTwo(
    data,
    dimension,
    rowSquaredNorms(data, n, dimension),
    indices,
    n,
    centroids,
    rowSquaredNorms(centroids, k, dimension),
    k,
    out,
  );
  return { assignments: out.best, distances: out.bestDist };
}

/**
 * k-means++ (Arthur & Vassilvitskii 2007), greedy variant: each step draws `trials` candidates
 * with probability ∝ weight × squared distance to the nearest chosen centroid and keeps the one
 * that lowers the total most.
 */
export function kmeansPlusPlus(
  data: Float32Array,
  d: number,
  k: number,
  random: Random,
  pointNorms: Float64Array = rowSquaredNorms(data, data.length / d, d),
  weights?: ArrayLike<number>,
  trials = 1,
): Float32Array {
  const n = data.length / d;
  const centroids = new Float32Array(k * d);
  const closest = new Float64Array(n);
  const candidateDist = new Float64Array(n);
  const bestDist = new Float64Array(n);
  const w = (i: number) => (weights ? weights[i]! : 1);

  const first = sampleIndex(n, random() * totalWeight(n, w), w);
  centroids.set(data.subarray(first * d, first * d + d), 0);
  squaredDistancesToRow(data, d, pointNorms, first, closest);
  let potential = 0;
  for (let i = 0; i < n; i++) potential += w(i) * closest[i]!;

  for (let c = 1; c < k; c++) {
    let bestIndex = -1;
    let bestPotential = Infinity;
    for (let t = 0; t < Math.max(1, trials); t++) {
      // All points coincide with chosen centroids: any index will do (duplicates are relocated later).
      const candidate =
        potential > 0
          ? sampleIndex(n, random() * potential, (i) => w(i) * closest[i]!)
          : Math.floor(random() * n);
      squaredDistancesToRow(data, d, pointNorms, candidate, candidateDist);
      let candidatePotential = 0;
      for (let i = 0; i < n; i++) {
        const m = candidateDist[i]! < closest[i]! ? candidateDist[i]! : closest[i]!;
        candidateDist[i] = m;
        candidatePotential += w(i) * m;
      }
      if (candidatePotential < bestPotential) {
        bestPotential = candidatePotential;
        bestIndex = candidate;
        bestDist.set(candidateDist);
      }
    }
    centroids.set(data.subarray(bestIndex * d, bestIndex * d + d), c * d);
    closest.set(bestDist);
    potential = bestPotential;
  }
  return centroids;
}

/** `size` distinct indices of 0..n-1, seeded (partial Fisher-Yates), in increasing order. */
export function sampleRows(n: number, size: number, random: Random): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  for (let i = 0; i < size; i++) {
    const j = i + Math.floor(random() * (n - i));
    const swap = order[i]!;
    order[i] = order[j]!;
    order[j] = swap;
  }
  return order.subarray(0, size).sort();
}

function validateShape(data: Float32Array, d: number): number {
  if (!Number.isInteger(d) || d < 1)
    throw new RangeError(`dimension must be a positive integer, got ${d}`);
  if (data.length % d !== 0)
    throw new RangeError(`data length ${data.length} is not a multiple of ${d}`);
  return data.length / d;
}

function totalWeight(n: number, w: (i: number) => number): number {
  let total = 0;
  for (let i = 0; i < n; i++) total += w(i);
  return total;
}

/** First index whose cumulative mass exceeds `target` (linear: O(n), once per draw). */
function sampleIndex(n: number, target: number, mass: (i: number) => number): number {
  let cumulative = 0;
  let last = 0;
  for (let i = 0; i < n; i++) {
    const m = mass(i);
    if (m <= 0) continue;
    cumulative += m;
    last = i;
    if (cumulative > target) return i;
  }
  return last; // rounding at the very end of the range
}

/** Squared distance of every row to row `r` of the same matrix, four rows per pass (see nearestTwo). */
function squaredDistancesToRow(
  data: Float32Array,
  d: number,
  pointNorms: Float64Array,
  r: number,
  out: Float64Array,
): void {
  const n = out.length;
  const or = r * d;
  const rowNorm = pointNorms[r]!;
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const o0 = i * d;
    const o1 = o0 + d;
    const o2 = o1 + d;
    const o3 = o2 + d;
    let d0 = 0;
    let d1 = 0;
    let d2 = 0;
    let d3 = 0;
    for (let j = 0; j < d; j++) {
      const rv = data[or + j]!;
      d0 += data[o0 + j]! * rv;
      d1 += data[o1 + j]! * rv;
      d2 += data[o2 + j]! * rv;
      d3 += data[o3 + j]! * rv;
    }
    out[i] = Math.max(0, pointNorms[i]! + rowNorm - 2 * d0);
    out[i + 1] = Math.max(0, pointNorms[i + 1]! + rowNorm - 2 * d1);
    out[i + 2] = Math.max(0, pointNorms[i + 2]! + rowNorm - 2 * d2);
    out[i + 3] = Math.max(0, pointNorms[i + 3]! + rowNorm - 2 * d3);
  }
  for (; i < n; i++) out[i] = squaredDistanceToRow(data, d, i, pointNorms[i]!, data, r, rowNorm);
}

function squaredDistanceToRow(
  x: Float32Array,
  d: number,
  i: number,
  xNorm: number,
  y: Float32Array,
  j: number,
  yNorm: number,
): number {
  const oi = i * d;
  const oj = j * d;
  let dot = 0;
  for (let t = 0; t < d; t++) dot += x[oi + t]! * y[oj + t]!;
  const dist = xNorm + yNorm - 2 * dot;
  return dist > 0 ? dist : 0;
}

/**
 * Distance of point i to centroid c. Four partial sums: one running sum is bound by the latency
 * of each addition, and Elkan's iterations compute most of their distances one at a time here.
 */
function distance(
  data: Float32Array,
  d: number,
  i: number,
  pointNorm: number,
  centroids: Float32Array,
  c: number,
  centroidNorm: number,
): number {
  const oi = i * d;
  const oc = c * d;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let t = 0;
  for (; t + 3 < d; t += 4) {
    s0 += data[oi + t]! * centroids[oc + t]!;
    s1 += data[oi + t + 1]! * centroids[oc + t + 1]!;
    s2 += data[oi + t + 2]! * centroids[oc + t + 2]!;
    s3 += data[oi + t + 3]! * centroids[oc + t + 3]!;
  }
  for (; t < d; t++) s0 += data[oi + t]! * centroids[oc + t]!;
  const squared = pointNorm + centroidNorm - 2 * (s0 + s1 + (s2 + s3));
  return squared > 0 ? Math.sqrt(squared) : 0;
}

function addPoint(
  sums: Float64Array,
  sizes: Float64Array,
  data: Float32Array,
  d: number,
  i: number,
  c: number,
  weight: number,
): void {
  const oi = i * d;
  const oc = c * d;
  for (let j = 0; j < d; j++) sums[oc + j]! += weight * data[oi + j]!;
  sizes[c]! += weight;
}

function updateCentroids(
  centroids: Float32Array,
  sums: Float64Array,
  sizes: Float64Array,
  k: number,
  d: number,
  spherical: boolean,
): void {
  for (let c = 0; c < k; c++) {
    if (sizes[c]! <= 0) continue; // empty: relocated next
    const oc = c * d;
    let scale = 1 / sizes[c]!;
    if (spherical) {
      let norm = 0;
      for (let j = 0; j < d; j++) norm += sums[oc + j]! * sums[oc + j]!;
      if (norm === 0) continue; // members cancel out exactly: keep the old direction
      scale = 1 / Math.sqrt(norm);
    }
    for (let j = 0; j < d; j++) centroids[oc + j] = sums[oc + j]! * scale;
  }
}

function normalizeCentroids(centroids: Float32Array, k: number, d: number): void {
  for (let c = 0; c < k; c++) {
    let norm = 0;
    for (let j = 0; j < d; j++) norm += centroids[c * d + j]! * centroids[c * d + j]!;
    if (norm === 0) continue;
    const scale = 1 / Math.sqrt(norm);
    for (let j = 0; j < d; j++) centroids[c * d + j]! *= scale;
  }
}

/**
 * An empty cluster takes the point farthest from its own centroid (as scikit-learn does), so k
 * clusters come back even with duplicate points or an unlucky start. Not rare at scale: a tenant's
 * repeated conversations are duplicate points, which leave clusters empty on every pass. So each
 * point's distance is computed once, and after each move only the members of the two clusters
 * whose centroids changed are measured again (the same values a full pass would compute).
 */
function relocateEmptyClusters(s: LloydState, pinned: (i: number) => void): void {
  const { data, d, n, k, pointNorms, assignments, centroids, sums, sizes, spherical, weightOf } = s;
  let centroidNorms: Float64Array | undefined;
  let distances: Float64Array | undefined;
  const distanceOf = (i: number) =>
    squaredDistanceToRow(
      data,
      d,
      i,
      pointNorms[i]!,
      centroids,
      assignments[i]!,
      centroidNorms![assignments[i]!]!,
    );
  for (let empty = 0; empty < k; empty++) {
    if (sizes[empty]! > 0) continue;
    if (!centroidNorms || !distances) {
      centroidNorms = rowSquaredNorms(centroids, k, d);
      distances = new Float64Array(n);
      for (let i = 0; i < n; i++) distances[i] = distanceOf(i);
    }
    let farthest = -1;
    let farthestDist = -1;
    for (let i = 0; i < n; i++) {
      if (sizes[assignments[i]!]! <= weightOf(i)) continue; // would empty another cluster
      if (distances[i]! > farthestDist) {
        farthestDist = distances[i]!;
        farthest = i;
      }
    }
    if (farthest < 0) continue; // fewer movable points than clusters (weights); leave it empty
    const old = assignments[farthest]!;
    reassign(s, farthest, empty);
    pinned(farthest);
    centroids.set(data.subarray(farthest * d, farthest * d + d), empty * d);
    if (spherical) normalizeCentroids(centroids.subarray(empty * d, empty * d + d), 1, d);
    updateCentroids(
      centroids.subarray(old * d, old * d + d),
      sums.subarray(old * d, old * d + d),
      sizes.subarray(old, old + 1),
      1,
      d,
      spherical,
    );
    for (const c of [empty, old])
      centroidNorms[c] = rowSquaredNorms(centroids.subarray(c * d, c * d + d), 1, d)[0]!;
    for (let i = 0; i < n; i++) {
      const a = assignments[i]!;
      if (a === empty || a === old) distances[i] = distanceOf(i);
    }
  }
}

/** halfGap[c] = ½ · distance from centroid c to its nearest other centroid (0 = no pruning). */
function computeHalfGaps(
  centroids: Float32Array,
  centroidNorms: Float64Array,
  k: number,
  d: number,
  halfGap: Float64Array,
): void {
  halfGap.fill(0);
  if (k < 2 || k * k * d > CENTROID_PAIR_BUDGET) return;
  halfGap.fill(Infinity);
  for (let a = 0; a < k; a++) {
    for (let b = a + 1; b < k; b++) {
      const dist = Math.sqrt(
        squaredDistanceToRow(centroids, d, a, centroidNorms[a]!, centroids, b, centroidNorms[b]!),
      );
      if (dist < halfGap[a]!) halfGap[a] = dist;
      if (dist < halfGap[b]!) halfGap[b] = dist;
    }
  }
  for (let c = 0; c < k; c++) halfGap[c]! *= 0.5;
}

/**
 * half[a·k + b] = ½ · distance between centroids a and b; halfGap[a] = the smallest of them
 * over b ≠ a (Elkan's two centroid-centroid tests).
 */
function centroidHalfDistances(
  centroids: Float32Array,
  centroidNorms: Float64Array,
  k: number,
  d: number,
  half: Float64Array,
  halfGap: Float64Array,
): void {
  halfGap.fill(Infinity);
  for (let a = 0; a < k; a++) {
    half[a * k + a] = 0;
    for (let b = a + 1; b < k; b++) {
      const h =
        0.5 *
        Math.sqrt(
          squaredDistanceToRow(centroids, d, a, centroidNorms[a]!, centroids, b, centroidNorms[b]!),
        );
      half[a * k + b] = h;
      half[b * k + a] = h;
      if (h < halfGap[a]!) halfGap[a] = h;
      if (h < halfGap[b]!) halfGap[b] = h;
    }
  }
}

/**
 * Distance of every point to every centroid into out (n × k), four points per pass over a
 * centroid row as in nearestTwo.
 */
function allDistances(
  data: Float32Array,
  d: number,
  pointNorms: Float64Array,
  n: number,
  centroids: Float32Array,
  centroidNorms: Float64Array,
  k: number,
  out: Float64Array,
): void {
  const root = (squared: number) => (squared > 0 ? Math.sqrt(squared) : 0);
  let i = 0;
  for (; i + 3 < n; i += 4) {
    const o0 = i * d;
    const o1 = o0 + d;
    const o2 = o1 + d;
    const o3 = o2 + d;
    const n0 = pointNorms[i]!;
    const n1 = pointNorms[i + 1]!;
    const n2 = pointNorms[i + 2]!;
    const n3 = pointNorms[i + 3]!;
    for (let c = 0; c < k; c++) {
      const oc = c * d;
      let d0 = 0,
        d1 = 0,
        d2 = 0,
        d3 = 0;
      for (let j = 0; j < d; j++) {
        const cv = centroids[oc + j]!;
        d0 += data[o0 + j]! * cv;
        d1 += data[o1 + j]! * cv;
        d2 += data[o2 + j]! * cv;
        d3 += data[o3 + j]! * cv;
      }
      const cn = centroidNorms[c]!;
      out[i * k + c] = root(n0 + cn - 2 * d0);
      out[(i + 1) * k + c] = root(n1 + cn - 2 * d1);
      out[(i + 2) * k + c] = root(n2 + cn - 2 * d2);
      out[(i + 3) * k + c] = root(n3 + cn - 2 * d3);
    }
  }
  for (; i < n; i++) {
    for (let c = 0; c < k; c++)
      out[i * k + c] = distance(data, d, i, pointNorms[i]!, centroids, c, centroidNorms[c]!);
  }
}

interface NearestTwo {
  best: Int32Array;
  bestDist: Float64Array;
  secondDist: Float64Array;
}

/**
 * Exact nearest and second-nearest centroid for the listed points, written at the list position.
 * Four points share each pass over a centroid row: the centroid values are loaded once for four
 * dot products, which roughly doubles throughput in V8 over one point at a time.
 */
function nearestTwo(
  data: Float32Array,
  d: number,
  pointNorms: Float64Array,
  indices: Int32Array,
  count: number,
  centroids: Float32Array,
  centroidNorms: Float64Array,
  k: number,
  out: NearestTwo,
): void {
  let p = 0;
  for (; p + 3 < count; p += 4) {
    const i0 = indices[p]!;
    const i1 = indices[p + 1]!;
    const i2 = indices[p + 2]!;
    const i3 = indices[p + 3]!;
    const o0 = i0 * d;
    const o1 = i1 * d;
    const o2 = i2 * d;
    const o3 = i3 * d;
    // Compare on ‖c‖² − 2x·c: the point's own norm does not change the order.
    let b0 = Infinity,
      b1 = Infinity,
      b2 = Infinity,
      b3 = Infinity;
    let s0 = Infinity,
      s1 = Infinity,
      s2 = Infinity,
      s3 = Infinity;
    let a0 = 0,
      a1 = 0,
      a2 = 0,
      a3 = 0;
    for (let c = 0; c < k; c++) {
      const oc = c * d;
      let d0 = 0,
        d1 = 0,
        d2 = 0,
        d3 = 0;
      for (let j = 0; j < d; j++) {
        const cv = centroids[oc + j]!;
        d0 += data[o0 + j]! * cv;
        d1 += data[o1 + j]! * cv;
        d2 += data[o2 + j]! * cv;
        d3 += data[o3 + j]! * cv;
      }
      const cn = centroidNorms[c]!;
      const e0 = cn - 2 * d0;
      const e1 = cn - 2 * d1;
      const e2 = cn - 2 * d2;
      const e3 = cn - 2 * d3;
      if (e0 < b0) {
        s0 = b0;
        b0 = e0;
        a0 = c;
      } else if (e0 < s0) s0 = e0;
      if (e1 < b1) {
        s1 = b1;
        b1 = e1;
        a1 = c;
      } else if (e1 < s1) s1 = e1;
      if (e2 < b2) {
        s2 = b2;
        b2 = e2;
        a2 = c;
      } else if (e2 < s2) s2 = e2;
      if (e3 < b3) {
        s3 = b3;
        b3 = e3;
        a3 = c;
      } else if (e3 < s3) s3 = e3;
    }
    writeNearest(out, p, a0, b0, s0, pointNorms[i0]!);
    writeNearest(out, p + 1, a1, b1, s1, pointNorms[i1]!);
    writeNearest(out, p + 2, a2, b2, s2, pointNorms[i2]!);
    writeNearest(out, p + 3, a3, b3, s3, pointNorms[i3]!);
  }
  for (; p < count; p++) {
    const i = indices[p]!;
    const oi = i * d;
    let best = Infinity;
    let second = Infinity;
    let arg = 0;
    for (let c = 0; c < k; c++) {
      const oc = c * d;
      let dot = 0;
      for (let j = 0; j < d; j++) dot += data[oi + j]! * centroids[oc + j]!;
      const e = centroidNorms[c]! - 2 * dot;
      if (e < best) {
        second = best;
        best = e;
        arg = c;
      } else if (e < second) {
        second = e;
      }
    }
    writeNearest(out, p, arg, best, second, pointNorms[i]!);
  }
}

function writeNearest(
  out: NearestTwo,
  p: number,
  arg: number,
  best: number,
  second: number,
  pointNorm: number,
): void {
  out.best[p] = arg;
  out.bestDist[p] = Math.sqrt(Math.max(0, pointNorm + best));
  // With k = 1 there is no second centroid: an infinite lower bound never triggers a rescan.
  out.secondDist[p] = second === Infinity ? Infinity : Math.sqrt(Math.max(0, pointNorm + second));
}
