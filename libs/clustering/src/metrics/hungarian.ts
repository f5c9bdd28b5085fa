/**
 * The Hungarian algorithm (Kuhn-Munkres with potentials, O(r²·c) for r ≤ c): a minimum-cost
 * assignment of every row to a distinct column. Used to match clusters to gold labels for
 * clustering accuracy (ACC).
 */

/**
 * Minimum-cost assignment on a rectangular cost matrix (rows × cols, row-major). Returns, for each
 * row, its column, or -1 when there are more rows than columns and the row is left out.
 */
export function minCostAssignment(cost: ArrayLike<number>, rows: number, cols: number): Int32Array {
  if (cost.length !== rows * cols) throw new RangeError('cost must be rows × cols');
  const result = new Int32Array(rows).fill(-1);
  if (rows === 0 || cols === 0) return result;
  // The potential method needs rows ≤ cols: solve the transpose otherwise.
  if (rows > cols) {
    const transposed = new Float64Array(rows * cols);
    for (let r = 0; r < rows; r++)
      for (let c = 0; c < cols; c++) transposed[c * rows + r] = cost[r * cols + c]!;
    const byColumn = minCostAssignment(transposed, cols, rows);
    byColumn.forEach((row, col) => {
      if (row >= 0) result[row] = col;
    });
    return result;
  }

  // 1-based arrays as in the classic formulation; index 0 is a virtual column.
  const u = new Float64Array(rows + 1); // row potentials
  const v = new Float64Array(cols + 1); // column potentials
  const rowOfColumn = new Int32Array(cols + 1); // 0 = free
  const way = new Int32Array(cols + 1);
  const minSlack = new Float64Array(cols + 1);
  const used = new Uint8Array(cols + 1);
  for (let r = 1; r <= rows; r++) {
    rowOfColumn[0] = r;
    let col0 = 0;
    minSlack.fill(Infinity);
    used.fill(0);
    // Grow an alternating tree from row r until it reaches a free column (Dijkstra on slacks).
    do {
      used[col0] = 1;
      const r0 = rowOfColumn[col0]!;
      let delta = Infinity;
      let col1 = 0;
      for (let c = 1; c <= cols; c++) {
        if (used[c]) continue;
        const slack = cost[(r0 - 1) * cols + (c - 1)]! - u[r0]! - v[c]!;
        if (slack < minSlack[c]!) {
          minSlack[c] = slack;
          way[c] = col0;
        }
        if (minSlack[c]! < delta) {
          delta = minSlack[c]!;
          col1 = c;
        }
      }
      for (let c = 0; c <= cols; c++) {
        if (used[c]) {
          u[rowOfColumn[c]!]! += delta;
          v[c]! -= delta;
        } else {
          minSlack[c]! -= delta;
        }
      }
      col0 = col1;
    } while (rowOfColumn[col0] !== 0);
    // Flip the augmenting path.
    do {
      const col1 = way[col0]!;
      rowOfColumn[col0] = rowOfColumn[col1]!;
      col0 = col1;
    } while (col0 !== 0);
  }
  for (let c = 1; c <= cols; c++) {
    const r = rowOfColumn[c]!;
    if (r > 0) result[r - 1] = c - 1;
  }
  return result;
}

/** Maximum-weight assignment (e.g. overlap counts): minimises the negated weights. */
export function maxWeightAssignment(
  weight: ArrayLike<number>,
  rows: number,
  cols: number,
): Int32Array {
  const negated = new Float64Array(weight.length);
  for (let i = 0; i < weight.length; i++) negated[i] = -weight[i]!;
  return minCostAssignment(negated, rows, cols);
}
