/**
 * Builds a dp-mode snapshot from released noisy cells only (post-processing, which costs no
 * budget): all-time figures are sums of the weeks' noisy figures, parents are made consistent
 * with their children and totals with their parts, values are clamped to non-negative integers,
 * and every figure carries its 90% noise interval. A cell is shown only when its noisy figures
 * reach k_users people and min_conversations conversations; what is not shown is pooled into
 * "Other" as the parent minus the shown children, itself a post-processed figure.
 *
 * Distinct people never add across weeks: each week released how many people were counted in a
 * key for the first time ("new_users"), so their sum over weeks is the all-time number of distinct
 * people. A month's people figure is the average per week (the report rule).
 *
 * The cluster tree (which clusters exist, their names and goal texts) comes from the clustering
 * run and is covered by the k-threshold, text gates and auditor, not by the DP claim (README).
 */
import { project2d } from '@silhouette/clustering';
import {
  customFacetName,
  FAILURE_REASONS,
  isoWeekStart,
  OTHER_VALUE,
  OUTCOMES,
  type CustomFacetDefinition,
} from '@silhouette/contracts';
import {
  EvidenceRecorder,
  gatePublishedText,
  mergeGoalsWithSuppressions,
  type GoalParseCache,
  type Thresholds,
} from '@silhouette/privacy';
import type {
  PublishedBreakdownRow,
  PublishedCluster,
  PublishedMapCluster,
  PublishedTrendRow,
  SnapshotDraft,
  StoredNoisyCell,
} from '@silhouette/db';
import type { FacetRow } from '@silhouette/sealed';
import type { ClusterNode, ClusteringRun } from '../../clustering/run-clustering';
import { customFacetKeys } from '../build-snapshot';
import {
  OTHER_DESCRIPTION,
  OTHER_NAME,
  otherId,
  publishedValueRefusal,
  ratesFrom,
  UNNAMED,
} from '../published-cells';
import {
  CALIBRATION_FACTOR,
  CUSTOM_LEVELS,
  DATA_FACETS,
  familyName,
  NUMBER_UNITS,
  REASON_LEVELS,
} from './dp-families';

/** z for a two-sided 90% interval. */
const Z90 = 1.6449;

export interface DpPrivacySummary {
  epsilonCap: number;
  delta: number;
  period: { start: Date; end: Date };
  epsilonSpent: number;
  publication: {
    rho: number;
    epsilon: number;
    delta: number;
    weeks: { bucket: string; final: boolean; rho: number; thresholds: Record<string, number> }[];
    sigma: Record<string, Record<string, Record<string, number>>>;
  };
  bounds: Record<string, number>;
  backfillWeeks: number;
}

export interface AssembleInput {
  tenantId: string;
  run: ClusteringRun;
  cells: readonly StoredNoisyCell[];
  thresholds: Thresholds;
  models: { tagger: string; taggerPromptVersion: string; embedder: string; namer: string };
  privacy: DpPrivacySummary;
  horizon: { start: Date; currentWeek: string };
  now: Date;
  /** The LLM auditor's score per free-text value, when an auditor runs (see build-snapshot). */
  valueAuditScores?: ReadonlyMap<string, number>;
  /** The tenant's enum, boolean and number custom facets (issue #15): tenant-wide breakdowns. */
  customFacets?: readonly CustomFacetDefinition[];
  /** The issues map and short-text maps (issue #15): their trees, released per level. */
  maps?: readonly { map: string; levels: readonly ClusterNode[][] }[];
}

export interface Interval {
  low: number;
  high: number;
}

/** A published noisy figure: its value (non-negative integer) and 90% noise interval. */
interface Figure {
  value: number;
  sd: number;
}

const interval = (figure: Figure): Interval => ({
  low: Math.max(0, Math.round(figure.value - Z90 * figure.sd)),
  high: Math.max(0, Math.round(figure.value + Z90 * figure.sd)),
});

/** Figures the calibration ratio scales (the people figures are not capped per person). */
const CALIBRATED_FIGURES = new Set(['conversations', 'minutes', 'manual']);

/**
 * Sums of noisy figures per family, key and figure: all-time and per week. With a calibration
 * `ratio`, conversation and minute figures are scaled by it, and their noise with them.
 */
export class NoisySums {
  /** family → key → figure → all-time sum; nested maps: a 1M run stores millions of cells. */
  private readonly all = new Map<string, Map<string, Map<string, Sum>>>();
  /** family → key → bucket → the week's released cell. */
  private readonly weekly = new Map<string, Map<string, Map<string, StoredNoisyCell>>>();
  readonly buckets: string[];

  constructor(
    cells: readonly StoredNoisyCell[],
    private readonly ratio = 1,
  ) {
    const buckets = new Set<string>();
    for (const cell of cells) {
      buckets.add(cell.bucket);
      const sums = child(child(this.all, cell.family), cell.key);
      for (const figure in cell.figures) {
        const factor = this.factor(figure);
        const value = cell.figures[figure]! * factor;
        const sigma = (cell.sigma[figure] ?? 0) * factor;
        const sum = sums.get(figure);
        if (sum) {
          sum.value += value;
          sum.variance += sigma * sigma;
        } else sums.set(figure, { value, variance: sigma * sigma });
      }
      child(child(this.weekly, cell.family), cell.key).set(cell.bucket, cell);
    }
    this.buckets = [...buckets].sort();
  }

  private factor(figure: string): number {
    return this.ratio !== 1 && CALIBRATED_FIGURES.has(figure) ? this.ratio : 1;
  }

  keys(family: string): string[] {
    return [...(this.all.get(family)?.keys() ?? [])].sort();
  }

