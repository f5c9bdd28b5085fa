import { describe, expect, it } from 'vitest';
import { adjustedRandIndex } from '../metrics/clustering-metrics';
import { gaussianRandom, seededRandom } from '../random/seeded-random';
import { assignToNearest, kmeans } from './kmeans';
import { allocate, clusterBaseLevel, twoLevelKmeans } from './two-level-kmeans';
import { normalizeRows } from './vector-math';

/** `blobs` tight groups around random unit centres, `perBlob` points each, unit length. */
function blobs(count: number, perBlob: number, d: number, noise: number, seed: number) {
  const gaussian = gaussianRandom(seededRandom(seed));
  const centres = normalizeRows(
    Float32Array.from({ length: count * d }, () => gaussian()),
    d,
  );
  const data = new Float32Array(count * perBlob * d);
  const labels: number[] = [];
  for (let b = 0; b < count; b++) {
    for (let p = 0; p < perBlob; p++) {
      const row = b * perBlob + p;
      for (let j = 0; j < d; j++) data[row * d + j] = centres[b * d + j]! + noise * gaussian();
      labels.push(b);
    }
  }
  return { data: normalizeRows(data, d), labels };
}

describe('kmeans', () => {
  it('recovers well-separated blobs exactly', () => {
    const { data, labels } = blobs(6, 50, 16, 0.05, 3);
    for (const metric of ['cosine', 'euclidean'] as const) {
      const result = kmeans(data, 16, { k: 6, seed: 1, metric });
      expect(adjustedRandIndex(labels, result.assignments)).toBeGreaterThan(0.99);
      expect(result.converged).toBe(true);
      expect(Array.from(result.sizes).sort()).toEqual([50, 50, 50, 50, 50, 50]);
    }
  });

  it('is reproducible with the same seed and returns unit centroids for cosine', () => {
    const { data } = blobs(10, 30, 24, 0.4, 5);
    const a = kmeans(data, 24, { k: 8, seed: 11 });
    const b = kmeans(data, 24, { k: 8, seed: 11 });
    expect(Array.from(a.assignments)).toEqual(Array.from(b.assignments));
    expect(Array.from(a.centroids)).toEqual(Array.from(b.centroids));
    expect(a.inertia).toBe(b.inertia);
    for (let c = 0; c < 8; c++) {
      const row = a.centroids.subarray(c * 24, c * 24 + 24);
      expect(Math.hypot(...row)).toBeCloseTo(1, 5);
    }
  });

  it('finds a local optimum: every point sits at its nearest centroid', () => {
    const { data } = blobs(12, 25, 8, 0.6, 9); // overlapping blobs, many iterations
    const result = kmeans(data, 8, { k: 12, seed: 2, metric: 'euclidean', tolerance: 0 });
    // Hamerly's pruning changes the work, not the answer: compare with brute-force nearest.
    expect(bruteForceNearest(data, 8, result.centroids)).toEqual(Array.from(result.assignments));
    const nearest = assignToNearest(data, 8, result.centroids);
    expect(Array.from(nearest.assignments)).toEqual(Array.from(result.assignments));
  });

  it("Elkan's and Hamerly's bounds give the same clustering as each other", () => {
    const { data } = blobs(12, 40, 32, 0.8, 13); // heavy overlap: many points change cluster
    for (const metric of ['cosine', 'euclidean'] as const) {
      const elkan = kmeans(data, 32, { k: 20, seed: 4, metric, bounds: 'elkan' });
      const hamerly = kmeans(data, 32, { k: 20, seed: 4, metric, bounds: 'hamerly' });
      expect(elkan.iterations).toBeGreaterThan(3);
      expect(Array.from(elkan.assignments)).toEqual(Array.from(hamerly.assignments));
      expect(elkan.iterations).toBe(hamerly.iterations);
      expect(elkan.inertia).toBeCloseTo(hamerly.inertia, 9);
      expect(bruteForceNearest(data, 32, elkan.centroids)).toEqual(Array.from(elkan.assignments));
    }
  });

  it('refills empty clusters: duplicates still give k non-empty clusters', () => {
    const data = new Float32Array(20 * 4);
    for (let i = 0; i < 20; i++) data.set(i < 18 ? [1, 0, 0, 0] : [0, 1, 0, 0], i * 4);
    for (const bounds of ['elkan', 'hamerly'] as const) {
      const result = kmeans(data, 4, { k: 4, seed: 1, bounds });
      expect(result.sizes.every((s) => s > 0)).toBe(true);
      expect(new Set(result.assignments).size).toBe(4);
    }
  });

  it('honours weights: a weighted mean for the Euclidean metric', () => {
    const data = Float32Array.from([0, 0, 4, 0]);
    const result = kmeans(data, 2, { k: 1, metric: 'euclidean', weights: [3, 1] });
    expect(Array.from(result.centroids)).toEqual([1, 0]);
    expect(result.sizes[0]).toBe(4);
    expect(result.inertia).toBeCloseTo(3 * 1 + 1 * 9, 9);
  });

  it('rejects bad shapes and k', () => {
    expect(() => kmeans(new Float32Array(10), 3, { k: 1 })).toThrow(RangeError);
    expect(() => kmeans(new Float32Array(6), 3, { k: 3 })).toThrow(RangeError);
    expect(() => kmeans(new Float32Array(6), 3, { k: 0 })).toThrow(RangeError);
  });
});

describe('two-level k-means', () => {
  it('splits k over coarse groups in proportion, at least one each', () => {
    expect(allocate(10, [50, 30, 20])).toEqual([5, 3, 2]);
    expect(allocate(4, [100, 1, 1, 1])).toEqual([1, 1, 1, 1]);
    expect(allocate(7, [10, 10, 1]).reduce((a, b) => a + b, 0)).toBe(7);
    expect(allocate(7, [10, 10, 1])[2]).toBe(1);
  });

  it('returns k clusters that recover separated blobs, reproducibly', () => {
    const { data, labels } = blobs(24, 40, 32, 0.05, 4);
    const a = twoLevelKmeans(data, 32, { k: 24, seed: 3 });
    expect(a.k).toBe(24);
    expect(new Set(a.assignments).size).toBe(24);
    expect(adjustedRandIndex(labels, a.assignments)).toBeGreaterThan(0.9);
    const b = twoLevelKmeans(data, 32, { k: 24, seed: 3 });
    expect(Array.from(b.assignments)).toEqual(Array.from(a.assignments));
  });

  it('clusterBaseLevel stays flat for small problems', () => {
    const { data } = blobs(5, 20, 8, 0.05, 6);
    const flat = kmeans(data, 8, { k: 5, seed: 1 });
    const auto = clusterBaseLevel(data, 8, { k: 5, seed: 1 });
    expect(Array.from(auto.assignments)).toEqual(Array.from(flat.assignments));
  });
});

/** Nearest centroid of every point by plain squared Euclidean distance. */
function bruteForceNearest(data: Float32Array, d: number, centroids: Float32Array): number[] {
  const n = data.length / d;
  const k = centroids.length / d;
  return Array.from({ length: n }, (_, i) => {
    let best = -1;
    let bestDist = Infinity;
    for (let c = 0; c < k; c++) {
      let dist = 0;
      for (let j = 0; j < d; j++) dist += (data[i * d + j]! - centroids[c * d + j]!) ** 2;
      if (dist < bestDist) {
        bestDist = dist;
        best = c;
      }
    }
    return best;
  });
}
