/**
 * Truncated SVD of a sparse matrix by randomized range finding (Halko, Martinsson & Tropp 2011,
 * algorithm 4.4 with power iterations), seeded, in Float64 for the small dense factors. This is
 * what turns TF-IDF vectors into LSA vectors: the top right singular vectors V (features × d)
 * form a fitted projection that can later be applied to any new text as x·V.
 */
import { gaussianRandom, seededRandom } from '../random/seeded-random';
import type { SparseVector } from './hashed-features';

/** Rows with columns already mapped to 0..columns-1. */
export interface SparseRows {
  rows: readonly SparseVector[];
  columns: number;
}

export interface TruncatedSvd {
  /** columns × rank, row-major: row c is the loading of column (feature) c. */
  components: Float64Array;
  singularValues: Float64Array;
  rank: number;
}

export interface RandomizedSvdOptions {
  rank: number;
  seed?: number;
  /** Extra random directions for accuracy. Default 10. */
  oversampling?: number;
  /** Power iterations (sharpen a slowly decaying spectrum). Default 2. */
  powerIterations?: number;
}

export function randomizedSvd(matrix: SparseRows, options: RandomizedSvdOptions): TruncatedSvd {
  const n = matrix.rows.length;
  const m = matrix.columns;
  const rank = Math.min(options.rank, n, m);
  const width = Math.min(rank + (options.oversampling ?? 10), n, m);
  const gaussian = gaussianRandom(seededRandom(options.seed ?? 7));

  // Range finder: Q spans A·Ω, refined by (A·Aᵀ)^q.
  const omega = new Float64Array(m * width);
  for (let i = 0; i < omega.length; i++) omega[i] = gaussian();
  // One Cholesky pass is enough in between: only the final Q has to be orthonormal to rounding.
  const powerIterations = options.powerIterations ?? 2;
  let q = orthonormalColumns(multiply(matrix, omega, width), n, width, powerIterations > 0 ? 1 : 2);
  for (let p = 0; p < powerIterations; p++) {
    const z = orthonormalColumns(multiplyTransposed(matrix, q.matrix, q.width), m, q.width, 1);
    q = orthonormalColumns(
      multiply(matrix, z.matrix, z.width),
      n,
      z.width,
      p === powerIterations - 1 ? 2 : 1,
    );
  }

  // B = Qᵀ·A is small (width × m); its SVD comes from the eigenvectors of B·Bᵀ.
  const bt = multiplyTransposed(matrix, q.matrix, q.width); // m × width = Bᵀ
  const gram = gramMatrix(bt, m, q.width); // B·Bᵀ
  const { values, vectors } = symmetricEigen(gram, q.width);
  const order = Array.from(values.keys()).sort((a, b) => values[b]! - values[a]!);
  const kept = Math.min(rank, q.width);
  const singularValues = new Float64Array(kept);
  const components = new Float64Array(m * kept);
  // v_r = Bᵀ·u_r / σ_r, computed for all r at once: Bᵀ (m × w) · (U_kept / σ) (w × kept).
  const scaled = new Float64Array(q.width * kept);
  for (let r = 0; r < kept; r++) {
    const e = order[r]!;
    const sigma = Math.sqrt(Math.max(0, values[e]!));
    singularValues[r] = sigma;
    if (sigma === 0) continue;
    for (let t = 0; t < q.width; t++) scaled[t * kept + r] = vectors[t * q.width + e]! / sigma;
  }
  multiplyDense(bt, m, q.width, scaled, kept, components);
  fixSigns(components, m, kept);
  return { components, singularValues, rank: kept };
}

/** A (n × m sparse) · X (m × w dense, row-major) → n × w. */
function multiply(matrix: SparseRows, x: Float64Array, w: number): Float64Array {
  const out = new Float64Array(matrix.rows.length * w);
  matrix.rows.forEach((row, i) => {
    const oi = i * w;
    for (let e = 0; e < row.indices.length; e++) {
      const ox = row.indices[e]! * w;
      const v = row.values[e]!;
      for (let t = 0; t < w; t++) out[oi + t]! += v * x[ox + t]!;
    }
  });
  return out;
}

/** Aᵀ (m × n) · Y (n × w dense) → m × w. */
function multiplyTransposed(matrix: SparseRows, y: Float64Array, w: number): Float64Array {
  const out = new Float64Array(matrix.columns * w);
  matrix.rows.forEach((row, i) => {
    const oi = i * w;
    for (let e = 0; e < row.indices.length; e++) {
      const oc = row.indices[e]! * w;
      const v = row.values[e]!;
      for (let t = 0; t < w; t++) out[oc + t]! += v * y[oi + t]!;
    }
  });
  return out;
}

/** X (rows × inner) · Y (inner × cols) → out (rows × cols), all row-major. */
function multiplyDense(
  x: Float64Array,
  rows: number,
  inner: number,
  y: Float64Array,
  cols: number,
  out: Float64Array,
): void {
  for (let r = 0; r < rows; r++) {
    const ox = r * inner;
    const oo = r * cols;
    for (let a = 0; a < inner; a++) {
      const value = x[ox + a]!;
      if (value === 0) continue;
      const oy = a * cols;
      for (let c = 0; c < cols; c++) out[oo + c]! += value * y[oy + c]!;
    }
  }
}

