import { describe, expect, it } from 'vitest';
import { bootstrapInterval, normalQuantile } from './bootstrap';
import { mulberry32 } from './seeded-random';

/** Standard normal draws (Box–Muller) from a seeded stream. */
function normals(n: number, seed: number, mean = 0, sd = 1): number[] {
  const u = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const r = Math.sqrt(-2 * Math.log(1 - u()));
    return mean + sd * r * Math.cos(2 * Math.PI * u());
  });
}

/** Exponential draws: skewed like minutes saved. */
function exponentials(n: number, seed: number, mean: number): number[] {
  const u = mulberry32(seed);
  return Array.from({ length: n }, () => -mean * Math.log(1 - u()));
}

describe('normalQuantile', () => {
  it('matches known quantiles', () => {
    expect(normalQuantile(0.5)).toBeCloseTo(0, 9);
    expect(normalQuantile(0.95)).toBeCloseTo(1.6448536, 6);
    expect(normalQuantile(0.975)).toBeCloseTo(1.959964, 6);
    expect(normalQuantile(0.005)).toBeCloseTo(-2.5758293, 6);
    expect(() => normalQuantile(0)).toThrow(RangeError);
    expect(() => normalQuantile(1)).toThrow(RangeError);
  });
});

describe('bootstrapInterval: honest degenerate cases', () => {
  it('n = 0 returns zeros and says the data were empty', () => {
    expect(bootstrapInterval([], { statistic: 'mean' })).toEqual({
      estimate: 0,
      low: 0,
      high: 0,
      n: 0,
      method: 'empty',
    });
    expect(bootstrapInterval([], { statistic: 'sum' }).method).toBe('empty');
  });

  it('n = 1 and constant data collapse to the estimate and say so', () => {
    expect(bootstrapInterval([7], { statistic: 'mean' })).toEqual({
      estimate: 7,
      low: 7,
      high: 7,
      n: 1,
      method: 'degenerate',
    });
    expect(bootstrapInterval([3, 3, 3, 3], { statistic: 'sum' })).toEqual({
      estimate: 12,
      low: 12,
      high: 12,
      n: 4,
      method: 'degenerate',
    });
  });
});

describe('bootstrapInterval: the interval', () => {
  const data = exponentials(200, 3, 12);

  it('brackets the estimate and stays inside the data range', () => {
    const r = bootstrapInterval(data, { statistic: 'mean' });
    expect(r.method).toBe('bootstrap');
    expect(r.low).toBeLessThan(r.estimate);
    expect(r.high).toBeGreaterThan(r.estimate);
    expect(r.low).toBeGreaterThanOrEqual(Math.min(...data));
    expect(r.high).toBeLessThanOrEqual(Math.max(...data));
    // Near the analytic SE of an exponential mean (sd ≈ mean): 1.645 × 12 / √200 ≈ 1.40.
    expect((r.high - r.low) / 2).toBeGreaterThan(0.9);
    expect((r.high - r.low) / 2).toBeLessThan(2.1);
  });

  it('is reproducible with a seed and changes with another seed', () => {
    const a = bootstrapInterval(data, { statistic: 'mean', seed: 11 });
    expect(bootstrapInterval(data, { statistic: 'mean', seed: 11 })).toEqual(a);
    expect(bootstrapInterval(data, { statistic: 'mean', seed: 12 })).not.toEqual(a);
  });

  it('gives the sum as n × the mean interval', () => {
    const mean = bootstrapInterval(data, { statistic: 'mean', seed: 4 });
    const total = bootstrapInterval(data, { statistic: 'sum', seed: 4 });
    expect(total.estimate).toBeCloseTo(mean.estimate * data.length, 8);
    expect(total.low).toBeCloseTo(mean.low * data.length, 8);
    expect(total.high).toBeCloseTo(mean.high * data.length, 8);
  });

  it('widens with confidence', () => {
    const narrow = bootstrapInterval(data, { statistic: 'mean', confidence: 0.5 });
    const wide = bootstrapInterval(data, { statistic: 'mean', confidence: 0.99 });
    expect(wide.high - wide.low).toBeGreaterThan(narrow.high - narrow.low);
  });

  it('covers the true mean about as often as it claims', () => {
    const trials = 300;
    let covered = 0;
    for (let t = 0; t < trials; t++) {
      const sample = normals(40, 1000 + t, 10, 3);
      const r = bootstrapInterval(sample, { statistic: 'mean', iterations: 500, seed: t + 1 });
      if (r.low <= 10 && 10 <= r.high) covered++;
    }
    // Nominal 90%; the percentile bootstrap runs slightly short at n = 40.
    expect(covered / trials).toBeGreaterThan(0.83);
    expect(covered / trials).toBeLessThan(0.95);
  });

  it('switches to the normal approximation above the threshold, agreeing with the bootstrap', () => {
    const big = exponentials(6000, 8, 12);
    const normal = bootstrapInterval(big, { statistic: 'mean' });
    expect(normal.method).toBe('normal');
    const exact = bootstrapInterval(big, { statistic: 'mean', normalAbove: 10_000 });
    expect(exact.method).toBe('bootstrap');
    const width = normal.high - normal.low;
    expect(Math.abs(exact.low - normal.low)).toBeLessThan(0.06 * width);
    expect(Math.abs(exact.high - normal.high)).toBeLessThan(0.06 * width);
    const sum = bootstrapInterval(big, { statistic: 'sum' });
    expect(sum.low).toBeCloseTo(normal.low * big.length, 6);
  });

  it('is fast enough for n = 5,000 with 2,000 resamples', () => {
    const values = exponentials(5000, 1, 10);
    const started = performance.now();
    const r = bootstrapInterval(values, { statistic: 'mean' });
    expect(r.method).toBe('bootstrap');
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('rejects bad input', () => {
    expect(() => bootstrapInterval([1, Number.NaN], { statistic: 'mean' })).toThrow(/values\[1\]/);
    expect(() => bootstrapInterval([1, 2], { statistic: 'median' as 'mean' })).toThrow(RangeError);
    expect(() => bootstrapInterval([1, 2], { statistic: 'mean', iterations: 0 })).toThrow(
      RangeError,
    );
    expect(() => bootstrapInterval([1, 2], { statistic: 'mean', confidence: 1 })).toThrow(
      RangeError,
    );
    expect(() => bootstrapInterval([1, 2], { statistic: 'mean', confidence: 0 })).toThrow(
      RangeError,
    );
  });
});
