/**
 * Clustering runs for a tenant, inside the sealed boundary.
 *
 * Full run: embed every tagged conversation's facet text, build the three-level tree, keep
 * cluster ids stable against the previous run (warm-started k-means in the same embedding space,
 * then optimal matching), name the clusters (offline: c-TF-IDF restricted to terms used by at
 * least k users) and store it all in the sealed schema.
 *
 * Between full runs, new conversations join the previous run: each is embedded in that run's
 * space and assigned to its nearest base cluster through pgvector. A full run happens on the
 * first run, when forced, when the corpus grew by more than a quarter, or when too many new
 * conversations fit no cluster well (drift). Publishing (thresholds, gates) happens after.
 */
import { randomUUID } from 'node:crypto';
import {
  buildHierarchy,
  buildHierarchyInParallel,
  chooseK,
  defaultThreads,
  embedInParallel,
  OfflineEmbedder,
  WorkerPool,
  matchClusters,
  nameTree,
  nearestCentroidsByCosine,
  packRows,
  type Hierarchy,
  type TreeMember,
} from '@silhouette/clustering';
import type { Tenant } from '@silhouette/db';
import {
  ClusteringRepository,
  type FacetRow,
  type PreviousRun,
  type StoredCluster,
} from '@silhouette/sealed';
import type { WorkerDeps } from '../worker-deps';
import { HIERARCHY_PROMPT_VERSION } from '@silhouette/llm';
import { clusteringFailureReason, markFailureRecorded } from './clustering-failure';
import { rebuildParentsWithLlm, refineWithLlm } from './llm-refinement';

/** What is embedded per conversation: the task, the use case and the goal (BRIEF.md, Clustering). */
export function facetText(row: Pick<FacetRow, 'taskType' | 'useCase' | 'goalSummary'>): string {
  return `${row.taskType}; ${row.useCase}; ${row.goalSummary}`;
}

export interface ClusterNode {
  id: string;
  level: number;
  parentId: string | null;
  /** Row indexes (into the run's facet rows) of the conversations under this node. */
  members: number[];
  centroid: Float32Array;
  name: string;
  description: string;
  /** c-TF-IDF terms (each used by at least k users), shown apart from the name. */
  keywords: string[];
  lineage: StoredCluster['lineage'];
  lineageSources: string[];
}

export interface ClusteringRun {
  runId: string;
  mode: 'full' | 'incremental';
  rows: FacetRow[];
  /** Top level first. */
  levels: ClusterNode[][];
  embeddingModel: string;
  /** Incremental runs: share of new conversations that fit no cluster well. */
  drift?: number;
  /** How the clusters were named (offline c-TF-IDF, or the LLM with its prompt version). */
  namer: string;
}

export interface ClusteringOptions {
  /** Re-cluster from scratch even when new conversations could join the previous run. */
  full?: boolean;
}

/** From this many conversations a full run uses worker threads (starting them takes ~0.5 s). */
export const PARALLEL_MIN_ROWS = 20_000;
/** Refit the offline embedding model once the corpus has grown by half since it was fitted. */
const REFIT_GROWTH = 1.5;
/** Largest share of new conversations (relative to the run) that may join it without a re-cluster. */
const MAX_INCREMENTAL_GROWTH = 0.25;
/** Re-cluster when more than this share of new conversations fall below the run's similarity floor. */
const MAX_DRIFT = 0.2;
/** The similarity floor of a run: this quantile of its members' similarity to their centroid. */
const FLOOR_QUANTILE = 0.05;

const row = (data: Float32Array, d: number, i: number) => data.subarray(i * d, (i + 1) * d);

function dot(a: Float32Array, b: Float32Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i]! * b[i]!;
  return sum;
}

export async function runClustering(
  deps: WorkerDeps,
  tenant: Tenant,
  options: ClusteringOptions = {},
): Promise<ClusteringRun | undefined> {
  const repository = new ClusteringRepository(deps.db);
  const rows = await repository.facetRows(tenant.id);
  if (rows.length === 0) return undefined;
  const last = await repository.previousRun(tenant.id);
  if (!options.full && last) {
    const incremental = await joinPreviousRun(deps, repository, tenant, rows, last);
    if (incremental) return incremental;
  }
  return fullRun(deps, repository, tenant, rows, last);
}