/** Xᵀ·X for X (rows × w, row-major) → w × w. */
function gramMatrix(x: Float64Array, rows: number, w: number): Float64Array {
  const g = new Float64Array(w * w);
  for (let r = 0; r < rows; r++) {
    const o = r * w;
    for (let a = 0; a < w; a++) {
      const xa = x[o + a]!;
      if (xa === 0) continue;
      for (let b = a; b < w; b++) g[a * w + b]! += xa * x[o + b]!;
    }
  }
  for (let a = 0; a < w; a++) for (let b = 0; b < a; b++) g[a * w + b] = g[b * w + a]!;
  return g;
}

/**
 * Orthonormal basis of the column space of X (rows × w): shifted Cholesky QR applied twice
 * ("CholeskyQR2": Q = X·R⁻¹ with RᵀR = XᵀX + εI). The tiny shift keeps it defined when X is rank
 * deficient (fewer distinct texts than directions); the second pass restores orthogonality.
 */
function orthonormalColumns(
  x: Float64Array,
  rows: number,
  w: number,
  passes = 2,
): { matrix: Float64Array; width: number } {
  let current = x;
  for (let pass = 0; pass < passes; pass++) {
    const gram = gramMatrix(current, rows, w);
    let trace = 0;
    for (let a = 0; a < w; a++) trace += gram[a * w + a]!;
    const shift = Math.max(trace, 1e-300) * 1e-12;
    for (let a = 0; a < w; a++) gram[a * w + a]! += shift;
    const inverse = invertUpperTriangular(choleskyUpper(gram, w), w);
    const next = new Float64Array(rows * w);
    multiplyDense(current, rows, w, inverse, w, next);
    current = next;
  }
  return { matrix: current, width: w };
}

/** Upper-triangular R with RᵀR = A (A symmetric positive definite, w × w). */
function choleskyUpper(a: Float64Array, w: number): Float64Array {
  const r = new Float64Array(w * w);
  for (let i = 0; i < w; i++) {
    let diag = a[i * w + i]!;
    for (let k = 0; k < i; k++) diag -= r[k * w + i]! * r[k * w + i]!;
    const rii = Math.sqrt(Math.max(diag, 1e-300));
    r[i * w + i] = rii;
    for (let j = i + 1; j < w; j++) {
      let s = a[i * w + j]!;
      for (let k = 0; k < i; k++) s -= r[k * w + i]! * r[k * w + j]!;
      r[i * w + j] = s / rii;
    }
  }
  return r;
}

/** Inverse of an upper-triangular matrix (upper-triangular again), by back substitution. */
function invertUpperTriangular(r: Float64Array, w: number): Float64Array {
  const inv = new Float64Array(w * w);
  for (let j = w - 1; j >= 0; j--) {
    inv[j * w + j] = 1 / r[j * w + j]!;
    for (let i = j - 1; i >= 0; i--) {
      let s = 0;
      for (let k = i + 1; k <= j; k++) s += r[i * w + k]! * inv[k * w + j]!;
      inv[i * w + j] = -s / r[i * w + i]!;
    }
  }
  return inv;
}

/**
 * Eigenvalues and eigenvectors (columns of `vectors`, row-major w × w) of a symmetric matrix by
 * cyclic Jacobi rotations. O(w³) per sweep; w is at most a few hundred here.
 */
export function symmetricEigen(
  matrix: Float64Array,
  w: number,
): { values: Float64Array; vectors: Float64Array } {
  const a = Float64Array.from(matrix);
  const v = new Float64Array(w * w);
  for (let i = 0; i < w; i++) v[i * w + i] = 1;
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    let diag = 0;
    for (let p = 0; p < w; p++) {
      diag += a[p * w + p]! * a[p * w + p]!;
      for (let q = p + 1; q < w; q++) off += a[p * w + q]! * a[p * w + q]!;
    }
    if (off <= 1e-30 * Math.max(diag, 1e-300)) break;
    for (let p = 0; p < w; p++) {
      for (let q = p + 1; q < w; q++) {
        const apq = a[p * w + q]!;
        if (apq === 0) continue;
        const app = a[p * w + p]!;
        const aqq = a[q * w + q]!;
        const theta = (aqq - app) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let r = 0; r < w; r++) {
          const arp = a[r * w + p]!;
          const arq = a[r * w + q]!;
          a[r * w + p] = c * arp - s * arq;
          a[r * w + q] = s * arp + c * arq;
        }
        for (let r = 0; r < w; r++) {
          const apr = a[p * w + r]!;
          const aqr = a[q * w + r]!;
          a[p * w + r] = c * apr - s * aqr;
          a[q * w + r] = s * apr + c * aqr;
        }
        for (let r = 0; r < w; r++) {
          const vrp = v[r * w + p]!;
          const vrq = v[r * w + q]!;
          v[r * w + p] = c * vrp - s * vrq;
          v[r * w + q] = s * vrp + c * vrq;
        }
      }
    }
  }
  const values = new Float64Array(w);
  for (let i = 0; i < w; i++) values[i] = a[i * w + i]!;
  return { values, vectors: v };
}

/** Singular vectors are defined up to sign: make the largest loading positive (deterministic output). */
function fixSigns(components: Float64Array, m: number, rank: number): void {
  for (let r = 0; r < rank; r++) {
    let largest = 0;
    for (let c = 0; c < m; c++) {
      const value = components[c * rank + r]!;
      if (Math.abs(value) > Math.abs(largest)) largest = value;
    }
    if (largest >= 0) continue;
    for (let c = 0; c < m; c++) components[c * rank + r]! *= -1;
  }
}