  /** All-time sum (raw, may be negative) and its standard deviation. */
  total(family: string, key: string, figure: string): Figure {
    const sum = this.all.get(family)?.get(key)?.get(figure);
    return sum ? { value: sum.value, sd: Math.sqrt(sum.variance) } : { value: 0, sd: 0 };
  }

  /** The all-time sum of a figure over several keys (a coarser cell estimated from finer ones). */
  sumOver(family: string, keys: readonly string[], figure: string): Figure {
    const byKey = this.all.get(family);
    let value = 0;
    let variance = 0;
    for (const key of keys) {
      const sum = byKey?.get(key)?.get(figure);
      if (!sum) continue;
      value += sum.value;
      variance += sum.variance;
    }
    return { value, sd: Math.sqrt(variance) };
  }

  week(family: string, bucket: string, key: string, figure: string): Figure | undefined {
    const cell = this.weekly.get(family)?.get(key)?.get(bucket);
    const value = cell?.figures[figure];
    if (value === undefined) return undefined;
    const factor = this.factor(figure);
    return { value: value * factor, sd: (cell!.sigma[figure] ?? 0) * factor };
  }
}

interface Sum {
  value: number;
  variance: number;
}

/** The map under `key`, created empty on first use. */
function child<V>(map: Map<string, Map<string, V>>, key: string): Map<string, V> {
  let inner = map.get(key);
  if (!inner) map.set(key, (inner = new Map()));
  return inner;
}

/**
 * Non-negative integers summing to `target` (itself clamped to ≥ 0), as close as possible to
 * `values` in the least-squares sense: spread the difference evenly, clamp what went negative,
 * repeat; then round by largest remainder. Post-processing: it only reads noisy values.
 */
export function consistentParts(target: number, values: readonly number[]): number[] {
  const goal = Math.max(0, Math.round(target));
  if (values.length === 0) return [];
  const x = values.map((v) => v);
  const active = new Set(x.map((_, i) => i));
  for (let round = 0; round < 50 && active.size > 0; round++) {
    const sum = x.reduce((a, b) => a + b, 0);
    const share = (goal - sum) / active.size;
    for (const i of active) x[i]! += share;
    let clamped = false;
    for (const i of [...active])
      if (x[i]! < 0) {
        x[i] = 0;
        active.delete(i);
        clamped = true;
      }
    if (!clamped) break;
  }
  const floors = x.map((v) => Math.floor(Math.max(0, v)));
  let missing = goal - floors.reduce((a, b) => a + b, 0);
  const order = x
    .map((v, i) => ({ i, r: Math.max(0, v) - floors[i]! }))
    .sort((a, b) => b.r - a.r || a.i - b.i);
  for (let k = 0; missing > 0 && order.length > 0; k = (k + 1) % order.length, missing--)
    floors[order[k]!.i]!++;
  return floors;
}

/**
 * Inverse-variance combination of independent noisy estimates of one quantity (post-processing:
 * the minimum-variance unbiased mix). Estimates without noise (sd 0, nothing released) are skipped.
 */
export function combineEstimates(estimates: readonly Figure[]): Figure {
  let weight = 0;
  let value = 0;
  for (const estimate of estimates) {
    if (!(estimate.sd > 0)) continue;
    const w = 1 / (estimate.sd * estimate.sd);
    weight += w;
    value += w * estimate.value;
  }
  return weight > 0 ? { value: value / weight, sd: 1 / Math.sqrt(weight) } : { value: 0, sd: 0 };
}

const clampInt = (value: number, max = Infinity) => Math.min(max, Math.max(0, Math.round(value)));
const round1 = (value: number) => Math.round(value * 10) / 10;

/** The month a week belongs to in reports: the month of its Sunday. */
const monthOfWeek = (week: string) =>
  new Date(isoWeekStart(week).getTime() + 6 * 86_400_000).toISOString().slice(0, 7);

/** A parent's published figures, which its children's are made consistent with. */
interface Parent {
  conversations: number;
  users: number;
  minutes: number;
}

interface Cell {
  conversations: Figure;
  users: Figure;
  minutes: Figure;
}

/**
 * How many conversations the per-person cap left out, from the released calibration figure: the
 * ratio of the total under the high cap to the total under C, over all weeks (post-processing).
 * 1 when the totals are too noisy to tell, or the excess is within three noise deviations.
 */
export function calibrationRatio(cells: readonly StoredNoisyCell[]): number {
  let capped = 0;
  let calibrated = 0;
  let variance = 0;
  for (const cell of cells) {
    if (cell.family !== familyName.total || cell.figures.calibration === undefined) continue;
    capped += cell.figures.conversations ?? 0;
    calibrated += cell.figures.calibration;
    variance += (cell.sigma.calibration ?? 0) ** 2 + (cell.sigma.conversations ?? 0) ** 2;
  }
  // Only a clear excess counts: scaling by noise alone would inflate every figure of a tenant
  // whose people all stay within the cap.
  const sd = Math.sqrt(variance);
  if (capped <= 3 * sd || calibrated - capped <= 3 * sd) return 1;
  return Math.min(CALIBRATION_FACTOR, calibrated / capped);
}

