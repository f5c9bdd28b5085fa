/**
 * Maps beside the topic tree (issue #15): the issues map ("what goes wrong", from the `issue`
 * facet) and one map per `short_text` custom facet. Each is a two-level tree over the
 * conversations that have that text, built by the same pieces as the topic tree (embedding space,
 * k-means hierarchy, stable ids by optimal matching, the tree's offline readable names and c-TF-IDF
 * keywords (phrases and terms used by at least k users), or the LLM's naming with contrast and Clio's hierarchizer), and stored in the
 * sealed schema as a run of its own map. Only conversations that carry the text take part (the
 * failing ones, for issues). Between full runs, as for the tree, new texts join the previous
 * run: embedded in its space and added to their nearest base cluster, so a publication does not
 * re-cluster the map each time a few conversations arrive.
 */
import {
  buildHierarchy,
  buildHierarchyInParallel,
  chooseK,
  defaultThreads,
  embedInParallel,
  OfflineEmbedder,
  packRows,
  WorkerPool,
  type Hierarchy,
  type TreeMember,
} from '@silhouette/clustering';
import type { Tenant } from '@silhouette/db';
import { ClusteringRepository, type FacetRow } from '@silhouette/sealed';
import type { WorkerDeps } from '../worker-deps';
import {
  addToTree,
  clustersByLevel,
  namedLevels,
  nearestBaseClusters,
  PARALLEL_MIN_ROWS,
  OFFLINE_NAMER,
  saveTree,
  storedLevels,
  type ClusterNode,
} from './run-clustering';

export const ISSUES_MAP = 'issues';
/** The map of a `short_text` custom facet. */
export const customFacetMap = (key: string) => `custom:${key}`;

/** Two levels: ~5-7 root causes and the specific issues under them. */
const MAP_LEVELS = 2;
const MAP_TOP_K = 6;
/** Fewer texts than this make no map (nothing could pass the gates anyway). */
const MIN_TEXTS = 4;
/** Refit the offline embedding model once the texts have grown by half since it was fitted. */
const REFIT_GROWTH = 1.5;
/** Largest share of new texts (relative to the run) that may join it without a re-cluster. */
const MAX_INCREMENTAL_GROWTH = 0.25;

export interface TextMapRun {
  map: string;
  runId: string;
  /** The conversations in the map (indexes of `levels[*].members` point here). */
  rows: FacetRow[];
  /** Top level first. */
  levels: ClusterNode[][];
  namer: string;
}

export async function runTextMap(
  deps: WorkerDeps,
  tenant: Tenant,
  allRows: readonly FacetRow[],
  map: string,
  textOf: (row: FacetRow) => string,
  options: { full?: boolean } = {},
): Promise<TextMapRun | undefined> {
  const rows = allRows.filter((r) => textOf(r).trim().length > 0);
  if (rows.length < MIN_TEXTS) return undefined;
  if (!options.full) {
    const joined = await joinPreviousMapRun(deps, tenant, rows, map, textOf);
    if (joined) return joined;
  }
  // Large maps use worker threads like the topic tree (same bits as on one thread).
  const pool =
    rows.length >= PARALLEL_MIN_ROWS && defaultThreads() > 1 ? WorkerPool.open() : undefined;
  try {
    return await buildTextMap(deps, tenant, rows, map, textOf, pool);
  } finally {
    await pool?.close();
  }
}

