/**
 * Stable cluster identity across runs (BRIEF "Clustering": trends and reports must survive a
 * re-cluster). Each cluster of the new run is matched to at most one cluster of the previous
 * run at the same level, and keeps that cluster's id; the others get a fresh id and a lineage
 * record saying where their members came from.
 *
 * Evidence for "B is still A":
 *  - centroid cosine similarity (centroids are unit length, so the dot product);
 *  - member overlap, as the Jaccard index |A∩B| / |A∪B| of conversation ids. Jaccard rather
 *    than the overlap coefficient |A∩B| / min(|A|, |B|): when A splits into a big and a small
 *    part, the overlap coefficient is 1 for both parts and cannot tell which one A became,
 *    Jaccard prefers the bigger part.
 * A pair is a candidate when either signal passes its threshold (cosine ≥ 0.8 or Jaccard ≥ 0.3):
 * runs over different time windows share few conversations and rely on the centroid, a topic
 * whose centroid drifted but whose conversations stayed relies on the overlap. Candidates are
 * weighted by 0.5 · cosine + 0.5 · Jaccard, and the one-to-one assignment of maximum total weight
 * is found exactly (see ./assignment). Cost: O(P·C·d) for the centroid comparisons up to
 * `fullScanPairs` (4M pairs ≈ 1 s at d = 256), then only the pairs that share members (plus a
 * full scan for clusters of mostly new conversations); the assignment runs per connected
 * component of the candidate graph, exactly up to 2000 clusters a side, greedily above.
 *
 * A new cluster that takes at least `minMergeShare` (0.3) of its members from each of two or more
 * previous clusters is a merge and never continues any of them: handing it one source's id would
 * make that source's trend jump and silently end the others'. The 0.3 assumes that boundary
 * churn between k-means runs moves well under 30% of a cluster; not yet measured on real runs,
 * so raise it if re-clusters of unchanged data report merges.
 *
 * Lineage of a cluster that did not continue (shares are of the new cluster's members):
 *  - 'merged': two or more previous clusters each supply ≥ minMergeShare;
 *  - 'split':  one previous cluster supplies ≥ minOverlap, and that cluster also continues (or
 *              supplies ≥ minOverlap of another new cluster): one old → several new;
 *  - 'new':    anything else.
 * Deterministic regardless of input order: inputs are sorted by id / key first, and `newId` is
 * called for new clusters in key order.
 */
import { maxWeightMatching, type CandidatePair } from './assignment';

export interface PreviousCluster {
  id: string;
  /** Unit length. */
  centroid: Float32Array;
  /** Conversation ids. */
  members: ReadonlySet<string>;
}

export interface CurrentCluster {
  /** Run-local key (e.g. the k-means index); the stable id is what this module decides. */
  key: string;
  /** Unit length, same dimension as the previous centroids. */
  centroid: Float32Array;
  members: ReadonlySet<string>;
}

export interface MatchClustersOptions {
  /** Centroid cosine that makes a pair a candidate on its own. Default 0.8. */
  minCentroidSimilarity?: number;
  /** Member Jaccard that makes a pair a candidate on its own; also the 'split' share. Default 0.3. */
  minOverlap?: number;
  /** Share of a new cluster's members that makes a previous cluster a merge source. Default 0.3. */
  minMergeShare?: number;
  /** Weight of the cosine in the pair score; the Jaccard gets the rest. Default 0.5. */
  centroidWeight?: number;
  /**
   * False when the two runs embedded in different spaces (a refitted or replaced embedder):
   * centroids are then not compared at all (nor need the same dimension), and clusters match by
   * member overlap alone. Default true.
   */
  compareCentroids?: boolean;
  /** Components of the candidate graph larger than this are matched greedily. Default 2000. */
  exactLimit?: number;
  /**
   * Up to this many previous × current pairs every centroid pair is compared (default 4M,
   * about 2000 × 2000); above it, see the pruning note in `matchClusters`.
   */
  fullScanPairs?: number;
  /** Fresh stable ids; called once per cluster that does not continue, in key order. */
  newId: () => string;
}

