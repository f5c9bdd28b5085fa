/**
 * `npm run bench -- dp-sampler [--samples 200000]`
 *
 * The exact discrete Gaussian sampler: microseconds a sample for the σ a release uses, by the
 * bigint reference and by the number path every release takes, in one run (compare the ratio).
 */
import {
  CryptoUniformSource,
  DiscreteGaussianNoise,
  rationalVariance,
  sampleDiscreteGaussian,
} from '@silhouette/privacy';
import { machine } from './common';

const SIGMAS = [1, 3, 10, 40, 120, 480];

function microsecondsPerSample(samples: number, draw: () => unknown): number {
  for (let i = 0; i < 1_000; i++) draw(); // warm-up
  const start = performance.now();
  for (let i = 0; i < samples; i++) draw();
  return ((performance.now() - start) * 1_000) / samples;
}

export async function main(args: string[]): Promise<void> {
  const samplesArg = args.includes('--samples') ? args[args.indexOf('--samples') + 1] : undefined;
  const samples = Number(samplesArg ?? 200_000);
  if (!Number.isSafeInteger(samples) || samples < 1)
    throw new Error(`--samples must be a positive integer, got ${samplesArg}`);
  const source = new CryptoUniformSource();
  const noise = new DiscreteGaussianNoise(source);
  console.log(`machine: ${machine()}`);
  console.log(`command: npm run bench -- dp-sampler --samples ${samples}`);
  console.log('| σ | bigint reference (µs a sample) | number path (µs a sample) | speed-up |');
  console.log('|---:|---:|---:|---:|');
  for (const sigma of SIGMAS) {
    const variance = rationalVariance(sigma);
    const reference = microsecondsPerSample(samples, () =>
      sampleDiscreteGaussian(source, variance),
    );
    const fast = microsecondsPerSample(samples, () => noise.sample(sigma));
    console.log(
      `| ${sigma} | ${reference.toFixed(2)} | ${fast.toFixed(2)} | ${(reference / fast).toFixed(1)}× |`,
    );
  }
}
