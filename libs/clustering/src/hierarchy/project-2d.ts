/**
 * A 2-D map of clusters: the first two principal components of their centroids (power iteration
 * with deflation, seeded), coordinates scaled into [-1, 1]. Deterministic; O(iterations · k · d).
 */
import { seededRandom } from '../random/seeded-random';

export function principalAxes(
  vectors: readonly Float32Array[],
  components = 2,
  iterations = 50,
): Float64Array[] {
  const d = vectors[0]?.length ?? 0;
  const mean = new Float64Array(d);
  for (const v of vectors) for (let j = 0; j < d; j++) mean[j]! += v[j]! / vectors.length;
  const axes: Float64Array[] = [];
  const random = seededRandom(5);
  for (let c = 0; c < components; c++) {
    let axis = Float64Array.from({ length: d }, () => random() - 0.5);
    for (let it = 0; it < iterations; it++) {
      // next = Σ_i (x_i − μ)((x_i − μ) · axis), minus the parts along earlier axes.
      const next = new Float64Array(d);
      for (const v of vectors) {
        let dot = 0;
        for (let j = 0; j < d; j++) dot += (v[j]! - mean[j]!) * axis[j]!;
        for (let j = 0; j < d; j++) next[j]! += (v[j]! - mean[j]!) * dot;
      }
      for (const previous of axes) {
        let dot = 0;
        for (let j = 0; j < d; j++) dot += next[j]! * previous[j]!;
        for (let j = 0; j < d; j++) next[j]! -= dot * previous[j]!;
      }
      const norm = Math.hypot(...next);
      if (norm === 0) break;
      axis = next.map((x) => x / norm);
    }
    axes.push(axis);
  }
  return axes;
}

/** 2-D coordinates in [-1, 1] for `points`, on the principal axes of `basis` (e.g. base centroids). */
export function project2d(
  basis: readonly Float32Array[],
  points: readonly Float32Array[],
): { x: number; y: number }[] {
  if (basis.length === 0 || points.length === 0) return points.map(() => ({ x: 0, y: 0 }));
  const axes = principalAxes(basis);
  const d = basis[0]!.length;
  const mean = new Float64Array(d);
  for (const v of basis) for (let j = 0; j < d; j++) mean[j]! += v[j]! / basis.length;
  const raw = points.map((p) =>
    axes.map((axis) => {
      let dot = 0;
      for (let j = 0; j < d; j++) dot += (p[j]! - mean[j]!) * axis[j]!;
      return dot;
    }),
  );
  const scale = (index: number) => Math.max(1e-9, ...raw.map((r) => Math.abs(r[index] ?? 0)));
  const sx = scale(0);
  const sy = scale(1);
  return raw.map((r) => ({
    x: Number(((r[0] ?? 0) / sx).toFixed(4)),
    y: Number(((r[1] ?? 0) / sy).toFixed(4)),
  }));
}
