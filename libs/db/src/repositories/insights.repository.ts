/**
 * Published snapshots (schema `insights`): written by the worker after the privacy gates, read by
 * the API. Everything here has already passed the thresholds; nothing here is per person.
 */
import { pooledClusterIds, tenantEvidenceView, type PrivacyEvidence } from '@silhouette/privacy';
import type { Queryable } from '../database';

export interface PublishedCluster {
  clusterId: string;
  level: number;
  parentId: string | null;
  isOther: boolean;
  name: string;
  description: string;
  /** Distinctive terms (c-TF-IDF), each used by at least k users; shown apart from the name. */
  keywords: string[];
  conversations: number;
  distinctUsers: number;
  minutesSavedTotal: number;
  metrics: Record<string, unknown>;
  /** dp mode: goal texts are shown without counts (null). */
  goals: { text: string; users: number | null; conversations: number | null }[];
  lineage: Record<string, unknown>;
  /** dp mode: the 90% noise interval of each figure; absent in threshold mode. */
  noise?: NoiseIntervals | null;
}

/** A published cluster's ranking figures, without its metrics document. */
export interface PublishedClusterFigures {
  clusterId: string;
  isOther: boolean;
  conversations: number;
  distinctUsers: number;
  minutesSavedTotal: number;
  failureRate: number | null;
}

/** A published cluster's place in the tree and its texts, without figures. */
export type PublishedClusterName = Pick<
  PublishedCluster,
  'clusterId' | 'level' | 'parentId' | 'isOther' | 'name' | 'description' | 'keywords'
>;

/**
 * A published cluster of a map beside the topic tree (the issues map or a short-text facet's):
 * a topic cluster's place, texts and figures, without minutes, goals or lineage.
 */
export type PublishedMapCluster = PublishedClusterName &
  Pick<PublishedCluster, 'conversations' | 'distinctUsers' | 'metrics'> & { map: string };

/** The 90% noise interval per figure name (dp mode). */
export type NoiseIntervals = Record<string, { low: number; high: number }>;

export interface PublishedBreakdownRow {
  facet: string;
  value: string;
  isOther: boolean;
  conversations: number;
  distinctUsers: number;
  minutesSavedTotal: number;
  noise?: NoiseIntervals | null;
}

export interface PublishedTrendRow {
  facet: string;
  interval: 'week' | 'month';
  bucket: string;
  value: string;
  isOther: boolean;
  conversations: number;
  distinctUsers: number;
  minutesSavedTotal: number;
  /** 90% interval of the minutes saved, where published (the "all" series). */
  minutesSavedLow?: number;
  minutesSavedHigh?: number;
  noise?: NoiseIntervals | null;
}

/** A published cell as frozen (the weekly row of the overview, a weekly trend row). */
export interface FrozenCell {
  value: string;
  isOther: boolean;
  conversations: number;
  distinctUsers: number;
  minutesSavedTotal: number;
  minutesSavedLow?: number;
  minutesSavedHigh?: number;
}

/** The tenant-level figures of one closed ISO week, as first published. */
export interface FrozenWeekFigures {
  overview: FrozenCell;
  trends: Record<string, FrozenCell[]>;
}

export interface FrozenWeek {
  week: string;
  figures: FrozenWeekFigures;
  /** Inside the boundary only: the conversations these figures count (never stored in insights). */
  conversationIds: string[];
}

export interface SnapshotDraft {
  tenantId: string;
  runId: string;
  periodStart: Date | null;
  periodEnd: Date | null;
  overview: Record<string, unknown>;
  /**
   * The privacy evidence. `save` stores only the TENANT's view of it (counts per kind of scope
   * and reason, `tenantEvidenceView`); the operator's evidence, which names suppressed cells,
   * belongs in the sealed schema (the worker's `saveSnapshot` writes both).
   */
  evidence: Record<string, unknown>;
  /**
   * Clusters this snapshot pooled or withheld, by id only: the failures view's `was_pooled`.
   * Default: those the evidence names.
   */
  pooledClusterIds?: readonly string[];
  clusters: PublishedCluster[];
  breakdowns: PublishedBreakdownRow[];
  trends: PublishedTrendRow[];
  /** Weeks frozen by this publication (closed, published as themselves, not frozen before). */
  frozenWeeks?: FrozenWeek[];
  /** Clusters of the maps beside the topic tree (issue #15). */
  mapClusters?: PublishedMapCluster[];
}

