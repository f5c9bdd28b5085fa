/**
 * What a report says, built only from the tenant's published snapshot (schema `insights`):
 * the per-bucket series (which passed the gates bucket by bucket), the published clusters and
 * the snapshot's overview. Nothing here reads `sealed`, and no figure is computed that the
 * dashboard could not show: a period figure is a sum of published bucket figures, and a
 * distinct-user count is only quoted for a single published bucket (users do not add up).
 */
import {
  NOT_SET_VALUE,
  OTHER_VALUE,
  UNSUCCESSFUL_OUTCOMES,
  type ReportType,
} from '@silhouette/contracts';
import {
  InsightsRepository,
  type PublishedCluster,
  type PublishedTrendRow,
  type Queryable,
  type SnapshotSummary,
} from '@silhouette/db';
import type { ResolvedPeriod } from './period';

export type CellValue = string | number | null;

export interface ReportTable {
  id: string;
  title: string;
  note?: string;
  columns: {
    key: string;
    label: string;
    kind: 'text' | 'number' | 'minutes' | 'percent' | 'change';
  }[];
  rows: Record<string, CellValue>[];
}

export interface ReportChart {
  id: string;
  title: string;
  kind: 'bars' | 'line';
  points: { label: string; value: number; low?: number; high?: number }[];
  unit: string;
}

export interface ReportKpi {
  label: string;
  value: string;
  detail?: string;
}

export interface ReportContent {
  type: ReportType;
  title: string;
  tenantName: string;
  generatedAt: Date;
  period: ResolvedPeriod;
  snapshot: { id: string; version: number; publishedAt: Date };
  thresholds: { kUsers: number; minConversations: number };
  /** API path of the privacy evidence of the snapshot the report was built from. */
  evidencePath: string;
  kpis: ReportKpi[];
  /** One line on how minutes saved are estimated (impact) or failures measured (quality). */
  method: string;
  charts: ReportChart[];
  tables: ReportTable[];
  notes: string[];
}

export class NothingPublishedError extends Error {
  readonly code = 'nothing_published';
}

const FAILED_OUTCOMES = new Set<string>(UNSUCCESSFUL_OUTCOMES);
/** A failure rate has to move by this much to be called improved or regressed. */
export const FAILURE_RATE_CHANGE = 0.05;

interface Sums {
  conversations: number;
  minutes: number;
  /** Buckets in which the value was published as itself. */
  buckets: number;
  /** Only meaningful when exactly one bucket was summed. */
  users: number;
}

