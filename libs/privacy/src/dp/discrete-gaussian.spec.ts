import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CryptoUniformSource, type UniformSource } from './crypto-random';
import {
  bernoulliExp,
  DiscreteGaussianNoise,
  discreteGaussianPmf,
  discreteGaussianSampler,
  rationalVariance,
  sampleDiscreteGaussian,
  sampleDiscreteLaplace,
  varianceValue,
  type RationalVariance,
} from './discrete-gaussian';

const source = new CryptoUniformSource();

/** The same byte stream for every source made with the same seed (SHA-256 in counter mode). */
function replayable(seed: string): CryptoUniformSource {
  let counter = 0;
  return new CryptoUniformSource((block) => {
    for (let offset = 0; offset < block.length; offset += 32)
      createHash('sha256').update(`${seed}:${counter++}`).digest().copy(block, offset);
  });
}

/** Upper critical value of chi-square with `df` degrees of freedom at p = 1e-4 (Wilson–Hilferty). */
function chiSquareCritical(df: number): number {
  const z = 3.719;
  const a = 2 / (9 * df);
  return df * (1 - a + z * Math.sqrt(a)) ** 3;
}

/**
 * Pearson's chi-square of observed integer samples against a pmf: one bin per value whose expected
 * count is ≥ 5, the two tails pooled into one bin each.
 */
function chiSquare(samples: readonly number[], pmf: (x: number) => number) {
  const n = samples.length;
  const counts = new Map<number, number>();
  for (const x of samples) counts.set(x, (counts.get(x) ?? 0) + 1);
  let low = 0;
  while (n * pmf(low - 1) >= 5) low--;
  let high = 0;
  while (n * pmf(high + 1) >= 5) high++;
  let statistic = 0;
  let bins = 0;
  let lowMass = 0;
  for (let x = low - 1; n * pmf(x) > 1e-12 * n || x > low - 50; x--) lowMass += pmf(x);
  const observedBelow = samples.filter((x) => x < low).length;
  const observedAbove = samples.filter((x) => x > high).length;
  for (let x = low; x <= high; x++) {
    const expected = n * pmf(x);
    const observed = counts.get(x) ?? 0;
    statistic += (observed - expected) ** 2 / expected;
    bins++;
  }
  const tail = lowMass; // symmetric distributions: the upper tail has the same mass
  if (n * tail >= 5) {
    statistic += (observedBelow - n * tail) ** 2 / (n * tail);
    statistic += (observedAbove - n * tail) ** 2 / (n * tail);
    bins += 2;
  }
  return { statistic, df: bins - 1 };
}

describe('discrete Gaussian sampler (CKS 2020, Algorithm 3)', () => {
  it.each([0.5, 1, 3, 10.5])('matches the exact pmf at σ = %s (chi-square, p = 1e-4)', (sigma) => {
    const variance = rationalVariance(sigma);
    expect(varianceValue(variance)).toBe(sigma * sigma); // exact for these σ
    const samples = Array.from({ length: 20_000 }, () =>
      Number(sampleDiscreteGaussian(source, variance)),
    );
    const { statistic, df } = chiSquare(samples, (x) => discreteGaussianPmf(sigma, x));
    expect(df).toBeGreaterThanOrEqual(2);
    expect(statistic).toBeLessThan(chiSquareCritical(df));
    const mean = samples.reduce((a, b) => a + b, 0) / samples.length;
    expect(Math.abs(mean)).toBeLessThan((5 * sigma) / Math.sqrt(samples.length) + 0.01);
  });

  it.each([1, 10.5, 120])('the number path matches the pmf at σ = %s too', (sigma) => {
    const noise = new DiscreteGaussianNoise(source);
    const samples = Array.from({ length: 20_000 }, () => noise.sample(sigma));
    const { statistic, df } = chiSquare(samples, (x) => discreteGaussianPmf(sigma, x));
    expect(statistic).toBeLessThan(chiSquareCritical(df));
  });

  it('the number path draws exactly what the bigint reference draws from the same bytes', () => {
    const replay = (
      seed: string,
      variance: RationalVariance,
      draw: (s: UniformSource) => number,
    ) => {
      const fast = replayable(seed);
      const reference = replayable(seed);
      const drawn = Array.from({ length: 2_000 }, () => draw(fast));
      const expected = Array.from({ length: 2_000 }, () =>
        Number(sampleDiscreteGaussian(reference, variance)),
      );
      expect(drawn).toEqual(expected);
    };
    // The σ releases use, from the finest grid to past the number path's reach.
    for (const sigma of [0.5, 1, Math.PI, 7.9, 8.3, 10.5, 37.2, 120, 499, 2_000, 5_000]) {
      const noise = new DiscreteGaussianNoise(replayable(`σ=${sigma}`));
      replay(`σ=${sigma}`, rationalVariance(sigma), () => noise.sample(sigma));
    }
    // Denominators just below 2^53, without the headroom: the number path hands many steps to the
    // bigint code (d·k or the squared gap reaching 2^53), and those draws must line up too.
    for (const variance of [
      { p: 100n * 2n ** 19n + 777n, q: 2n ** 19n },
      { p: 9n * 2n ** 22n + 5n, q: 2n ** 22n },
    ]) {
      const sampler = discreteGaussianSampler(variance);
      replay(`near 2^53: ${variance.p}/${variance.q}`, variance, sampler);
    }
    // And the replay can tell samplers apart: another seed draws other integers.
    const other = new DiscreteGaussianNoise(replayable('another seed'));
    const first = new DiscreteGaussianNoise(replayable('σ=120'));
    const a = Array.from({ length: 50 }, () => first.sample(120));
    const b = Array.from({ length: 50 }, () => other.sample(120));
    expect(a).not.toEqual(b);
  });

  it('the same test rejects a sampler of the wrong scale (the check can fail)', () => {
    const samples = Array.from({ length: 20_000 }, () =>
      Number(sampleDiscreteGaussian(source, rationalVariance(3))),
    );
    const { statistic, df } = chiSquare(samples, (x) => discreteGaussianPmf(3.5, x));
    expect(statistic).toBeGreaterThan(chiSquareCritical(df));
  });

  it('rounds the variance up, never down', () => {
    const variance = rationalVariance(Math.PI);
    expect(varianceValue(variance)).toBeGreaterThanOrEqual(Math.PI * Math.PI);
    expect(varianceValue(variance) - Math.PI * Math.PI).toBeLessThan(2 ** -19);
    expect(() => rationalVariance(0)).toThrow(RangeError);
    // Wider noise takes a coarser grid (so that the number path applies), still within a part
    // in a million of σ² and never below it.
    for (const sigma of [8.3, 37.2, 120.7, 499, 2_000]) {
      const value = varianceValue(rationalVariance(sigma));
      expect(value).toBeGreaterThanOrEqual(sigma * sigma);
      expect(value - sigma * sigma).toBeLessThan(sigma * sigma * 1e-6);
    }
    // Very wide noise: whole units of variance, still never below σ².
    const wide = rationalVariance(2e5);
    expect(varianceValue(wide)).toBeGreaterThanOrEqual(4e10);
    expect(Math.abs(Number(sampleDiscreteGaussian(source, wide)))).toBeLessThan(2e6);
  });
});