export interface SnapshotSummary {
  id: string;
  tenantId: string;
  runId: string;
  version: number;
  publishedAt: Date;
  periodStart: Date | null;
  periodEnd: Date | null;
  overview: Record<string, unknown>;
  evidence: Record<string, unknown>;
  pooledClusterIds: string[];
}

interface SnapshotRow {
  id: string;
  tenant_id: string;
  run_id: string;
  version: number;
  published_at: Date | string;
  period_start: Date | string | null;
  period_end: Date | string | null;
  overview: Record<string, unknown>;
  evidence: Record<string, unknown>;
  pooled_clusters: string[] | null;
}

const date = (value: Date | string | null) => (value === null ? null : new Date(value));
const toSummary = (row: SnapshotRow): SnapshotSummary => ({
  id: row.id,
  tenantId: row.tenant_id,
  runId: row.run_id,
  version: Number(row.version),
  publishedAt: new Date(row.published_at),
  periodStart: date(row.period_start),
  periodEnd: date(row.period_end),
  overview: row.overview,
  evidence: row.evidence,
  pooledClusterIds: row.pooled_clusters ?? [],
});
/** Where a page of clusters ends: the last row's size and id (the list's sort key). */
export interface ClusterPagePosition {
  conversations: number;
  clusterId: string;
}

/** One statement shape per filter, so each gets a plan that uses the (snapshot, level, parent) index. */
function clusterFilter(
  tenantId: string,
  snapshotId: string,
  filter: { level?: number; parentId?: string; id?: string; ids?: readonly string[] },
): { condition: string; params: unknown[] } {
  const params: unknown[] = [tenantId, snapshotId];
  if (filter.id !== undefined) {
    params.push(filter.id);
    return { condition: 'AND cluster_id = $3', params };
  }
  if (filter.ids !== undefined) {
    params.push([...filter.ids]);
    return { condition: 'AND cluster_id = ANY($3::uuid[])', params };
  }
  if (filter.parentId !== undefined) {
    params.push(filter.parentId);
    return { condition: 'AND parent_id = $3', params };
  }
  if (filter.level !== undefined) {
    params.push(filter.level);
    return { condition: 'AND level = $3', params };
  }
  return { condition: '', params };
}

const SNAPSHOT_COLUMNS =
  'id, tenant_id, run_id, version, published_at, period_start, period_end, overview, evidence, pooled_clusters';

export class InsightsRepository {
  constructor(private readonly db: Queryable) {}

