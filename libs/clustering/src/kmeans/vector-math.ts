/**
 * Dense row-major kernels shared by k-means and the embedders. Data is an n × d Float32Array;
 * sums are accumulated in doubles (plain JS numbers), so float32 storage costs no accuracy in the
 * dot products that matter.
 */

/** Squared L2 norm of each row. */
export function rowSquaredNorms(data: Float32Array, n: number, d: number): Float64Array {
  const norms = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const offset = i * d;
    let sum = 0;
    for (let j = 0; j < d; j++) {
      const v = data[offset + j]!;
      sum += v * v;
    }
    norms[i] = sum;
  }
  return norms;
}

/** Dot product of row `a` of `x` and row `b` of `y` (both with d columns). */
export function rowDot(x: Float32Array, a: number, y: Float32Array, b: number, d: number): number {
  const oa = a * d;
  const ob = b * d;
  let s0 = 0;
  let s1 = 0;
  let j = 0;
  for (; j + 1 < d; j += 2) {
    s0 += x[oa + j]! * y[ob + j]!;
    s1 += x[oa + j + 1]! * y[ob + j + 1]!;
  }
  if (j < d) s0 += x[oa + j]! * y[ob + j]!;
  return s0 + s1;
}

/** Scales every row to unit length in place (zero rows stay zero). Returns the same array. */
export function normalizeRows(data: Float32Array, d: number): Float32Array {
  const n = data.length / d;
  for (let i = 0; i < n; i++) {
    const offset = i * d;
    let sum = 0;
    for (let j = 0; j < d; j++) sum += data[offset + j]! * data[offset + j]!;
    if (sum === 0) continue;
    const scale = 1 / Math.sqrt(sum);
    for (let j = 0; j < d; j++) data[offset + j]! *= scale;
  }
  return data;
}

/** Scales a vector to unit length in place (a zero vector stays zero). */
export function normalizeVector<T extends Float32Array | Float64Array>(vector: T): T {
  let sum = 0;
  for (let j = 0; j < vector.length; j++) sum += vector[j]! * vector[j]!;
  if (sum === 0) return vector;
  const scale = 1 / Math.sqrt(sum);
  for (let j = 0; j < vector.length; j++) vector[j]! *= scale;
  return vector;
}

/** Cosine similarity of two vectors of equal length. 0 when either is zero. */
export function cosineSimilarity(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new RangeError('vectors differ in length');
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let j = 0; j < a.length; j++) {
    dot += a[j]! * b[j]!;
    na += a[j]! * a[j]!;
    nb += b[j]! * b[j]!;
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

/**
 * Packs equal-length vectors into one n × d row-major Float32Array; with `shared`, in a
 * SharedArrayBuffer that worker threads read without a copy.
 */
export function packRows(
  vectors: readonly ArrayLike<number>[],
  d?: number,
  shared = false,
): Float32Array {
  const dimension = d ?? vectors[0]?.length ?? 0;
  const length = vectors.length * dimension;
  const out = shared
    ? new Float32Array(new SharedArrayBuffer(length * Float32Array.BYTES_PER_ELEMENT))
    : new Float32Array(length);
  vectors.forEach((v, i) => {
    if (v.length !== dimension)
      throw new RangeError(`row ${i} has ${v.length} values, not ${dimension}`);
    out.set(v, i * dimension);
  });
  return out;
}
