/**
 * With an LLM configured, the offline tree is refined the Clio way: each base cluster is named
 * from a sample of its members plus the nearest non-members as contrast; members the model flags
 * as not fitting move to their next-nearest cluster. `rebuildParentsWithLlm` then builds the
 * upper levels Clio's way.
 * Every prompt holds at most 100 items. A cluster whose call fails keeps its offline name.
 */
import {
  CLUSTER_NAMING_PROMPT_VERSION,
  MAX_TARGET_PARENTS,
  nameClustersWithLlm,
  proposeParents,
  type ClusterToName,
} from '@silhouette/llm';
import type { WorkerDeps } from '../worker-deps';
import type { ClusterNode } from './run-clustering';

const SAMPLES = 40;
const CONTRAST = 20;

/** Every `step`-th member: a sample spread over the cluster, deterministic. */
function spread<T>(items: readonly T[], count: number): T[] {
  if (items.length <= count) return [...items];
  const step = items.length / count;
  return Array.from({ length: count }, (_, i) => items[Math.floor(i * step)]!);
}

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

export interface RefinementReport {
  named: number;
  moved: number;
  promptVersion: string;
}

/** Mutates `levels`: names, descriptions, and base memberships (then parents' member lists). */
export async function refineWithLlm(
  llm: NonNullable<WorkerDeps['clusterLlm']>,
  levels: ClusterNode[][],
  texts: readonly string[],
  vectorOf: (row: number) => Float32Array,
): Promise<RefinementReport> {
  const base = levels[levels.length - 1]!;
  const nearest = (node: ClusterNode) =>
    base
      .filter((other) => other !== node)
      .sort((a, b) => dot(b.centroid, node.centroid) - dot(a.centroid, node.centroid));

  const samples = new Map<string, number[]>();
  const requests: ClusterToName[] = base.map((node) => {
    const sampled = spread(node.members, SAMPLES);
    samples.set(node.id, sampled);
    const neighbours = nearest(node).slice(0, 2);
    const contrast = neighbours
      .flatMap((other) => spread(other.members, CONTRAST / 2))
      .map((row) => texts[row]!);
    return { id: node.id, samples: sampled.map((row) => texts[row]!), contrast };
  });
  const names = await nameClustersWithLlm(llm.client, llm.nameModel, requests);

  // Flagged members move to their next-nearest base cluster.
  let moved = 0;
  const byId = new Map(base.map((node) => [node.id, node]));
  for (const [id, naming] of names) {
    const node = byId.get(id)!;
    node.name = naming.name;
    node.description = naming.description;
    const flagged = new Set(
      naming.rejectedSamples
        .map((index) => samples.get(id)![index])
        .filter((row) => row !== undefined),
    );
    if (flagged.size === 0 || flagged.size >= node.members.length) continue;
    node.members = node.members.filter((row) => !flagged.has(row));
    for (const row of flagged) {
      const vector = vectorOf(row);
      let best: ClusterNode | undefined;
      for (const other of base) {
        if (other === node) continue;
        if (!best || dot(other.centroid, vector) > dot(best.centroid, vector)) best = other;
      }
      if (best) {
        best.members.push(row);
        moved += 1;
      } else node.members.push(row);
    }
  }

  // Parents' member lists follow their children after the moves.
  for (let level = levels.length - 2; level >= 0; level--) {
    const children = levels[level + 1]!;
    for (const parent of levels[level]!) {
      parent.members = children
        .filter((child) => child.parentId === parent.id)
        .flatMap((child) => child.members);
    }
  }
  return { named: names.size, moved, promptVersion: CLUSTER_NAMING_PROMPT_VERSION };
}

/**
 * Clio's hierarchizer for the levels above the base: neighbourhoods of children, proposed parent
 * names, deduplicated, each child assigned to its best parent (candidates shuffled), parents
 * renamed from their actual children. Ids stay stable through `assignIds` (member overlap and
 * centroid similarity with the previous run). Falls back to the k-means parents, named from
 * their children, if the model cannot build a level.
 */
