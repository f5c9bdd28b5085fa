/**
 * With an LLM configured, the offline tree is refined the Clio way: each base cluster is named
 * from a sample of its members plus the nearest non-members as contrast; members the model flags
 * as not fitting move to their next-nearest cluster; upper levels are named from their children.
 * Every prompt holds at most 100 items. A cluster whose call fails keeps its offline name.
 */
import {
  CLUSTER_NAMING_PROMPT_VERSION,
  nameClustersWithLlm,
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

  // Parents' member lists follow their children; parents are named from their children.
  for (let level = levels.length - 2; level >= 0; level--) {
    const children = levels[level + 1]!;
    for (const parent of levels[level]!) {
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
        contrast: spread(
          levels[level]!.filter((other) => other !== parent).map((other) => other.name),
          CONTRAST,
        ),
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
  return { named: names.size, moved, promptVersion: CLUSTER_NAMING_PROMPT_VERSION };
}
