/**
 * Uniform random integers from the operating system's CSPRNG (`node:crypto`), for the noise of
 * differentially private releases. Never `Math.random` and never a seeded generator: an observer
 * who could predict the noise could subtract it. Bytes are drawn in blocks (one system call per
 * 64 KiB) and every draw uses rejection sampling, so each integer is exactly uniform.
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

export class CryptoUniformSource implements UniformSource {
  private readonly buffer = Buffer.alloc(BLOCK);
  private offset = BLOCK;

  private byte(): number {
    if (this.offset >= BLOCK) {
      randomFillSync(this.buffer);
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
    return Number(this.belowBig(BigInt(bound)));
  }

  belowBig(bound: bigint): bigint {
    if (bound < 1n) throw new RangeError(`bound must be positive, got ${bound}`);
    if (bound === 1n) return 0n;
    // Small bounds (most of the sampler's) take the 32-bit path: no bigint arithmetic per byte.
    if (bound <= 0x1_0000_0000n) return BigInt(this.below(Number(bound)));
    // Rejection on the smallest whole number of bytes covering `bound`, masked to its bit length.
    const hex = bound.toString(16);
    const bitLength = (hex.length - 1) * 4 + (32 - Math.clz32(parseInt(hex[0]!, 16)));
    const bytes = Math.ceil(bitLength / 8);
    const mask = (1n << BigInt(bitLength)) - 1n;
    for (;;) {
      const candidate = this.bits(bytes) & mask;
      if (candidate < bound) return candidate;
    }
  }
}
