import { describe, expect, it } from 'vitest';
import { hungarianMinCost, maxWeightMatching, type CandidatePair } from './assignment';
import { seededRandom } from '../random/seeded-random';

/** Exhaustive maximum-weight matching value, for small instances. */
function bruteForce(rows: number, cols: number, pairs: readonly CandidatePair[]): number {
  const w = new Map(pairs.map((p) => [`${p.row},${p.col}`, p.weight]));
  const usedCols = new Set<number>();
  const go = (r: number): number => {
    if (r === rows) return 0;
    let best = go(r + 1); // leave row r unmatched
    for (let c = 0; c < cols; c++) {
      const weight = w.get(`${r},${c}`);
      if (weight === undefined || usedCols.has(c)) continue;
      usedCols.add(c);
      best = Math.max(best, weight + go(r + 1));
      usedCols.delete(c);
    }
    return best;
  };
  return go(0);
}

function value(match: Int32Array, pairs: readonly CandidatePair[]): number {
  const w = new Map(pairs.map((p) => [`${p.row},${p.col}`, p.weight]));
  let total = 0;
  match.forEach((c, r) => {
    if (c >= 0) total += w.get(`${r},${c}`)!;
  });
  return total;
}

describe('hungarianMinCost', () => {
  it('solves a textbook instance', () => {
    const cost = Float64Array.from([4, 1, 3, 2, 0, 5, 3, 2, 2]);
    expect([...hungarianMinCost(cost, 3, 3)]).toEqual([1, 0, 2]);
  });
});

describe('maxWeightMatching', () => {
  it('beats greedy where greedy is wrong', () => {
    const pairs = [
      { row: 0, col: 0, weight: 0.9 },
      { row: 0, col: 1, weight: 0.85 },
      { row: 1, col: 0, weight: 0.84 },
    ];
    expect([...maxWeightMatching(2, 2, pairs)]).toEqual([1, 0]);
    // Forced greedy (exactLimit below the component size) takes the heaviest pair first.
    expect([...maxWeightMatching(2, 2, pairs, { exactLimit: 1 })]).toEqual([0, -1]);
  });

  it('finds the optimum on random sparse instances, leaving rows unmatched when best', () => {
    const random = seededRandom(7);
    for (let trial = 0; trial < 200; trial++) {
      const rows = 1 + Math.floor(random() * 6);
      const cols = 1 + Math.floor(random() * 6);
      const pairs: CandidatePair[] = [];
      for (let r = 0; r < rows; r++)
        for (let c = 0; c < cols; c++)
          if (random() < 0.5) pairs.push({ row: r, col: c, weight: 0.01 + random() });
      const match = maxWeightMatching(rows, cols, pairs);
      // Only candidate pairs, each column at most once.
      const usedCols = match.filter((c) => c >= 0);
      expect(new Set(usedCols).size).toBe(usedCols.length);
      expect(value(match, pairs)).toBeCloseTo(bruteForce(rows, cols, pairs), 9);
    }
  });

  it('rejects out-of-range pairs and non-positive weights', () => {
    expect(() => maxWeightMatching(1, 1, [{ row: 1, col: 0, weight: 1 }])).toThrow(RangeError);
    expect(() => maxWeightMatching(1, 1, [{ row: 0, col: 0, weight: 0 }])).toThrow(RangeError);
  });
});
