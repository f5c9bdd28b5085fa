/**
 * Exact samplers for the discrete Gaussian and discrete Laplace distributions over the integers,
 * following Canonne, Kamath and Steinke, "The Discrete Gaussian for Differential Privacy"
 * (NeurIPS 2020), Algorithms 1-3. Every probability is a ratio of integers (bigint) and every coin
 * is an exactly uniform draw from the system CSPRNG, so no floating-point rounding can leak the
 * noiseless value (Mironov 2012 shows how textbook floating-point Laplace noise does).
 *
 * The variance parameter is a rational p/q: `rationalVariance` rounds a requested σ² UP to a
 * multiple of 2^-20, so the noise actually added is never smaller than the accountant assumed.
 */
import { CryptoUniformSource, type UniformSource } from './crypto-random';

/** σ² as an exact fraction. */
export interface RationalVariance {
  p: bigint;
  q: bigint;
}

const VARIANCE_SCALE = 1 << 20;

/**
 * σ² rounded up to a multiple of 2^-20 while that stays exact in a double, else up to a whole
 * number (very wide noise, where a fraction of a unit of variance does not matter).
 */
export function rationalVariance(sigma: number): RationalVariance {
  if (!Number.isFinite(sigma) || sigma <= 0)
    throw new RangeError(`sigma must be > 0, got ${sigma}`);
  const scaled = Math.ceil(sigma * sigma * VARIANCE_SCALE);
  if (Number.isSafeInteger(scaled)) return { p: BigInt(scaled), q: BigInt(VARIANCE_SCALE) };
  return { p: BigInt(Math.ceil(sigma * sigma)) + 1n, q: 1n };
}

/** The standard deviation a rational variance stands for (for accounting and intervals). */
export function varianceValue(variance: RationalVariance): number {
  return Number(variance.p) / Number(variance.q);
}

function bernoulli(source: UniformSource, numerator: bigint, denominator: bigint): boolean {
  return source.belowBig(denominator) < numerator;
}

/** Bernoulli(exp(-n/d)) for 0 ≤ n/d ≤ 1 (CKS Algorithm 1, first part). */
function bernoulliExpAtMostOne(source: UniformSource, n: bigint, d: bigint): boolean {
  let k = 1n;
  while (bernoulli(source, n, d * k)) k++;
  return k % 2n === 1n;
}

/** Bernoulli(exp(-n/d)) for any n/d ≥ 0 (CKS Algorithm 1). */
export function bernoulliExp(source: UniformSource, n: bigint, d: bigint): boolean {
  if (n < 0n || d <= 0n) throw new RangeError('bernoulliExp needs n ≥ 0 and d > 0');
  if (n <= d) return bernoulliExpAtMostOne(source, n, d);
  const whole = n / d;
  for (let i = 0n; i < whole; i++) if (!bernoulliExpAtMostOne(source, 1n, 1n)) return false;
  return bernoulliExpAtMostOne(source, n - whole * d, d);
}

/** Discrete Laplace with scale t: P[x] ∝ exp(-|x|/t) (CKS Algorithm 2 with s = 1). */
export function sampleDiscreteLaplace(source: UniformSource, t: bigint): bigint {
  if (t < 1n) throw new RangeError('the discrete Laplace scale must be a positive integer');
  for (;;) {
    const u = source.belowBig(t);
    if (!bernoulliExp(source, u, t)) continue;
    let v = 0n;
    while (bernoulliExp(source, 1n, 1n)) v++;
    const magnitude = u + t * v;
    const negative = source.below(2) === 1;
    if (negative && magnitude === 0n) continue;
    return negative ? -magnitude : magnitude;
  }
}

/** floor(sqrt(n)) for a non-negative bigint. */
function integerSqrt(n: bigint): bigint {
  if (n < 2n) return n;
  let x = BigInt(Math.floor(Math.sqrt(Number(n))));
  while (x * x > n) x--;
  while ((x + 1n) * (x + 1n) <= n) x++;
  return x;
}

/** Discrete Gaussian with variance parameter σ² = p/q: P[x] ∝ exp(-x²/(2σ²)) (CKS Algorithm 3). */
export function sampleDiscreteGaussian(source: UniformSource, variance: RationalVariance): bigint {
  const { p, q } = variance;
  if (p <= 0n || q <= 0n) throw new RangeError('the variance must be positive');
  const t = integerSqrt(p / q) + 1n;
  for (;;) {
    const y = sampleDiscreteLaplace(source, t);
    const magnitude = y < 0n ? -y : y;
    // Accept with probability exp(-(|y| - σ²/t)² / (2σ²)) = exp(-(|y|qt - p)² / (2pqt²)).
    const gap = magnitude * q * t - p;
    if (bernoulliExp(source, gap * gap, 2n * p * q * t * t)) return y;
  }
}

/** Draws noise for integer figures; one per process is enough (the source is buffered). */
export class DiscreteGaussianNoise {
  constructor(private readonly source: UniformSource = new CryptoUniformSource()) {}

  /** One sample with standard-deviation parameter `sigma` (variance rounded up, see header). */
  sample(sigma: number): number {
    return Number(sampleDiscreteGaussian(this.source, rationalVariance(sigma)));
  }

  /** `value` plus discrete Gaussian noise; `value` must be an integer. */
  add(value: number, sigma: number): number {
    if (!Number.isSafeInteger(value))
      throw new RangeError(`value must be an integer, got ${value}`);
    return value + this.sample(sigma);
  }
}

/**
 * The exact probability mass of the discrete Gaussian at x (for tests and tail bounds), computed
 * in floating point over a window of ±(12σ + 10), beyond which the mass is below 1e-30.
 */
export function discreteGaussianPmf(sigma: number, x: number): number {
  const reach = Math.ceil(12 * sigma + 10);
  let normaliser = 0;
  for (let k = -reach; k <= reach; k++) normaliser += Math.exp((-k * k) / (2 * sigma * sigma));
  return Math.exp((-x * x) / (2 * sigma * sigma)) / normaliser;
}