  /** Stores a snapshot as the tenant's next version. Call inside a transaction. */
  async save(draft: SnapshotDraft): Promise<SnapshotSummary> {
    // Whatever the caller passes, insights hold the tenant's view: it names no cell (issue #10).
    const evidence = draft.evidence as unknown as PrivacyEvidence;
    const isEvidence = typeof evidence.cells === 'object' && evidence.cells !== null;
    const tenantView = isEvidence ? tenantEvidenceView(evidence) : draft.evidence;
    const pooled =
      draft.pooledClusterIds ??
      (Array.isArray(evidence.suppressedCells) ? pooledClusterIds(evidence) : []);
    const inserted = await this.db.query<SnapshotRow>(
      `INSERT INTO insights.snapshots (tenant_id, run_id, version, period_start, period_end, overview, evidence,
              pooled_clusters)
       SELECT $1, $2, coalesce(max(version), 0) + 1, $3, $4, $5, $6, $7::uuid[] FROM insights.snapshots WHERE tenant_id = $1
       RETURNING ${SNAPSHOT_COLUMNS}`,
      [
        draft.tenantId,
        draft.runId,
        draft.periodStart?.toISOString() ?? null,
        draft.periodEnd?.toISOString() ?? null,
        JSON.stringify(draft.overview),
        JSON.stringify(tenantView),
        [...pooled],
      ],
    );
    const snapshot = toSummary(inserted.rows[0]!);
    for (let i = 0; i < draft.clusters.length; i += 500) {
      await this.db.query(
        `INSERT INTO insights.clusters (snapshot_id, tenant_id, cluster_id, level, parent_id, is_other, name, description,
                keywords, conversations, distinct_users, minutes_saved_total, metrics, goals, lineage, noise)
         SELECT $1, $2, r.cluster_id, r.level, r.parent_id, r.is_other, r.name, r.description,
                coalesce(r.keywords, '[]'::jsonb), r.conversations, r.distinct_users, r.minutes_saved_total,
                r.metrics, r.goals, r.lineage, r.noise
           FROM jsonb_to_recordset($3::jsonb) AS r(cluster_id uuid, level integer, parent_id uuid, is_other boolean,
                name text, description text, keywords jsonb, conversations integer, distinct_users integer,
                minutes_saved_total real, metrics jsonb, goals jsonb, lineage jsonb, noise jsonb)`,
        [
          snapshot.id,
          draft.tenantId,
          JSON.stringify(
            draft.clusters.slice(i, i + 500).map((c) => ({
              cluster_id: c.clusterId,
              level: c.level,
              parent_id: c.parentId,
              is_other: c.isOther,
              name: c.name,
              description: c.description,
              keywords: c.keywords,
              conversations: c.conversations,
              distinct_users: c.distinctUsers,
              minutes_saved_total: c.minutesSavedTotal,
              metrics: c.metrics,
              goals: c.goals,
              lineage: c.lineage,
              noise: c.noise ?? null,
            })),
          ),
        ],
      );
    }
    if (draft.breakdowns.length) {
      await this.db.query(
        `INSERT INTO insights.breakdowns (snapshot_id, tenant_id, facet, value, is_other, conversations, distinct_users,
                minutes_saved_total, noise)
         SELECT $1, $2, r.facet, r.value, r.is_other, r.conversations, r.distinct_users, r.minutes_saved_total, r.noise
           FROM jsonb_to_recordset($3::jsonb) AS r(facet text, value text, is_other boolean, conversations integer,
                distinct_users integer, minutes_saved_total real, noise jsonb)`,
        [
          snapshot.id,
          draft.tenantId,
          JSON.stringify(
            draft.breakdowns.map((b) => ({
              facet: b.facet,
              value: b.value,
              is_other: b.isOther,
              conversations: b.conversations,
              distinct_users: b.distinctUsers,
              minutes_saved_total: b.minutesSavedTotal,
              noise: b.noise ?? null,
            })),
          ),
        ],
      );
    }
    for (let i = 0; i < draft.trends.length; i += 2000) {
      await this.db.query(
        `INSERT INTO insights.trends (snapshot_id, tenant_id, facet, interval, bucket, value, is_other, conversations,
                distinct_users, minutes_saved_total, minutes_saved_low, minutes_saved_high, noise)
         SELECT $1, $2, r.facet, r.interval, r.bucket, r.value, r.is_other, r.conversations, r.distinct_users,
                r.minutes_saved_total, r.minutes_saved_low, r.minutes_saved_high, r.noise
           FROM jsonb_to_recordset($3::jsonb) AS r(facet text, interval text, bucket text, value text, is_other boolean,
                conversations integer, distinct_users integer, minutes_saved_total real, minutes_saved_low real,
                minutes_saved_high real, noise jsonb)`,
        [
          snapshot.id,
          draft.tenantId,
          JSON.stringify(
            draft.trends.slice(i, i + 2000).map((t) => ({
              facet: t.facet,
              interval: t.interval,
              bucket: t.bucket,
              value: t.value,
              is_other: t.isOther,
              conversations: t.conversations,
              distinct_users: t.distinctUsers,
              minutes_saved_total: t.minutesSavedTotal,
              minutes_saved_low: t.minutesSavedLow ?? null,
              minutes_saved_high: t.minutesSavedHigh ?? null,
              noise: t.noise ?? null,
            })),
          ),
        ],
      );
    }
    const mapClusters = draft.mapClusters ?? [];
    for (let i = 0; i < mapClusters.length; i += 500) {
      await this.db.query(
        `INSERT INTO insights.map_clusters (snapshot_id, tenant_id, map, cluster_id, level, parent_id, is_other,
                name, description, keywords, conversations, distinct_users, metrics)
         SELECT $1, $2, r.map, r.cluster_id, r.level, r.parent_id, r.is_other, r.name, r.description,
                r.keywords, r.conversations, r.distinct_users, r.metrics
           FROM jsonb_to_recordset($3::jsonb) AS r(map text, cluster_id uuid, level integer, parent_id uuid,
                is_other boolean, name text, description text, keywords jsonb, conversations integer,
                distinct_users integer, metrics jsonb)`,
        [
          snapshot.id,
          draft.tenantId,
          JSON.stringify(
            mapClusters.slice(i, i + 500).map((c) => ({
              map: c.map,
              cluster_id: c.clusterId,
              level: c.level,
              parent_id: c.parentId,
              is_other: c.isOther,
              name: c.name,
              description: c.description,
              keywords: c.keywords,
              conversations: c.conversations,
              distinct_users: c.distinctUsers,
              metrics: c.metrics,
            })),
          ),
        ],
      );
    }
    for (const frozen of draft.frozenWeeks ?? []) {
      await this.db.query(
        `INSERT INTO insights.frozen_weeks (tenant_id, week, snapshot_id, figures) VALUES ($1, $2, $3, $4)
         ON CONFLICT (tenant_id, week) DO NOTHING`,
        [draft.tenantId, frozen.week, snapshot.id, JSON.stringify(frozen.figures)],
      );
    }
    return snapshot;
  }