async function buildTextMap(
  deps: WorkerDeps,
  tenant: Tenant,
  rows: FacetRow[],
  map: string,
  textOf: (row: FacetRow) => string,
  pool: WorkerPool | undefined,
): Promise<TextMapRun> {
  const texts = rows.map((r) => textOf(r).trim());
  const repository = new ClusteringRepository(deps.db);
  const last = await repository.previousRun(tenant.id, map);
  // A model of an older format is refitted, as for the topic tree.
  const reuse =
    last?.embedderState &&
    rows.length <= last.conversations * REFIT_GROWTH &&
    OfflineEmbedder.isCurrentFormat(last.embedderState)
      ? last.embedderState
      : undefined;
  const { embedder, state } = await deps.embedderFor(texts, reuse);
  const sameSpace = last !== undefined && last.embeddingModel === embedder.model;
  // Centroids of two embedding spaces cannot be compared: ids then carry over by members alone.
  const matching = { compareCentroids: sameSpace };
  const vectors =
    pool && embedder instanceof OfflineEmbedder
      ? await embedInParallel(embedder, texts, pool)
      : await embedder.embed(texts);
  const d = embedder.dimension;
  const params = { levels: MAP_LEVELS, topK: MAP_TOP_K, seed: 42 };
  const runId = await repository.createRun(tenant.id, embedder.model, d, params, map);
  try {
    const data = packRows(vectors, d, pool !== undefined);
    // Matching compares centroids, so only a run of the same dimension can lend its ids (a refitted
    // offline space over few texts may have fewer dimensions).
    const previous = clustersByLevel(
      last && last.clusters.every((cluster) => cluster.centroid.length === d) ? last : undefined,
      MAP_LEVELS,
    );
    const warmStart = previous.map((clusters) =>
      clusters.length
        ? packRows(
            clusters.map((c) => c.centroid),
            d,
          )
        : undefined,
    );
    // Hysteresis on k as in the topic tree: a few new texts do not reshuffle every cluster.
    const previousBaseK = previous[MAP_LEVELS - 1]!.length;
    const targetK = Math.max(1, chooseK(rows.length));
    const baseK =
      sameSpace &&
      previousBaseK > 0 &&
      targetK >= previousBaseK * 0.8 &&
      targetK <= previousBaseK * 1.25
        ? Math.min(previousBaseK, rows.length)
        : targetK;
    const treeOptions = {
      levels: MAP_LEVELS,
      topK: MAP_TOP_K,
      seed: params.seed,
      baseK,
      ...(sameSpace ? { warmStart } : {}),
    };
    const tree: Hierarchy = pool
      ? await buildHierarchyInParallel(data, d, treeOptions, pool)
      : buildHierarchy(data, d, treeOptions);
    // Readable names and keywords by the topic tree's own naming (nameTree), from the texts alone.
    const { levels, namer } = await namedLevels(deps, tenant, tree, {
      previous,
      rows,
      texts,
      data,
      facets: mapMembers(rows, texts),
      matching,
    });
    await saveTree(repository, runId, tenant.id, levels, rows, data);
    const base = levels[levels.length - 1]!;
    await repository.updateRunParams(runId, { baseK: base.length, namer });
    await repository.finishRun(runId, 'done', rows.length, state);
    return { map, runId, rows, levels, namer };
  } catch (error) {
    await repository.finishRun(runId, 'failed', rows.length).catch(() => undefined);
    throw error;
  }
}

/**
 * What a map's clusters are named from: the text itself stands where a topic has its use case
 * (noun phrases such as "incorrect answer"); the task type and domain are left out, because
 * they say where the conversation was, not what went wrong.
 */
export function mapMembers(rows: readonly FacetRow[], texts: readonly string[]): TreeMember[] {
  return rows.map((r, index) => ({
    text: texts[index]!,
    user: r.user,
    useCase: texts[index]!,
    taskType: '',
    domain: '',
  }));
}

/**
 * New texts join the previous run of the map when it is recent and they are few: each is embedded
 * in that run's space and added to its most similar base cluster (as topics join theirs). Texts
 * whose conversation is gone (erased, or now resolved) simply drop out.
 * Undefined when a full run is due.
 */
async function joinPreviousMapRun(
  deps: WorkerDeps,
  tenant: Tenant,
  rows: FacetRow[],
  map: string,
  textOf: (row: FacetRow) => string,
): Promise<TextMapRun | undefined> {
  const repository = new ClusteringRepository(deps.db);
  const last = await repository.previousRun(tenant.id, map);
  if (!last?.embedderState || !OfflineEmbedder.isCurrentFormat(last.embedderState))
    return undefined;
  if (Date.now() - last.startedAt.getTime() > deps.env.CLUSTER_FULL_EVERY_DAYS * 86_400_000)
    return undefined;
  const byLevel = clustersByLevel(last, MAP_LEVELS);
  const base = byLevel[MAP_LEVELS - 1]!;
  if (base.length === 0) return undefined;
  const known = new Set(base.flatMap((cluster) => [...cluster.members]));
  const fresh = rows.filter((r) => !known.has(r.conversationId));
  if (fresh.length > known.size * MAX_INCREMENTAL_GROWTH) return undefined;
  if (fresh.length > 0) {
    const { embedder } = await deps.embedderFor(
      fresh.map((r) => textOf(r).trim()),
      last.embedderState,
    );
    if (embedder.model !== last.embeddingModel || embedder.dimension !== base[0]!.centroid.length)
      return undefined;
    const vectors = await embedder.embed(fresh.map((r) => textOf(r).trim()));
    const assigned = nearestBaseClusters(last, MAP_LEVELS - 1, fresh, vectors);
    await repository.addMembers(last.runId, assigned);
    addToTree(last, byLevel, assigned);
  }
  return {
    map,
    runId: last.runId,
    rows,
    namer: String(last.params['namer'] ?? OFFLINE_NAMER),
    levels: storedLevels(last, byLevel, rows),
  };
}
