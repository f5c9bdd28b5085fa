/**
 * Turns a clustering run into what may cross the boundary: a snapshot of aggregates where every
 * cell (cluster, breakdown value, week, outcome share, goal) meets k_users distinct users and
 * min_conversations, small cells are pooled into "other" under the anti-differencing rule of
 * `publishBreakdown`, and every published string passes the PII text gate: names, descriptions
 * and goals, and every value a breakdown or trend shows (metadata such as a team, language tags,
 * tags). A value that fails is pooled like a small cell, never shown. Pure: no I/O.
 */
import { project2d } from '@silhouette/clustering';
import {
  customFacetName,
  isoWeekLabel,
  monthLabel,
  NOT_SET_VALUE,
  type CustomFacetDefinition,
  OTHER_VALUE,
  OUTCOMES,
} from '@silhouette/contracts';
import {
  bootstrapInterval,
  EvidenceRecorder,
  gatePublishedText,
  mergeGoalsWithSuppressions,
  type GoalParseCache,
  publishBreakdown,
  publishSeries,
  type Cell,
  type SuppressionReason,
  type Thresholds,
} from '@silhouette/privacy';
import type {
  FrozenCell,
  FrozenWeek,
  FrozenWeekFigures,
  PublishedBreakdownRow,
  PublishedCluster,
  PublishedMapCluster,
  PublishedTrendRow,
  SnapshotDraft,
} from '@silhouette/db';
import type { FacetRow } from '@silhouette/sealed';
import type { ClusterNode, ClusteringRun } from '../clustering/run-clustering';
import type { TextMapRun } from '../clustering/run-text-map';
import {
  OTHER_DESCRIPTION,
  OTHER_NAME,
  otherId,
  publishedValueRefusal,
  ratesFrom,
  textValue,
  UNNAMED,
} from './published-cells';

export interface SnapshotInput {
  tenantId: string;
  run: ClusteringRun;
  thresholds: Thresholds;
  models: { tagger: string; taggerPromptVersion: string; embedder: string; namer: string };
  /** Closed weeks whose tenant-level figures were frozen by an earlier publication. */
  frozen?: ReadonlyMap<string, FrozenWeekFigures>;
  /** The issues map and the short-text custom facets' maps (issue #15). */
  maps?: readonly TextMapRun[];
  /** The tenant's custom facets: breakdowns, per-cluster aggregates and trends. */
  customFacets?: readonly CustomFacetDefinition[];
  /**
   * The LLM privacy auditor's score per value of `publishedValueCandidates`, when an auditor runs:
   * a value then needs ≥ 4 as well as the PII detector's pass, and a value without a score fails.
   */
  valueAuditScores?: ReadonlyMap<string, number>;
  now?: Date;
}

/** Number facets are published in this many equal-width ranges. */
const NUMBER_BUCKETS = 5;

/** The published value of a custom answer: enum values as they are, yes/no, number ranges. */
export function customValueKey(definition: CustomFacetDefinition, value: unknown): string | null {
  if (value === null || value === undefined) return null;
  switch (definition.type) {
    case 'enum':
      return typeof value === 'string' && definition.values?.includes(value) ? value : null;
    case 'boolean':
      return typeof value === 'boolean' ? (value ? 'yes' : 'no') : null;
    case 'number': {
      if (typeof value !== 'number' || !Number.isFinite(value)) return null;
      const min = definition.min ?? 0;
      const max = definition.max ?? min;
      const width = (max - min) / NUMBER_BUCKETS;
      if (!(width > 0)) return String(min);
      const bucket = Math.min(NUMBER_BUCKETS - 1, Math.max(0, Math.floor((value - min) / width)));
      const low = min + bucket * width;
      const format = (x: number) => String(Math.round(x * 100) / 100);
      return `${format(low)}–${format(bucket === NUMBER_BUCKETS - 1 ? max : low + width)}`;
    }
    case 'short_text':
      return null; // published as its own map, not as values
  }
}

/**
 * Every key a custom facet's breakdown can have, "(not set)" included: a fixed vocabulary known
 * from the definition alone (dp mode releases exactly these keys, never one only the data names).
 */
export function customFacetKeys(definition: CustomFacetDefinition): string[] {
  const keys: string[] = [];
  switch (definition.type) {
    case 'enum':
      keys.push(...(definition.values ?? []));
      break;
    case 'boolean':
      keys.push('yes', 'no');
      break;
    case 'number': {
      const min = definition.min ?? 0;
      const max = definition.max ?? min;
      const width = (max - min) / NUMBER_BUCKETS;
      for (let bucket = 0; bucket < (width > 0 ? NUMBER_BUCKETS : 1); bucket++)
        keys.push(customValueKey(definition, min + (bucket + 0.5) * width)!);
      break;
    }
    case 'short_text':
      return [];
  }
  return [...new Set(keys), NOT_SET_VALUE];
}

