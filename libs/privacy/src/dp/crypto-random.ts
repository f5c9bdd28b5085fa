/**
 * Uniform random integers from the operating system's CSPRNG (`node:crypto`), for the noise of
 * differentially private releases. Never `Math.random` and never a seeded generator: an observer
 * who could predict the noise could subtract it. Bytes are drawn in blocks (one system call per
 * 64 KiB) and every draw uses rejection sampling, so each integer is exactly uniform.
 *
 * `below` and `belowBig` consume the same bytes for the same bound, so the sampler's number path
 * and its bigint reference, fed the same bytes, draw the same integers (the replay test relies on
 * it).
 */
import { randomFillSync } from 'node:crypto';

/** A source of exactly uniform integers; the DP sampler takes one so tests can count draws. */
export interface UniformSource {
  /** Uniform in [0, bound), `bound` a positive safe integer. */
  below(bound: number): number;
  /** Uniform in [0, bound), `bound` a positive bigint of any size. */
  belowBig(bound: bigint): bigint;
}

const BLOCK = 65_536;

/** Bit length of a positive bigint. */
function bitLengthOf(value: bigint): number {
  const hex = value.toString(16);
  return (hex.length - 1) * 4 + (32 - Math.clz32(parseInt(hex[0]!, 16)));
}

export class CryptoUniformSource implements UniformSource {
  private readonly buffer = Buffer.alloc(BLOCK);
  private offset = BLOCK;

  /**
   * @param fill fills a block with random bytes; only tests pass another (a replayable stream),
   *   to check that two samplers draw the same integers from the same bytes
   */
  constructor(private readonly fill: (block: Buffer) => void = randomFillSync) {}

  private byte(): number {
    if (this.offset >= BLOCK) {
      this.fill(this.buffer);
      this.offset = 0;
    }
    return this.buffer[this.offset++]!;
  }

  /** `count` random bytes as a non-negative bigint (big-endian). */
  private bits(bytes: number): bigint {
    let value = 0n;
    for (let i = 0; i < bytes; i++) value = (value << 8n) | BigInt(this.byte());
    return value;
  }

  below(bound: number): number {
    if (!Number.isSafeInteger(bound) || bound < 1)
      throw new RangeError(`bound must be a positive safe integer, got ${bound}`);
    if (bound === 1) return 0;
    if (bound <= 0x1_0000_0000) {
      // Rejection on 32-bit words: accept below the largest multiple of `bound`.
      const limit = Math.floor(0x1_0000_0000 / bound) * bound;
      for (;;) {
        const word =
          this.byte() * 0x100_0000 + ((this.byte() << 16) | (this.byte() << 8) | this.byte());
        if (word < limit) return word % bound;
      }
    }
    // Above 2^32: the masked-bytes rejection of `belowBig`, in exact double arithmetic (every
    // partial value stays below 2^53).
    const bitLength = 64 - Math.clz32(Math.floor(bound / 0x1_0000_0000));
    const bytes = Math.ceil(bitLength / 8);
    const topBits = bitLength - 8 * (bytes - 1);
    for (;;) {
      let candidate = this.byte() & ((1 << topBits) - 1);
      for (let i = 1; i < bytes; i++) candidate = candidate * 256 + this.byte();
      if (candidate < bound) return candidate;
    }
  }

  belowBig(bound: bigint): bigint {
    if (bound < 1n) throw new RangeError(`bound must be positive, got ${bound}`);
    if (bound === 1n) return 0n;
    // Small bounds (most of the sampler's) take the 32-bit path: no bigint arithmetic per byte.
    if (bound <= 0x1_0000_0000n) return BigInt(this.below(Number(bound)));
    // Rejection on the smallest whole number of bytes covering `bound`, masked to its bit length.
    const bitLength = bitLengthOf(bound);
    const bytes = Math.ceil(bitLength / 8);
    const mask = (1n << BigInt(bitLength)) - 1n;
    for (;;) {
      const candidate = this.bits(bytes) & mask;
      if (candidate < bound) return candidate;
    }
  }
}