export function assembleDpSnapshot(input: AssembleInput): SnapshotDraft {
  const { run, thresholds } = input;
  const ratio = calibrationRatio(input.cells);
  const sums = new NoisySums(input.cells, ratio);
  const evidence = new EvidenceRecorder(thresholds, input.models);
  // Every free-text value a breakdown or trend would show passes the text gate (issue #10), as in
  // threshold mode; a value withheld at tagging or failing the gate is never shown on its own.
  const valueRefusal = publishedValueRefusal(evidence, input.valueAuditScores);
  const textFamilies = new Set(DATA_FACETS.map((facet) => familyName.facet(facet)));
  const passes = (conversations: number, users: number) =>
    conversations >= thresholds.minConversations && users >= thresholds.kUsers;
  const reason = (conversations: number, users: number) =>
    users < thresholds.kUsers ? 'too_few_users' : 'too_few_conversations';
  const noiseOf = (cell: Cell) => ({
    conversations: interval(cell.conversations),
    distinct_users: interval(cell.users),
    minutes_saved: interval(cell.minutes),
  });
  const allTime = (family: string, key: string): Cell => ({
    conversations: sums.total(family, key, 'conversations'),
    users: sums.total(family, key, 'new_users'),
    minutes: sums.total(family, key, 'minutes'),
  });

  const topIds = (run.levels[0] ?? []).map((node) => node.id);
  const outcomeFamily = familyName.facet('outcome');
  const topOutcome = familyName.levelOutcome(0);
  // The total is estimated four ways (its own figure, and the sums over the top clusters, the
  // outcomes and the confidence classes): combined, it is far less noisy than any one of them.
  const total: Cell = {
    conversations: combineEstimates([
      sums.total(familyName.total, 'all', 'conversations'),
      sums.sumOver(familyName.level(0), topIds, 'conversations'),
      sums.sumOver(outcomeFamily, OUTCOMES, 'conversations'),
      sums.sumOver(familyName.facet('confidence'), ['low', 'normal'], 'conversations'),
    ]),
    users: sums.total(familyName.total, 'all', 'new_users'),
    minutes: combineEstimates([
      sums.total(familyName.total, 'all', 'minutes'),
      sums.sumOver(familyName.level(0), topIds, 'minutes'),
      sums.sumOver(outcomeFamily, OUTCOMES, 'minutes'),
    ]),
  };
  /** Per outcome: its own figure combined with the sum over the top clusters. */
  const outcomeCells = OUTCOMES.map((outcome): Cell => ({
    conversations: combineEstimates([
      sums.total(outcomeFamily, outcome, 'conversations'),
      sums.sumOver(
        topOutcome,
        topIds.map((id) => `${id}|${outcome}`),
        'conversations',
      ),
    ]),
    users: sums.total(outcomeFamily, outcome, 'new_users'),
    minutes: combineEstimates([
      sums.total(outcomeFamily, outcome, 'minutes'),
      sums.sumOver(
        topOutcome,
        topIds.map((id) => `${id}|${outcome}`),
        'minutes',
      ),
    ]),
  }));
  const totalConversations = clampInt(total.conversations.value);
  const totalUsers = clampInt(total.users.value, totalConversations);
  const totalMinutes = clampInt(total.minutes.value);
  const totalCell: Cell = {
    conversations: { value: totalConversations, sd: total.conversations.sd },
    users: { value: totalUsers, sd: total.users.sd },
    minutes: { value: totalMinutes, sd: total.minutes.sd },
  };

  /** Metric rows of a breakdown whose parts add up to `parent` (adjusted for consistency). */
  const partition = (
    scope: string,
    family: string,
    keys: readonly { key: string; value: string }[],
    parent: { conversations: number; users: number; minutes: number },
    options: { adjust: boolean; other: boolean; raw?: readonly Cell[] },
  ) => {
    const raw = options.raw ?? keys.map(({ key }) => allTime(family, key));
    const conversations = options.adjust
      ? consistentParts(
          parent.conversations,
          raw.map((cell) => cell.conversations.value),
        )
      : raw.map((cell) => clampInt(cell.conversations.value));
    const minutes = options.adjust
      ? consistentParts(
          parent.minutes,
          raw.map((cell) => cell.minutes.value),
        )
      : raw.map((cell) => clampInt(cell.minutes.value));
    const rows: Record<string, unknown>[] = [];
    let shownConversations = 0;
    let shownMinutes = 0;
    let hiddenUsers = 0;
    keys.forEach(({ value }, i) => {
      const u = clampInt(raw[i]!.users.value, parent.users);
      const c = Math.max(conversations[i]!, u);
      const refusal = textFamilies.has(family) ? valueRefusal(value) : null;
      if (refusal) {
        evidence.record(scope, value, refusal);
        hiddenUsers += u;
        return;
      }
      if (!passes(c, u)) {
        if (c > 0 || u > 0) evidence.record(scope, value, reason(c, u));
        hiddenUsers += u;
        return;
      }
      evidence.recordPublished(scope);
      shownConversations += c;
      shownMinutes += minutes[i]!;
      rows.push({
        value,
        isOther: false,
        conversations: c,
        distinctUsers: u,
        minutesSavedTotal: minutes[i]!,
        noise: noiseOf(raw[i]!),
      });
    });
    if (options.other) {
      const c = Math.max(0, parent.conversations - shownConversations);
      // People are not additive: the pooled figure is bounded by the parent's and the parts'.
      const u = Math.min(parent.users, hiddenUsers, c);
      if (c > 0 && passes(c, u)) {
        evidence.recordPublished(scope);
        rows.push({
          value: OTHER_VALUE,
          isOther: true,
          conversations: c,
          distinctUsers: u,
          minutesSavedTotal: Math.max(0, parent.minutes - shownMinutes),
        });
      }
    }
    return rows as {
      value: string;
      isOther: boolean;
      conversations: number;
      distinctUsers: number;
      minutesSavedTotal: number;
    }[];
  };

  /** Weekly rows of one key of a family (people are the week's active people). */
  const weeklyRows = (scope: string, family: string, key: string) => {
    const rows: Record<string, unknown>[] = [];
    for (const bucket of sums.buckets) {
      const c = sums.week(family, bucket, key, 'conversations');
      if (!c) continue;
      const u = sums.week(family, bucket, key, 'users') ?? { value: 0, sd: 0 };
      const m = sums.week(family, bucket, key, 'minutes') ?? { value: 0, sd: 0 };
      const conversations = clampInt(c.value);
      const users = clampInt(u.value, conversations);
      if (!passes(conversations, users)) continue;
      evidence.recordPublished(scope);
      rows.push({
        value: bucket,
        isOther: false,
        conversations,
        distinctUsers: users,
        minutesSavedTotal: clampInt(m.value),
        noise: noiseOf({ conversations: c, users: u, minutes: m }),
      });
    }
    return rows;
  };

  const minutesFigures = (cell: Cell, conversations: number, minutes: number) => {
    const band = interval({ value: minutes, sd: cell.minutes.sd });
    return {
      total: minutes,
      total_low: band.low,
      total_high: band.high,
      mean: conversations ? round1(minutes / conversations) : 0,
      mean_low: conversations ? round1(band.low / conversations) : 0,
      mean_high: conversations ? round1(band.high / conversations) : 0,
    };
  };

  const clusters: PublishedCluster[] = [];
  const mapClusters: PublishedMapCluster[] = [];
  const breakdowns: PublishedBreakdownRow[] = [];
  const trends: PublishedTrendRow[] = [];
  const byLevel = run.levels;
  const published = passes(totalConversations, totalUsers);

  const gateText = (text: string, fallback: string) => {
    const gated = gatePublishedText(text);
    evidence.recordText(gated);
    return gated.ok ? gated.text : fallback;
  };
  // Each conversation's goal is merged once per level: parse it once.
  const goalCache: GoalParseCache = new Map();
  const goalsFor = (scope: string, subset: readonly FacetRow[]) => {
    const merged = mergeGoalsWithSuppressions(
      subset.map((row) => ({ text: row.goalSummary, user: row.user })),
      { kUsers: thresholds.kUsers, cache: goalCache },
    );
    for (const suppressed of merged.suppressed)
      evidence.record(`${scope}/goal`, suppressed.key, suppressed.reason);
    // Goal texts are k-anonymous text (outside the DP claim); their exact counts are not shown.
    return merged.goals
      .filter((goal) => {
        const gated = gatePublishedText(goal.text);
        evidence.recordText(gated);
        return gated.ok;
      })
      .map((goal) => ({ text: goal.text, users: null, conversations: null }));
  };

  const customFacets = (input.customFacets ?? []).filter((d) => d.type !== 'short_text');
  /**
   * Custom facets inside a cluster (issue #15): each facet's released (cluster, value) cells as
   * parts of the cluster's conversations, and a number facet's mean from its released clipped sum
   * and answered count, shown when those answered conversations pass the thresholds themselves.
   */
  const customAggregates = (
    node: { id: string; level: number },
    figures: { conversations: number; users: number; minutes: number },
  ) => {
    if (customFacets.length === 0 || node.level >= CUSTOM_LEVELS) return {};
    const custom: Record<string, unknown> = {};
    const means: Record<string, number | null> = {};
    for (const definition of customFacets) {
      custom[definition.key] = partition(
        `cluster/${node.id}/${customFacetName(definition.key)}`,
        familyName.clusterCustom(node.level, definition.key),
        customFacetKeys(definition).map((value) => ({ key: `${node.id}|${value}`, value })),
        figures,
        { adjust: true, other: true },
      );
      if (definition.type !== 'number') continue;
      const family = familyName.clusterNumber(node.level, definition.key);
      const answered = clampInt(sums.total(family, node.id, 'conversations').value);
      const users = clampInt(sums.total(family, node.id, 'new_users').value, answered);
      const sum = sums.total(family, node.id, 'sum').value;
      const min = definition.min ?? 0;
      const width = (definition.max ?? min) - min;
      means[definition.key] =
        answered > 0 && passes(answered, users)
          ? Math.round(
              (min + Math.min(1, Math.max(0, sum / answered / NUMBER_UNITS)) * width) * 100,
            ) / 100
          : null;
    }
    return { custom, ...(Object.keys(means).length ? { custom_means: means } : {}) };
  };

  /**
   * Manual minutes of a cluster's (or map node's) unresolved and abandoned conversations, from
   * its released outcome parts, when those conversations pass the thresholds on their own.
   */
  const failureImpact = (scope: string, outcomeFamily: string, id: string) => {
    const failed = ['unresolved', 'abandoned'].map((outcome) => ({
      c: sums.total(outcomeFamily, `${id}|${outcome}`, 'conversations'),
      u: sums.total(outcomeFamily, `${id}|${outcome}`, 'new_users'),
      m: sums.total(outcomeFamily, `${id}|${outcome}`, 'manual'),
    }));
    const conversations = clampInt(failed.reduce((s, f) => s + f.c.value, 0));
    const users = clampInt(failed.reduce((s, f) => s + f.u.value, 0));
    if (passes(conversations, users)) return clampInt(failed.reduce((s, f) => s + f.m.value, 0));
    if (conversations > 0)
      evidence.record(
        `${scope}/failure_impact`,
        'failed-conversations',
        reason(conversations, users),
      );
    return null;
  };

  const clusterMetrics = (
    node: { id: string; level: number },
    cell: Cell,
    figures: { conversations: number; users: number; minutes: number },
  ) => {
    const scope = `cluster/${node.id}`;
    const outcomes = partition(
      `${scope}/outcome`,
      familyName.levelOutcome(node.level),
      OUTCOMES.map((outcome) => ({ key: `${node.id}|${outcome}`, value: outcome })),
      figures,
      { adjust: true, other: true },
    );
    const failureReasons =
      node.level < REASON_LEVELS
        ? partition(
            `${scope}/failure_reason`,
            familyName.levelReason(node.level),
            FAILURE_REASONS.map((r) => ({ key: `${node.id}|${r}`, value: r })),
            figures,
            { adjust: false, other: false },
          )
        : [];
    const frustration = sums.total(familyName.level(node.level), node.id, 'frustration');
    return {
      ...customAggregates(node, figures),
      minutes_saved: minutesFigures(cell, figures.conversations, figures.minutes),
      outcomes,
      failure_reasons: failureReasons,
      ...ratesFrom(outcomes, figures.conversations),
      frustration_mean: figures.conversations
        ? Math.round(Math.min(5, Math.max(1, frustration.value / figures.conversations)) * 100) /
          100
        : 0,
      failure_impact_minutes: failureImpact(scope, familyName.levelOutcome(node.level), node.id),
      languages: [],
      weekly: weeklyRows(`${scope}/week`, familyName.level(node.level), node.id),
      domains: [],
      task_types: [],
      teams: [],
      low_confidence_conversations: null,
      noise: noiseOf(cell),
    };
  };

  let overview: Record<string, unknown> = {
    published,
    thresholds: { k_users: thresholds.kUsers, min_conversations: thresholds.minConversations },
    privacy: privacyOverview(input.privacy),
  };

  if (published) {
    const allNodes = byLevel.flat();
    const positions = project2d(
      (byLevel[byLevel.length - 1] ?? []).map((node) => node.centroid),
      allNodes.map((node) => node.centroid),
    );
    const mapPosition = new Map(allNodes.map((node, index) => [node.id, positions[index]!]));
    const rowsOf = (node: ClusterNode) => node.members.map((index) => run.rows[index]!);

    const publishChildren = (
      parentId: string | null,
      level: number,
      children: ClusterNode[],
      parent: { conversations: number; users: number; minutes: number },
    ) => {
      const family = familyName.level(level);
      const raw = children.map((node) => allTime(family, node.id));
      const conversations = consistentParts(
        parent.conversations,
        raw.map((cell) => cell.conversations.value),
      );
      const minutes = consistentParts(
        parent.minutes,
        raw.map((cell) => cell.minutes.value),
      );
      let shownConversations = 0;
      let shownMinutes = 0;
      let hiddenUsers = 0;
      const pooled: ClusterNode[] = [];
      children.forEach((node, i) => {
        const u = clampInt(raw[i]!.users.value, parent.users);
        // Everyone counted had a conversation: a count below the people count is noise.
        const c = Math.max(conversations[i]!, u);
        const m = minutes[i]!;
        if (!passes(c, u)) {
          evidence.record(`cluster/level-${level}`, node.id, reason(c, u));
          hiddenUsers += u;
          pooled.push(node);
          return;
        }
        evidence.recordPublished(`cluster/level-${level}`);
        shownConversations += c;
        shownMinutes += m;
        const figures = { conversations: c, users: u, minutes: m };
        clusters.push({
          clusterId: node.id,
          level,
          parentId,
          isOther: false,
          name: gateText(node.name, UNNAMED),
          description: gateText(node.description, ''),
          // Keywords cross the boundary like names: each through the text gate, failures dropped.
          keywords: node.keywords.map((word) => gateText(word, '')).filter((word) => word !== ''),
          conversations: c,
          distinctUsers: u,
          minutesSavedTotal: m,
          metrics: {
            ...clusterMetrics(node, raw[i]!, figures),
            map: mapPosition.get(node.id) ?? null,
          },
          goals: goalsFor(
            `cluster/${node.id}`,
            rowsOf(node),
          ) as unknown as PublishedCluster['goals'],
          lineage: { kind: node.lineage, sources: node.lineageSources },
          noise: noiseOf(raw[i]!),
        });
        const next = byLevel[level + 1];
        if (next)
          publishChildren(
            node.id,
            level + 1,
            next.filter((child) => child.parentId === node.id),
            figures,
          );
      });
      const c = Math.max(0, parent.conversations - shownConversations);
      const u = Math.min(parent.users, hiddenUsers, c);
      if (pooled.length > 0 && passes(c, u)) {
        evidence.recordPublished(`cluster/level-${level}`);
        const id = otherId(parentId, level);
        const m = Math.max(0, parent.minutes - shownMinutes);
        const sd = (figure: 'conversations' | 'users' | 'minutes') =>
          Math.sqrt(pooled.reduce((s, node) => s + allTime(family, node.id)[figure].sd ** 2, 0));
        const cell: Cell = {
          conversations: { value: c, sd: sd('conversations') },
          users: { value: u, sd: sd('users') },
          minutes: { value: m, sd: sd('minutes') },
        };
        clusters.push({
          clusterId: id,
          level,
          parentId,
          isOther: true,
          name: OTHER_NAME,
          description: OTHER_DESCRIPTION,
          keywords: [],
          conversations: c,
          distinctUsers: u,
          minutesSavedTotal: m,
          metrics: {
            minutes_saved: minutesFigures(cell, c, m),
            outcomes: [],
            failure_reasons: [],
            resolution_rate: 0,
            failure_rate: 0,
            frustration_mean: 0,
            failure_impact_minutes: null,
            languages: [],
            weekly: [],
            domains: [],
            task_types: [],
            teams: [],
            low_confidence_conversations: null,
            pooled_groups: pooled.length,
            noise: noiseOf(cell),
          },
          goals: goalsFor(
            `cluster/${id}`,
            pooled.flatMap(rowsOf),
          ) as unknown as PublishedCluster['goals'],
          lineage: { kind: 'pooled', sources: [] },
          noise: noiseOf(cell),
        });
      }
    };
    /**
     * The maps beside the topic tree (issue #15), walked like the tree from their released noisy
     * cells: children are made consistent with their parent, a node is shown only when its noisy
     * figures pass k_users and min_conversations, small siblings pool into "Other". Each node
     * lists the published top-level topic clusters it occurs in: released (node, topic) cells
     * that pass the thresholds themselves.
     */
    function publishMaps() {
      const topics = clusters.filter((c) => c.level === 0 && !c.isOther);
      for (const { map, levels: mapLevels } of input.maps ?? []) {
        const nodeMetrics = (node: { id: string; level: number }, cell: Cell, figures: Parent) => {
          const scope = `map/${map}/${node.id}`;
          const outcomeFamily = familyName.mapOutcome(map, node.level);
          const outcomes = partition(
            `${scope}/outcome`,
            outcomeFamily,
            OUTCOMES.map((outcome) => ({ key: `${node.id}|${outcome}`, value: outcome })),
            figures,
            { adjust: true, other: true },
          );
          const topicFamily = familyName.mapTopic(map, node.level);
          const occurs = topics
            .map((topic) => {
              const key = `${node.id}|${topic.clusterId}`;
              const c = clampInt(sums.total(topicFamily, key, 'conversations').value);
              const u = clampInt(sums.total(topicFamily, key, 'new_users').value, c);
              return { topic, key, c, u };
            })
            .filter(({ key, c, u }) => {
              if (passes(c, u)) return true;
              if (c > 0 || u > 0) evidence.record(`${scope}/topic`, key, reason(c, u));
              return false;
            })
            .sort((a, b) => b.c - a.c);
          evidence.recordPublished(`${scope}/topic`, occurs.length);
          const frustration = sums.total(
            familyName.mapLevel(map, node.level),
            node.id,
            'frustration',
          );
          return {
            outcomes,
            failure_reasons: [],
            failure_rate: ratesFrom(outcomes, figures.conversations).failure_rate,
            failure_impact_minutes: failureImpact(scope, outcomeFamily, node.id),
            frustration_mean: figures.conversations
              ? Math.round(
                  Math.min(5, Math.max(1, frustration.value / figures.conversations)) * 100,
                ) / 100
              : 0,
            weekly: weeklyRows(`${scope}/week`, familyName.mapLevel(map, node.level), node.id),
            topics: occurs.map(({ topic, key, c, u }) => ({
              cluster_id: topic.clusterId,
              name: topic.name,
              conversations: c,
              distinct_users: u,
              noise: {
                conversations: interval(sums.total(topicFamily, key, 'conversations')),
                distinct_users: interval(sums.total(topicFamily, key, 'new_users')),
              },
            })),
            noise: noiseOf(cell),
          };
        };
        const walk = (
          parentId: string | null,
          level: number,
          children: readonly ClusterNode[],
          parent: Parent | null,
        ) => {
          const family = familyName.mapLevel(map, level);
          const raw = children.map((node) => allTime(family, node.id));
          // The top level has no released total of its own: its parent is the sum of its parts.
          const top: Parent = parent ?? {
            conversations: clampInt(raw.reduce((s, cell) => s + cell.conversations.value, 0)),
            users: clampInt(raw.reduce((s, cell) => s + Math.max(0, cell.users.value), 0)),
            minutes: 0,
          };
          const conversations = consistentParts(
            top.conversations,
            raw.map((cell) => cell.conversations.value),
          );
          const scope = `map/${map}/level-${level}`;
          let shown = 0;
          let hiddenUsers = 0;
          const pooled: ClusterNode[] = [];
          children.forEach((node, i) => {
            const u = clampInt(raw[i]!.users.value, top.users);
            const c = Math.max(conversations[i]!, u);
            if (!passes(c, u)) {
              evidence.record(scope, node.id, reason(c, u));
              hiddenUsers += u;
              pooled.push(node);
              return;
            }
            evidence.recordPublished(scope);
            shown += c;
            const figures = { conversations: c, users: u, minutes: 0 };
            mapClusters.push({
              map,
              clusterId: node.id,
              level,
              parentId,
              isOther: false,
              name: gateText(node.name, UNNAMED),
              description: gateText(node.description, ''),
              keywords: node.keywords.map((word) => gateText(word, '')).filter((w) => w !== ''),
              conversations: c,
              distinctUsers: u,
              metrics: nodeMetrics({ id: node.id, level }, raw[i]!, figures),
            });
            const next = mapLevels[level + 1];
            if (next)
              walk(
                node.id,
                level + 1,
                next.filter((child) => child.parentId === node.id),
                figures,
              );
          });
          const c = Math.max(0, top.conversations - shown);
          const u = Math.min(top.users, hiddenUsers, c);
          if (pooled.length > 0 && passes(c, u)) {
            evidence.recordPublished(scope);
            const sd = (figure: 'conversations' | 'users') =>
              Math.sqrt(
                pooled.reduce((s, node) => s + allTime(family, node.id)[figure].sd ** 2, 0),
              );
            const cell: Cell = {
              conversations: { value: c, sd: sd('conversations') },
              users: { value: u, sd: sd('users') },
              minutes: { value: 0, sd: 0 },
            };
            mapClusters.push({
              map,
              clusterId: otherId(parentId === null ? `map/${map}` : parentId, level),
              level,
              parentId,
              isOther: true,
              name: OTHER_NAME,
              description: OTHER_DESCRIPTION,
              keywords: [],
              conversations: c,
              distinctUsers: u,
              metrics: {
                outcomes: [],
                failure_reasons: [],
                failure_rate: null,
                failure_impact_minutes: null,
                weekly: [],
                topics: [],
                pooled_groups: pooled.length,
                noise: {
                  conversations: interval(cell.conversations),
                  distinct_users: interval(cell.users),
                },
              },
            });
          }
        };
        walk(null, 0, mapLevels[0] ?? [], null);
      }
    }

    const root = { conversations: totalConversations, users: totalUsers, minutes: totalMinutes };
    publishChildren(null, 0, byLevel[0] ?? [], root);
    publishMaps();

    // Breakdowns: data facets show released values that pass; fixed vocabularies add up to the total.
    const facetKeys = (facet: string) =>
      facet === 'outcome'
        ? OUTCOMES.map((value) => ({ key: value, value }))
        : sums.keys(familyName.facet(facet)).map((value) => ({ key: value, value }));
    for (const facet of ['domain', 'task_type', 'outcome', 'language', 'team', 'department']) {
      const rows = partition(
        `breakdown/${facet}`,
        familyName.facet(facet),
        facetKeys(facet),
        root,
        {
          adjust: facet === 'outcome',
          other: true,
          ...(facet === 'outcome' ? { raw: outcomeCells } : {}),
        },
      );
      for (const row of rows)
        breakdowns.push({
          facet,
          ...row,
          noise: (row as { noise?: unknown }).noise,
        } as PublishedBreakdownRow);
    }
    // Custom facets (issue #15): a fixed vocabulary each, so its parts add up to the total like
    // the outcomes; parts under the thresholds pool into "other".
    for (const definition of (input.customFacets ?? []).filter((d) => d.type !== 'short_text')) {
      const facet = customFacetName(definition.key);
      const rows = partition(
        `breakdown/${facet}`,
        familyName.custom(definition.key),
        customFacetKeys(definition).map((value) => ({ key: value, value })),
        root,
        { adjust: true, other: true },
      );
      for (const row of rows)
        breakdowns.push({
          facet,
          ...row,
          noise: (row as { noise?: unknown }).noise,
        } as PublishedBreakdownRow);
    }
    const outcomes = breakdowns
      .filter((row) => row.facet === 'outcome')
      .map(({ facet: _facet, ...row }) => row);
    const failureReasons = partition(
      'overview/failure_reason',
      familyName.facet('failure_reason'),
      FAILURE_REASONS.map((value) => ({ key: value, value })),
      root,
      { adjust: false, other: false },
    );
    const confidence = partition(
      'overview/confidence',
      familyName.facet('confidence'),
      ['low', 'normal'].map((value) => ({ key: value, value })),
      root,
      { adjust: true, other: false },
    );

    // Trends: each week's released cells; months are sums of the weeks ending in them.
    const seriesFacets: [string, string, string][] = [
      ['domain', 'week', familyName.facet('domain')],
      ['task_type', 'week', familyName.facet('task_type')],
      ['cluster', 'week', familyName.level(0)],
      ['team', 'week', familyName.facet('team')],
      ['outcome', 'week', familyName.facet('outcome')],
    ];
    // Custom facets' weekly series (issue #15): their released weekly cells, like the others.
    for (const definition of customFacets)
      seriesFacets.push([
        customFacetName(definition.key),
        'week',
        familyName.custom(definition.key),
      ]);
    for (const [facet, , family] of seriesFacets) {
      for (const interval of facet === 'team' || facet === 'outcome' ? ['week'] : ['week', 'month'])
        series(facet, interval as 'week' | 'month', family);
    }
    series('all', 'week', familyName.total);

    function series(facet: string, intervalKind: 'week' | 'month', family: string) {
      const keys = sums.keys(family);
      const bucketsOf =
        intervalKind === 'week'
          ? sums.buckets.map((bucket) => ({ label: bucket, weeks: [bucket] }))
          : [...new Set(sums.buckets.map(monthOfWeek))].map((month) => ({
              label: month,
              weeks: sums.buckets.filter((week) => monthOfWeek(week) === month),
            }));
      for (const { label, weeks } of bucketsOf) {
        const figureOf = (familyName_: string, key: string) => {
          let c = 0;
          let cv = 0;
          let u = 0;
          let uv = 0;
          let m = 0;
          let mv = 0;
          let released = 0;
          for (const week of weeks) {
            const conversations = sums.week(familyName_, week, key, 'conversations');
            if (!conversations) continue;
            released++;
            c += conversations.value;
            cv += conversations.sd ** 2;
            const users = sums.week(familyName_, week, key, 'users');
            u += users?.value ?? 0;
            uv += (users?.sd ?? 0) ** 2;
            const minutes = sums.week(familyName_, week, key, 'minutes');
            m += minutes?.value ?? 0;
            mv += (minutes?.sd ?? 0) ** 2;
          }
          // People per week (averaged over the period's weeks), never added across weeks.
          const n = Math.max(1, weeks.length);
          return {
            released,
            cell: {
              conversations: { value: c, sd: Math.sqrt(cv) },
              users: { value: u / n, sd: Math.sqrt(uv) / n },
              minutes: { value: m, sd: Math.sqrt(mv) },
            } as Cell,
          };
        };
        const bucketTotal = figureOf(familyName.total, 'all');
        if (bucketTotal.released === 0) continue;
        const totalC = clampInt(bucketTotal.cell.conversations.value);
        const totalU = clampInt(bucketTotal.cell.users.value, totalC);
        let shownC = 0;
        let shownM = 0;
        let hiddenU = 0;
        let shown = 0;
        for (const key of family === familyName.total ? ['all'] : keys) {
          const { released, cell } = figureOf(family, key);
          if (released === 0) continue;
          const c = clampInt(cell.conversations.value);
          const u = clampInt(cell.users.value, Math.min(c, totalU));
          const m = clampInt(cell.minutes.value);
          const refusal = textFamilies.has(family) ? valueRefusal(key) : null;
          if (refusal) {
            evidence.record(`trend/${facet}/${intervalKind}/${label}`, key, refusal);
            hiddenU += u;
            continue;
          }
          if (!passes(c, u)) {
            if (c > 0 || u > 0)
              evidence.record(`trend/${facet}/${intervalKind}/${label}`, key, reason(c, u));
            hiddenU += u;
            continue;
          }
          shown++;
          shownC += c;
          shownM += m;
          const band = interval({ value: m, sd: cell.minutes.sd });
          trends.push({
            facet,
            interval: intervalKind,
            bucket: label,
            value: facet === 'all' ? 'all' : key,
            isOther: false,
            conversations: c,
            distinctUsers: u,
            minutesSavedTotal: m,
            ...(facet === 'all' ? { minutesSavedLow: band.low, minutesSavedHigh: band.high } : {}),
            noise: noiseOf(cell),
          } as PublishedTrendRow);
        }
        if (family !== familyName.total) {
          const c = Math.max(0, totalC - shownC);
          const u = Math.min(totalU, hiddenU, c);
          if (c > 0 && passes(c, u)) {
            shown++;
            trends.push({
              facet,
              interval: intervalKind,
              bucket: label,
              value: OTHER_VALUE,
              isOther: true,
              conversations: c,
              distinctUsers: u,
              minutesSavedTotal: Math.max(0, clampInt(bucketTotal.cell.minutes.value) - shownM),
            });
          }
        }
        evidence.recordPublished(`trend/${facet}/${intervalKind}`, shown);
      }
    }

    const weekly = weeklyRows('overview/week', familyName.total, 'all');
    const weeks = Math.max(1, sums.buckets.length);
    const totalMinutesFigures = minutesFigures(totalCell, totalConversations, totalMinutes);
    overview = {
      ...overview,
      conversations: totalConversations,
      distinct_users: totalUsers,
      minutes_saved: {
        ...totalMinutesFigures,
        per_active_user_per_week: totalUsers
          ? Math.round((totalMinutes / totalUsers / weeks) * 100) / 100
          : 0,
        method:
          'Per conversation: estimated minutes without AI minus minutes with AI, 0 for unresolved, abandoned or refused conversations; at most ' +
          `${input.privacy.bounds.maxMinutesPerConversation} minutes per conversation and ${input.privacy.bounds.maxMinutesPerPerson} per person and week count. ` +
          'The interval is the 90% interval of the privacy noise.',
      },
      ...ratesFrom(outcomes, totalConversations),
      outcomes,
      failure_reasons: failureReasons,
      weekly,
      low_confidence_conversations:
        confidence.find((row) => row.value === 'low' && !row.isOther)?.conversations ?? null,
      clusters_published: clusters.length,
      levels: byLevel.length,
      outcome_labels: OUTCOMES,
      noise: noiseOf(totalCell),
    };
  }
  const finished = evidence.finish(input.now) as unknown as Record<string, unknown>;
  return {
    tenantId: input.tenantId,
    runId: run.runId,
    periodStart: input.horizon.start,
    periodEnd: new Date(isoWeekStart(input.horizon.currentWeek).getTime() + 7 * 86_400_000 - 1),
    overview,
    evidence: { ...finished, differentialPrivacy: privacyEvidence(input.privacy) },
    clusters,
    breakdowns,
    trends,
    frozenWeeks: [],
    mapClusters,
  };
}