/** Members of every node of every level, from the base assignments up through the parents. */
export function nodeMembers(tree: Hierarchy): number[][][] {
  const levels = tree.levels.length;
  const members: number[][][] = tree.levels.map((level) =>
    Array.from({ length: level.k }, () => []),
  );
  tree.assignments.forEach((cluster, index) => {
    let current = cluster;
    for (let level = levels - 1; level >= 0; level--) {
      members[level]![current]!.push(index);
      if (level > 0) current = tree.levels[level]!.parents[current]!;
    }
  });
  return members;
}

/** What offline names are built from, per facet row (read once per run, for the base level). */
export function treeMembers(rows: readonly FacetRow[], texts: readonly string[]): TreeMember[] {
  return rows.map((row, index) => ({
    text: texts[index]!,
    user: row.user,
    useCase: row.useCase,
    taskType: row.taskType,
    domain: row.domain,
  }));
}

/** How the offline path names clusters (stored with the run and in the privacy evidence). */
export const OFFLINE_NAMER =
  'offline readable names from facets shared by at least k users; c-TF-IDF keywords';

/**
 * An incremental run's tree: the stored run's clusters with their names and lineage, members as
 * indices into `rows` (the run's members plus the conversations just joined).
 */
export function storedLevels(
  last: PreviousRun,
  byLevel: ReturnType<typeof clustersByLevel>,
  rows: readonly { conversationId: string }[],
): ClusterNode[][] {
  const index = new Map(rows.map((r, i) => [r.conversationId, i]));
  const stored = new Map(last.clusters.map((cluster) => [cluster.id, cluster]));
  return byLevel.map((clusters, level) =>
    clusters.map((cluster) => {
      const meta = stored.get(cluster.id)!;
      return {
        id: cluster.id,
        level,
        parentId: meta.parentId,
        members: [...cluster.members]
          .map((id) => index.get(id))
          .filter((i): i is number => i !== undefined),
        centroid: cluster.centroid,
        name: meta.name,
        description: meta.description,
        keywords: meta.keywords,
        lineage: meta.lineage,
        lineageSources: meta.lineageSources,
      };
    }),
  );
}

/** A run's clusters per level, each with its members as conversation ids (parents: the union). */
export function clustersByLevel(run: PreviousRun | undefined, levels: number) {
  const byLevel: { id: string; centroid: Float32Array; members: Set<string> }[][] = Array.from(
    { length: levels },
    () => [],
  );
  if (!run) return byLevel;
  const byId = new Map(run.clusters.map((cluster) => [cluster.id, cluster]));
  // Only base members are stored; children come before parents in this order.
  for (const cluster of [...run.clusters].sort((a, b) => b.level - a.level)) {
    const parent = cluster.parentId ? byId.get(cluster.parentId) : undefined;
    if (parent) for (const member of cluster.members) parent.members.add(member);
  }
  for (const cluster of run.clusters) {
    if (cluster.level < levels) {
      byLevel[cluster.level]!.push({
        id: cluster.id,
        centroid: cluster.centroid,
        members: cluster.members,
      });
    }
  }
  return byLevel;
}

async function joinPreviousRun(
  deps: WorkerDeps,
  repository: ClusteringRepository,
  tenant: Tenant,
  rows: FacetRow[],
  last: PreviousRun,
): Promise<ClusteringRun | undefined> {
  if (!last.embedderState && last.embeddingModel.startsWith('offline')) return undefined;
  // Scheduled full re-cluster: incremental assignment never runs for longer than this.
  if (Date.now() - last.startedAt.getTime() > deps.env.CLUSTER_FULL_EVERY_DAYS * 86_400_000)
    return undefined;
  const levels =
    last.clusters.reduce((deepest, cluster) => Math.max(deepest, cluster.level), 0) + 1;
  const byLevel = clustersByLevel(last, levels);
  const known = new Set(byLevel[levels - 1]!.flatMap((cluster) => [...cluster.members]));
  const fresh = rows.filter((r) => !known.has(r.conversationId));
  if (fresh.length > known.size * MAX_INCREMENTAL_GROWTH) return undefined;

  let drift = 0;
  if (fresh.length > 0) {
    const texts = fresh.map(facetText);
    const { embedder } = await deps.embedderFor(texts, last.embedderState ?? undefined);
    if (embedder.model !== last.embeddingModel) return undefined;
    const vectors = await embedder.embed(texts);
    const assigned = nearestBaseClusters(last, levels - 1, fresh, vectors);
    const floor = Number(last.params.similarityFloor ?? -1);
    drift = assigned.filter((a) => a.similarity < floor).length / Math.max(1, assigned.length);
    if (drift > MAX_DRIFT) {
      deps.logger.info({ tenantId: tenant.id, drift }, 'drift past the threshold: full re-cluster');
      return undefined;
    }
    await repository.addMembers(last.runId, assigned);
    await repository.markEmbedded(last.runId);
    addToTree(last, byLevel, assigned);
  }

  return {
    runId: last.runId,
    mode: 'incremental',
    rows,
    embeddingModel: last.embeddingModel,
    namer: String(last.params.namer ?? OFFLINE_NAMER),
    drift,
    levels: storedLevels(last, byLevel, rows),
  };
}