export type LineageKind = 'continued' | 'new' | 'split' | 'merged';

export interface LineageRecord {
  /** The current cluster's run-local key. */
  key: string;
  /** Its stable id. */
  id: string;
  kind: LineageKind;
  /** Previous ids: the continued id, the split source, or the merge sources by share. */
  sources: string[];
}

export interface ClusterMatch {
  /** Stable id of every current cluster, by key. */
  ids: Map<string, string>;
  /** One record per current cluster, in key order. */
  lineage: LineageRecord[];
  /** Previous ids that no current cluster continues, sorted. */
  retired: string[];
}

export function matchClusters(
  previousInput: readonly PreviousCluster[],
  currentInput: readonly CurrentCluster[],
  options: MatchClustersOptions,
): ClusterMatch {
  const minCos = options.minCentroidSimilarity ?? 0.8;
  const minOverlap = options.minOverlap ?? 0.3;
  const minMergeShare = options.minMergeShare ?? 0.3;
  const compareCentroids = options.compareCentroids ?? true;
  const centroidWeight = compareCentroids ? (options.centroidWeight ?? 0.5) : 0;
  if (centroidWeight < 0 || centroidWeight > 1) throw new RangeError('centroidWeight ∉ [0, 1]');

  const previous = [...previousInput].sort((a, b) => compare(a.id, b.id));
  const current = [...currentInput].sort((a, b) => compare(a.key, b.key));
  assertUnique(
    previous.map((p) => p.id),
    'previous cluster id',
  );
  assertUnique(
    current.map((c) => c.key),
    'current cluster key',
  );
  const dimension = previous[0]?.centroid.length ?? current[0]?.centroid.length ?? 0;
  if (compareCentroids)
    for (const c of [...previous, ...current])
      if (c.centroid.length !== dimension) throw new RangeError('centroids differ in dimension');

  const overlaps = memberOverlaps(previous, current);

  // Merge sources per current cluster: previous clusters supplying ≥ minMergeShare of it.
  const mergeSources = current.map((c, ci) => {
    const sources: { pi: number; share: number }[] = [];
    if (c.members.size === 0) return sources;
    for (const [pi, shared] of overlaps[ci]!) {
      const share = shared / c.members.size;
      if (share >= minMergeShare) sources.push({ pi, share });
    }
    return sources.sort((a, b) => b.share - a.share || a.pi - b.pi);
  });

  // Comparing every centroid pair costs P·C·d. Above `fullScanPairs` a current cluster whose
  // members were mostly in the previous run is only compared with the previous clusters that
  // hold some of them: its predecessor is among those. Clusters of mostly new conversations
  // are still compared with everything.
  const fullScan = previous.length * current.length <= (options.fullScanPairs ?? 4_000_000);
  const allPrevious = previous.map((_, pi) => pi);
  const pairs: CandidatePair[] = [];
  for (let ci = 0; ci < current.length; ci++) {
    if (mergeSources[ci]!.length >= 2) continue;
    const c = current[ci]!;
    const shared = overlaps[ci]!;
    let known = 0;
    for (const n of shared.values()) known += n;
    const scan =
      compareCentroids && (fullScan || known < 0.5 * c.members.size)
        ? allPrevious
        : [...shared.keys()].sort((a, b) => a - b);
    for (const pi of scan) {
      const p = previous[pi]!;
      const cos = compareCentroids ? dot(p.centroid, c.centroid) : -Infinity;
      const both = shared.get(pi) ?? 0;
      const union = p.members.size + c.members.size - both;
      const jaccard = union === 0 ? 0 : both / union;
      if (cos < minCos && jaccard < minOverlap) continue;
      const score = centroidWeight * Math.max(0, cos) + (1 - centroidWeight) * jaccard;
      // A candidate must be preferable to no match, however weak its score.
      pairs.push({ row: ci, col: pi, weight: Math.max(score, 1e-9) });
    }
  }
  const matched = maxWeightMatching(current.length, previous.length, pairs, {
    exactLimit: options.exactLimit ?? 2000,
  });

  const continues = new Uint8Array(previous.length);
  for (const pi of matched) if (pi >= 0) continues[pi] = 1;
  // Previous clusters that supply ≥ minOverlap of more than one current cluster (split evidence).
  const splitFeeds = new Int32Array(previous.length);
  for (let ci = 0; ci < current.length; ci++) {
    const size = current[ci]!.members.size;
    if (size === 0) continue;
    for (const [pi, shared] of overlaps[ci]!) if (shared / size >= minOverlap) splitFeeds[pi]!++;
  }

  const ids = new Map<string, string>();
  const lineage: LineageRecord[] = [];
  const taken = new Set(previous.map((p) => p.id));
  for (let ci = 0; ci < current.length; ci++) {
    const c = current[ci]!;
    const pi = matched[ci]!;
    if (pi >= 0) {
      const id = previous[pi]!.id;
      ids.set(c.key, id);
      lineage.push({ key: c.key, id, kind: 'continued', sources: [id] });
      continue;
    }
    const id = options.newId();
    if (taken.has(id)) throw new Error('newId returned an id that is already in use');
    taken.add(id);
    ids.set(c.key, id);
    const merge = mergeSources[ci]!;
    if (merge.length >= 2) {
      lineage.push({
        key: c.key,
        id,
        kind: 'merged',
        sources: merge.map((s) => previous[s.pi]!.id),
      });
      continue;
    }
    const main = mainSource(overlaps[ci]!, c.members.size);
    if (
      main &&
      main.share >= minOverlap &&
      (continues[main.pi] === 1 || splitFeeds[main.pi]! >= 2)
    ) {
      lineage.push({ key: c.key, id, kind: 'split', sources: [previous[main.pi]!.id] });
      continue;
    }
    lineage.push({ key: c.key, id, kind: 'new', sources: [] });
  }
  const retired = previous.filter((_, pi) => continues[pi] === 0).map((p) => p.id);
  return { ids, lineage, retired };
}

