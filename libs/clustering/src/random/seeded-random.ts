/**
 * Seeded pseudo-random numbers and hashing. Everything random in clustering (k-means++ seeding,
 * random projections, randomized SVD, synthetic data) goes through these so that the same seed
 * gives the same result on every machine and every run. The generator and FNV-1a are the
 * repository's single copies in libs/privacy (the lowest lib that clustering and llm both import);
 * this module keeps clustering's names and adds what only clustering uses.
 */
import { fnv1a, mulberry32 } from '@silhouette/privacy';

/** A function returning uniform numbers in [0, 1). */
export type Random = () => number;

/**
 * mulberry32: tiny, fast, good enough for sampling (not for cryptography). The seed is truncated
 * to a uint32 first, as this module always did, so fractional or NaN seeds keep their streams.
 */
export function seededRandom(seed: number): Random {
  return mulberry32(seed >>> 0);
}

/** Standard normal draws (Box-Muller), from a seeded uniform source. */
export function gaussianRandom(random: Random): Random {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const value = spare;
      spare = undefined;
      return value;
    }
    let u = 0;
    while (u === 0) u = random();
    const v = random();
    const radius = Math.sqrt(-2 * Math.log(u));
    spare = radius * Math.sin(2 * Math.PI * v);
    return radius * Math.cos(2 * Math.PI * v);
  };
}

/** FNV-1a over UTF-16 code units, 32 bit unsigned. Stable across platforms and Node versions. */
export function hashString(text: string, seed = 0x811c9dc5): number {
  return finalizeHash(fnv1a(text, seed));
}

/** murmur3's 32-bit finaliser: spreads the bits of FNV (weak in the low bits) or of an index. */
export function finalizeHash(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