/** The tenant-level weekly series that freeze: the facets of `insights.trends` by week. */
/** Weekly series kept as first published once their week closes (reports read the last three). */
const FROZEN_TREND_FACETS = ['domain', 'task_type', 'cluster', 'all', 'team', 'outcome'] as const;

interface MetricCell extends Cell {
  minutesSaved: number;
}

/** Confidence under which a facet row is counted (and shown) as low-confidence. */
export const LOW_CONFIDENCE = 0.5;

function cellOf(key: string, rows: readonly FacetRow[]): MetricCell {
  let minutes = 0;
  const users = new Set<string>();
  for (const row of rows) {
    minutes += row.minutesSaved;
    users.add(row.user);
  }
  return { key, conversations: rows.length, users, minutesSaved: minutes };
}

function groupBy(
  rows: readonly FacetRow[],
  keyOf: (row: FacetRow) => string | null,
): Map<string, FacetRow[]> {
  const groups = new Map<string, FacetRow[]>();
  for (const row of rows) {
    const key = keyOf(row) ?? NOT_SET_VALUE;
    const list = groups.get(key);
    if (list) list.push(row);
    else groups.set(key, [row]);
  }
  return groups;
}

const DAY_MS = 86_400_000;

/** A function's results kept for one snapshot build (its inputs repeat across rows and cells). */
function memoize<K, V>(fn: (key: K) => V): (key: K) => V {
  const cache = new Map<K, V>();
  return (key) => {
    if (cache.has(key)) return cache.get(key)!;
    const value = fn(key);
    cache.set(key, value);
    return value;
  };
}

/** Normalized free-form label (tags drift in case and spacing). */
const label = (text: string) => text.trim().toLowerCase().replace(/\s+/g, ' ');

/**
 * The free-text values a snapshot of `rows` may show, canonical, for the LLM auditor: those the
 * deterministic PII gate already refuses are left out (they are pooled anyway, and need not
 * travel to a model).
 */
export function publishedValueCandidates(
  rows: readonly FacetRow[],
  frozen: ReadonlyMap<string, FrozenWeekFigures> = new Map(),
): string[] {
  const values = new Set<string>();
  // Frozen weekly values are shown again: they are checked like fresh ones.
  for (const figures of frozen.values())
    for (const facet of TEXT_TREND_FACETS)
      for (const cell of figures.trends[facet] ?? []) if (!cell.isOther) values.add(cell.value);
  for (const row of rows)
    for (const value of [
      textValue(label(row.domain)),
      textValue(label(row.taskType)),
      textValue(row.language),
      textValue(row.team),
      textValue(row.department),
    ])
      if (value !== null) values.add(value);
  return [...values].filter((value) => gatePublishedText(value).ok).sort();
}

/** Whose values a breakdown shows: free text (gated) or labels we generate (weeks, ids, enums). */
type Values = 'text' | 'generated';
/** Trend facets whose values are free text. */
const TEXT_TREND_FACETS = ['domain', 'task_type', 'team'] as const;
const TEXT = { values: 'text' } as const;

