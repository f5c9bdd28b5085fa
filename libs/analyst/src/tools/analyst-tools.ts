/**
 * The analyst's tools: read-only views of the tenant's latest published snapshot, nothing else.
 * Each has a zod input schema (the LLM's JSON schema and the MCP schema are generated from it)
 * and returns published figures with the snapshot id. Pooled ("other") cells and suppressed
 * cells are marked as such. A tool cannot reach anything a read key cannot read through the
 * insights API: it reads the same `insights` rows through the same repository.
 */
import { z } from 'zod';
import type { FigureLink } from '@silhouette/contracts';
import type { PublishedCluster, PublishedTrendRow } from '@silhouette/db';
import { intervalFields, noiseOf } from './interval-fields';
import { clusterMetricsOf, type PublishedInsights } from './published-insights';
import {
  periodFigures,
  periodSchema,
  periodWeeks,
  shiftWeek,
  weeklyCells,
  weeksBetween,
  type Period,
} from './periods';

/** A bad argument or a question the data cannot take: the message goes back to the caller. */
export class ToolInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

export interface AnalystTool<I = unknown> {
  name: string;
  description: string;
  input: z.ZodType<I>;
  /** The dashboard view that shows this tool's figures. */
  link: (input: I) => FigureLink | null;
  run(data: PublishedInsights, input: I): Promise<Record<string, unknown>>;
}

const CLUSTER_SORTS = ['conversations', 'distinct_users', 'minutes_saved', 'failure_rate'] as const;
const VALUE_SORTS = ['conversations', 'distinct_users', 'minutes_saved'] as const;
const round1 = (value: number) => Math.round(value * 10) / 10;
const round3 = (value: number) => Math.round(value * 1000) / 1000;

function clusterRow(cluster: PublishedCluster) {
  const metrics = clusterMetricsOf(cluster);
  return {
    ...intervalFields(cluster),
    ...noiseOf(cluster),
    cluster_id: cluster.clusterId,
    name: cluster.name,
    level: cluster.level,
    conversations: cluster.conversations,
    distinct_users: cluster.distinctUsers,
    minutes_saved: cluster.minutesSavedTotal,
    failure_rate: metrics.failure_rate ?? null,
    ...(cluster.isOther
      ? { pooled: true, note: 'several groups too small to show alone, pooled together' }
      : {}),
  };
}

function sortValue(row: Record<string, unknown>, key: string): number {
  const value = row[key];
  return typeof value === 'number' ? value : Number.NEGATIVE_INFINITY;
}

/** Ranks rows by `key`; pooled rows are not a topic, so they are listed apart, never ranked. */
function rank<T extends Record<string, unknown>>(
  rows: T[],
  key: string,
  order: 'desc' | 'asc',
  limit: number,
): { ranked: T[]; pooled: T[] } {
  const ranked = rows
    .filter((row) => !row['pooled'] && typeof row[key] === 'number')
    .sort((a, b) =>
      order === 'desc'
        ? sortValue(b, key) - sortValue(a, key)
        : sortValue(a, key) - sortValue(b, key),
    )
    .slice(0, limit);
  return { ranked, pooled: rows.filter((row) => row['pooled']) };
}

function suppressedIn(data: PublishedInsights, scope: string): number {
  return data.evidence().cells.byScope[scope]?.suppressed ?? 0;
}

/** Words of a name or query, lower-cased, without the commonest function words. */
export function nameTokens(text: string): string[] {
  return (text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []).filter(
    (word) => (word.length > 1 || /\d/.test(word)) && !STOPWORDS.has(word),
  );
}
const STOPWORDS = new Set(
  'the a an and or of for to in on with about by at from is are was were how what which who does did do it its this that these those me my our we i you'.split(
    ' ',
  ),
);

const describeData: AnalystTool<Record<string, never>> = {
  name: 'describe_published_data',
  description:
    'What the latest published snapshot contains: its period, the published weeks, cluster levels, the facets with breakdowns and trends, and the privacy thresholds. Call it first when unsure whether the data can answer.',
  input: z.object({}).strict(),
  link: () => ({ view: 'privacy' }),
  async run(data) {
    const { weeks, pooled } = weeklyCells(data.overview.weekly);
    const clusters = await data.clusters();
    return {
      snapshot_id: data.snapshotId,
      published_at: data.snapshot.publishedAt.toISOString(),
      period: {
        start: data.snapshot.periodStart?.toISOString() ?? null,
        end: data.snapshot.periodEnd?.toISOString() ?? null,
      },
      thresholds: data.overview.thresholds,
      first_week: weeks[0]?.week ?? null,
      latest_week: weeks.at(-1)?.week ?? null,
      weeks_published: weeks.length,
      some_weeks_pooled: pooled,
      cluster_levels: data.overview.levels ?? new Set(clusters.map((c) => c.level)).size,
      clusters_published: clusters.length,
      breakdown_facets: await data.breakdownFacets(),
      trend_series: (await data.trendFacets()).map((s) => `${s.facet}/${s.interval}`),
      metrics: [
        'conversations',
        'distinct_users',
        'minutes_saved (with a 90% interval overall)',
        'resolution_rate',
        'failure_rate',
        'outcomes',
        'failure_reasons',
      ],
      never_published:
        'anything about one person or a group smaller than the thresholds, conversation text, days (a week is the smallest period)',
    };
  },
};

