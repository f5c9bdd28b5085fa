import { describe, expect, it } from 'vitest';
import { createSeededRandom, mulberry32, seedFromString } from './seeded-random';

describe('mulberry32', () => {
  it('matches the reference implementation', () => {
    // The widely published mulberry32 (Tommy Ettinger), transcribed independently here.
    function reference(a: number) {
      return () => {
        a |= 0;
        a = (a + 0x6d2b79f5) | 0;
        let t = Math.imul(a ^ (a >>> 15), 1 | a);
        t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
      };
    }
    for (const seed of [0, 1, 42, 0xdeadbeef, 2 ** 31]) {
      const ours = mulberry32(seed);
      const theirs = reference(seed);
      for (let i = 0; i < 100; i++) expect(ours()).toBe(theirs());
    }
  });

  it('is reproducible per seed and differs between seeds', () => {
    const draw = (seed: number) => Array.from({ length: 5 }, mulberry32(seed));
    expect(draw(7)).toEqual(draw(7));
    expect(draw(7)).not.toEqual(draw(8));
    expect(Array.from({ length: 5 }, mulberry32(0.1))).not.toEqual(
      Array.from({ length: 5 }, mulberry32(0.2)),
    );
  });

  it('stays in [0, 1) and is roughly uniform (chi-square over 20 bins)', () => {
    const next = mulberry32(123);
    const bins = new Array<number>(20).fill(0);
    const n = 100_000;
    let min = 1;
    let max = 0;
    for (let i = 0; i < n; i++) {
      const u = next();
      min = Math.min(min, u);
      max = Math.max(max, u);
      bins[Math.floor(u * 20)]!++;
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    const expected = n / 20;
    const chi2 = bins.reduce((acc, b) => acc + (b - expected) ** 2 / expected, 0);
    // 19 degrees of freedom: P(chi2 > 43.8) = 0.001.
    expect(chi2).toBeLessThan(43.8);
  });

  it('rejects non-finite seeds', () => {
    expect(() => mulberry32(Number.NaN)).toThrow(RangeError);
    expect(() => mulberry32(Number.POSITIVE_INFINITY)).toThrow(RangeError);
  });
});

describe('createSeededRandom', () => {
  it('draws integers in range, covering all values', () => {
    const rng = createSeededRandom(5);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) {
      const v = rng.int(7);
      expect(Number.isInteger(v) && v >= 0 && v < 7).toBe(true);
      seen.add(v);
    }
    expect(seen.size).toBe(7);
    expect(rng.int(1)).toBe(0);
    for (const bad of [0, -1, 2.5, 2 ** 33]) expect(() => rng.int(bad)).toThrow(RangeError);
  });

  it('shuffles into a permutation, reproducibly, and every position is reachable', () => {
    const base = Array.from({ length: 10 }, (_, i) => i);
    const a = createSeededRandom('cluster-17').shuffle([...base]);
    const b = createSeededRandom('cluster-17').shuffle([...base]);
    expect(a).toEqual(b);
    expect([...a].sort((x, y) => x - y)).toEqual(base);
    const rng = createSeededRandom(1);
    const firstPositions = new Set<number>();
    for (let i = 0; i < 500; i++) firstPositions.add(rng.shuffle([...base])[0]!);
    expect(firstPositions.size).toBe(10);
    expect(createSeededRandom(1).shuffle([])).toEqual([]);
  });

  it('derives stable seeds from strings (FNV-1a)', () => {
    expect(seedFromString('')).toBe(0x811c9dc5);
    expect(seedFromString('a')).toBe(0xe40c292c);
    expect(seedFromString('foobar')).toBe(0xbf9cf968);
    expect(seedFromString('x')).not.toBe(seedFromString('y'));
  });
});