export function buildSnapshot(input: SnapshotInput): SnapshotDraft {
  const { run, thresholds } = input;
  const rows = run.rows;
  // Every cell of every level derives the same few hundred keys from up to a million rows.
  const labelOf = memoize(label);
  const textOf = memoize(textValue);
  const weekOfDay = memoize((day: number) => isoWeekLabel(new Date(day * DAY_MS)));
  const monthOfDay = memoize((day: number) => monthLabel(new Date(day * DAY_MS)));
  const weekLabel = (row: FacetRow) => weekOfDay(Math.floor(row.at.getTime() / DAY_MS));
  const monthOf = (row: FacetRow) => monthOfDay(Math.floor(row.at.getTime() / DAY_MS));
  const now = input.now ?? new Date();
  const currentWeek = isoWeekLabel(now);
  // Frozen weeks (README, "Frozen weeks"): conversations counted in a frozen week's figures are
  // left out of every recomputed weekly figure, which copies the frozen ones instead; one that
  // arrived after its week froze counts in the week of publication (always open), so a closed
  // week's figures never change and no conversation is counted twice.
  const frozen = input.frozen ?? new Map<string, FrozenWeekFigures>();
  const inFrozenFigures = (row: FacetRow) =>
    row.frozenWeek !== undefined && row.frozenWeek !== null && frozen.has(row.frozenWeek);
  const weekOf = (row: FacetRow) => {
    const week = weekLabel(row);
    return frozen.has(week) ? currentWeek : week;
  };
  const freshRows = rows.filter((row) => !inFrozenFigures(row));
  const evidence = new EvidenceRecorder(thresholds, {
    tagger: input.models.tagger,
    taggerPromptVersion: input.models.taggerPromptVersion,
    embedder: input.models.embedder,
    namer: input.models.namer,
  });

  // Values failing the text gate (or the auditor, or withheld at tagging) pool into "other".
  const valueRefusal = publishedValueRefusal(evidence, input.valueAuditScores);
  const valuePublishable = (value: string) => valueRefusal(value) === null;
  const poolOf = (keys: Iterable<string>, values: Values) => {
    const pool = new Map<string, SuppressionReason>();
    if (values === 'text')
      for (const key of keys) {
        const refusal = valueRefusal(key);
        if (refusal) pool.set(key, refusal);
      }
    return pool;
  };

  /** A gated breakdown of `rows` by `keyOf`, as {value, conversations, users, minutes} rows. */
  const breakdown = (
    scope: string,
    subset: readonly FacetRow[],
    keyOf: (row: FacetRow) => string | null,
    {
      totalPublished = true,
      values = 'generated',
    }: { totalPublished?: boolean; values?: Values } = {},
  ) => {
    const cells = [...groupBy(subset, values === 'text' ? (row) => textOf(keyOf(row)) : keyOf)]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, members]) => cellOf(key, members));
    const publication = publishBreakdown(cells, thresholds, {
      otherKey: OTHER_VALUE,
      totalPublished,
      pool: poolOf(
        cells.map((cell) => cell.key),
        values,
      ),
    });
    for (const suppressed of publication.suppressed)
      evidence.record(scope, suppressed.key, suppressed.reason);
    evidence.recordPublished(scope, publication.published.length);
    const out = publication.published.map((part) => ({
      value: part.key,
      isOther: false,
      conversations: part.conversations,
      distinctUsers: part.users,
      minutesSavedTotal: round(part.minutesSaved),
    }));
    if (publication.other) {
      evidence.recordPublished(scope);
      out.push({
        value: OTHER_VALUE,
        isOther: true,
        conversations: publication.other.conversations,
        distinctUsers: publication.other.users,
        minutesSavedTotal: round(publication.other.minutesSaved),
      });
    }
    return { rows: out, withheld: publication.withheld, pooled: publication.suppressed.length };
  };

  const customFacets = (input.customFacets ?? []).filter((d) => d.type !== 'short_text');
  const customKeyOf = (definition: CustomFacetDefinition) => (row: FacetRow) =>
    customValueKey(definition, row.custom?.[definition.key]);
  // Enum values are the admin's words: they pass the text gate like free-text values.
  const customValues = (definition: CustomFacetDefinition) =>
    definition.type === 'enum' ? TEXT : {};
  /**
   * Custom facets inside a cell (issue #15): each facet a gated breakdown of the cell's rows
   * (unanswered rows form their own "(not set)" part), and a number facet's mean over the
   * answered rows when those alone meet the thresholds.
   */
  const customAggregates = (scope: string, subset: readonly FacetRow[]) => {
    if (customFacets.length === 0) return {};
    const custom: Record<string, unknown> = {};
    const means: Record<string, number | null> = {};
    for (const definition of customFacets) {
      custom[definition.key] = breakdown(
        `${scope}/${customFacetName(definition.key)}`,
        subset,
        customKeyOf(definition),
        customValues(definition),
      ).rows;
      if (definition.type !== 'number') continue;
      const answered = subset.filter((row) => typeof row.custom?.[definition.key] === 'number');
      const users = new Set(answered.map((row) => row.user)).size;
      means[definition.key] =
        answered.length >= thresholds.minConversations && users >= thresholds.kUsers
          ? round(
              answered.reduce((sum, row) => sum + (row.custom![definition.key] as number), 0) /
                answered.length,
              2,
            )
          : null;
    }
    return { custom, ...(Object.keys(means).length ? { custom_means: means } : {}) };
  };

  const metricsFor = (
    scope: string,
    subset: readonly FacetRow[],
    weekly = () => breakdown(`${scope}/week`, subset, (row) => weekLabel(row)).rows,
  ) => {
    const minutes = subset.map((row) => row.minutesSaved);
    const mean = bootstrapInterval(minutes, { statistic: 'mean', seed: 7 });
    // The sum's interval is n times the mean's (same resamples): one bootstrap, not two.
    const total = {
      estimate: mean.estimate * minutes.length,
      low: mean.low * minutes.length,
      high: mean.high * minutes.length,
    };
    const frustration =
      subset.reduce((sum, row) => sum + row.frustration, 0) / Math.max(1, subset.length);
    const failures = subset.filter((row) => row.failureReasons.length > 0);
    const outcomes = breakdown(`${scope}/outcome`, subset, (row) => row.outcome).rows;
    // Failure impact: the manual time of the unresolved and abandoned conversations, published
    // only when those conversations form a cell that meets the thresholds on their own.
    const failed = subset.filter(
      (row) => row.outcome === 'unresolved' || row.outcome === 'abandoned',
    );
    const failedUsers = new Set(failed.map((row) => row.user)).size;
    const impactPublishable =
      failed.length >= thresholds.minConversations && failedUsers >= thresholds.kUsers;
    if (!impactPublishable && failed.length > 0)
      evidence.record(
        `${scope}/failure_impact`,
        'failed-conversations',
        failedUsers < thresholds.kUsers ? 'too_few_users' : 'too_few_conversations',
      );
    return {
      minutes_saved: {
        total: round(total.estimate),
        total_low: round(total.low),
        total_high: round(total.high),
        mean: round(mean.estimate),
        mean_low: round(mean.low),
        mean_high: round(mean.high),
      },
      outcomes,
      // Reasons overlap (one conversation may have several): each gated on its own, no total.
      failure_reasons: breakdown(
        `${scope}/failure_reason`,
        failures.flatMap((row) =>
          row.failureReasons.map((reason) => ({ ...row, failureReasons: [reason] })),
        ),
        (row) => row.failureReasons[0]!,
        { totalPublished: false },
      ).rows,
      // Rates come from the published outcome figures only: a rate computed from raw rows times the
      // published size would reveal a count the outcome breakdown had pooled away.
      ...ratesFrom(outcomes, subset.length),
      frustration_mean: round(frustration, 2),
      failure_impact_minutes: impactPublishable
        ? round(failed.reduce((sum, row) => sum + row.minutesWithoutAi, 0))
        : null,
      languages: breakdown(`${scope}/language`, subset, (row) => row.language, TEXT).rows,
      weekly: weekly(),
      domains: breakdown(`${scope}/domain`, subset, (row) => labelOf(row.domain), TEXT).rows,
      task_types: breakdown(`${scope}/task_type`, subset, (row) => labelOf(row.taskType), TEXT)
        .rows,
      teams: breakdown(`${scope}/team`, subset, (row) => row.team, TEXT).rows,
      ...customAggregates(scope, subset),
      // A subset count next to a published total is a cell like any other: gated as the
      // low/normal partition, shown only when the low-confidence part is published on its own.
      low_confidence_conversations:
        breakdown(`${scope}/confidence`, subset, (row) =>
          row.confidence < LOW_CONFIDENCE ? 'low' : 'normal',
        ).rows.find((row) => row.value === 'low' && !row.isOther)?.conversations ?? null,
    };
  };

  const gateText = (text: string, fallback: string) => {
    const gated = gatePublishedText(text);
    evidence.recordText(gated);
    return gated.ok ? gated.text : fallback;
  };
  /** Keywords cross the boundary like names: each through the text gate, failures dropped. */
  const gateKeywords = (keywords: readonly string[]) =>
    keywords.map((keyword) => gateText(keyword, '')).filter((keyword) => keyword.length > 0);

  const all = cellOf('all', rows);
  const clusters: PublishedCluster[] = [];
  const breakdowns: PublishedBreakdownRow[] = [];
  const trends: PublishedTrendRow[] = [];
  const newlyFrozen: FrozenWeek[] = [];
  const mapClusters: PublishedMapCluster[] = [];

  /**
   * A facet's time series: each bucket gated as its own breakdown (values too small in a bucket
   * pool into that bucket's "other"), the roll-up rule of `publishSeries` for repeated periods.
   */
  const series = (
    facet: string,
    interval: 'week' | 'month',
    rawKeyOf: (row: FacetRow) => string | null,
    values: Values,
    // Reports quote each bucket's minutes saved with its 90% interval (the "all" series).
    withInterval = false,
  ) => {
    const keyOf = values === 'text' ? (row: FacetRow) => textOf(rawKeyOf(row)) : rawKeyOf;
    // Weeks: recomputed from the conversations not in frozen figures; frozen weeks are copied.
    const source = interval === 'week' ? freshRows : rows;
    const bucketOf = interval === 'week' ? weekOf : (row: FacetRow) => monthOf(row);
    const groups = groupBy(source, (row) => `${bucketOf(row)}\u0000${keyOf(row) ?? NOT_SET_VALUE}`);
    const points = [...groups]
      .sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([key, members]) => {
        const [bucket, value] = key.split('\u0000') as [string, string];
        return { bucket, cell: cellOf(value, members) };
      });
    const intervalOf = (bucket: string, key: string) => {
      const members = groups.get(`${bucket}\u0000${key}`) ?? [];
      const total = bootstrapInterval(
        members.map((row) => row.minutesSaved),
        { statistic: 'sum', seed: 7 },
      );
      return { minutesSavedLow: round(total.low), minutesSavedHigh: round(total.high) };
    };
    const publication = publishSeries(points, thresholds, {
      otherKey: OTHER_VALUE,
      totalPublished: true,
      pool: poolOf(new Set(points.map((point) => point.cell.key)), values),
    });
    for (const bucket of publication.buckets) {
      for (const suppressed of bucket.suppressed)
        evidence.record(
          `trend/${facet}/${interval}/${bucket.bucket}`,
          suppressed.key,
          suppressed.reason,
        );
      evidence.recordPublished(
        `trend/${facet}/${interval}`,
        bucket.published.length + (bucket.other ? 1 : 0),
      );
      const rowOf = (
        part: { key: string; conversations: number; users: number; minutesSaved: number },
        isOther: boolean,
      ) => ({
        facet,
        interval,
        bucket: bucket.bucket,
        value: isOther ? OTHER_VALUE : part.key,
        isOther,
        conversations: part.conversations,
        distinctUsers: part.users,
        minutesSavedTotal: round(part.minutesSaved),
        ...(withInterval && !isOther ? intervalOf(bucket.bucket, part.key) : {}),
      });
      for (const part of bucket.published) trends.push(rowOf(part, false));
      if (bucket.other) trends.push(rowOf(bucket.other, true));
    }
    if (interval === 'week') {
      for (const [week, figures] of frozen)
        for (const cell of gateFrozenCells(figures.trends[facet] ?? [], values, valuePublishable))
          trends.push({ facet, interval, bucket: week, ...cell });
    }
  };
  // A loop, not Math.min(...times): spreading 1M arguments overflows the stack (bench -- scale).
  let first = Infinity;
  let last = -Infinity;
  for (const row of rows) {
    const time = row.at.getTime();
    if (time < first) first = time;
    if (time > last) last = time;
  }
  // Whole UTC days: exact first and last timestamps would date two individual conversations.
  const periodStart = rows.length ? startOfDay(first) : null;
  const periodEnd = rows.length ? new Date(startOfDay(last).getTime() + 86_400_000 - 1) : null;

  const totalPasses =
    all.conversations >= thresholds.minConversations &&
    (all.users as Set<string>).size >= thresholds.kUsers;
  let overview: Record<string, unknown> = {
    published: totalPasses,
    thresholds: { k_users: thresholds.kUsers, min_conversations: thresholds.minConversations },
  };

  if (totalPasses) {
    const byLevel = run.levels;
    // A 2-D map of every cluster on the principal axes of the base centroids (no member data).
    const allNodes = byLevel.flat();
    const positions = project2d(
      (byLevel[byLevel.length - 1] ?? []).map((node) => node.centroid),
      allNodes.map((node) => node.centroid),
    );
    const mapPosition = new Map(allNodes.map((node, index) => [node.id, positions[index]!]));
    const rowsOf = (node: ClusterNode) => node.members.map((index) => rows[index]!);

    // Walk the tree from the top, publishing only children of published nodes.
    const publishChildren = (parentId: string | null, level: number, children: ClusterNode[]) => {
      const cells = children.map((node) => ({ ...cellOf(node.id, rowsOf(node)), node }));
      const publication = publishBreakdown(
        cells.map(({ node: _node, ...cell }) => cell),
        thresholds,
        { otherKey: otherId(parentId, level), totalPublished: true },
      );
      for (const suppressed of publication.suppressed)
        evidence.record(`cluster/level-${level}`, suppressed.key, suppressed.reason);
      const pooledRows: FacetRow[] = [];
      const publishedIds = new Set(publication.published.map((part) => part.key));
      for (const { node } of cells) {
        if (!publishedIds.has(node.id)) {
          for (const row of rowsOf(node)) pooledRows.push(row);
          continue;
        }
        evidence.recordPublished(`cluster/level-${level}`);
        const subset = rowsOf(node);
        const users = new Set(subset.map((row) => row.user));
        clusters.push({
          clusterId: node.id,
          level,
          parentId,
          isOther: false,
          name: gateText(node.name, UNNAMED),
          description: gateText(node.description, ''),
          keywords: gateKeywords(node.keywords),
          conversations: subset.length,
          distinctUsers: users.size,
          minutesSavedTotal: round(subset.reduce((sum, row) => sum + row.minutesSaved, 0)),
          metrics: {
            ...metricsFor(`cluster/${node.id}`, subset),
            map: mapPosition.get(node.id) ?? null,
          },
          goals: goalsFor(`cluster/${node.id}`, subset),
          lineage: { kind: node.lineage, sources: node.lineageSources },
        });
        const next = byLevel[level + 1];
        if (next)
          publishChildren(
            node.id,
            level + 1,
            next.filter((child) => child.parentId === node.id),
          );
      }
      if (publication.other) {
        evidence.recordPublished(`cluster/level-${level}`);
        clusters.push({
          clusterId: publication.other.key,
          level,
          parentId,
          isOther: true,
          name: OTHER_NAME,
          description: OTHER_DESCRIPTION,
          keywords: [],
          conversations: pooledRows.length,
          distinctUsers: new Set(pooledRows.map((row) => row.user)).size,
          minutesSavedTotal: round(pooledRows.reduce((sum, row) => sum + row.minutesSaved, 0)),
          metrics: {
            ...metricsFor(`cluster/${publication.other.key}`, pooledRows),
            pooled_groups: publication.other.members,
          },
          goals: goalsFor(`cluster/${publication.other.key}`, pooledRows),
          lineage: { kind: 'pooled', sources: [] },
        });
      }
    };

    // Goal statements: merged groups backed by ≥ k distinct users, each through the text gate.
    // Each conversation's goal is merged once per level: parse it once.
    const goalCache: GoalParseCache = new Map();
    const goalsFor = (scope: string, subset: readonly FacetRow[]) => {
      const merged = mergeGoalsWithSuppressions(
        subset.map((row) => ({ text: row.goalSummary, user: row.user })),
        { kUsers: thresholds.kUsers, cache: goalCache },
      );
      for (const suppressed of merged.suppressed)
        evidence.record(
          `${scope}/goal`,
          suppressed.key,
          suppressed.reason,
          suppressed.conversations,
        );
      const shown = merged.goals.filter((goal) => {
        const gated = gatePublishedText(goal.text);
        evidence.recordText(gated);
        return gated.ok;
      });
      // The evidence counts what is shown (the auditor withdraws what it rejects afterwards).
      evidence.recordPublished(`${scope}/goal`, shown.length);
      return shown;
    };

    publishChildren(null, 0, byLevel[0] ?? []);

    /**
     * The maps beside the topic tree (issue #15), walked like the tree: a child is published only
     * under a published parent, small siblings pool into an "Other" node. Each issue cluster lists
     * the top-level topic clusters it occurs in: a gated breakdown of its conversations by their
     * published topic (a topic pooled in the tree counts under the tree's "Other"), so it names
     * only topics the tree shows and only cells that pass the thresholds themselves.
     */
    const publishMaps = (topicClusters: readonly PublishedCluster[]) => {
      const topicName = new Map(
        topicClusters.filter((c) => c.level === 0).map((c) => [c.clusterId, c.name]),
      );
      const topOther = topicClusters.find((c) => c.level === 0 && c.isOther)?.clusterId;
      const topicOf = new Map<string, string>();
      for (const node of byLevel[0] ?? []) {
        const published = topicName.has(node.id) ? node.id : topOther;
        if (published)
          for (const index of node.members) topicOf.set(rows[index]!.conversationId, published);
      }
      for (const map of input.maps ?? []) {
        const mapRows = map.rows;
        const rowsOfNode = (node: ClusterNode) => node.members.map((index) => mapRows[index]!);
        const nodeMetrics = (scope: string, subset: readonly FacetRow[]) => {
          const metrics = metricsFor(scope, subset);
          const topics = breakdown(
            `${scope}/topic`,
            subset,
            (row) => topicOf.get(row.conversationId) ?? null,
          )
            .rows.filter((row) => !row.isOther && topicName.has(row.value))
            .map((row) => ({
              cluster_id: row.value,
              name: topicName.get(row.value)!,
              conversations: row.conversations,
              distinct_users: row.distinctUsers,
            }));
          return {
            outcomes: metrics.outcomes,
            failure_reasons: metrics.failure_reasons,
            failure_rate: metrics.failure_rate,
            failure_impact_minutes: metrics.failure_impact_minutes,
            frustration_mean: metrics.frustration_mean,
            weekly: metrics.weekly,
            topics,
          };
        };
        const walk = (parentId: string | null, level: number, children: ClusterNode[]) => {
          const scope = `map/${map.map}/level-${level}`;
          const cells = children.map((node) => cellOf(node.id, rowsOfNode(node)));
          const publication = publishBreakdown(cells, thresholds, {
            otherKey: otherId(parentId === null ? `map/${map.map}` : parentId, level),
            totalPublished: true,
          });
          for (const suppressed of publication.suppressed)
            evidence.record(scope, suppressed.key, suppressed.reason);
          const publishedIds = new Set(publication.published.map((part) => part.key));
          const pooled: FacetRow[] = [];
          for (const node of children) {
            const subset = rowsOfNode(node);
            if (!publishedIds.has(node.id)) {
              pooled.push(...subset);
              continue;
            }
            evidence.recordPublished(scope);
            mapClusters.push({
              map: map.map,
              clusterId: node.id,
              level,
              parentId,
              isOther: false,
              name: gateText(node.name, UNNAMED),
              description: gateText(node.description, ''),
              keywords: gateKeywords(node.keywords),
              conversations: subset.length,
              distinctUsers: new Set(subset.map((row) => row.user)).size,
              metrics: nodeMetrics(`map/${map.map}/${node.id}`, subset),
            });
            const next = map.levels[level + 1];
            if (next)
              walk(
                node.id,
                level + 1,
                next.filter((child) => child.parentId === node.id),
              );
          }
          if (publication.other) {
            evidence.recordPublished(scope);
            mapClusters.push({
              map: map.map,
              clusterId: publication.other.key,
              level,
              parentId,
              isOther: true,
              name: OTHER_NAME,
              description: OTHER_DESCRIPTION,
              keywords: [],
              conversations: pooled.length,
              distinctUsers: new Set(pooled.map((row) => row.user)).size,
              metrics: nodeMetrics(`map/${map.map}/${publication.other.key}`, pooled),
            });
          }
        };
        walk(null, 0, map.levels[0] ?? []);
      }
    };

    for (const [facet, keyOf, values] of [
      ['domain', (row: FacetRow) => labelOf(row.domain), 'text'],
      ['task_type', (row: FacetRow) => labelOf(row.taskType), 'text'],
      ['outcome', (row: FacetRow) => row.outcome, 'generated'],
      ['language', (row: FacetRow) => row.language, 'text'],
      ['team', (row: FacetRow) => row.team, 'text'],
      ['department', (row: FacetRow) => row.department, 'text'],
    ] as const) {
      for (const row of breakdown(`breakdown/${facet}`, rows, keyOf, { values }).rows)
        breakdowns.push({ facet, ...row });
    }

    // Trends by domain, task type and top-level cluster, per week and per month.
    const topOf = new Map<number, string>();
    for (const node of byLevel[0] ?? [])
      for (const index of node.members) topOf.set(index, node.id);
    const rowIndex = new Map(rows.map((row, index) => [row, index]));
    for (const interval of ['week', 'month'] as const) {
      series('domain', interval, (row) => labelOf(row.domain), 'text');
      series('task_type', interval, (row) => labelOf(row.taskType), 'text');
      series('cluster', interval, (row) => topOf.get(rowIndex.get(row)!) ?? null, 'generated');
    }
    // Custom facets (issue #15): tenant-wide breakdowns and trends, gated like every facet.
    for (const definition of customFacets) {
      const facet = customFacetName(definition.key);
      for (const row of breakdown(
        `breakdown/${facet}`,
        rows,
        customKeyOf(definition),
        customValues(definition),
      ).rows)
        breakdowns.push({ facet, ...row });
      for (const interval of ['week', 'month'] as const)
        series(
          facet,
          interval,
          customKeyOf(definition),
          definition.type === 'enum' ? 'text' : 'generated',
        );
    }
    publishMaps(clusters);

    // For reports, which read weeks only: each week's total with its 90% interval, adoption by
    // team, and outcomes.
    series('all', 'week', () => 'all', 'generated', true);
    series('team', 'week', (row) => row.team, 'text');
    series('outcome', 'week', (row) => row.outcome, 'generated');

    const users = (all.users as Set<string>).size;
    const weeks =
      periodStart && periodEnd
        ? Math.max(1, Math.ceil((periodEnd.getTime() - periodStart.getTime()) / (7 * 86_400_000)))
        : 1;
    // The weekly series: recomputed weeks (late arrivals in the current one) and frozen weeks.
    const freshWeekly = () => breakdown('overview/week', freshRows, weekOf).rows;
    let weekly: ReturnType<typeof freshWeekly> = [];
    const metrics = metricsFor('overview', rows, () => (weekly = freshWeekly()));
    const frozenWeekly = [...frozen].map(([week, figures]) => ({
      ...figures.overview,
      value: week,
    }));
    // Newly closed weeks published as themselves freeze now, with every weekly figure shown.
    for (const row of weekly) {
      if (row.isOther || row.value >= currentWeek || frozen.has(row.value)) continue;
      const cell = (trend: PublishedTrendRow) => ({
        value: trend.value,
        isOther: trend.isOther,
        conversations: trend.conversations,
        distinctUsers: trend.distinctUsers,
        minutesSavedTotal: trend.minutesSavedTotal,
        ...(trend.minutesSavedLow !== undefined && trend.minutesSavedHigh !== undefined
          ? { minutesSavedLow: trend.minutesSavedLow, minutesSavedHigh: trend.minutesSavedHigh }
          : {}),
      });
      newlyFrozen.push({
        week: row.value,
        figures: {
          overview: row,
          trends: Object.fromEntries(
            // Custom facets' weekly series freeze too (a week frozen before a facet existed has no
            // cells for it, and keeps none).
            [
              ...FROZEN_TREND_FACETS,
              ...customFacets.map((definition) => customFacetName(definition.key)),
            ].map((facet) => [
              facet,
              trends
                .filter((t) => t.facet === facet && t.interval === 'week' && t.bucket === row.value)
                .map(cell),
            ]),
          ),
        },
        conversationIds: freshRows
          .filter((member) => weekOf(member) === row.value)
          .map((member) => member.conversationId),
      });
    }
    overview = {
      ...overview,
      conversations: rows.length,
      distinct_users: users,
      minutes_saved: {
        ...metrics.minutes_saved,
        per_active_user_per_week: round(metrics.minutes_saved.total / users / weeks, 2),
        method:
          'Per conversation: estimated minutes without AI minus minutes with AI, 0 for unresolved, abandoned or refused conversations; 90% bootstrap interval over conversations.',
      },
      resolution_rate: metrics.resolution_rate,
      failure_rate: metrics.failure_rate,
      outcomes: metrics.outcomes,
      failure_reasons: metrics.failure_reasons,
      weekly: [...frozenWeekly, ...metrics.weekly].sort(
        (a, b) => Number(a.isOther) - Number(b.isOther) || (a.value < b.value ? -1 : 1),
      ),
      low_confidence_conversations: metrics.low_confidence_conversations,
      clusters_published: clusters.length,
      levels: byLevel.length,
      outcome_labels: OUTCOMES,
    };
  }

  return {
    tenantId: input.tenantId,
    runId: run.runId,
    periodStart,
    periodEnd,
    overview,
    evidence: evidence.finish(now) as unknown as Record<string, unknown>,
    clusters,
    breakdowns,
    trends,
    frozenWeeks: newlyFrozen,
    mapClusters,
  };
}

