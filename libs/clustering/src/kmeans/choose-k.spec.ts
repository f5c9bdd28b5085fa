import { describe, expect, it } from 'vitest';
import { chooseK } from './choose-k';

describe('chooseK', () => {
  it('aims at ~30 items per cluster', () => {
    expect(chooseK(3_000)).toBe(100);
    expect(chooseK(100_000)).toBe(3_333);
    expect(chooseK(1_000_000)).toBe(33_333);
  });

  it('keeps the average cluster size within [minPerCluster, maxPerCluster]', () => {
    for (const n of [10, 57, 300, 999, 12_345, 250_000]) {
      const k = chooseK(n);
      expect(n / k).toBeGreaterThanOrEqual(10);
      expect(n / k).toBeLessThanOrEqual(100);
    }
    // A target outside the bounds is clamped to them.
    expect(chooseK(1_000, { target: 30, minPerCluster: 30, maxPerCluster: 40 })).toBe(33);
    expect(chooseK(1_000, { target: 100, minPerCluster: 10, maxPerCluster: 100 })).toBe(10);
  });

  it('returns 1 for tiny inputs and 0 for none', () => {
    expect(chooseK(0)).toBe(0);
    expect(chooseK(1)).toBe(1);
    expect(chooseK(9)).toBe(1);
  });

  it('rejects inconsistent options and bad n', () => {
    expect(() => chooseK(100, { minPerCluster: 50, target: 30 })).toThrow(RangeError);
    expect(() => chooseK(-1)).toThrow(RangeError);
    expect(() => chooseK(1.5)).toThrow(RangeError);
  });
});