const overviewInput = z
  .object({
    period: periodSchema
      .optional()
      .describe('restrict conversations and minutes saved to whole ISO weeks'),
  })
  .strict();

const getOverview: AnalystTool<z.infer<typeof overviewInput>> = {
  name: 'get_overview',
  description:
    'Tenant-wide published figures: conversations, distinct users, minutes saved (with its 90% interval), resolution and failure rates (shares between 0 and 1), outcomes, failure reasons and the weekly series. With `period`, also the conversations and minutes saved of those weeks (sums of published weekly cells).',
  input: overviewInput,
  link: () => ({ view: 'overview' }),
  async run(data, input) {
    const o = data.overview;
    const cells = weeklyCells(o.weekly);
    const result: Record<string, unknown> = {
      snapshot_id: data.snapshotId,
      published: o.published,
      conversations: o.conversations ?? null,
      distinct_users: o.distinct_users ?? null,
      minutes_saved: o.minutes_saved
        ? {
            total: o.minutes_saved.total,
            total_low: o.minutes_saved.total_low,
            total_high: o.minutes_saved.total_high,
            per_active_user_per_week: o.minutes_saved.per_active_user_per_week ?? null,
          }
        : null,
      resolution_rate: o.resolution_rate ?? null,
      failure_rate: o.failure_rate ?? null,
      ...noiseOf(o),
      outcomes: (o.outcomes ?? []).map((row) => ({
        value: row.value,
        conversations: row.conversations,
        ...noiseOf(row),
        ...(row.isOther ? { pooled: true } : {}),
      })),
      failure_reasons: (o.failure_reasons ?? []).map((row) => ({
        value: row.value,
        conversations: row.conversations,
        ...noiseOf(row),
        ...(row.isOther ? { pooled: true } : {}),
      })),
      weekly: cells.weeks,
      ...(cells.pooled ? { weekly_note: 'some weeks were pooled for privacy' } : {}),
      low_confidence_conversations: o.low_confidence_conversations ?? null,
    };
    if (input.period) result['period'] = periodOf(data, input.period);
    return result;
  },
};

function periodOf(data: PublishedInsights, period: Period) {
  const cells = weeklyCells(data.overview.weekly);
  const latest = cells.weeks.at(-1)?.week;
  if (!latest) throw new ToolInputError('period', 'no week has been published yet');
  const { from, to } = periodWeeks(period, latest);
  if (from > to) throw new ToolInputError('period', 'the period ends before it starts');
  return periodFigures(cells, from, to);
}

const searchInput = z
  .object({
    query: z.string().min(1).max(200).describe('words of the topic, e.g. "restaurant booking"'),
    level: z.number().int().min(0).max(10).optional().describe('0 is the top level'),
    limit: z.number().int().min(1).max(20).default(5),
  })
  .strict();

const searchClusters: AnalystTool<z.infer<typeof searchInput>> = {
  name: 'search_clusters',
  description:
    'Find published clusters (topics) whose name or description shares words with the query, best first, with their figures.',
  input: searchInput,
  link: () => ({ view: 'explore' }),
  async run(data, input) {
    const query = new Set(nameTokens(input.query));
    const scored = (await data.clusters())
      .filter((cluster) => input.level === undefined || cluster.level === input.level)
      .map((cluster) => {
        const name = nameTokens(cluster.name);
        const words = new Set([...name, ...nameTokens(cluster.description)]);
        const hits = [...query].filter((word) => words.has(word)).length;
        const nameHits = name.filter((word) => query.has(word)).length;
        return { cluster, score: hits + nameHits / Math.max(1, name.length) };
      })
      .filter((entry) => entry.score > 0)
      .sort((a, b) => b.score - a.score || b.cluster.conversations - a.cluster.conversations)
      .slice(0, input.limit);
    return {
      snapshot_id: data.snapshotId,
      matches: scored.map(({ cluster }) => clusterRow(cluster)),
    };
  },
};

