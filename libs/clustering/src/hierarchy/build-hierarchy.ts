/**
 * The cluster tree from embeddings: k-means at the base (k scaled to n), then each upper level by
 * clustering the centroids of the level below, weighted by their sizes. Offline and LLM paths
 * share this; the LLM path renames and re-assigns on top of it.
 *
 * Levels are numbered from the top: 0 is the ~5-10 groups an executive reads, `levels - 1` is
 * the base. Deterministic for a given input and seed.
 */
import { chooseK, type ChooseKOptions } from '../kmeans/choose-k';
import { kmeans, type KMeansResult } from '../kmeans/kmeans';
import {
  clusterBaseLevel,
  needsTwoLevels,
  type TwoLevelKMeansOptions,
} from '../kmeans/two-level-kmeans';

export interface HierarchyOptions {
  /** Levels including the base. Default 3. */
  levels?: number;
  /** Groups at the top level. Default 7 (the BRIEF's ~5-10). */
  topK?: number;
  /** Base k; default chooseK(n) (~30 conversations per base cluster). */
  baseK?: number;
  chooseK?: ChooseKOptions;
  seed?: number;
  maxIterations?: number;
  /** Most k-means restarts per upper level (the best is kept). Default 8; 1 = a single seed. */
  upperRestarts?: number;
  /**
   * Centroids of the previous run per level (top first, each k × d), in the same embedding
   * space. Starting k-means from them keeps clusters, and so their ids, stable across runs.
   */
  warmStart?: (Float32Array | undefined)[];
}

export interface HierarchyLevel {
  level: number;
  k: number;
  /** k × d, unit length. */
  centroids: Float32Array;
  /** Members per cluster (conversations, summed up the tree). */
  sizes: Float64Array;
  /** For each cluster, the index of its parent in level - 1 (-1 at the top). */
  parents: Int32Array;
}

export interface Hierarchy {
  dimension: number;
  /** Top first; the last entry is the base level. */
  levels: HierarchyLevel[];
  /** Base cluster index of each input row. */
  assignments: Int32Array;
}

/** k per level from the top down: geometric steps between topK and the base k. */
export function levelSizes(baseK: number, levels: number, topK: number): number[] {
  if (levels < 1) throw new RangeError('levels must be at least 1');
  const top = Math.max(1, Math.min(topK, baseK));
  return Array.from({ length: levels }, (_, i) => {
    if (i === levels - 1) return baseK;
    const fraction = levels === 1 ? 1 : i / (levels - 1);
    return Math.max(1, Math.min(baseK, Math.round(top * (baseK / top) ** fraction)));
  });
}

export function buildHierarchy(
  data: Float32Array,
  dimension: number,
  options: HierarchyOptions = {},
): Hierarchy {
  const plan = planHierarchy(data, dimension, options);
  // Flat k-means while affordable; two-level (√k coarse, then within) for large n·k (100k+).
  const base = clusterBaseLevel(data, dimension, plan.baseOptions);
  return upperLevels(base, dimension, plan);
}

export interface HierarchyPlan {
  levels: number;
  seed: number;
  upperRestarts: number;
  /** k per level, top first. */
  sizes: number[];
  baseOptions: TwoLevelKMeansOptions;
  /** The previous run's centroids per level (top first), where there are any. */
  warmStart?: (Float32Array | undefined)[];
}

/** Level sizes and the base level's k-means options; shared by the parallel builder. */
export function planHierarchy(
  data: Float32Array,
  dimension: number,
  options: HierarchyOptions,
): HierarchyPlan {
  const n = data.length / dimension;
  if (!Number.isInteger(n) || n < 1) throw new RangeError('buildHierarchy needs at least one row');
  const levels = options.levels ?? 3;
  const seed = options.seed ?? 42;
  const baseK = Math.min(n, options.baseK ?? Math.max(1, chooseK(n, options.chooseK)));
  // Warm start: the base level starts from the previous run's base centroids when it is one flat
  // k-means (two-level runs seed their coarse level from a sample; ids then rest on matching).
  const previousBase = options.warmStart?.[levels - 1];
  const warmBase =
    previousBase && !needsTwoLevels(n, baseK, dimension)
      ? warmStartCentroids(previousBase, baseK, data, dimension)
      : undefined;
  return {
    levels,
    seed,
    upperRestarts: Math.max(1, options.upperRestarts ?? MAX_UPPER_RESTARTS),
    sizes: levelSizes(baseK, levels, options.topK ?? 7),
    baseOptions: {
      k: baseK,
      seed,
      ...(options.maxIterations ? { maxIterations: options.maxIterations } : {}),
      ...(warmBase ? { initialCentroids: warmBase } : {}),
    },
    ...(options.warmStart ? { warmStart: options.warmStart } : {}),
  };
}

