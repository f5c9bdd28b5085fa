import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OfflineEmbedder } from '../embeddings/offline-embedder';
import { buildHierarchy } from '../hierarchy/build-hierarchy';
import { twoLevelKmeans } from '../kmeans/two-level-kmeans';
import { normalizeRows, packRows } from '../kmeans/vector-math';
import { gaussianRandom, seededRandom } from '../random/seeded-random';
import {
  buildHierarchyInParallel,
  embedInParallel,
  twoLevelKmeansInParallel,
} from './parallel-clustering';
import { toShared, WorkerPool, withWorkerPool } from './worker-pool';

function points(n: number, d: number, seed: number): Float32Array {
  const gaussian = gaussianRandom(seededRandom(seed));
  const centres = Array.from({ length: 40 }, () => Float32Array.from({ length: d }, gaussian));
  const random = seededRandom(seed + 1);
  const data = new Float32Array(n * d);
  for (let i = 0; i < n; i++) {
    const centre = centres[Math.floor(random() * centres.length)]!;
    for (let j = 0; j < d; j++) data[i * d + j] = centre[j]! + 0.7 * gaussian();
  }
  return normalizeRows(data, d);
}

const same = (a: ArrayLike<number>, b: ArrayLike<number>) =>
  expect(Array.from(a)).toEqual(Array.from(b));

// Starting a worker compiles the TypeScript sources through tsx: seconds on a busy machine.
describe('clustering on worker threads', { timeout: 60_000 }, () => {
  let pool: WorkerPool;
  beforeAll(() => {
    pool = WorkerPool.open(2);
  });
  afterAll(() => pool.close());

  it('two-level k-means gives the single-threaded result bit for bit, for any thread count', async () => {
    const d = 24;
    const data = points(3000, d, 7);
    const options = { k: 90, seed: 5 };
    const single = twoLevelKmeans(data, d, options);
    // Small chunks, so that the coarse pass is split across both workers.
    const parallel = await twoLevelKmeansInParallel(data, d, options, pool, 257);
    same(parallel.assignments, single.assignments);
    same(parallel.centroids, single.centroids);
    same(parallel.sizes, single.sizes);
    expect(parallel.inertia).toBe(single.inertia);
    const three = await withWorkerPool(3, (other) =>
      twoLevelKmeansInParallel(data, d, options, other, 1000),
    );
    same(three.assignments, single.assignments);
  });

  it('the hierarchy matches buildHierarchy', async () => {
    const d = 16;
    const data = points(1200, d, 3);
    const single = buildHierarchy(data, d, { seed: 9 });
    const parallel = await buildHierarchyInParallel(data, d, { seed: 9 }, pool);
    same(parallel.assignments, single.assignments);
    parallel.levels.forEach((level, l) => {
      same(level.centroids, single.levels[l]!.centroids);
      same(level.parents, single.levels[l]!.parents);
    });
  });

  it('embeds the same vectors as embedSync', async () => {
    const words = ['refund', 'card', 'transfer', 'pin', 'balance', 'fee', 'exchange', 'rate'];
    const random = seededRandom(2);
    const texts = Array.from({ length: 700 }, () =>
      Array.from({ length: 6 }, () => words[Math.floor(random() * words.length)]).join(' '),
    );
    const embedder = OfflineEmbedder.fit(texts);
    const single = embedder.embedSync(texts);
    const parallel = await embedInParallel(embedder, texts, pool, 64);
    expect(parallel).toHaveLength(texts.length);
    parallel.forEach((vector, i) => same(vector, single[i]!));
  });

  it('shares packed rows with the workers without copying them', () => {
    const rows = [Float32Array.of(1, 2), Float32Array.of(3, 4)];
    const shared = packRows(rows, 2, true);
    expect(shared.buffer).toBeInstanceOf(SharedArrayBuffer);
    same(shared, [1, 2, 3, 4]);
    expect(toShared(shared)).toBe(shared);
    const copy = toShared(packRows(rows, 2));
    expect(copy.buffer).toBeInstanceOf(SharedArrayBuffer);
    same(copy, [1, 2, 3, 4]);
  });

  it('reports a failing task as an error and keeps working', async () => {
    await expect(pool.run({ kind: 'embed', key: 'never-loaded', texts: ['x'] })).rejects.toThrow(
      /no embedder loaded/,
    );
    const d = 8;
    const data = points(400, d, 1);
    const again = await twoLevelKmeansInParallel(data, d, { k: 20, seed: 1 }, pool, 100);
    same(again.assignments, twoLevelKmeans(data, d, { k: 20, seed: 1 }).assignments);
  });
});
