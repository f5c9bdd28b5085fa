/**
 * Exact nearest centroid by cosine similarity, pruned by a grouping of the centroids (a cluster
 * tree's level above the base). New conversations join a run this way: brute force over a 1M
 * run's 33,333 base centroids costs 3.2M multiply-adds per conversation (about 5 ms each here);
 * with the tree's ~800 parents as groups most groups are ruled out by the triangle inequality.
 *
 * Everything is compared as unit vectors, where Euclidean order equals cosine order: for a group
 * with centre p and radius r (the farthest member from p), no member is closer to x than
 * ‖x − p‖ − r. Groups are visited by that lower bound and the search stops when it reaches the
 * best distance found, so the answer is the same as scanning every centroid.
 *
 * Ties: similarities within TIE_TOLERANCE of each other are equal, and the centroid with the
 * larger weight (its cluster's size) wins, then the lower index. k-means asked for more clusters
 * than there are distinct points splits identical points, so two centroids can be the same
 * vector up to rounding: a new conversation then joins the big cluster, not its one-member twin.
 */
import { normalizeRows, rowDot } from './vector-math';

/** Similarities closer than this are a tie (float32 rows and rounding of stored centroids). */
export const TIE_TOLERANCE = 1e-6;

export interface NearestCentroids {
  /** Index of the most similar centroid of each row. */
  index: Int32Array;
  /** Its cosine similarity. */
  similarity: Float64Array;
}

/**
 * @param vectors n × d rows (need not be unit length; they are compared by cosine).
 * @param centroids k × d rows.
 * @param groupOf the group of each centroid (e.g. its parent cluster), or undefined for one group.
 * @param weight what breaks a tie between centroids (e.g. each cluster's size; larger wins).
 */
export function nearestCentroidsByCosine(
  vectors: Float32Array,
  centroids: Float32Array,
  d: number,
  groupOf?: ArrayLike<number>,
  weight?: ArrayLike<number>,
): NearestCentroids {
  const n = vectors.length / d;
  const k = centroids.length / d;
  if (!Number.isInteger(n) || !Number.isInteger(k))
    throw new RangeError(`rows are not multiples of the dimension ${d}`);
  if (groupOf && groupOf.length !== k) throw new RangeError('one group per centroid is needed');
  if (weight && weight.length !== k) throw new RangeError('one weight per centroid is needed');
  const weightOf = (j: number) => (weight ? weight[j]! : 0);
  // A candidate beats the best so far when clearly more similar, or tied and heavier (then: more
  // similar, then lower index, so the answer does not depend on the visiting order).
  const beats = (candidate: number, dot: number, best: number, bestDot: number) => {
    if (dot > bestDot + TIE_TOLERANCE) return true;
    if (dot < bestDot - TIE_TOLERANCE) return false;
    const heavier = weightOf(candidate) - weightOf(best);
    if (heavier !== 0) return heavier > 0;
    return dot > bestDot || (dot === bestDot && candidate < best);
  };
  const x = normalizeRows(Float32Array.from(vectors), d);
  const c = normalizeRows(Float32Array.from(centroids), d);
  const groups = groupCentroids(c, k, d, groupOf);
  const index = new Int32Array(n).fill(-1);
  const similarity = new Float64Array(n);
  const order = new Int32Array(groups.count);
  const bound = new Float64Array(groups.count);
  for (let i = 0; i < n; i++) {
    for (let g = 0; g < groups.count; g++) {
      // ‖x − p‖² = 2 − 2 x·p for unit x and p.
      const toCentre = Math.sqrt(Math.max(0, 2 - 2 * rowDot(x, i, groups.centres, g, d)));
      bound[g] = toCentre - groups.radius[g]!;
      order[g] = g;
    }
    order.sort((a, b) => bound[a]! - bound[b]!);
    let best = -1;
    let bestDot = -Infinity;
    // Farthest a tied centroid can be: groups starting beyond it hold no winner.
    let reach = Infinity;
    for (const g of order) {
      if (bound[g]! > reach) break;
      for (let m = groups.start[g]!; m < groups.start[g + 1]!; m++) {
        const centroid = groups.members[m]!;
        const dot = rowDot(x, i, c, centroid, d);
        if (best < 0 || beats(centroid, dot, best, bestDot)) {
          bestDot = dot;
          best = centroid;
          reach = Math.sqrt(Math.max(0, 2 - 2 * (dot - TIE_TOLERANCE)));
        }
      }
    }
    index[i] = best;
    similarity[i] = best < 0 ? 0 : bestDot;
  }
  return { index, similarity };
}

interface CentroidGroups {
  count: number;
  /** Unit centre of each group (count × d). */
  centres: Float32Array;
  /** Farthest member from the centre, plus a little for float32 rounding. */
  radius: Float64Array;
  /** Members of group g: members[start[g] .. start[g + 1]). */
  start: Int32Array;
  members: Int32Array;
}

function groupCentroids(
  c: Float32Array,
  k: number,
  d: number,
  groupOf: ArrayLike<number> | undefined,
): CentroidGroups {
  const ids = new Map<number, number>();
  const group = new Int32Array(k);
  for (let j = 0; j < k; j++) {
    const key = groupOf ? groupOf[j]! : 0;
    let g = ids.get(key);
    if (g === undefined) ids.set(key, (g = ids.size));
    group[j] = g;
  }
  const count = ids.size;
  const start = new Int32Array(count + 1);
  for (let j = 0; j < k; j++) start[group[j]! + 1]! += 1;
  for (let g = 0; g < count; g++) start[g + 1]! += start[g]!;
  const members = new Int32Array(k);
  const fill = start.slice(0, count);
  for (let j = 0; j < k; j++) members[fill[group[j]!]!++] = j;

  const centres = new Float32Array(count * d);
  for (let j = 0; j < k; j++) {
    const offset = group[j]! * d;
    for (let t = 0; t < d; t++) centres[offset + t]! += c[j * d + t]!;
  }
  normalizeRows(centres, d);
  const radius = new Float64Array(count);
  for (let j = 0; j < k; j++) {
    const g = group[j]!;
    const distance = Math.sqrt(Math.max(0, 2 - 2 * rowDot(c, j, centres, g, d)));
    if (distance > radius[g]!) radius[g] = distance;
  }
  // The bound must never rule out the true nearest: pad for float32 rounding of the unit rows.
  for (let g = 0; g < count; g++) radius[g]! += 1e-6;
  return { count, centres, radius, start, members };
}