  /** The tenant's frozen weeks and their figures. */
  async frozenWeeks(tenantId: string): Promise<Map<string, FrozenWeekFigures>> {
    const result = await this.db.query<{ week: string; figures: FrozenWeekFigures }>(
      'SELECT week, figures FROM insights.frozen_weeks WHERE tenant_id = $1',
      [tenantId],
    );
    return new Map(result.rows.map((row) => [row.week, row.figures]));
  }

  /** Thaws weeks so the next publication recomputes (and re-freezes) them. */
  async deleteFrozenWeeks(tenantId: string, weeks: readonly string[]): Promise<void> {
    if (weeks.length === 0) return;
    await this.db.query(
      'DELETE FROM insights.frozen_weeks WHERE tenant_id = $1 AND week = ANY($2::text[])',
      [tenantId, [...weeks]],
    );
  }

  async trends(
    tenantId: string,
    snapshotId: string,
    facet: string,
    interval: 'week' | 'month',
  ): Promise<PublishedTrendRow[]> {
    const result = await this.db.query<{
      bucket: string;
      value: string;
      is_other: boolean;
      conversations: number;
      distinct_users: number;
      minutes_saved_total: number;
      minutes_saved_low: number | null;
      minutes_saved_high: number | null;
      noise: NoiseIntervals | null;
    }>(
      `SELECT bucket, value, is_other, conversations, distinct_users, minutes_saved_total, minutes_saved_low,
              minutes_saved_high, noise FROM insights.trends
        WHERE tenant_id = $1 AND snapshot_id = $2 AND facet = $3 AND interval = $4
        ORDER BY bucket, is_other, conversations DESC, value`,
      [tenantId, snapshotId, facet, interval],
    );
    return result.rows.map((row) => ({
      facet,
      interval,
      bucket: row.bucket,
      value: row.value,
      isOther: row.is_other,
      conversations: Number(row.conversations),
      distinctUsers: Number(row.distinct_users),
      minutesSavedTotal: Number(row.minutes_saved_total),
      ...(row.minutes_saved_low === null || row.minutes_saved_high === null
        ? {}
        : {
            minutesSavedLow: Number(row.minutes_saved_low),
            minutesSavedHigh: Number(row.minutes_saved_high),
          }),
      ...(row.noise ? { noise: row.noise } : {}),
    }));
  }

  /**
   * Every published cluster of a snapshot without its figures (id, place in the tree, name,
   * description, keywords): what name lookups need, a small fraction of the whole rows of a large tree.
   */
  async clusterNames(tenantId: string, snapshotId: string): Promise<PublishedClusterName[]> {
    const result = await this.db.query<{
      cluster_id: string;
      level: number;
      parent_id: string | null;
      is_other: boolean;
      name: string;
      description: string;
      keywords: string[] | null;
    }>(
      `SELECT cluster_id, level, parent_id, is_other, name, description, keywords FROM insights.clusters
        WHERE tenant_id = $1 AND snapshot_id = $2 ORDER BY level, conversations DESC, cluster_id`,
      [tenantId, snapshotId],
    );
    return result.rows.map((row) => ({
      clusterId: row.cluster_id,
      level: Number(row.level),
      parentId: row.parent_id,
      isOther: row.is_other,
      name: row.name,
      description: row.description,
      keywords: row.keywords ?? [],
    }));
  }