function startOfDay(time: number): Date {
  const date = new Date(time);
  return new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
}

function round(value: number, digits = 1): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/**
 * Frozen figures are copied as first published, but a value frozen before every value passed
 * the text gate is not shown again: its cell joins the bucket's "other" row. Distinct users of
 * that row become a sum, an upper bound (the union is no longer known); conversations and
 * minutes stay exact. Only snapshots published before the gate can carry such a value.
 */
function gateFrozenCells(
  cells: readonly FrozenCell[],
  values: Values,
  publishable: (value: string) => boolean,
): FrozenCell[] {
  if (values === 'generated') return [...cells];
  const kept = cells.filter((cell) => cell.isOther || publishable(cell.value));
  const hidden = cells.filter((cell) => !kept.includes(cell));
  if (hidden.length === 0) return kept;
  const other = kept.find((cell) => cell.isOther);
  const merged: FrozenCell = {
    value: OTHER_VALUE,
    isOther: true,
    conversations: 0,
    distinctUsers: 0,
    minutesSavedTotal: 0,
  };
  for (const cell of other ? [other, ...hidden] : hidden) {
    merged.conversations += cell.conversations;
    merged.distinctUsers += cell.distinctUsers;
    merged.minutesSavedTotal = round(merged.minutesSavedTotal + cell.minutesSavedTotal);
  }
  return [...kept.filter((cell) => cell !== other), merged];
}