function privacyOverview(privacy: DpPrivacySummary) {
  return {
    mode: 'dp',
    epsilon_cap: privacy.epsilonCap,
    delta: privacy.delta,
    epsilon_spent: privacy.epsilonSpent,
    period: { start: privacy.period.start.toISOString(), end: privacy.period.end.toISOString() },
    guarantee: dpGuarantee(privacy.epsilonCap, privacy.delta),
  };
}

/** The one-sentence guarantee (reports, dashboard). */
export function dpGuarantee(epsilon: number, delta: number): string {
  return `Every figure is published with user-level differential privacy: everything published in a calendar month is (ε = ${epsilon}, δ = ${delta})-differentially private with respect to adding or removing all of one person's conversations, so no figure, and no comparison of figures, reveals whether any one person used the assistant.`;
}

function privacyEvidence(privacy: DpPrivacySummary) {
  return {
    mode: 'dp',
    mechanism: 'discrete Gaussian (exact sampler, Canonne-Kamath-Steinke 2020), zCDP accounting',
    conversion:
      'Canonne-Kamath-Steinke 2020, Corollary 13, at delta/2; thresholds spend the other delta/2',
    epsilonCap: privacy.epsilonCap,
    delta: privacy.delta,
    period: { start: privacy.period.start.toISOString(), end: privacy.period.end.toISOString() },
    epsilonSpent: privacy.epsilonSpent,
    publication: privacy.publication,
    bounds: privacy.bounds,
    backfillWeeks: privacy.backfillWeeks,
  };
}