export async function rebuildParentsWithLlm(
  llm: NonNullable<WorkerDeps['clusterLlm']>,
  levels: ClusterNode[][],
  targetSizes: readonly number[],
  assignIds: (
    level: number,
    parents: { key: string; centroid: Float32Array; members: number[] }[],
  ) => Map<string, { id: string; lineage: ClusterNode['lineage']; sources: string[] }>,
  logger: WorkerDeps['logger'],
): Promise<void> {
  for (let level = levels.length - 2; level >= 0; level--) {
    const children = levels[level + 1]!;
    try {
      const built = await proposeParents(
        llm.client,
        llm.nameModel,
        children.map((child) => ({
          id: child.id,
          name: child.name,
          description: child.description,
          centroid: child.centroid,
        })),
        { targetParents: Math.max(1, Math.min(targetSizes[level]!, MAX_TARGET_PARENTS)) },
      );
      const byParent = new Map<string, ClusterNode[]>();
      for (const child of children) {
        const parentKey = built.assignment.get(child.id)!;
        byParent.set(parentKey, [...(byParent.get(parentKey) ?? []), child]);
      }
      const candidates = built.parents
        .filter((parent) => byParent.has(parent.id))
        .map((parent) => {
          const members = byParent.get(parent.id)!;
          return {
            key: parent.id,
            parent,
            centroid: meanCentroid(members),
            members: members.flatMap((child) => child.members),
          };
        });
      const ids = assignIds(level, candidates);
      const nodes: ClusterNode[] = candidates.map((candidate) => {
        const identity = ids.get(candidate.key)!;
        for (const child of byParent.get(candidate.key)!) child.parentId = identity.id;
        return {
          id: identity.id,
          level,
          parentId: null,
          members: candidate.members,
          centroid: candidate.centroid,
          name: candidate.parent.name,
          description: candidate.parent.description,
          keywords: [], // computed over the final tree by the caller
          lineage: identity.lineage,
          lineageSources: identity.sources,
        };
      });
      // The level above (if any) is rebuilt next; until then, nothing points at these parents.
      levels[level] = nodes;
    } catch (error) {
      logger.warn(
        { level, err: error },
        'LLM hierarchy failed for a level: keeping the k-means parents',
      );
      // Children rebuilt by the LLM one level down point at no k-means parent: join the nearest.
      const parents = levels[level]!;
      for (const child of children) {
        if (parents.some((parent) => parent.id === child.parentId)) continue;
        child.parentId = parents.reduce((best, parent) =>
          dot(parent.centroid, child.centroid) > dot(best.centroid, child.centroid) ? parent : best,
        ).id;
      }
      for (const parent of parents) {
        parent.members = children
          .filter((child) => child.parentId === parent.id)
          .flatMap((child) => child.members);
      }
      const parentNames = await nameClustersWithLlm(
        llm.client,
        llm.nameModel,
        levels[level]!.map((parent) => ({
          id: parent.id,
          samples: spread(
            children
              .filter((child) => child.parentId === parent.id)
              .map((child) => `${child.name}: ${child.description}`),
            SAMPLES,
          ),
          contrast: [],
        })),
      );
      for (const parent of levels[level]!) {
        const naming = parentNames.get(parent.id);
        if (naming) {
          parent.name = naming.name;
          parent.description = naming.description;
        }
      }
    }
  }
}

function meanCentroid(nodes: readonly ClusterNode[]): Float32Array {
  const d = nodes[0]!.centroid.length;
  const sum = new Float32Array(d);
  for (const node of nodes)
    for (let i = 0; i < d; i++) sum[i]! += node.centroid[i]! * node.members.length;
  let norm = 0;
  for (let i = 0; i < d; i++) norm += sum[i]! * sum[i]!;
  const scale = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  for (let i = 0; i < d; i++) sum[i]! *= scale;
  return sum;
}
