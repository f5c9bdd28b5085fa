/**
 * Maximum-weight bipartite matching on a sparse set of candidate pairs, for cluster identity.
 * Pairs that are not candidates cannot be matched; a row or column may stay unmatched.
 *
 * The candidate graph is split into connected components first: components are independent, so
 * solving each one optimally gives the global optimum, and in practice they are small (a
 * cluster has a handful of plausible predecessors). Each component is solved exactly with the
 * Hungarian algorithm (Kuhn-Munkres with potentials, O(r²·c) for r ≤ c). A component with more
 * than `exactLimit` rows or columns (default 2000: a 2000 × 2000 dense matrix is 32 MB and a few
 * seconds) falls back to greedy best-first matching, which is within a factor 2 of optimal and
 * what the cost bound leaves.
 */

export interface CandidatePair {
  row: number;
  col: number;
  /** Must be > 0; larger is better. */
  weight: number;
}

export interface MatchingOptions {
  /** Largest component side solved exactly; larger ones are matched greedily. Default 2000. */
  exactLimit?: number;
}

/** For each row, its matched column or -1. Deterministic for a given input. */
export function maxWeightMatching(
  rows: number,
  cols: number,
  pairs: readonly CandidatePair[],
  options: MatchingOptions = {},
): Int32Array {
  const exactLimit = options.exactLimit ?? 2000;
  const match = new Int32Array(rows).fill(-1);
  for (const p of pairs) {
    if (p.row < 0 || p.row >= rows || p.col < 0 || p.col >= cols)
      throw new RangeError('candidate pair out of range');
    if (!(p.weight > 0)) throw new RangeError('candidate weights must be > 0');
  }

  // Union-find over rows (0..rows-1) and columns (rows..rows+cols-1).
  const parent = new Int32Array(rows + cols);
  for (let i = 0; i < parent.length; i++) parent[i] = i;
  const find = (x: number): number => {
    while (parent[x] !== x) {
      parent[x] = parent[parent[x]!]!;
      x = parent[x]!;
    }
    return x;
  };
  for (const p of pairs) {
    const a = find(p.row);
    const b = find(rows + p.col);
    if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
  }
  const components = new Map<number, CandidatePair[]>();
  for (const p of pairs) {
    const root = find(p.row);
    const list = components.get(root);
    if (list) list.push(p);
    else components.set(root, [p]);
  }

  for (const component of components.values()) {
    const rowIds = [...new Set(component.map((p) => p.row))].sort((a, b) => a - b);
    const colIds = [...new Set(component.map((p) => p.col))].sort((a, b) => a - b);
    if (Math.max(rowIds.length, colIds.length) > exactLimit) {
      greedyMatch(component, match);
      continue;
    }
    const rowAt = new Map(rowIds.map((r, i) => [r, i]));
    const colAt = new Map(colIds.map((c, i) => [c, i]));
    // Cost = -weight for candidates, 0 otherwise: a full assignment of the smaller side at
    // minimum cost is a maximum-weight matching once the zero-cost (non-candidate) pairs are
    // dropped. The smaller side goes on the rows, as the potential method needs.
    const transpose = rowIds.length > colIds.length;
    const n = transpose ? colIds.length : rowIds.length;
    const m = transpose ? rowIds.length : colIds.length;
    const cost = new Float64Array(n * m);
    for (const p of component) {
      const r = rowAt.get(p.row)!;
      const c = colAt.get(p.col)!;
      cost[transpose ? c * m + r : r * m + c] = -p.weight;
    }
    const assigned = hungarianMinCost(cost, n, m);
    for (let i = 0; i < n; i++) {
      const j = assigned[i]!;
      if (cost[i * m + j]! >= 0) continue; // not a candidate pair: stays unmatched
      if (transpose) match[rowIds[j]!] = colIds[i]!;
      else match[rowIds[i]!] = colIds[j]!;
    }
  }
  return match;
}

/** Best-first: heaviest pair first, ties by row then column. */
function greedyMatch(component: readonly CandidatePair[], match: Int32Array): void {
  const sorted = [...component].sort(
    (a, b) => b.weight - a.weight || a.row - b.row || a.col - b.col,
  );
  const usedCols = new Set<number>();
  for (const p of sorted) {
    if (match[p.row] !== -1 || usedCols.has(p.col)) continue;
    match[p.row] = p.col;
    usedCols.add(p.col);
  }
}

/**
 * Minimum-cost assignment of every row to a distinct column, rows ≤ cols, row-major costs.
 * Classic shortest-augmenting-path Hungarian with row and column potentials: for each new row,
 * a Dijkstra-like search on reduced costs finds the cheapest augmenting path. O(n²·m).
 */
export function hungarianMinCost(cost: Float64Array, n: number, m: number): Int32Array {
  if (n > m) throw new RangeError('hungarianMinCost needs rows ≤ cols');
  if (cost.length !== n * m) throw new RangeError('cost must be n × m');
  // 1-based; column 0 is a virtual column holding the row being inserted.
  const u = new Float64Array(n + 1);
  const v = new Float64Array(m + 1);
  const rowOf = new Int32Array(m + 1);
  const way = new Int32Array(m + 1);
  const minSlack = new Float64Array(m + 1);
  const used = new Uint8Array(m + 1);
  for (let i = 1; i <= n; i++) {
    rowOf[0] = i;
    let j0 = 0;
    minSlack.fill(Infinity);
    used.fill(0);
    do {
      used[j0] = 1;
      const i0 = rowOf[j0]!;
      const base = (i0 - 1) * m - 1;
      let delta = Infinity;
      let j1 = 0;
      for (let j = 1; j <= m; j++) {
        if (used[j]) continue;
        const slack = cost[base + j]! - u[i0]! - v[j]!;
        if (slack < minSlack[j]!) {
          minSlack[j] = slack;
          way[j] = j0;
        }
        if (minSlack[j]! < delta) {
          delta = minSlack[j]!;
          j1 = j;
        }
      }
      for (let j = 0; j <= m; j++) {
        if (used[j]) {
          u[rowOf[j]!]! += delta;
          v[j]! -= delta;
        } else {
          minSlack[j]! -= delta;
        }
      }
      j0 = j1;
    } while (rowOf[j0] !== 0);
    // Flip the augmenting path back to the virtual column.
    do {
      const j1 = way[j0]!;
      rowOf[j0] = rowOf[j1]!;
      j0 = j1;
    } while (j0 !== 0);
  }
  const result = new Int32Array(n).fill(-1);
  for (let j = 1; j <= m; j++) if (rowOf[j]! > 0) result[rowOf[j]! - 1] = j - 1;
  return result;
}