  /**
   * The ranking figures of one level's clusters, or of one cluster's children, without the
   * metrics documents (a large tree's base level has tens of thousands): to rank, then load
   * the few rows shown.
   */
  async clusterFigures(
    tenantId: string,
    snapshotId: string,
    filter: { level: number } | { parentId: string },
  ): Promise<PublishedClusterFigures[]> {
    const { condition, params } = clusterFilter(tenantId, snapshotId, filter);
    const result = await this.db.query<{
      cluster_id: string;
      is_other: boolean;
      conversations: number;
      distinct_users: number;
      minutes_saved_total: number;
      failure_rate: number | string | null;
    }>(
      `SELECT cluster_id, is_other, conversations, distinct_users, minutes_saved_total,
              (metrics->>'failure_rate')::float8 AS failure_rate
         FROM insights.clusters WHERE tenant_id = $1 AND snapshot_id = $2 ${condition}
        ORDER BY level, conversations DESC, cluster_id`,
      params,
    );
    return result.rows.map((row) => ({
      clusterId: row.cluster_id,
      isOther: row.is_other,
      conversations: Number(row.conversations),
      distinctUsers: Number(row.distinct_users),
      minutesSavedTotal: Number(row.minutes_saved_total),
      failureRate: row.failure_rate === null ? null : Number(row.failure_rate),
    }));
  }

  /** The (facet, interval) series a snapshot publishes trends for. */
  async trendSeries(
    tenantId: string,
    snapshotId: string,
  ): Promise<{ facet: string; interval: 'week' | 'month' }[]> {
    const result = await this.db.query<{ facet: string; interval: 'week' | 'month' }>(
      `SELECT DISTINCT facet, interval FROM insights.trends WHERE tenant_id = $1 AND snapshot_id = $2
        ORDER BY facet, interval`,
      [tenantId, snapshotId],
    );
    return result.rows.map((row) => ({ facet: row.facet, interval: row.interval }));
  }

  /** The newest snapshot published before `before` (a report's comparison point). */
  async latestBefore(tenantId: string, before: Date): Promise<SnapshotSummary | undefined> {
    const result = await this.db.query<SnapshotRow>(
      `SELECT ${SNAPSHOT_COLUMNS} FROM insights.snapshots WHERE tenant_id = $1 AND published_at < $2
        ORDER BY version DESC LIMIT 1`,
      [tenantId, before.toISOString()],
    );
    return result.rows[0] ? toSummary(result.rows[0]) : undefined;
  }

  async latest(tenantId: string): Promise<SnapshotSummary | undefined> {
    const result = await this.db.query<SnapshotRow>(
      `SELECT ${SNAPSHOT_COLUMNS} FROM insights.snapshots WHERE tenant_id = $1 ORDER BY version DESC LIMIT 1`,
      [tenantId],
    );
    return result.rows[0] ? toSummary(result.rows[0]) : undefined;
  }

  /** The tenant's published snapshot just before `version`, if any. */
  async previous(tenantId: string, version: number): Promise<SnapshotSummary | undefined> {
    const result = await this.db.query<SnapshotRow>(
      `SELECT ${SNAPSHOT_COLUMNS} FROM insights.snapshots WHERE tenant_id = $1 AND version < $2
        ORDER BY version DESC LIMIT 1`,
      [tenantId, version],
    );
    return result.rows[0] ? toSummary(result.rows[0]) : undefined;
  }

  async find(tenantId: string, snapshotId: string): Promise<SnapshotSummary | undefined> {
    const result = await this.db.query<SnapshotRow>(
      `SELECT ${SNAPSHOT_COLUMNS} FROM insights.snapshots WHERE tenant_id = $1 AND id = $2`,
      [tenantId, snapshotId],
    );
    return result.rows[0] ? toSummary(result.rows[0]) : undefined;
  }