/**
 * The most similar base cluster of each new conversation, in memory: the run's base centroids
 * grouped by their parents prune an exact search (nearest-centroid.ts). It was a pgvector query
 * scanning every base centroid per conversation (490 s for 10,000 joining a 1M run). On a tie
 * the larger cluster wins: a run over few distinct texts can split one into a cluster of one and
 * its twin, and new conversations joining the one-member twin would make a mixed small cluster
 * whose figures are then suppressed.
 */
export function nearestBaseClusters(
  run: PreviousRun,
  baseLevel: number,
  fresh: readonly FacetRow[],
  vectors: readonly Float32Array[],
): { conversationId: string; clusterId: string; similarity: number }[] {
  const base = run.clusters.filter((cluster) => cluster.level === baseLevel);
  if (base.length === 0 || fresh.length === 0) return [];
  const d = base[0]!.centroid.length;
  const parents = new Map<string | null, number>();
  const groupOf = base.map((cluster) => {
    if (!parents.has(cluster.parentId)) parents.set(cluster.parentId, parents.size);
    return parents.get(cluster.parentId)!;
  });
  const found = nearestCentroidsByCosine(
    packRows(vectors, d),
    packRows(
      base.map((cluster) => cluster.centroid),
      d,
    ),
    d,
    groupOf,
    base.map((cluster) => cluster.members.size),
  );
  return fresh.map((row, i) => ({
    conversationId: row.conversationId,
    clusterId: base[found.index[i]!]!.id,
    similarity: found.similarity[i]!,
  }));
}

/** Each assigned conversation joins its base cluster and every ancestor of it. */
export function addToTree(
  run: PreviousRun,
  byLevel: ReturnType<typeof clustersByLevel>,
  assigned: readonly { conversationId: string; clusterId: string }[],
): void {
  const parentOf = new Map(run.clusters.map((cluster) => [cluster.id, cluster.parentId]));
  const nodes = new Map(byLevel.flat().map((cluster) => [cluster.id, cluster]));
  for (const a of assigned)
    for (let id: string | null | undefined = a.clusterId; id; id = parentOf.get(id))
      nodes.get(id)?.members.add(a.conversationId);
}

async function fullRun(
  deps: WorkerDeps,
  repository: ClusteringRepository,
  tenant: Tenant,
  rows: FacetRow[],
  last: PreviousRun | undefined,
): Promise<ClusteringRun> {
  // Large runs spread offline embedding and the base level of the tree over worker threads (one
  // per core); the result is the same bits as on one thread.
  const pool =
    rows.length >= PARALLEL_MIN_ROWS && defaultThreads() > 1 ? WorkerPool.open() : undefined;
  try {
    return await clusterFromScratch(deps, repository, tenant, rows, last, pool);
  } finally {
    await pool?.close();
  }
}

