/**
 * How many base clusters for n items. Clio-like: each base cluster should hold roughly 10-100
 * conversations, ~30 by default, so names can be specific and still be backed by enough users.
 */

export interface ChooseKOptions {
  /** Fewest items per cluster on average (caps k). Default 10. */
  minPerCluster?: number;
  /** Most items per cluster on average (floors k). Default 100. */
  maxPerCluster?: number;
  /** Items per cluster aimed at. Default 30. */
  target?: number;
}

export function chooseK(n: number, options: ChooseKOptions = {}): number {
  const minPer = options.minPerCluster ?? 10;
  const maxPer = options.maxPerCluster ?? 100;
  const target = options.target ?? 30;
  if (!(minPer > 0 && minPer <= target && target <= maxPer)) {
    throw new RangeError('chooseK needs 0 < minPerCluster ≤ target ≤ maxPerCluster');
  }
  if (!Number.isInteger(n) || n < 0)
    throw new RangeError(`n must be a non-negative integer, got ${n}`);
  if (n === 0) return 0;
  const lowest = Math.max(1, Math.ceil(n / maxPer));
  const highest = Math.max(1, Math.floor(n / minPer));
  return Math.min(n, Math.max(lowest, Math.min(highest, Math.round(n / target))));
}