/** The levels above the base: each clusters the centroids below it, weighted by their sizes. */
export function upperLevels(base: KMeansResult, dimension: number, plan: HierarchyPlan): Hierarchy {
  const { levels, seed, sizes } = plan;
  let below = { centroids: base.centroids, sizes: base.sizes, k: base.k };
  const built: HierarchyLevel[] = [
    {
      level: levels - 1,
      k: base.k,
      centroids: base.centroids,
      sizes: base.sizes,
      parents: new Int32Array(base.k).fill(-1),
    },
  ];
  for (let level = levels - 2; level >= 0; level--) {
    const k = Math.min(sizes[level]!, below.k);
    const previous = plan.warmStart?.[level];
    const upper = previous
      ? kmeans(below.centroids, dimension, {
          k,
          seed: seed + level + 1,
          weights: below.sizes,
          initialCentroids: warmStartCentroids(previous, k, below.centroids, dimension),
        })
      : bestOfRestarts(
          below.centroids,
          dimension,
          k,
          seed + level + 1,
          below.sizes,
          plan.upperRestarts,
        );
    built[0]!.parents = upper.assignments;
    const sums = new Float64Array(upper.k);
    for (let i = 0; i < below.k; i++) sums[upper.assignments[i]!]! += below.sizes[i]!;
    built.unshift({
      level,
      k: upper.k,
      centroids: upper.centroids,
      sizes: sums,
      parents: new Int32Array(upper.k).fill(-1),
    });
    below = { centroids: upper.centroids, sizes: sums, k: upper.k };
  }
  return { dimension, levels: built, assignments: base.assignments };
}

/** Most k-means restarts of an upper level; fewer when one restart is already expensive. */
export const MAX_UPPER_RESTARTS = 8;
/** Restarts stop adding up once their n·k·d (multiply-adds per Lloyd pass) passes this. */
const UPPER_RESTART_BUDGET = 4e8;

/**
 * Weighted k-means over the centroids below, from several k-means++ seeds, keeping the lowest
 * inertia. An upper level clusters few points (the children), so restarts are cheap, and they
 * matter: one seed often splits a topic and merges two others. Measured with `npm run eval --
 * clustering` (SGD + banking77 intents under domains): top-level NMI +3.6 over a single seed.
 */
export function bestOfRestarts(
  centroids: Float32Array,
  dimension: number,
  k: number,
  seed: number,
  weights: Float64Array,
  maxRestarts: number,
): KMeansResult {
  const n = centroids.length / dimension;
  const restarts = Math.max(
    1,
    Math.min(maxRestarts, Math.floor(UPPER_RESTART_BUDGET / (n * k * dimension))),
  );
  let best: KMeansResult | undefined;
  for (let r = 0; r < restarts; r++) {
    // Restart 0 is the single run of before, so one restart gives the same tree as it did.
    const result = kmeans(centroids, dimension, { k, seed: seed + 7919 * r, weights });
    if (!best || result.inertia < best.inertia) best = result;
  }
  return best!;
}

/**
 * k starting centroids from a previous run's `previous` (kp × d): all of them when k = kp; the
 * first k when fewer are wanted; plus, when more are wanted, the rows of `data` least similar to
 * every centroid chosen so far (deterministic farthest-point additions).
 */
export function warmStartCentroids(
  previous: Float32Array,
  k: number,
  data: Float32Array,
  d: number,
): Float32Array {
  const kp = previous.length / d;
  const out = new Float32Array(k * d);
  const keep = Math.min(k, kp);
  out.set(previous.subarray(0, keep * d));
  const n = data.length / d;
  const best = new Float64Array(n).fill(-Infinity);
  const update = (c: number) => {
    for (let i = 0; i < n; i++) {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += data[i * d + j]! * out[c * d + j]!;
      if (dot > best[i]!) best[i] = dot;
    }
  };
  for (let c = 0; c < keep; c++) update(c);
  for (let c = keep; c < k; c++) {
    let farthest = 0;
    for (let i = 1; i < n; i++) if (best[i]! < best[farthest]!) farthest = i;
    out.set(data.subarray(farthest * d, (farthest + 1) * d), c * d);
    update(c);
  }
  return out;
}