async function clusterFromScratch(
  deps: WorkerDeps,
  repository: ClusteringRepository,
  tenant: Tenant,
  rows: FacetRow[],
  last: PreviousRun | undefined,
  pool: WorkerPool | undefined,
): Promise<ClusteringRun> {
  const texts = rows.map(facetText);
  // Stay in the previous run's embedding space while the corpus has not grown much: centroids stay
  // comparable, k-means starts from them, and cluster ids stay stable. Refit past that.
  // A model of an older format is refitted: the tenant moves to the current embedding space.
  const reuse =
    last?.embedderState &&
    rows.length <= last.conversations * REFIT_GROWTH &&
    OfflineEmbedder.isCurrentFormat(last.embedderState)
      ? last.embedderState
      : undefined;
  const { embedder, state } = await deps.embedderFor(texts, reuse);
  const sameSpace = last !== undefined && last.embeddingModel === embedder.model;
  // Centroids of two embedding spaces (a refit, a new embedder) cannot be compared: ids then
  // carry over by member overlap alone.
  const matching = { compareCentroids: sameSpace };
  const vectors =
    pool && embedder instanceof OfflineEmbedder
      ? await embedInParallel(embedder, texts, pool)
      : await embedder.embed(texts);
  const d = embedder.dimension;
  const params = { levels: deps.env.CLUSTER_LEVELS, topK: deps.env.CLUSTER_TOP_K, seed: 42 };
  const runId = await repository.createRun(tenant.id, embedder.model, d, params);
  try {
    // Shared with the worker threads when there are any (no second copy of the vectors).
    const data = packRows(vectors, d, pool !== undefined);
    const previous = clustersByLevel(last, params.levels);
    const warmStart = sameSpace
      ? previous.map((clusters) =>
          clusters.length
            ? packRows(
                clusters.map((c) => c.centroid),
                d,
              )
            : undefined,
        )
      : undefined;
    // Hysteresis on k: while n moves by less than a quarter, keep the previous run's base k, so a
    // few new conversations do not reshuffle every cluster (and so every id).
    const previousBaseK = previous[params.levels - 1]?.length ?? 0;
    const targetK = Math.max(1, chooseK(rows.length));
    const keepK =
      sameSpace &&
      previousBaseK > 0 &&
      targetK >= previousBaseK * 0.8 &&
      targetK <= previousBaseK * 1.25;
    const treeOptions = {
      levels: params.levels,
      topK: params.topK,
      seed: params.seed,
      baseK: keepK ? Math.min(previousBaseK, rows.length) : targetK,
      ...(warmStart ? { warmStart } : {}),
    };
    const tree = pool
      ? await buildHierarchyInParallel(data, d, treeOptions, pool)
      : buildHierarchy(data, d, treeOptions);
    const facets = treeMembers(rows, texts);
    const { levels, namer } = await namedLevels(deps, tenant, tree, {
      previous,
      rows,
      texts,
      data,
      facets,
      matching,
    });

    const assignments = await saveTree(repository, runId, tenant.id, levels, rows, data);
    const base = levels[levels.length - 1]!;
    // New conversations that fit worse than almost all of this run's members count as drift later.
    const similarities = assignments.map((a) => a.similarity).sort((a, b) => a - b);
    const similarityFloor = similarities[Math.floor(similarities.length * FLOOR_QUANTILE)] ?? -1;
    await repository.updateRunParams(runId, { similarityFloor, baseK: base.length, namer });
    await repository.markEmbedded(runId);
    await repository.finishRun(runId, 'done', rows.length, state);
    return { runId, mode: 'full', rows, levels, embeddingModel: embedder.model, namer };
  } catch (error) {
    await repository
      .finishRun(runId, 'failed', rows.length, undefined, clusteringFailureReason(error))
      .then(() => markFailureRecorded(error))
      .catch(() => undefined);
    throw error;
  }
}

/**
 * A freshly built tree as id-stable, named nodes (topics and the other maps alike): ids kept from
 * the previous run, offline names from `facets`, then the LLM's names and parents when one is
 * configured. Returns the nodes and the namer that named them.
 */
export async function namedLevels(
  deps: WorkerDeps,
  tenant: Tenant,
  tree: Hierarchy,
  input: {
    previous: ReturnType<typeof clustersByLevel>;
    rows: readonly FacetRow[];
    texts: readonly string[];
    data: Float32Array;
    facets: TreeMember[];
    matching: { compareCentroids: boolean };
  },
): Promise<{ levels: ClusterNode[][]; namer: string }> {
  const { previous, rows, texts, data, facets, matching } = input;
  const d = tree.dimension;
  const members = nodeMembers(tree);
  // Stable identity, level by level; then parents are known by id.
  const { ids, lineageById } = stableIds(tree, members, previous, rows, matching);
  const levels: ClusterNode[][] = tree.levels.map((level, l) =>
    ids[l]!.map((id, k) => ({
      id,
      level: l,
      parentId: l === 0 ? null : ids[l - 1]![level.parents[k]!]!,
      members: members[l]![k]!,
      centroid: row(level.centroids, d, k),
      name: '',
      description: '',
      keywords: [],
      lineage: lineageById.get(id)!.kind,
      lineageSources: lineageById.get(id)!.sources,
    })),
  );
  const offline = nameTree(levels, facets, tenant.kUsers);
  for (const node of levels.flat()) Object.assign(node, offline.get(node.id)!);
  const namer = deps.clusterLlm
    ? await nameWithLlm(deps.clusterLlm, deps.logger, levels, tree, texts, data, previous, rows, {
        matching,
        facets,
        kUsers: tenant.kUsers,
      })
    : OFFLINE_NAMER;
  return { levels, namer };
}