const clusterInput = z.object({ cluster_id: z.string().min(1).max(64) }).strict();

const getCluster: AnalystTool<z.infer<typeof clusterInput>> = {
  name: 'get_cluster',
  description:
    "One published cluster's figures: size, people, minutes saved with its interval, resolution and failure rates, failure impact, outcomes, failure reasons, languages, domains, task types, teams, weekly series, goals shared by enough people, its path and its children.",
  input: clusterInput,
  link: (input) => ({ view: 'explore', cluster: input.cluster_id }),
  async run(data, input) {
    const cluster = await data.cluster(input.cluster_id);
    if (!cluster) {
      throw new ToolInputError('cluster_id', 'no published cluster has this id (search first)');
    }
    const m = clusterMetricsOf(cluster);
    const rows = (list: typeof m.outcomes) =>
      (list ?? []).map((row) => ({
        value: row.value,
        conversations: row.conversations,
        distinct_users: row.distinctUsers,
        ...noiseOf(row),
        ...(row.isOther ? { pooled: true } : {}),
      }));
    const all = await data.clusters();
    const path: string[] = [];
    for (let parentId = cluster.parentId; parentId;) {
      const parent = all.find((c) => c.clusterId === parentId);
      if (!parent) break;
      path.unshift(parent.name);
      parentId = parent.parentId;
    }
    return {
      snapshot_id: data.snapshotId,
      ...clusterRow(cluster),
      description: cluster.description,
      path,
      // The published 90% interval beside the value it bounds.
      minutes_saved_low: m.minutes_saved?.total_low ?? null,
      minutes_saved_high: m.minutes_saved?.total_high ?? null,
      resolution_rate: m.resolution_rate ?? null,
      failure_impact_minutes: m.failure_impact_minutes ?? null,
      frustration_mean: m.frustration_mean ?? null,
      outcomes: rows(m.outcomes),
      failure_reasons: rows(m.failure_reasons),
      languages: rows(m.languages),
      domains: rows(m.domains),
      task_types: rows(m.task_types),
      teams: rows(m.teams),
      weekly: (m.weekly ?? [])
        .filter((row) => !row.isOther)
        .map((row) => ({ week: row.value, conversations: row.conversations })),
      goals: cluster.goals.map((goal) => ({ goal: goal.text, users: goal.users })),
      children: all
        .filter((child) => child.parentId === cluster.clusterId)
        .map((child) => ({
          cluster_id: child.clusterId,
          name: child.name,
          conversations: child.conversations,
        })),
    };
  },
};

const listInput = z
  .object({
    parent_id: z.string().min(1).max(64).optional().describe('list the children of this cluster'),
    level: z.number().int().min(0).max(10).optional().describe('0 is the top level (default)'),
    sort_by: z.enum(CLUSTER_SORTS).default('conversations'),
    order: z.enum(['desc', 'asc']).default('desc'),
    limit: z.number().int().min(1).max(50).default(10),
  })
  .strict()
  .refine((input) => input.parent_id === undefined || input.level === undefined, {
    message: 'give parent_id or level, not both',
    path: ['level'],
  });

const listClusters: AnalystTool<z.infer<typeof listInput>> = {
  name: 'list_clusters',
  description:
    'Published clusters of one level (default the top level, 0), or the children of a cluster, ranked by conversations, distinct users, minutes saved or failure rate. Pooled "other" groups are listed apart and never ranked.',
  input: listInput,
  link: (input) =>
    input.parent_id ? { view: 'explore', cluster: input.parent_id } : { view: 'explore' },
  async run(data, input) {
    const all = await data.clusters();
    let members: PublishedCluster[];
    let parent: PublishedCluster | undefined;
    if (input.parent_id) {
      parent = all.find((c) => c.clusterId === input.parent_id);
      if (!parent) throw new ToolInputError('parent_id', 'no published cluster has this id');
      members = all.filter((c) => c.parentId === parent!.clusterId);
    } else {
      const level = input.level ?? 0;
      const levels = new Set(all.map((c) => c.level));
      if (!levels.has(level)) {
        throw new ToolInputError('level', `published levels are ${[...levels].sort().join(', ')}`);
      }
      members = all.filter((c) => c.level === level);
    }
    const { ranked, pooled } = rank(
      members.map(clusterRow),
      input.sort_by,
      input.order,
      input.limit,
    );
    const suppressed = parent ? 0 : suppressedIn(data, `cluster/level-${input.level ?? 0}`);
    return {
      snapshot_id: data.snapshotId,
      ...(parent ? { parent: parent.name } : { level: input.level ?? 0 }),
      sort_by: input.sort_by,
      order: input.order,
      total: members.filter((c) => !c.isOther).length,
      clusters: ranked.map((row, index) => ({ rank: index + 1, ...row })),
      ...(pooled.length ? { pooled } : {}),
      ...(suppressed
        ? { suppressed_note: 'some groups were too small to publish and are pooled or withheld' }
        : {}),
    };
  },
};

