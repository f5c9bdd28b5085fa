/**
 * External clustering quality against gold labels: NMI (arithmetic mean normalisation, the
 * scikit-learn default), ARI and ACC (best one-to-one cluster ↔ label matching by the Hungarian
 * algorithm). Labels of either side can be any strings or numbers; only equality matters.
 */
import { maxWeightAssignment } from './hungarian';

export interface ClusteringScores {
  nmi: number;
  ari: number;
  acc: number;
}

/** Counts of (gold label, cluster) pairs, with both sides mapped to dense indices. */
export interface ContingencyTable {
  /** labels × clusters, row-major. */
  counts: Float64Array;
  labels: number;
  clusters: number;
  n: number;
}

export function contingencyTable(
  gold: ArrayLike<string | number>,
  predicted: ArrayLike<string | number>,
): ContingencyTable {
  if (gold.length !== predicted.length) {
    throw new RangeError(`label arrays differ in length (${gold.length} vs ${predicted.length})`);
  }
  const n = gold.length;
  const goldIds = denseIds(gold);
  const predIds = denseIds(predicted);
  const labels = goldIds.size;
  const clusters = predIds.size;
  const counts = new Float64Array(labels * clusters);
  for (let i = 0; i < n; i++) counts[goldIds.ids[i]! * clusters + predIds.ids[i]!]! += 1;
  return { counts, labels, clusters, n };
}

export function scoreClustering(
  gold: ArrayLike<string | number>,
  predicted: ArrayLike<string | number>,
): ClusteringScores {
  const table = contingencyTable(gold, predicted);
  return {
    nmi: nmiFromTable(table),
    ari: ariFromTable(table),
    acc: accuracyFromTable(table),
  };
}

export function normalizedMutualInformation(
  gold: ArrayLike<string | number>,
  predicted: ArrayLike<string | number>,
): number {
  return nmiFromTable(contingencyTable(gold, predicted));
}

export function adjustedRandIndex(
  gold: ArrayLike<string | number>,
  predicted: ArrayLike<string | number>,
): number {
  return ariFromTable(contingencyTable(gold, predicted));
}

/** Share of items whose cluster maps to their label under the best one-to-one matching. */
export function clusteringAccuracy(
  gold: ArrayLike<string | number>,
  predicted: ArrayLike<string | number>,
): number {
  return accuracyFromTable(contingencyTable(gold, predicted));
}

/** MI / ((H(gold) + H(pred)) / 2), natural logarithms (the base cancels). */
export function nmiFromTable({ counts, labels, clusters, n }: ContingencyTable): number {
  if (n === 0) return 1;
  // scikit-learn's convention: two single-cluster labelings (or two all-singleton ones) agree fully.
  if ((labels === 1 && clusters === 1) || (labels === n && clusters === n)) return 1;
  const rowSums = new Float64Array(labels);
  const colSums = new Float64Array(clusters);
  for (let r = 0; r < labels; r++) {
    for (let c = 0; c < clusters; c++) {
      const v = counts[r * clusters + c]!;
      rowSums[r]! += v;
      colSums[c]! += v;
    }
  }
  let mi = 0;
  for (let r = 0; r < labels; r++) {
    for (let c = 0; c < clusters; c++) {
      const v = counts[r * clusters + c]!;
      if (v > 0) mi += (v / n) * Math.log((v * n) / (rowSums[r]! * colSums[c]!));
    }
  }
  const hGold = entropy(rowSums, n);
  const hPred = entropy(colSums, n);
  const denominator = (hGold + hPred) / 2;
  if (denominator <= 0) return 1;
  return Math.max(0, Math.min(1, mi / denominator));
}

/** Hubert & Arabie's adjusted Rand index: 1 = identical partitions, ~0 = chance. */
export function ariFromTable({ counts, labels, clusters, n }: ContingencyTable): number {
  if (n < 2) return 1;
  if ((labels === 1 && clusters === 1) || (labels === n && clusters === n)) return 1;
  const pairs = (x: number) => (x * (x - 1)) / 2;
  let sumCells = 0;
  const rowSums = new Float64Array(labels);
  const colSums = new Float64Array(clusters);
  for (let r = 0; r < labels; r++) {
    for (let c = 0; c < clusters; c++) {
      const v = counts[r * clusters + c]!;
      sumCells += pairs(v);
      rowSums[r]! += v;
      colSums[c]! += v;
    }
  }
  let sumRows = 0;
  for (const v of rowSums) sumRows += pairs(v);
  let sumCols = 0;
  for (const v of colSums) sumCols += pairs(v);
  const expected = (sumRows * sumCols) / pairs(n);
  const maximum = (sumRows + sumCols) / 2;
  if (maximum === expected) return 1;
  return (sumCells - expected) / (maximum - expected);
}

export function accuracyFromTable({ counts, labels, clusters, n }: ContingencyTable): number {
  if (n === 0) return 1;
  const match = maxWeightAssignment(counts, labels, clusters);
  let correct = 0;
  match.forEach((c, r) => {
    if (c >= 0) correct += counts[r * clusters + c]!;
  });
  return correct / n;
}

function entropy(sums: Float64Array, n: number): number {
  let h = 0;
  for (const v of sums) if (v > 0) h -= (v / n) * Math.log(v / n);
  return h;
}

function denseIds(values: ArrayLike<string | number>): { ids: Int32Array; size: number } {
  const index = new Map<string | number, number>();
  const ids = new Int32Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const value = values[i]!;
    let id = index.get(value);
    if (id === undefined) {
      id = index.size;
      index.set(value, id);
    }
    ids[i] = id;
  }
  return { ids, size: index.size };
}
