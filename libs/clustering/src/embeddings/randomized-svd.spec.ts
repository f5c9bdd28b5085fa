import { describe, expect, it } from 'vitest';
import { gaussianRandom, seededRandom } from '../random/seeded-random';
import { randomizedSvd, symmetricEigen, type SparseRows } from './randomized-svd';

function dense(rows: number[][]): SparseRows {
  return {
    columns: rows[0]!.length,
    rows: rows.map((r) => ({ indices: Int32Array.from(r.keys()), values: Float32Array.from(r) })),
  };
}

describe('symmetricEigen', () => {
  it('decomposes a known 2 × 2 matrix', () => {
    // [[2, 1], [1, 2]] has eigenvalues 3 and 1.
    const { values, vectors } = symmetricEigen(Float64Array.from([2, 1, 1, 2]), 2);
    expect([...values].sort()).toEqual([expect.closeTo(1, 10), expect.closeTo(3, 10)]);
    const top = values[0]! > values[1]! ? 0 : 1;
    expect(Math.abs(vectors[top]!)).toBeCloseTo(Math.SQRT1_2, 10);
  });
});

describe('randomizedSvd', () => {
  it('recovers the singular values of an exactly low-rank matrix', () => {
    // A = 5·u1·v1ᵀ + 2·u2·v2ᵀ with orthonormal u, v.
    const u1 = [0.5, 0.5, 0.5, 0.5];
    const u2 = [0.5, -0.5, 0.5, -0.5];
    const v1 = [0.6, 0.8, 0, 0, 0];
    const v2 = [0, 0, 1, 0, 0];
    const rows = u1.map((_, i) => v1.map((_, j) => 5 * u1[i]! * v1[j]! + 2 * u2[i]! * v2[j]!));
    const svd = randomizedSvd(dense(rows), { rank: 2, seed: 3 });
    expect(svd.singularValues[0]).toBeCloseTo(5, 5);
    expect(svd.singularValues[1]).toBeCloseTo(2, 5);
    // First right singular vector = v1 (sign fixed so the largest loading is positive).
    for (let c = 0; c < 5; c++) expect(svd.components[c * 2]).toBeCloseTo(v1[c]!, 5);
  });

  it('is deterministic for a seed', () => {
    const g = gaussianRandom(seededRandom(1));
    const rows = Array.from({ length: 30 }, () => Array.from({ length: 12 }, () => g()));
    const a = randomizedSvd(dense(rows), { rank: 4, seed: 9 });
    const b = randomizedSvd(dense(rows), { rank: 4, seed: 9 });
    expect(Array.from(a.components)).toEqual(Array.from(b.components));
    expect(a.singularValues[0]).toBeGreaterThanOrEqual(a.singularValues[3]!);
  });
});