const breakdownInput = z
  .object({
    facet: z
      .string()
      .min(1)
      .max(64)
      .describe('a facet the snapshot publishes (describe_published_data lists them)'),
    sort_by: z.enum(VALUE_SORTS).default('conversations'),
    order: z.enum(['desc', 'asc']).default('desc'),
    limit: z.number().int().min(1).max(50).default(20),
  })
  .strict();

const getBreakdown: AnalystTool<z.infer<typeof breakdownInput>> = {
  name: 'get_breakdown',
  description:
    'Published values of one facet (domain, task type, outcome, language, team, department, or any other facet the snapshot publishes) with conversations, distinct users and minutes saved, ranked. Small values are pooled into "other" or suppressed.',
  input: breakdownInput,
  link: (input) => ({ view: 'breakdowns', facet: input.facet }),
  async run(data, input) {
    const facets = await data.breakdownFacets();
    if (!facets.includes(input.facet)) {
      throw new ToolInputError(
        'facet',
        `the snapshot publishes no breakdown by "${input.facet}"; it has ${facets.join(', ')}`,
      );
    }
    const rows = (await data.breakdowns())
      .filter((row) => row.facet === input.facet)
      .map((row) => ({
        value: row.value,
        conversations: row.conversations,
        distinct_users: row.distinctUsers,
        minutes_saved: row.minutesSavedTotal,
        ...intervalFields(row),
        ...noiseOf(row),
        ...(row.isOther ? { pooled: true, note: 'values too small to show alone, together' } : {}),
      }));
    const { ranked, pooled } = rank(rows, input.sort_by, input.order, input.limit);
    const suppressed = suppressedIn(data, `breakdown/${input.facet}`);
    return {
      snapshot_id: data.snapshotId,
      facet: input.facet,
      sort_by: input.sort_by,
      order: input.order,
      total: rows.filter((row) => !row.pooled).length,
      rows: ranked.map((row, index) => ({ rank: index + 1, ...row })),
      ...(pooled.length ? { pooled } : {}),
      ...(suppressed
        ? { suppressed_note: 'some values were too small to publish and are pooled or withheld' }
        : {}),
    };
  },
};

const trendInput = z
  .object({
    facet: z
      .string()
      .min(1)
      .max(64)
      .describe('"cluster" (top-level clusters) or a facet with trends'),
    value: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe('one value (for clusters: the top-level cluster name or id); omit for all'),
    interval: z.enum(['week', 'month']).default('week'),
  })
  .strict();

/** Direction of a series: the least-squares slope over its buckets, against its mean. */
export function trendDirection(series: readonly number[]): 'up' | 'down' | 'flat' | 'too_short' {
  if (series.length < 3) return 'too_short';
  const n = series.length;
  const meanX = (n - 1) / 2;
  const meanY = series.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  series.forEach((y, x) => {
    num += (x - meanX) * (y - meanY);
    den += (x - meanX) ** 2;
  });
  const change = (num / den) * (n - 1);
  // Less than a tenth of the mean over the whole span is noise, not a trend.
  if (Math.abs(change) < 0.1 * Math.max(meanY, 1)) return 'flat';
  return change > 0 ? 'up' : 'down';
}

