/**
 * Seeded pseudo-random numbers for everything that must be reproducible: bootstrap intervals,
 * candidate shuffles against LLM position bias, sampling cluster members for naming, k-means
 * seeding and random projections (libs/clustering wraps it), the scripted test server. This is
 * the one copy in the repository: it lives here because libs/privacy imports no other lib, so
 * every lib that needs it (clustering, llm) may import it without a cycle.
 * `Math.random` is never used where a result is stored or published, so that re-running a job
 * with the same inputs and seed gives byte-identical output.
 *
 * The generator is mulberry32: 32 bits of state, period 2^32, passes gjrand/PractRand far enough
 * for statistics of this size, and is a handful of integer operations per draw. It is NOT a
 * cryptographic generator: never use it for keys, tokens or pseudonymisation.
 */

/** A stream of uniform numbers in [0, 1) with helpers; the same seed gives the same stream. */
export interface SeededRandom {
  /** Uniform in [0, 1), 32 bits of resolution. */
  next(): number;
  /** Uniform integer in [0, maxExclusive); `maxExclusive` must be an integer in [1, 2^32]. */
  int(maxExclusive: number): number;
  /** Shuffles `items` in place (Fisher–Yates) and returns it. */
  shuffle<T>(items: T[]): T[];
}

const TWO_POW_32 = 4294967296;

/** Normalises any finite number to a uint32 seed; non-integers keep their fractional bits. */
function toSeed(seed: number): number {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number, got ${seed}`);
  if (Number.isInteger(seed)) return seed >>> 0;
  // Mix the float's bits so that 0.1 and 0.2 do not collapse onto the same integer seed.
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, seed);
  return (view.getUint32(0) ^ Math.imul(view.getUint32(4), 0x9e3779b1)) >>> 0;
}

/** The bare mulberry32 generator: returns a function yielding uniform numbers in [0, 1). */
export function mulberry32(seed: number): () => number {
  let state = toSeed(seed);
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / TWO_POW_32;
  };
}

/**
 * FNV-1a (32-bit, unsigned) of a string's UTF-16 code units, stable across platforms and Node
 * versions. `basis` replaces the standard offset basis to get independent hash families.
 */
export function fnv1a(text: string, basis = 0x811c9dc5): number {
  let hash = basis >>> 0;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A stable seed from an id, e.g. a cluster id: FNV-1a with the standard basis. */
export function seedFromString(text: string): number {
  return fnv1a(text);
}

/** A seeded stream with integer and shuffle helpers; accepts a number or a string seed. */
export function createSeededRandom(seed: number | string = 1): SeededRandom {
  const next = mulberry32(typeof seed === 'string' ? seedFromString(seed) : seed);
  const int = (maxExclusive: number): number => {
    if (!Number.isInteger(maxExclusive) || maxExclusive < 1 || maxExclusive > TWO_POW_32) {
      throw new RangeError(`maxExclusive must be an integer in [1, 2^32], got ${maxExclusive}`);
    }
    // floor(u * m) over 2^32 equally likely u: bias below m / 2^32, negligible for our sizes.
    return Math.floor(next() * maxExclusive);
  };
  return {
    next,
    int,
    shuffle<T>(items: T[]): T[] {
      for (let i = items.length - 1; i > 0; i--) {
        const j = int(i + 1);
        const tmp = items[i] as T;
        items[i] = items[j] as T;
        items[j] = tmp;
      }
      return items;
    },
  };
}
