/**
 * Between full runs, new conversations are assigned to the nearest base cluster (pgvector in
 * production). When too many of them land far from every centroid, the clusters no longer
 * describe the traffic and a full re-cluster is due. These helpers are the pure parts of that
 * decision; `assignNearest` is the brute-force reference for tests and small n.
 */

/**
 * Share of assignments whose distance to their nearest centroid is strictly greater than
 * `threshold` (e.g. cosine distance 1 − similarity). 0 for no assignments.
 */
export function driftShare(distances: readonly number[], threshold: number): number {
  if (Number.isNaN(threshold)) throw new RangeError('threshold must be a number');
  if (distances.length === 0) return 0;
  let far = 0;
  for (const d of distances) {
    if (Number.isNaN(d)) throw new RangeError('distances must be numbers');
    if (d > threshold) far++;
  }
  return far / distances.length;
}

export interface NearestCentroid {
  /** Index of the most similar centroid; the lowest index on ties. */
  index: number;
  /** Its cosine similarity (dot product: vectors and centroids are unit length). */
  similarity: number;
}

/** Nearest centroid of every vector by dot product. O(n · k · d). */
export function assignNearest(
  vectors: readonly Float32Array[],
  centroids: readonly Float32Array[],
): NearestCentroid[] {
  if (vectors.length > 0 && centroids.length === 0)
    throw new RangeError('assignNearest needs at least one centroid');
  const dimension = centroids[0]?.length ?? 0;
  for (const c of centroids)
    if (c.length !== dimension) throw new RangeError('centroids differ in dimension');
  return vectors.map((v) => {
    if (v.length !== dimension) throw new RangeError('vector and centroid dimensions differ');
    let index = 0;
    let similarity = -Infinity;
    for (let k = 0; k < centroids.length; k++) {
      const c = centroids[k]!;
      let s = 0;
      for (let i = 0; i < dimension; i++) s += v[i]! * c[i]!;
      if (s > similarity) {
        similarity = s;
        index = k;
      }
    }
    return { index, similarity };
  });
}