/** Per value, the sum of its published figures over `buckets`. */
function sumByValue(rows: readonly PublishedTrendRow[], buckets: readonly string[]) {
  const wanted = new Set(buckets);
  const sums = new Map<string, Sums>();
  for (const row of rows) {
    if (!wanted.has(row.bucket)) continue;
    const key = row.isOther ? OTHER_VALUE : row.value;
    const sum = sums.get(key) ?? { conversations: 0, minutes: 0, buckets: 0, users: 0 };
    sum.conversations += row.conversations;
    sum.minutes += row.minutesSavedTotal;
    sum.buckets += 1;
    sum.users = row.distinctUsers;
    sums.set(key, sum);
  }
  return sums;
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
const change = (current: number, previous: number) =>
  previous > 0 ? round((current - previous) / previous, 3) : null;
const formatInt = (value: number) => Math.round(value).toLocaleString('en-GB');
const formatPercent = (value: number | null) =>
  value === null ? 'n/a' : `${(value * 100).toFixed(1)}%`;
const formatHours = (minutes: number) =>
  minutes >= 600 ? `${formatInt(minutes / 60)} h` : `${formatInt(minutes)} min`;

/** A snapshot's rows, each read on first use (an impact report never needs the base level). */
interface SnapshotData {
  snapshot: SnapshotSummary;
  trends: (facet: string) => Promise<PublishedTrendRow[]>;
  topLevel: () => Promise<PublishedCluster[]>;
  baseLevel: () => Promise<PublishedCluster[]>;
}

function memo<T>(load: () => Promise<T>): () => Promise<T> {
  let value: Promise<T> | undefined;
  return () => (value ??= load());
}

function snapshotData(
  insights: InsightsRepository,
  tenantId: string,
  snapshot: SnapshotSummary,
): SnapshotData {
  const levels = Number((snapshot.overview as { levels?: number }).levels ?? 3);
  return {
    snapshot,
    trends: (facet) => insights.trends(tenantId, snapshot.id, facet, 'week'),
    topLevel: memo(() => insights.clusters(tenantId, snapshot.id, { level: 0 })),
    baseLevel: memo(() =>
      insights.clusters(tenantId, snapshot.id, { level: Math.max(0, levels - 1) }),
    ),
  };
}

export interface BuildReportInput {
  db: Queryable;
  tenantId: string;
  tenantName: string;
  type: ReportType;
  period: ResolvedPeriod;
  /** The snapshot an earlier report used, for "improved or regressed" (quality). */
  comparisonSnapshotId?: string | null;
  now?: Date;
}

export async function buildReportContent(input: BuildReportInput): Promise<ReportContent> {
  const insights = new InsightsRepository(input.db);
  const snapshot = await insights.latest(input.tenantId);
  if (!snapshot) throw new NothingPublishedError('nothing has been published for this tenant yet');
  const overview = snapshot.overview as {
    published?: boolean;
    privacy?: { mode?: string; guarantee?: string };
    thresholds?: { k_users: number; min_conversations: number };
    minutes_saved?: { method?: string };
    failure_reasons?: { value: string; isOther: boolean; conversations: number }[];
  };
  if (!overview.published)
    throw new NothingPublishedError(
      'the latest snapshot is below the privacy thresholds: there is nothing to report yet',
    );
  const data = snapshotData(insights, input.tenantId, snapshot);
  const thresholds = {
    kUsers: overview.thresholds?.k_users ?? 5,
    minConversations: overview.thresholds?.min_conversations ?? 10,
  };
  const base = {
    type: input.type,
    tenantName: input.tenantName,
    generatedAt: input.now ?? new Date(),
    period: input.period,
    snapshot: { id: snapshot.id, version: snapshot.version, publishedAt: snapshot.publishedAt },
    thresholds,
    evidencePath: `/v1/privacy/evidence?snapshot=${snapshot.id}`,
  };
  const totals = await periodTotals(data, input.period);
  const notes = [
    // dp mode: the one-sentence guarantee first; figures carry privacy noise (README "Privacy").
    ...(overview.privacy?.mode === 'dp' && overview.privacy.guarantee
      ? [
          overview.privacy.guarantee,
          `Figures are published with privacy noise (the dashboard shows each one's 90% interval); a group is shown only when its noisy count reaches ${thresholds.kUsers} people and ${thresholds.minConversations} conversations.`,
        ]
      : [
          `Every figure is an aggregate over at least ${thresholds.kUsers} people and ${thresholds.minConversations} conversations. Smaller groups are pooled into "other" or left out, exactly as on the dashboard.`,
        ]),
    `Period figures add up the published weekly figures of ${input.period.label}. A group pooled into "other" in some week counts there, not under its own name.`,
  ];
  if (totals.current.buckets < input.period.buckets.length)
    notes.push(
      `${input.period.buckets.length - totals.current.buckets} of the ${input.period.buckets.length} weeks of this period have no published figures (no activity, or too little to publish).`,
    );

  if (input.type === 'impact') {
    return {
      ...base,
      title: `Assistant impact: ${input.period.label}`,
      method:
        overview.minutes_saved?.method ??
        'Per conversation: estimated minutes without AI minus minutes with AI.',
      ...(await impactSections(data, input.period, totals)),
      notes,
    };
  }
  let comparison: SnapshotData | undefined;
  const comparisonSnapshot = input.comparisonSnapshotId
    ? await insights.find(input.tenantId, input.comparisonSnapshotId)
    : await insights.latestBefore(input.tenantId, snapshot.publishedAt);
  if (comparisonSnapshot && comparisonSnapshot.id !== snapshot.id)
    comparison = snapshotData(insights, input.tenantId, comparisonSnapshot);
  return {
    ...base,
    title: `Assistant quality: ${input.period.label}`,
    method:
      'A conversation fails when it ends unresolved, abandoned or refused. Failure impact is the time those conversations would have taken without the assistant.',
    ...(await qualitySections(
      data,
      input.period,
      totals,
      overview.failure_reasons ?? [],
      comparison,
    )),
    notes: comparison
      ? [
          ...notes,
          `Improved and regressed compare with snapshot v${comparison.snapshot.version} (${comparison.snapshot.publishedAt.toISOString().slice(0, 10)}).`,
        ]
      : [...notes, 'No earlier snapshot to compare with yet.'],
  };
}

interface PeriodTotals {
  current: Sums;
  previous: Sums;
  singleBucketRow?: PublishedTrendRow;
  weekly: PublishedTrendRow[];
}

async function periodTotals(data: SnapshotData, period: ResolvedPeriod): Promise<PeriodTotals> {
  const rows = (await data.trends('all')).filter((row) => !row.isOther);
  const current = sumByValue(rows, period.buckets).get('all') ?? {
    conversations: 0,
    minutes: 0,
    buckets: 0,
    users: 0,
  };
  const previous = sumByValue(rows, period.previousBuckets).get('all') ?? {
    conversations: 0,
    minutes: 0,
    buckets: 0,
    users: 0,
  };
  const singleBucketRow =
    period.buckets.length === 1 ? rows.find((row) => row.bucket === period.buckets[0]) : undefined;
  return { current, previous, ...(singleBucketRow ? { singleBucketRow } : {}), weekly: rows };
}

function changeText(current: number, previous: number, buckets: number): string | undefined {
  if (buckets === 0) return 'no published figures for the previous period';
  const ratio = change(current, previous);
  return ratio === null
    ? undefined
    : `${ratio >= 0 ? '+' : ''}${(ratio * 100).toFixed(0)}% vs previous period`;
}

async function impactSections(data: SnapshotData, period: ResolvedPeriod, totals: PeriodTotals) {
  const { current, previous, singleBucketRow } = totals;
  const bucketRows = totals.weekly.filter((row) => period.buckets.includes(row.bucket));
  // Person-weeks (or person-months): each bucket's published distinct users, added up.
  const userBuckets = bucketRows.reduce((sum, row) => sum + row.distinctUsers, 0);
  const minutesDetail =
    singleBucketRow?.minutesSavedLow !== undefined && singleBucketRow.minutesSavedHigh !== undefined
      ? `90% interval ${formatHours(singleBucketRow.minutesSavedLow)} to ${formatHours(singleBucketRow.minutesSavedHigh)}`
      : intervalOfSum(totals, period);
  const kpis: ReportKpi[] = [
    {
      label: 'Conversations',
      value: formatInt(current.conversations),
      ...(changeText(current.conversations, previous.conversations, previous.buckets)
        ? { detail: changeText(current.conversations, previous.conversations, previous.buckets)! }
        : {}),
    },
    singleBucketRow
      ? { label: 'Active users', value: formatInt(singleBucketRow.distinctUsers) }
      : {
          // People are never added up across buckets (one person active in two weeks is one).
          label: 'Active users per week',
          value: bucketRows.length ? formatInt(userBuckets / bucketRows.length) : 'n/a',
          detail: `average of ${bucketRows.length} published weeks`,
        },
    {
      label: 'Time saved',
      value: formatHours(current.minutes),
      ...(minutesDetail ? { detail: minutesDetail } : {}),
    },
    {
      label: 'Time saved per active user per week',
      value: userBuckets > 0 ? `${formatInt(current.minutes / userBuckets)} min` : 'n/a',
    },
  ];

  // The minutes-saved trend: the last twelve published buckets up to the period's end.
  const trend = totals.weekly
    .filter((row) => row.bucket <= period.buckets[period.buckets.length - 1]!)
    .slice(-12);
  const charts: ReportChart[] = [
    {
      id: 'minutes-trend',
      title: 'Time saved per week (hours, with 90% interval)',
      kind: 'line',
      unit: 'h',
      points: trend.map((row) => ({
        label: row.bucket,
        value: round(row.minutesSavedTotal / 60),
        ...(row.minutesSavedLow !== undefined ? { low: round(row.minutesSavedLow / 60) } : {}),
        ...(row.minutesSavedHigh !== undefined ? { high: round(row.minutesSavedHigh / 60) } : {}),
      })),
    },
  ];

  const names = new Map(
    (await data.topLevel()).map((cluster) => [cluster.clusterId, cluster.name]),
  );
  const clusterRows = await data.trends('cluster');
  const now = sumByValue(clusterRows, period.buckets);
  const before = sumByValue(clusterRows, period.previousBuckets);
  const nameOf = (key: string) =>
    key === OTHER_VALUE
      ? 'Other use cases (pooled)'
      : (names.get(key) ?? 'A use case no longer shown');
  const top = [...now]
    .filter(([key]) => key !== OTHER_VALUE)
    .sort((a, b) => b[1].minutes - a[1].minutes || b[1].conversations - a[1].conversations)
    .slice(0, 8);
  charts.push({
    id: 'top-clusters',
    title: 'Top use cases by time saved (hours)',
    kind: 'bars',
    unit: 'h',
    points: top.map(([key, sum]) => ({ label: nameOf(key), value: round(sum.minutes / 60) })),
  });
  const tables: ReportTable[] = [
    {
      id: 'top-clusters',
      title: 'Top use cases by time saved',
      columns: [
        { key: 'use_case', label: 'Use case', kind: 'text' },
        { key: 'conversations', label: 'Conversations', kind: 'number' },
        { key: 'minutes_saved', label: 'Minutes saved', kind: 'minutes' },
        { key: 'share', label: 'Share of time saved', kind: 'percent' },
      ],
      rows: top.map(([key, sum]) => ({
        use_case: nameOf(key),
        conversations: sum.conversations,
        minutes_saved: round(sum.minutes),
        share: current.minutes > 0 ? round(sum.minutes / current.minutes, 3) : null,
      })),
    },
  ];

  const movers = [...new Set([...now.keys(), ...before.keys()])]
    .filter((key) => key !== OTHER_VALUE)
    .map((key) => {
      const a = now.get(key)?.conversations ?? 0;
      const b = before.get(key)?.conversations ?? 0;
      return { key, current: a, previous: b, delta: a - b };
    })
    .filter((mover) => mover.delta !== 0)
    .sort((x, y) => Math.abs(y.delta) - Math.abs(x.delta))
    .slice(0, 6);
  tables.push({
    id: 'movers',
    title: 'Biggest movers vs the previous period',
    note: 'Conversations per use case, as published in each period. A use case absent in a period had no published figure there.',
    columns: [
      { key: 'use_case', label: 'Use case', kind: 'text' },
      { key: 'previous', label: 'Previous period', kind: 'number' },
      { key: 'current', label: 'This period', kind: 'number' },
      { key: 'change', label: 'Change', kind: 'change' },
    ],
    rows: movers.map((mover) => ({
      use_case: nameOf(mover.key),
      previous: mover.previous,
      current: mover.current,
      change: change(mover.current, mover.previous),
    })),
  });

  const teams = sumByValue(await data.trends('team'), period.buckets);
  const single = period.buckets.length === 1;
  tables.push({
    id: 'adoption-by-team',
    title: 'Adoption by team',
    note: `Teams with fewer than the thresholds are pooled into "Other teams".${single ? '' : ' Active people are shown for single-week reports only (people do not add up across weeks).'}`,
    columns: [
      { key: 'team', label: 'Team', kind: 'text' },
      { key: 'conversations', label: 'Conversations', kind: 'number' },
      ...(single ? [{ key: 'people', label: 'Active people', kind: 'number' as const }] : []),
      { key: 'minutes_saved', label: 'Minutes saved', kind: 'minutes' },
    ],
    rows: [...teams]
      .sort(
        (a, b) =>
          Number(a[0] === OTHER_VALUE) - Number(b[0] === OTHER_VALUE) ||
          b[1].conversations - a[1].conversations,
      )
      .map(([key, sum]) => ({
        team:
          key === OTHER_VALUE
            ? 'Other teams (pooled)'
            : key === NOT_SET_VALUE
              ? 'No team given'
              : key,
        conversations: sum.conversations,
        ...(single ? { people: sum.users } : {}),
        minutes_saved: round(sum.minutes),
      })),
  });
  return { kpis, charts, tables };
}

/** Multi-bucket periods: the sum of per-bucket intervals, a conservative (wider) range. */
function intervalOfSum(totals: PeriodTotals, period: ResolvedPeriod): string | undefined {
  const rows = totals.weekly.filter((row) => period.buckets.includes(row.bucket));
  if (rows.length === 0 || rows.some((row) => row.minutesSavedLow === undefined)) return undefined;
  const low = rows.reduce((sum, row) => sum + (row.minutesSavedLow ?? 0), 0);
  const high = rows.reduce((sum, row) => sum + (row.minutesSavedHigh ?? 0), 0);
  return `between ${formatHours(low)} and ${formatHours(high)} (sum of the weekly 90% intervals, conservative)`;
}

async function qualitySections(
  data: SnapshotData,
  period: ResolvedPeriod,
  totals: PeriodTotals,
  failureReasons: { value: string; isOther: boolean; conversations: number }[],
  comparison: SnapshotData | undefined,
) {
  const outcomes = await data.trends('outcome');
  const rates = (buckets: readonly string[], total: number) => {
    const sums = sumByValue(outcomes, buckets);
    const count = (predicate: (value: string) => boolean) =>
      [...sums]
        .filter(([key]) => key !== OTHER_VALUE && predicate(key))
        .reduce((s, [, v]) => s + v.conversations, 0);
    return {
      resolved: total > 0 ? count((value) => value === 'resolved') / total : null,
      failed: total > 0 ? count((value) => FAILED_OUTCOMES.has(value)) / total : null,
      sums,
    };
  };
  const now = rates(period.buckets, totals.current.conversations);
  const before = rates(period.previousBuckets, totals.previous.conversations);
  const points = (delta: number | null) =>
    delta === null
      ? undefined
      : `${delta >= 0 ? '+' : ''}${(delta * 100).toFixed(1)} points vs previous period`;
  const kpis: ReportKpi[] = [
    { label: 'Conversations', value: formatInt(totals.current.conversations) },
    {
      label: 'Resolved',
      value: formatPercent(now.resolved),
      ...(now.resolved !== null && before.resolved !== null
        ? { detail: points(now.resolved - before.resolved)! }
        : {}),
    },
    {
      label: 'Failed',
      value: formatPercent(now.failed),
      ...(now.failed !== null && before.failed !== null
        ? { detail: points(now.failed - before.failed)! }
        : {}),
    },
  ];

  const hotSpots = (await data.baseLevel())
    .map((cluster) => {
      const metrics = cluster.metrics as {
        failure_impact_minutes?: number | null;
        failure_rate?: number;
        failure_reasons?: { value: string; isOther: boolean; conversations: number }[];
      };
      return { cluster, impact: metrics.failure_impact_minutes ?? null, metrics };
    })
    // Impact where it was published (enough failed conversations on their own), then the
    // published failure rate times the cluster's size.
    .filter((spot) => (spot.impact ?? 0) > 0 || (spot.metrics.failure_rate ?? 0) > 0)
    .sort(
      (a, b) =>
        (b.impact ?? 0) - (a.impact ?? 0) ||
        (b.metrics.failure_rate ?? 0) * b.cluster.conversations -
          (a.metrics.failure_rate ?? 0) * a.cluster.conversations,
    )
    .slice(0, 10);
  const charts: ReportChart[] = [
    {
      id: 'failure-hot-spots',
      title: 'Failure hot spots: hours of failed conversations without AI',
      kind: 'bars',
      unit: 'h',
      points: hotSpots
        .filter((spot) => spot.impact !== null)
        .map((spot) => ({ label: spot.cluster.name, value: round(spot.impact! / 60) })),
    },
    {
      id: 'failure-reasons',
      title: 'Failure reasons (conversations, all published data)',
      kind: 'bars',
      unit: '',
      points: failureReasons
        .filter((reason) => !reason.isOther)
        .map((reason) => ({
          label: reason.value.replaceAll('_', ' '),
          value: reason.conversations,
        })),
    },
  ];
  const tables: ReportTable[] = [
    {
      id: 'failure-hot-spots',
      title: 'Failure hot spots, ranked by impact',
      note: `From snapshot v${data.snapshot.version}: all published conversations, not only this period.`,
      columns: [
        { key: 'use_case', label: 'Use case', kind: 'text' },
        { key: 'conversations', label: 'Conversations', kind: 'number' },
        { key: 'failure_rate', label: 'Failure rate', kind: 'percent' },
        { key: 'impact_minutes', label: 'Impact (minutes)', kind: 'minutes' },
        { key: 'top_reason', label: 'Top failure reason', kind: 'text' },
      ],
      rows: hotSpots.map((spot) => {
        const reasons = (spot.metrics.failure_reasons ?? []).filter((reason) => !reason.isOther);
        const topReason = reasons.sort((a, b) => b.conversations - a.conversations)[0];
        return {
          use_case: spot.cluster.name,
          conversations: spot.cluster.conversations,
          failure_rate: spot.metrics.failure_rate ?? null,
          impact_minutes: spot.impact,
          top_reason: topReason ? topReason.value.replaceAll('_', ' ') : null,
        };
      }),
    },
    {
      id: 'outcomes',
      title: 'Outcomes in this period',
      columns: [
        { key: 'outcome', label: 'Outcome', kind: 'text' },
        { key: 'conversations', label: 'Conversations', kind: 'number' },
        { key: 'share', label: 'Share', kind: 'percent' },
      ],
      rows: [...now.sums]
        .sort(
          (a, b) =>
            Number(a[0] === OTHER_VALUE) - Number(b[0] === OTHER_VALUE) ||
            b[1].conversations - a[1].conversations,
        )
        .map(([key, sum]) => ({
          outcome: key === OTHER_VALUE ? 'Other outcomes (pooled)' : key.replaceAll('_', ' '),
          conversations: sum.conversations,
          share: totals.current.conversations
            ? round(sum.conversations / totals.current.conversations, 3)
            : null,
        })),
    },
  ];

  const movements: { cluster: PublishedCluster; before: number; after: number }[] = [];
  if (comparison) {
    const previousRate = new Map(
      (await comparison.baseLevel())
        .filter((cluster) => !cluster.isOther)
        .map((cluster) => [
          cluster.clusterId,
          (cluster.metrics as { failure_rate?: number }).failure_rate,
        ]),
    );
    for (const cluster of await data.baseLevel()) {
      if (cluster.isOther) continue;
      const after = (cluster.metrics as { failure_rate?: number }).failure_rate;
      const prior = previousRate.get(cluster.clusterId);
      if (after === undefined || prior === undefined) continue;
      if (Math.abs(after - prior) >= FAILURE_RATE_CHANGE)
        movements.push({ cluster, before: prior, after });
    }
  }
  const movementTable = (id: string, title: string, list: typeof movements): ReportTable => ({
    id,
    title,
    note: `Failure rate moved by at least ${FAILURE_RATE_CHANGE * 100} points between snapshots; same use case (stable id).`,
    columns: [
      { key: 'use_case', label: 'Use case', kind: 'text' },
      { key: 'before', label: 'Failure rate before', kind: 'percent' },
      { key: 'after', label: 'Failure rate now', kind: 'percent' },
      { key: 'conversations', label: 'Conversations', kind: 'number' },
    ],
    rows: list.map((movement) => ({
      use_case: movement.cluster.name,
      before: movement.before,
      after: movement.after,
      conversations: movement.cluster.conversations,
    })),
  });
  tables.push(
    movementTable(
      'improved',
      'Use cases that improved',
      movements
        .filter((m) => m.after < m.before)
        .sort((a, b) => a.after - a.before - (b.after - b.before)),
    ),
    movementTable(
      'regressed',
      'Use cases that regressed',
      movements
        .filter((m) => m.after > m.before)
        .sort((a, b) => b.after - b.before - (a.after - a.before)),
    ),
  );
  return { kpis, charts, tables };
}
