import { describe, expect, it } from 'vitest';
import { seededRandom } from '../random/seeded-random';
import { nearestCentroidsByCosine } from './nearest-centroid';
import { cosineSimilarity } from './vector-math';

/** Points around `centres` random directions, in groups of nearby centroids (like a tree). */
function clustered(rows: number, centres: number, d: number, seed: number): Float32Array {
  const random = seededRandom(seed);
  const gaussian = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const means = Array.from({ length: centres }, () => Array.from({ length: d }, gaussian));
  const out = new Float32Array(rows * d);
  for (let i = 0; i < rows; i++) {
    const mean = means[i % centres]!;
    for (let t = 0; t < d; t++) out[i * d + t] = mean[t]! + 0.4 * gaussian();
  }
  return out;
}

function bruteForce(vectors: Float32Array, centroids: Float32Array, d: number) {
  const n = vectors.length / d;
  const k = centroids.length / d;
  const index: number[] = [];
  const similarity: number[] = [];
  for (let i = 0; i < n; i++) {
    let best = -1;
    let bestSim = -Infinity;
    for (let j = 0; j < k; j++) {
      const sim = cosineSimilarity(
        vectors.subarray(i * d, (i + 1) * d),
        centroids.subarray(j * d, (j + 1) * d),
      );
      if (sim > bestSim) [best, bestSim] = [j, sim];
    }
    index.push(best);
    similarity.push(bestSim);
  }
  return { index, similarity };
}

describe('nearestCentroidsByCosine', () => {
  const d = 24;
  // 300 centroids in 30 groups of 10 nearby ones (centroid j belongs to group j % 30).
  const centroids = clustered(300, 30, d, 1);
  const groupOf = Array.from({ length: 300 }, (_, j) => j % 30);
  const vectors = clustered(500, 30, d, 2);

  it('finds the same centroid as scanning all of them, grouped or not', () => {
    const expected = bruteForce(vectors, centroids, d);
    for (const groups of [groupOf, undefined]) {
      const found = nearestCentroidsByCosine(vectors, centroids, d, groups);
      expect([...found.index]).toEqual(expected.index);
      found.similarity.forEach((s, i) => expect(s).toBeCloseTo(expected.similarity[i]!, 5));
    }
  });

  it('is exact even when the groups are unrelated to where the centroids lie', () => {
    const random = seededRandom(7);
    const scattered = Array.from({ length: 300 }, () => Math.floor(random() * 40));
    const found = nearestCentroidsByCosine(vectors, centroids, d, scattered);
    expect([...found.index]).toEqual(bruteForce(vectors, centroids, d).index);
  });

  it('breaks a tie by weight, whatever the order or grouping of the tied centroids', () => {
    // Centroids 1 and 3 are the same vector up to rounding (a cluster split off its twin);
    // centroid 0 is a little less similar, centroid 2 points elsewhere.
    const tie = new Float32Array([0.9, 0.1, 0, 1, 0, 0, 0, 1, 0, 1, 1e-7, 0]);
    const query = new Float32Array([1, 0, 0]);
    for (const groups of [undefined, [0, 0, 1, 1], [0, 1, 0, 1]]) {
      expect(nearestCentroidsByCosine(query, tie, 3, groups).index[0]).toBe(1);
      expect(nearestCentroidsByCosine(query, tie, 3, groups, [50, 1, 9, 39]).index[0]).toBe(3);
      expect(nearestCentroidsByCosine(query, tie, 3, groups, [1, 39, 9, 1]).index[0]).toBe(1);
      // Weight never beats a clearly closer centroid.
      expect(nearestCentroidsByCosine(query, tie, 3, groups, [50, 1, 90, 1]).index[0]).toBe(1);
    }
    const found = nearestCentroidsByCosine(query, tie, 3, undefined, [1, 1, 1, 39]);
    expect(found.similarity[0]).toBeCloseTo(1, 6);
  });

  it('rejects a group list of the wrong length and rows that do not fit the dimension', () => {
    expect(() => nearestCentroidsByCosine(vectors, centroids, d, [0, 1])).toThrow(/one group/);
    expect(() => nearestCentroidsByCosine(vectors, centroids, d, undefined, [1])).toThrow(
      /one weight/,
    );
    expect(() => nearestCentroidsByCosine(new Float32Array(5), centroids, d)).toThrow(
      /dimension 24/,
    );
  });
});
