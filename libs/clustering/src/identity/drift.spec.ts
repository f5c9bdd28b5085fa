import { describe, expect, it } from 'vitest';
import { assignNearest, driftShare } from './drift';

const unit = (...xs: number[]) => {
  const n = Math.hypot(...xs);
  return Float32Array.from(xs.map((x) => x / n));
};

describe('driftShare', () => {
  it('counts assignments strictly farther than the threshold', () => {
    expect(driftShare([0.1, 0.2, 0.3, 0.4], 0.25)).toBe(0.5);
    expect(driftShare([0.25, 0.25], 0.25)).toBe(0);
    expect(driftShare([], 0.25)).toBe(0);
    expect(() => driftShare([Number.NaN], 0.1)).toThrow(RangeError);
  });
});

describe('assignNearest', () => {
  it('picks the most similar centroid by dot product, lowest index on ties', () => {
    const centroids = [unit(1, 0, 0), unit(0, 1, 0), unit(0, 1, 0)];
    const result = assignNearest([unit(0.9, 0.1, 0), unit(0.1, 0.9, 0), unit(0, 0, 1)], centroids);
    expect(result.map((r) => r.index)).toEqual([0, 1, 0]);
    expect(result[0]!.similarity).toBeCloseTo(0.9 / Math.hypot(0.9, 0.1), 6);
    expect(result[2]!.similarity).toBeCloseTo(0, 6);
    // Distances from the assignment feed driftShare.
    expect(
      driftShare(
        result.map((r) => 1 - r.similarity),
        0.5,
      ),
    ).toBeCloseTo(1 / 3, 9);
  });

  it('checks dimensions and needs a centroid', () => {
    expect(() => assignNearest([unit(1, 0)], [])).toThrow(RangeError);
    expect(() => assignNearest([unit(1, 0)], [unit(1, 0, 0)])).toThrow(RangeError);
    expect(assignNearest([], [])).toEqual([]);
  });
});
