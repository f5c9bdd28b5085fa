/**
 * The clustering steps that dominate a large run, spread over a `WorkerPool`:
 *  - the base level of the tree: the coarse assignment pass of two-level k-means in row ranges,
 *    then the fine problems, largest first (the coarse fit on its sample and the upper levels
 *    are small and stay on this thread);
 *  - offline embedding, in chunks of texts.
 * Each piece is computed by the same function as on one thread and put back in order, so the
 * result is bit-identical to `buildHierarchy` / `embedSync` whatever the thread count.
 */
import type { OfflineEmbedder } from '../embeddings/offline-embedder';
import {
  planHierarchy,
  upperLevels,
  type Hierarchy,
  type HierarchyOptions,
} from '../hierarchy/build-hierarchy';
import { kmeans, type KMeansResult } from '../kmeans/kmeans';
import {
  assembleFineResults,
  coarseCentroids,
  fineOptionsOf,
  needsTwoLevels,
  planFineProblems,
  rowWeights,
  type TwoLevelKMeansOptions,
} from '../kmeans/two-level-kmeans';
import { toShared, type WorkerPool } from './worker-pool';

/** Rows per task of the coarse assignment pass: small enough to balance two busy cores. */
const NEAREST_CHUNK = 32_768;
/** Texts per embedding task. */
const EMBED_CHUNK = 8_192;

/** `buildHierarchy` with the base level on the pool's threads. Same result, bit for bit. */
export async function buildHierarchyInParallel(
  data: Float32Array,
  dimension: number,
  options: HierarchyOptions,
  pool: WorkerPool,
): Promise<Hierarchy> {
  const plan = planHierarchy(data, dimension, options);
  const base = await clusterBaseLevelInParallel(data, dimension, plan.baseOptions, pool);
  return upperLevels(base, dimension, plan);
}

/** `clusterBaseLevel` with the heavy parts of two-level k-means on the pool's threads. */
export async function clusterBaseLevelInParallel(
  data: Float32Array,
  dimension: number,
  options: TwoLevelKMeansOptions,
  pool: WorkerPool,
): Promise<KMeansResult> {
  // Flat problems are small by definition (n·k·d under the two-level budget).
  if (!needsTwoLevels(data.length / dimension, options.k, dimension))
    return kmeans(data, dimension, options);
  return twoLevelKmeansInParallel(data, dimension, options, pool);
}

/** `twoLevelKmeans` on the pool's threads. `chunkRows`: rows per coarse-assignment task. */
export async function twoLevelKmeansInParallel(
  data: Float32Array,
  dimension: number,
  options: TwoLevelKMeansOptions,
  pool: WorkerPool,
  chunkRows = NEAREST_CHUNK,
): Promise<KMeansResult> {
  const d = dimension;
  const n = data.length / d;
  const shared = toShared(data);
  const coarse = coarseCentroids(shared, d, options);

  const routes = new Int32Array(n);
  const ranges: Promise<void>[] = [];
  for (let start = 0; start < n; start += chunkRows) {
    const end = Math.min(n, start + chunkRows);
    ranges.push(
      pool
        .run<Int32Array>({
          kind: 'nearest',
          data: shared,
          dimension: d,
          start,
          end,
          centroids: coarse.centroids,
        })
        .then((assignments) => routes.set(assignments, start)),
    );
  }
  await Promise.all(ranges);

  const plan = planFineProblems(routes, coarse.k, options);
  const fineOptions = fineOptionsOf(options);
  // Largest problems first, so the last task to finish is a small one.
  const order = plan.problems
    .map((problem, index) => ({ index, cost: problem.rows.length * problem.k }))
    .sort((a, b) => b.cost - a.cost || a.index - b.index);
  const results: KMeansResult[] = new Array(plan.problems.length);
  await Promise.all(
    order.map(async ({ index }) => {
      const problem = plan.problems[index]!;
      results[index] = await pool.run<KMeansResult>({
        kind: 'fine',
        data: shared,
        dimension: d,
        rows: problem.rows,
        k: problem.k,
        seed: problem.seed,
        weights: rowWeights(options.weights, problem.rows),
        options: fineOptions,
      });
    }),
  );
  return assembleFineResults(plan, results, coarse, d);
}

/** `embedder.embedSync(texts)` in chunks on the pool's threads. Same vectors, bit for bit. */
export async function embedInParallel(
  embedder: OfflineEmbedder,
  texts: readonly string[],
  pool: WorkerPool,
  chunkTexts = EMBED_CHUNK,
): Promise<Float32Array[]> {
  const key = embedder.model;
  await pool.broadcast({ kind: 'load-embedder', key, bytes: embedder.toBytes() });
  const d = embedder.dimension;
  const out: Float32Array[] = new Array(texts.length);
  const chunks: Promise<void>[] = [];
  for (let start = 0; start < texts.length; start += chunkTexts) {
    const slice = texts.slice(start, start + chunkTexts);
    chunks.push(
      pool.run<Float32Array>({ kind: 'embed', key, texts: slice }).then((packed) => {
        for (let i = 0; i < slice.length; i++) out[start + i] = packed.subarray(i * d, i * d + d);
      }),
    );
  }
  await Promise.all(chunks);
  return out;
}