/** For each current cluster, the number of its members in each previous cluster (sparse). */
function memberOverlaps(
  previous: readonly PreviousCluster[],
  current: readonly CurrentCluster[],
): Map<number, number>[] {
  const owner = new Map<string, number | number[]>();
  previous.forEach((p, pi) => {
    for (const member of p.members) {
      const seen = owner.get(member);
      if (seen === undefined) owner.set(member, pi);
      else if (typeof seen === 'number') owner.set(member, [seen, pi]);
      else seen.push(pi);
    }
  });
  return current.map((c) => {
    const counts = new Map<number, number>();
    for (const member of c.members) {
      const seen = owner.get(member);
      if (seen === undefined) continue;
      if (typeof seen === 'number') counts.set(seen, (counts.get(seen) ?? 0) + 1);
      else for (const pi of seen) counts.set(pi, (counts.get(pi) ?? 0) + 1);
    }
    return counts;
  });
}

function mainSource(
  shared: ReadonlyMap<number, number>,
  size: number,
): { pi: number; share: number } | undefined {
  let best: { pi: number; share: number } | undefined;
  if (size === 0) return best;
  for (const [pi, n] of shared) {
    const share = n / size;
    if (!best || share > best.share || (share === best.share && pi < best.pi)) best = { pi, share };
  }
  return best;
}

function dot(a: Float32Array, b: Float32Array): number {
  // Four accumulators: the hot loop of the centroid scan.
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  const n = a.length;
  const end = n - (n % 4);
  let i = 0;
  for (; i < end; i += 4) {
    s0 += a[i]! * b[i]!;
    s1 += a[i + 1]! * b[i + 1]!;
    s2 += a[i + 2]! * b[i + 2]!;
    s3 += a[i + 3]! * b[i + 3]!;
  }
  for (; i < n; i++) s0 += a[i]! * b[i]!;
  return s0 + s1 + (s2 + s3);
}

function assertUnique(values: readonly string[], what: string): void {
  for (let i = 1; i < values.length; i++)
    if (values[i] === values[i - 1]) throw new Error(`duplicate ${what}: ${values[i]}`);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