const getTrend: AnalystTool<z.infer<typeof trendInput>> = {
  name: 'get_trend',
  description:
    'Conversations per week or month for one value of a facet (or each value), from the published trend series, with its direction (least-squares slope: up, down or flat).',
  input: trendInput,
  link: () => ({ view: 'trends' }),
  async run(data, input) {
    const series = await data.trendFacets();
    if (!series.some((s) => s.facet === input.facet && s.interval === input.interval)) {
      throw new ToolInputError(
        'facet',
        `the snapshot publishes no ${input.interval}ly trend of "${input.facet}"; it has ${series
          .map((s) => `${s.facet}/${s.interval}`)
          .join(', ')}`,
      );
    }
    const rows = await data.trends(input.facet, input.interval);
    const names = new Map((await data.clusters()).map((c) => [c.clusterId, c.name]));
    const label = (row: PublishedTrendRow) =>
      input.facet === 'cluster' ? (names.get(row.value) ?? row.value) : row.value;
    const buckets = [...new Set(rows.map((row) => row.bucket))].sort();
    const values = [...new Set(rows.filter((r) => !r.isOther).map(label))];
    const wanted = input.value?.toLowerCase();
    const chosen = wanted
      ? values.filter(
          (v) =>
            v.toLowerCase() === wanted ||
            rows.some((r) => r.value.toLowerCase() === wanted && label(r) === v),
        )
      : values;
    if (wanted && chosen.length === 0) {
      throw new ToolInputError(
        'value',
        `"${input.value}" has no published ${input.facet} trend; published values: ${values.slice(0, 30).join(', ')}`,
      );
    }
    const seriesOf = (value: string) => {
      const points = buckets.map((bucket) => {
        const row = rows.find((r) => r.bucket === bucket && !r.isOther && label(r) === value);
        return row
          ? {
              bucket,
              conversations: row.conversations,
              minutes_saved: row.minutesSavedTotal,
              ...intervalFields(row),
              ...noiseOf(row),
            }
          : { bucket, conversations: null, note: 'not published alone (pooled or too small)' };
      });
      const published = points.filter((p) => p.conversations !== null).map((p) => p.conversations!);
      return { value, direction: trendDirection(published), series: points };
    };
    return {
      snapshot_id: data.snapshotId,
      facet: input.facet,
      interval: input.interval,
      values: chosen.slice(0, 30).map(seriesOf),
    };
  },
};

const failuresInput = z
  .object({
    level: z.number().int().min(0).max(10).optional().describe('default: the base level'),
    limit: z.number().int().min(1).max(30).default(10),
  })
  .strict();

const getFailures: AnalystTool<z.infer<typeof failuresInput>> = {
  name: 'get_failures',
  description:
    'Clusters ranked by failure impact (manual minutes of their unresolved and abandoned conversations), as the Failures view ranks them, with failure rate and top failure reasons.',
  input: failuresInput,
  link: () => ({ view: 'failures' }),
  async run(data, input) {
    const all = await data.clusters();
    const level = input.level ?? (data.overview.levels ?? 3) - 1;
    const ranked = all
      .filter((c) => c.level === level)
      .map((cluster) => ({ cluster, m: clusterMetricsOf(cluster) }))
      .sort(
        (a, b) =>
          (b.m.failure_impact_minutes ?? -1) - (a.m.failure_impact_minutes ?? -1) ||
          (b.m.failure_rate ?? 0) - (a.m.failure_rate ?? 0),
      )
      .slice(0, input.limit);
    return {
      snapshot_id: data.snapshotId,
      level,
      clusters: ranked.map(({ cluster, m }, index) => ({
        rank: index + 1,
        ...clusterRow(cluster),
        failure_impact_minutes: m.failure_impact_minutes ?? null,
        failure_reasons: (m.failure_reasons ?? [])
          .filter((row) => !row.isOther)
          .slice(0, 3)
          .map((row) => ({ value: row.value, conversations: row.conversations })),
      })),
    };
  },
};

const compareInput = z
  .object({
    current: periodSchema.describe('the later period'),
    previous: periodSchema
      .optional()
      .describe('the earlier period; default: the same number of weeks just before `current`'),
  })
  .strict();

const comparePeriods: AnalystTool<z.infer<typeof compareInput>> = {
  name: 'compare_periods',
  description:
    'Conversations and minutes saved of two periods of whole ISO weeks (sums of published weekly cells), the difference and the relative change (a share: 0.1 is +10%).',
  input: compareInput,
  link: () => ({ view: 'overview' }),
  async run(data, input) {
    const current = periodOf(data, input.current);
    const previous = input.previous
      ? periodOf(data, input.previous)
      : (() => {
          const length = weeksBetween(current.from_week, current.to_week);
          return periodFigures(
            weeklyCells(data.overview.weekly),
            shiftWeek(current.from_week, -length),
            shiftWeek(current.from_week, -1),
          );
        })();
    const change = (a: number | null, b: number | null) =>
      a === null || b === null
        ? { difference: null, relative_change: null }
        : { difference: round1(a - b), relative_change: b === 0 ? null : round3((a - b) / b) };
    return {
      snapshot_id: data.snapshotId,
      current,
      previous,
      conversations: change(current.conversations, previous.conversations),
      minutes_saved: change(current.minutes_saved, previous.minutes_saved),
    };
  },
};

/** Every data tool (the calculator is added by the conversation, which owns the ledger). */
export const DATA_TOOLS: readonly AnalystTool<never>[] = [
  describeData,
  getOverview,
  searchClusters,
  getCluster,
  listClusters,
  getBreakdown,
  getTrend,
  getFailures,
  comparePeriods,
] as unknown as AnalystTool<never>[];
