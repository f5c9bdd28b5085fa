import { describe, expect, it } from 'vitest';
import {
  adjustedRandIndex,
  clusteringAccuracy,
  contingencyTable,
  normalizedMutualInformation,
  scoreClustering,
} from './clustering-metrics';
import { maxWeightAssignment, minCostAssignment } from './hungarian';

describe('clustering metrics', () => {
  it('scores identical partitions 1, whatever the cluster names', () => {
    const gold = ['a', 'a', 'b', 'b', 'c', 'c'];
    expect(scoreClustering(gold, gold)).toEqual({ nmi: 1, ari: 1, acc: 1 });
    const renamed = [7, 7, 3, 3, 9, 9];
    const scores = scoreClustering(gold, renamed);
    expect(scores.nmi).toBeCloseTo(1, 12);
    expect(scores.ari).toBeCloseTo(1, 12);
    expect(scores.acc).toBe(1);
  });

  it('matches hand-computed values on a small example', () => {
    // gold 0 → {2 in cluster 0, 1 in cluster 1}; gold 1 → {1 in cluster 1, 2 in cluster 2}.
    const gold = [0, 0, 0, 1, 1, 1];
    const pred = [0, 0, 1, 1, 2, 2];
    // MI = (2/3)·ln 2; H(gold) = ln 2; H(pred) = ln 3; NMI = MI / ((ln 2 + ln 3) / 2).
    const expectedNmi = ((2 / 3) * Math.LN2) / ((Math.LN2 + Math.log(3)) / 2);
    expect(normalizedMutualInformation(gold, pred)).toBeCloseTo(expectedNmi, 12);
    expect(normalizedMutualInformation(gold, pred)).toBeCloseTo(0.515804, 6);
    // Pairs: Σ C(nij,2) = 2, rows 6, cols 3, all 15 → (2 − 1.2) / (4.5 − 1.2).
    expect(adjustedRandIndex(gold, pred)).toBeCloseTo(0.8 / 3.3, 12);
    // Best matching: gold 0 ↔ cluster 0 (2), gold 1 ↔ cluster 2 (2) → 4 of 6.
    expect(clusteringAccuracy(gold, pred)).toBeCloseTo(4 / 6, 12);
  });

  it('gives chance-level ARI and low NMI to an unrelated partition', () => {
    const gold = Array.from({ length: 1000 }, (_, i) => i % 10);
    const pred = Array.from({ length: 1000 }, (_, i) => Math.floor(i / 100));
    expect(Math.abs(adjustedRandIndex(gold, pred))).toBeLessThan(0.01);
    expect(normalizedMutualInformation(gold, pred)).toBeLessThan(0.01);
    expect(clusteringAccuracy(gold, pred)).toBeCloseTo(0.1, 12);
  });

  it('puts everything in one cluster: NMI 0, ARI 0, ACC = largest class share', () => {
    const gold = [0, 0, 0, 1];
    const pred = [5, 5, 5, 5];
    expect(normalizedMutualInformation(gold, pred)).toBe(0);
    expect(adjustedRandIndex(gold, pred)).toBe(0);
    expect(clusteringAccuracy(gold, pred)).toBe(0.75);
  });

  it('builds the contingency table and rejects length mismatches', () => {
    const table = contingencyTable(['x', 'y', 'x'], [1, 1, 2]);
    expect(table).toMatchObject({ labels: 2, clusters: 2, n: 3 });
    expect(Array.from(table.counts)).toEqual([1, 1, 1, 0]);
    expect(() => contingencyTable([1, 2], [1])).toThrow(RangeError);
  });
});

describe('Hungarian assignment', () => {
  it('finds the minimum-cost assignment of a known matrix', () => {
    // Optimum: row 0 → col 1 (1), row 1 → col 0 (2), row 2 → col 2 (2) = 5.
    const cost = [4, 1, 3, 2, 0, 5, 3, 2, 2];
    expect(Array.from(minCostAssignment(cost, 3, 3))).toEqual([1, 0, 2]);
  });

  it('solves a 4 × 4 case that greedy matching gets wrong', () => {
    const cost = [
      [9, 2, 7, 8],
      [6, 4, 3, 7],
      [5, 8, 1, 8],
      [7, 6, 9, 4],
    ].flat();
    const match = minCostAssignment(cost, 4, 4);
    const total = Array.from(match).reduce((sum, c, r) => sum + cost[r * 4 + c]!, 0);
    expect(total).toBe(13); // 2 + 6 + 1 + 4
    expect(new Set(match).size).toBe(4);
  });

  it('handles rectangular matrices both ways', () => {
    // 2 rows, 3 columns: row 0 → col 2, row 1 → col 0.
    expect(Array.from(minCostAssignment([5, 4, 1, 2, 8, 9], 2, 3))).toEqual([2, 0]);
    // 3 rows, 2 columns: one row stays unmatched (-1).
    const match = maxWeightAssignment([10, 0, 0, 10, 5, 5], 3, 2);
    expect(Array.from(match)).toEqual([0, 1, -1]);
  });
});