describe('building blocks (CKS 2020, Algorithms 1 and 2)', () => {
  it('Bernoulli(exp(-γ)) has the right frequency for γ below and above 1', () => {
    for (const [n, d] of [
      [1n, 3n],
      [7n, 2n],
    ] as const) {
      const trials = 40_000;
      let hits = 0;
      for (let i = 0; i < trials; i++) if (bernoulliExp(source, n, d)) hits++;
      const p = Math.exp(-Number(n) / Number(d));
      const z = (hits - trials * p) / Math.sqrt(trials * p * (1 - p));
      expect(Math.abs(z)).toBeLessThan(4.5);
    }
  });

  it('discrete Laplace matches P[x] ∝ exp(-|x|/t)', () => {
    const t = 4;
    const samples = Array.from({ length: 20_000 }, () =>
      Number(sampleDiscreteLaplace(source, BigInt(t))),
    );
    const norm = (1 - Math.exp(-1 / t)) / (1 + Math.exp(-1 / t));
    const { statistic, df } = chiSquare(samples, (x) => norm * Math.exp(-Math.abs(x) / t));
    expect(statistic).toBeLessThan(chiSquareCritical(df));
  });

  it('draws exactly uniform integers of any size', () => {
    const counts = [0, 0, 0];
    for (let i = 0; i < 30_000; i++) counts[source.below(3)]!++;
    for (const count of counts) expect(Math.abs(count - 10_000)).toBeLessThan(450);
    const big = 2n ** 70n + 3n;
    for (let i = 0; i < 100; i++) {
      const value = source.belowBig(big);
      expect(value >= 0n && value < big).toBe(true);
    }
    // Both bigint paths (32-bit words below 2^32, masked bytes above), thirds of the range each
    // hit 10,000 ± 450 times in 30,000 (450 is 5.5 standard deviations).
    for (const bound of [3n * 2n ** 20n, 3n * 2n ** 40n]) {
      const thirds = [0, 0, 0];
      for (let i = 0; i < 30_000; i++) thirds[Number(source.belowBig(bound) / (bound / 3n))]!++;
      for (const count of thirds) expect(Math.abs(count - 10_000)).toBeLessThan(450);
    }
    // The number path's masked bytes above 2^32, likewise.
    const thirds = [0, 0, 0];
    for (let i = 0; i < 30_000; i++) thirds[Math.floor(source.below(3 * 2 ** 40) / 2 ** 40)]!++;
    for (const count of thirds) expect(Math.abs(count - 10_000)).toBeLessThan(450);
  });

  it('draws the same integers as a number and as a bigint from the same bytes', () => {
    for (const bound of [
      3,
      2 ** 32,
      2 ** 32 + 1,
      3 * 2 ** 40,
      2 ** 52 + 7,
      Number.MAX_SAFE_INTEGER,
    ]) {
      const numbers = replayable(`bound ${bound}`);
      const bigints = replayable(`bound ${bound}`);
      for (let i = 0; i < 500; i++) {
        const value = numbers.below(bound);
        expect(value).toBeLessThan(bound);
        expect(BigInt(value)).toBe(bigints.belowBig(BigInt(bound)));
      }
    }
  });
});