/** Ids kept from the previous run (optimal matching on centroids and members), level by level. */
export function stableIds(
  tree: Hierarchy,
  members: number[][][],
  previous: ReturnType<typeof clustersByLevel>,
  rows: readonly FacetRow[],
  matching: { compareCentroids: boolean },
): {
  ids: string[][];
  lineageById: Map<string, { kind: StoredCluster['lineage']; sources: string[] }>;
} {
  const d = tree.dimension;
  const lineageById = new Map<string, { kind: StoredCluster['lineage']; sources: string[] }>();
  const ids: string[][] = tree.levels.map((level, l) => {
    const current = Array.from({ length: level.k }, (_, k) => ({
      key: String(k),
      centroid: row(level.centroids, d, k),
      members: new Set(members[l]![k]!.map((index) => rows[index]!.conversationId)),
    }));
    const matched = matchClusters(previous[l] ?? [], current, {
      ...matching,
      newId: () => randomUUID(),
    });
    const lineage = new Map(matched.lineage.map((entry) => [entry.id, entry]));
    return current.map((cluster) => {
      const id = matched.ids.get(cluster.key)!;
      const entry = lineage.get(id);
      lineageById.set(id, { kind: entry?.kind ?? 'new', sources: entry?.sources ?? [] });
      return id;
    });
  });
  return { ids, lineageById };
}

/**
 * Clio's LLM steps on an offline tree (mutates `levels`): base clusters named with contrast and
 * misfits moved, then the upper levels rebuilt, with ids kept stable against `previous`, and the
 * keywords recomputed for the final tree. Returns the namer's description for the evidence.
 */
export async function nameWithLlm(
  llm: NonNullable<WorkerDeps['clusterLlm']>,
  logger: WorkerDeps['logger'],
  levels: ClusterNode[][],
  tree: Hierarchy,
  texts: readonly string[],
  data: Float32Array,
  previous: ReturnType<typeof clustersByLevel>,
  rows: readonly FacetRow[],
  options: { matching: { compareCentroids: boolean }; facets: TreeMember[]; kUsers: number },
): Promise<string> {
  const d = tree.dimension;
  const report = await refineWithLlm(llm, levels, texts, (index) => row(data, d, index));
  await rebuildParentsWithLlm(
    llm,
    levels,
    tree.levels.map((level) => level.k),
    (level, parents) => {
      const matched = matchClusters(
        previous[level] ?? [],
        parents.map((parent) => ({
          key: parent.key,
          centroid: parent.centroid,
          members: new Set(parent.members.map((index) => rows[index]!.conversationId)),
        })),
        { ...options.matching, newId: () => randomUUID() },
      );
      const lineage = new Map(matched.lineage.map((entry) => [entry.id, entry]));
      return new Map(
        parents.map((parent) => {
          const id = matched.ids.get(parent.key)!;
          const entry = lineage.get(id);
          return [parent.key, { id, lineage: entry?.kind ?? 'new', sources: entry?.sources ?? [] }];
        }),
      );
    },
    logger,
  );
  // The model renamed the clusters and rebuilt the parents: keywords follow the final tree.
  const refined = nameTree(levels, options.facets, options.kUsers);
  for (const node of levels.flat()) node.keywords = refined.get(node.id)?.keywords ?? [];
  return `${llm.nameModel} (${report.promptVersion}, ${HIERARCHY_PROMPT_VERSION}; ${report.named} named, ${report.moved} members moved)`;
}

/** Stores a run's clusters (every level) and its base memberships with their similarity. */
export async function saveTree(
  repository: ClusteringRepository,
  runId: string,
  tenantId: string,
  levels: ClusterNode[][],
  rows: readonly FacetRow[],
  data: Float32Array,
): Promise<{ conversationId: string; clusterId: string; similarity: number }[]> {
  await repository.saveClusters(
    runId,
    tenantId,
    levels.flat().map((node) => ({ ...node, size: node.members.length })),
  );
  const d = levels[0]?.[0]?.centroid.length ?? 0;
  const assignments = levels[levels.length - 1]!.flatMap((node) =>
    node.members.map((index) => ({
      conversationId: rows[index]!.conversationId,
      clusterId: node.id,
      similarity: dot(row(data, d, index), node.centroid),
    })),
  );
  await repository.saveMembers(runId, assignments);
  return assignments;
}
