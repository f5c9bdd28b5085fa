import { describe, expect, it } from 'vitest';
import { project2d } from './project-2d';

describe('project2d', () => {
  it('spreads points along their main directions of variance, within [-1, 1], deterministically', () => {
    // Points on a line along dimension 0 (big spread) with a little spread along dimension 1.
    const points = Array.from({ length: 9 }, (_, i) =>
      Float32Array.from([i - 4, (i % 3) - 1, 0.01]),
    );
    const a = project2d(points, points);
    const b = project2d(points, points);
    expect(a).toEqual(b);
    expect(Math.max(...a.map((p) => Math.abs(p.x)))).toBeCloseTo(1);
    for (const p of a) expect(Math.abs(p.y)).toBeLessThanOrEqual(1);
    // The order along x follows dimension 0 (up to the axis' sign).
    const xs = a.map((p) => p.x);
    const increasing = xs.every((x, i) => i === 0 || x > xs[i - 1]!);
    const decreasing = xs.every((x, i) => i === 0 || x < xs[i - 1]!);
    expect(increasing || decreasing).toBe(true);
  });
});
