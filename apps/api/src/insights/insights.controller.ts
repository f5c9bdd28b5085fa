/**
 * Insights read API (issue #5, first part): everything comes from the tenant's latest published
 * snapshot in `insights`, which already passed the privacy gates. Another tenant's ids answer 404.
 */
import { Controller, Get, Inject, Param, Req, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import {
  breakdownFacetSchema,
  isoWeekStart,
  trendFacetSchema,
  TREND_INTERVALS,
  type BreakdownResponse,
  type ClusterDetailResponse,
  type ClusterListResponse,
  type EvidenceResponse,
  type FailuresResponse,
  type MetricRow,
  type OverviewResponse,
  type PeriodComparison,
  type PublishedValue,
  type TrendsResponse,
} from '@silhouette/contracts';
import { InsightsRepository, type SnapshotSummary } from '@silhouette/db';
import type { ApiDeps } from '../api-deps';
import { AuthGuard, RequireScopes, type AuthenticatedRequest } from '../auth/auth.guard';
import { ApiError, badRequest, notFound } from '../common/api-error';
import { parseWith } from '../common/read-body';
import { API_DEPS } from '../tokens';
import {
  clusterMetrics,
  clusterSummary,
  overviewFigures,
  snapshotInfo as snapshotView,
  tenantEvidence,
} from './snapshot-document';
import { failureTrend, trendSide } from './failure-trend';

const overviewQuery = z
  .object({ from: z.iso.date().optional(), to: z.iso.date().optional() })
  .strict()
  .refine((q) => (q.from === undefined) === (q.to === undefined), {
    message: 'give both from and to',
    path: ['to'],
  });

type WeeklyRow = Pick<MetricRow, 'value' | 'isOther' | 'conversations' | 'minutesSavedTotal'>;

/** Monday (UTC, YYYY-MM-DD) of an ISO week label such as 2026-W41. */
const weekStartDay = (label: string) => isoWeekStart(label).toISOString().slice(0, 10);

/**
 * A period against the one before it, from the snapshot's published weekly figures only (weeks
 * whose Monday falls in [from, to)). Weeks pooled for privacy cannot be placed in time, so when
 * any exist the figures are lower bounds and `complete` is false.
 */
export function comparePeriods(
  weekly: readonly WeeklyRow[],
  from: string,
  to: string,
): PeriodComparison {
  const days = (Date.parse(to) - Date.parse(from)) / 86_400_000;
  const previousFrom = new Date(Date.parse(from) - days * 86_400_000).toISOString().slice(0, 10);
  const sum = (start: string, end: string) => {
    const rows = weekly.filter(
      (row) => !row.isOther && weekStartDay(row.value) >= start && weekStartDay(row.value) < end,
    );
    return {
      conversations: rows.reduce((total, row) => total + row.conversations, 0),
      minutes_saved:
        Math.round(rows.reduce((total, row) => total + row.minutesSavedTotal, 0) * 10) / 10,
    };
  };
  const current = sum(from, to);
  const previous = sum(previousFrom, from);
  return {
    from,
    to,
    ...current,
    previous: { from: previousFrom, to: from, ...previous },
    change_conversations: previous.conversations
      ? Math.round(
          ((current.conversations - previous.conversations) / previous.conversations) * 1000,
        ) / 1000
      : null,
    complete: !weekly.some((row) => row.isOther),
  };
}

/** Page sizes of cluster lists: bounded, so the base level of a huge tenant comes in pages. */
export const CLUSTER_PAGE_DEFAULT = 500;
export const CLUSTER_PAGE_MAX = 2000;
const clustersQuery = z
  .object({
    level: z.coerce.number().int().min(0).max(10).optional(),
    parent: z.uuid().optional(),
    limit: z.coerce.number().int().min(1).max(CLUSTER_PAGE_MAX).default(CLUSTER_PAGE_DEFAULT),
    cursor: z.string().max(200).optional(),
  })
  .strict()
  .refine((q) => q.level === undefined || q.parent === undefined, {
    message: 'give level or parent, not both',
    path: ['parent'],
  });
const failuresQuery = z
  .object({
    level: z.coerce.number().int().min(0).max(10).optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(200),
  })
  .strict();

/**
 * A page position: the snapshot (so every page of one listing comes from the same snapshot,
 * even when a new one is published meanwhile) and the last row's sort key. Opaque to clients.
 */
const cursorSchema = z.object({ s: z.uuid(), c: z.number().int().min(0), i: z.uuid() }).strict();
type Cursor = z.infer<typeof cursorSchema>;
const encodeCursor = (cursor: Cursor) =>
  Buffer.from(JSON.stringify(cursor), 'utf8').toString('base64url');
function decodeCursor(text: string): Cursor {
  try {
    return cursorSchema.parse(JSON.parse(Buffer.from(text, 'base64url').toString('utf8')));
  } catch {
    throw badRequest('cursor', 'not a cursor from a previous page of this list');
  }
}
// Custom facets (issue #15) are `custom:<key>`; an unknown key simply has no published rows.
const breakdownQuery = z.object({ facet: breakdownFacetSchema }).strict();
const trendsQuery = z
  .object({
    facet: trendFacetSchema,
    interval: z.enum(TREND_INTERVALS).default('week'),
  })
  .strict();
const evidenceQuery = z.object({ snapshot: z.uuid().optional() }).strict();
const uuid = z.uuid();

@Controller('v1')
@UseGuards(AuthGuard)
export class InsightsController {
  constructor(@Inject(API_DEPS) private readonly deps: ApiDeps) {}

  private async latest(request: AuthenticatedRequest): Promise<SnapshotSummary> {
    const snapshot = await new InsightsRepository(this.deps.db).latest(request.auth!.tenantId);
    if (!snapshot) {
      throw new ApiError(
        404,
        'no_snapshot',
        'nothing has been published for this tenant yet: conversations are still being processed',
      );
    }
    return snapshot;
  }

  @Get('insights/overview')
  @RequireScopes('read', 'admin')
  async overview(@Req() request: AuthenticatedRequest): Promise<OverviewResponse> {
    const { from, to } = parseWith(overviewQuery, request.query, 'query');
    if (from && to && from >= to) throw badRequest('to', 'must be after from');
    const snapshot = await this.latest(request);
    const overview = overviewFigures(snapshot);
    return {
      snapshot: snapshotView(snapshot),
      ...overview,
      ...(from && to ? { period: comparePeriods(overview.weekly ?? [], from, to) } : {}),
    };
  }

  @Get('insights/clusters')
  @RequireScopes('read', 'admin')
  async clusters(@Req() request: AuthenticatedRequest): Promise<ClusterListResponse> {
    const query = parseWith(clustersQuery, request.query, 'query');
    const tenantId = request.auth!.tenantId;
    const insights = new InsightsRepository(this.deps.db);
    const cursor = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
    // Later pages read the snapshot of the first page (another tenant's snapshot id: 404).
    const snapshot = cursor ? await insights.find(tenantId, cursor.s) : await this.latest(request);
    if (!snapshot) throw notFound('snapshot of this cursor');
    // A parent that is not a cluster of this snapshot (another tenant's id) is a 404, never an
    // empty list.
    if (
      query.parent &&
      (await insights.clusters(tenantId, snapshot.id, { id: query.parent })).length === 0
    )
      throw notFound('cluster');
    const filter = query.parent ? { parentId: query.parent } : { level: query.level ?? 0 };
    const rows = await insights.clusters(tenantId, snapshot.id, filter, {
      limit: query.limit + 1,
      ...(cursor ? { after: { conversations: cursor.c, clusterId: cursor.i } } : {}),
    });
    const page = rows.slice(0, query.limit);
    const last = page.at(-1);
    return {
      snapshot: snapshotView(snapshot),
      clusters: page.map(clusterSummary),
      next_cursor:
        rows.length > query.limit && last
          ? encodeCursor({ s: snapshot.id, c: last.conversations, i: last.clusterId })
          : null,
      total: await insights.countClusters(tenantId, snapshot.id, filter),
    };
  }

  @Get('insights/clusters/:id')
  @RequireScopes('read', 'admin')
  async cluster(
    @Req() request: AuthenticatedRequest,
    @Param('id') id: string,
  ): Promise<ClusterDetailResponse> {
    if (!uuid.safeParse(id).success) throw notFound('cluster');
    const snapshot = await this.latest(request);
    const insights = new InsightsRepository(this.deps.db);
    const tenantId = request.auth!.tenantId;
    const [cluster] = await insights.clusters(tenantId, snapshot.id, { id });
    if (!cluster) throw notFound('cluster');
    // The path to the top: one indexed lookup per level (three by default).
    const path: { id: string; name: string; level: number }[] = [];
    for (let parentId = cluster.parentId; parentId;) {
      const [parent] = await insights.clusters(tenantId, snapshot.id, { id: parentId });
      if (!parent) break;
      path.unshift({ id: parent.clusterId, name: parent.name, level: parent.level });
      parentId = parent.parentId;
    }
    const children = await insights.clusters(tenantId, snapshot.id, {
      parentId: cluster.clusterId,
    });
    return {
      snapshot: snapshotView(snapshot),
      ...clusterSummary(cluster),
      path,
      metrics: clusterMetrics(cluster),
      goals: cluster.goals,
      lineage: cluster.lineage as ClusterDetailResponse['lineage'],
      children: children.map(clusterSummary),
    };
  }

  /**
   * Clusters ranked by failure impact (manual minutes of their unresolved and abandoned
   * conversations), the top `limit`, each with its trend since the previous published snapshot.
   */
  @Get('insights/failures')
  @RequireScopes('read', 'admin')
  async failures(@Req() request: AuthenticatedRequest): Promise<FailuresResponse> {
    const query = parseWith(failuresQuery, request.query, 'query');
    const snapshot = await this.latest(request);
    const tenantId = request.auth!.tenantId;
    const insights = new InsightsRepository(this.deps.db);
    const level = query.level ?? (overviewFigures(snapshot).levels ?? 3) - 1;
    const clusters = await insights.clusters(tenantId, snapshot.id, { level });
    const ranked = clusters
      .map((cluster) => ({ cluster, metrics: clusterMetrics(cluster) }))
      .sort(
        (a, b) =>
          (b.metrics.failure_impact_minutes ?? -1) - (a.metrics.failure_impact_minutes ?? -1) ||
          (b.metrics.failure_rate ?? 0) - (a.metrics.failure_rate ?? 0),
      )
      .slice(0, query.limit);

    // The previous snapshot's figures for the same stable ids, and which of them it pooled.
    const previous = await insights.previous(tenantId, snapshot.version);
    const before = new Map(
      previous
        ? (
            await insights.clusters(tenantId, previous.id, {
              ids: ranked.map(({ cluster }) => cluster.clusterId),
            })
          ).map((cluster) => [cluster.clusterId, trendSide(clusterMetrics(cluster))])
        : [],
    );
    // Ids only: the snapshot keeps which clusters it pooled, not why or how small they were.
    const pooledBefore = new Set(previous?.pooledClusterIds ?? []);
    return {
      snapshot: snapshotView(snapshot),
      previous_snapshot: previous ? snapshotView(previous) : null,
      level,
      total: clusters.length,
      clusters: ranked.map(({ cluster, metrics }) => ({
        ...clusterSummary(cluster),
        failure_impact_minutes: metrics.failure_impact_minutes ?? null,
        failure_reasons: metrics.failure_reasons ?? [],
        outcomes: metrics.outcomes ?? [],
        trend: failureTrend(trendSide(metrics), before.get(cluster.clusterId), {
          hasPrevious: previous !== undefined,
          wasPooled: pooledBefore.has(cluster.clusterId),
        }),
      })),
    };
  }

  @Get('insights/breakdown')
  @RequireScopes('read', 'admin')
  async breakdown(@Req() request: AuthenticatedRequest): Promise<BreakdownResponse> {
    const { facet } = parseWith(breakdownQuery, request.query, 'query');
    const snapshot = await this.latest(request);
    const rows = await new InsightsRepository(this.deps.db).breakdowns(
      request.auth!.tenantId,
      snapshot.id,
    );
    const evidence = snapshot.evidence as { thresholds?: { kUsers?: number } };
    return {
      snapshot: snapshotView(snapshot),
      facet,
      k_users: evidence.thresholds?.kUsers ?? null,
      rows: rows
        .filter((row) => row.facet === facet)
        .map((row) => ({
          value: row.value,
          is_other: row.isOther,
          conversations: row.conversations,
          distinct_users: row.distinctUsers,
          minutes_saved: row.minutesSavedTotal,
          ...(row.noise ? { noise: row.noise } : {}),
        })),
    };
  }

  /** Per bucket: published values and, when needed, the bucket's pooled "(other)". */
  @Get('insights/trends')
  @RequireScopes('read', 'admin')
  async trends(@Req() request: AuthenticatedRequest): Promise<TrendsResponse> {
    const { facet, interval } = parseWith(trendsQuery, request.query, 'query');
    const snapshot = await this.latest(request);
    const rows = await new InsightsRepository(this.deps.db).trends(
      request.auth!.tenantId,
      snapshot.id,
      facet,
      interval,
    );
    const buckets = new Map<string, PublishedValue[]>();
    for (const row of rows) {
      const list = buckets.get(row.bucket) ?? [];
      list.push({
        value: row.value,
        is_other: row.isOther,
        conversations: row.conversations,
        distinct_users: row.distinctUsers,
        minutes_saved: row.minutesSavedTotal,
        ...(row.noise ? { noise: row.noise } : {}),
      });
      buckets.set(row.bucket, list);
    }
    return {
      snapshot: snapshotView(snapshot),
      facet,
      interval,
      buckets: [...buckets].map(([bucket, values]) => ({ bucket, values })),
    };
  }

  @Get('privacy/evidence')
  @RequireScopes('read', 'admin')
  async evidence(@Req() request: AuthenticatedRequest): Promise<EvidenceResponse> {
    const { snapshot: snapshotId } = parseWith(evidenceQuery, request.query, 'query');
    const insights = new InsightsRepository(this.deps.db);
    const snapshot = snapshotId
      ? await insights.find(request.auth!.tenantId, snapshotId)
      : await this.latest(request);
    if (!snapshot) throw notFound('snapshot');
    return { snapshot: snapshotView(snapshot), evidence: tenantEvidence(snapshot.evidence) };
  }
}