  /**
   * Published clusters of a snapshot, optionally only one level, the children of one parent, one
   * id or a list of ids (indexed by (snapshot_id, level, parent_id): a tree page never loads the
   * whole tree). Ordered by size, then id. With `page`, at most `limit` rows after the keyset
   * position `after` (the last row of the previous page).
   */
  async clusters(
    tenantId: string,
    snapshotId: string,
    filter: { level?: number; parentId?: string; id?: string; ids?: readonly string[] } = {},
    page?: { limit: number; after?: ClusterPagePosition },
  ): Promise<PublishedCluster[]> {
    const { condition, params } = clusterFilter(tenantId, snapshotId, filter);
    let keyset = '';
    let limit = '';
    if (page) {
      if (page.after) {
        params.push(page.after.conversations, page.after.clusterId);
        keyset = `AND (conversations < $${params.length - 1}
                       OR (conversations = $${params.length - 1} AND cluster_id > $${params.length}))`;
      }
      params.push(page.limit);
      limit = `LIMIT $${params.length}`;
    }
    const result = await this.db.query<{
      cluster_id: string;
      level: number;
      parent_id: string | null;
      is_other: boolean;
      name: string;
      description: string;
      keywords: string[];
      conversations: number;
      distinct_users: number;
      minutes_saved_total: number;
      metrics: Record<string, unknown>;
      goals: PublishedCluster['goals'];
      lineage: Record<string, unknown>;
      noise: NoiseIntervals | null;
    }>(
      `SELECT cluster_id, level, parent_id, is_other, name, description, keywords, conversations, distinct_users,
              minutes_saved_total, metrics, goals, lineage, noise
         FROM insights.clusters
        WHERE tenant_id = $1 AND snapshot_id = $2 ${condition} ${keyset}
        ORDER BY level, conversations DESC, cluster_id ${limit}`,
      params,
    );
    return result.rows.map((row) => ({
      clusterId: row.cluster_id,
      level: Number(row.level),
      parentId: row.parent_id,
      isOther: row.is_other,
      name: row.name,
      description: row.description,
      keywords: row.keywords,
      conversations: Number(row.conversations),
      distinctUsers: Number(row.distinct_users),
      minutesSavedTotal: Number(row.minutes_saved_total),
      metrics: row.metrics,
      goals: row.goals,
      lineage: row.lineage,
      ...(row.noise ? { noise: row.noise } : {}),
    }));
  }

  /** How many published clusters match `filter` (for paged lists). */
  async countClusters(
    tenantId: string,
    snapshotId: string,
    filter: { level?: number; parentId?: string },
  ): Promise<number> {
    const { condition, params } = clusterFilter(tenantId, snapshotId, filter);
    const result = await this.db.query<{ count: number | string }>(
      `SELECT count(*) AS count FROM insights.clusters
        WHERE tenant_id = $1 AND snapshot_id = $2 ${condition}`,
      params,
    );
    return Number(result.rows[0]!.count);
  }

  /** A snapshot's clusters of one map (or of every map), largest first. */
  async mapClusters(
    tenantId: string,
    snapshotId: string,
    map?: string,
  ): Promise<PublishedMapCluster[]> {
    const result = await this.db.query<{
      map: string;
      cluster_id: string;
      level: number;
      parent_id: string | null;
      is_other: boolean;
      name: string;
      description: string;
      keywords: string[] | null;
      conversations: number;
      distinct_users: number;
      metrics: Record<string, unknown>;
    }>(
      `SELECT map, cluster_id, level, parent_id, is_other, name, description, keywords, conversations,
              distinct_users, metrics
         FROM insights.map_clusters
        WHERE tenant_id = $1 AND snapshot_id = $2 AND ($3::text IS NULL OR map = $3)
        ORDER BY map, level, is_other, conversations DESC, cluster_id`,
      [tenantId, snapshotId, map ?? null],
    );
    return result.rows.map((row) => ({
      map: row.map,
      clusterId: row.cluster_id,
      level: Number(row.level),
      parentId: row.parent_id,
      isOther: row.is_other,
      name: row.name,
      description: row.description,
      keywords: row.keywords ?? [],
      conversations: Number(row.conversations),
      distinctUsers: Number(row.distinct_users),
      metrics: row.metrics,
    }));
  }

  async breakdowns(tenantId: string, snapshotId: string): Promise<PublishedBreakdownRow[]> {
    const result = await this.db.query<{
      facet: string;
      value: string;
      is_other: boolean;
      conversations: number;
      distinct_users: number;
      minutes_saved_total: number;
      noise: NoiseIntervals | null;
    }>(
      `SELECT facet, value, is_other, conversations, distinct_users, minutes_saved_total, noise
         FROM insights.breakdowns WHERE tenant_id = $1 AND snapshot_id = $2
        ORDER BY facet, is_other, conversations DESC, value`,
      [tenantId, snapshotId],
    );
    return result.rows.map((row) => ({
      facet: row.facet,
      value: row.value,
      isOther: row.is_other,
      conversations: Number(row.conversations),
      distinctUsers: Number(row.distinct_users),
      minutesSavedTotal: Number(row.minutes_saved_total),
      ...(row.noise ? { noise: row.noise } : {}),
    }));
  }
}
