/**
 * Alert rules evaluated on published figures (issue #15, item 3). Pure functions: the caller
 * loads the published snapshot rows (and, for tagging failures, the pipeline counts the tenant
 * already sees in /v1/status); nothing here reads raw rows. Every figure compared was already
 * published, so an alert adds nothing a reader of the two publications could not compute.
 *
 * Each candidate names its subject (a stable cluster id, a team, the tenant) and its period (an
 * ISO week); the caller raises it once per rule, subject and period.
 */
import { isoWeekLabel, type AlertRuleParams } from '@silhouette/contracts';

/** A published cluster as the rules see it. */
export interface ClusterFigures {
  id: string;
  name: string;
  isOther: boolean;
  conversations: number;
  /** The published failure rate, or null when no outcome was published as itself (then it says nothing). */
  failureRate: number | null;
}

/** A published weekly cell of a series (`team`, or `cluster` for top-level clusters). */
export interface WeeklyCell {
  bucket: string;
  value: string;
  isOther: boolean;
  minutesSavedTotal: number;
}

export interface AlertCandidate {
  subjectKey: string;
  subjectLabel: string;
  period: string;
  figures: Record<string, number | string | null>;
  message: string;
}

const DAY_MS = 86_400_000;
const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;
const percent = (rate: number) => `${round(rate * 100)}%`;

/**
 * Slack reads `<…>` as links and mentions and `&` as an entity: published names are escaped the
 * way its docs ask, so a cluster named "<!channel>" cannot ping anyone.
 */
export function slackEscape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/**
 * A cluster's failure rate, when its outcomes were published (the failures view's rule). The same
 * for a topic cluster and an issue cluster (whose conversations all fell short of "resolved", so
 * its rate is the share that failed outright rather than being partly resolved).
 */
export function publishedFailureRate(metrics: Record<string, unknown>): number | null {
  const outcomes = Array.isArray(metrics['outcomes'])
    ? (metrics['outcomes'] as { isOther?: boolean }[])
    : [];
  const rate = metrics['failure_rate'];
  return typeof rate === 'number' && outcomes.some((row) => row.isOther === false) ? rate : null;
}

export function evaluateFailureRateRise(
  params: Extract<AlertRuleParams, { kind: 'failure_rate_rise' }>,
  current: readonly ClusterFigures[],
  baseline: readonly ClusterFigures[] | undefined,
  period: string,
  baselineLabel: string,
): AlertCandidate[] {
  if (!baseline) return [];
  const before = new Map(baseline.map((cluster) => [cluster.id, cluster]));
  const out: AlertCandidate[] = [];
  for (const cluster of current) {
    const previous = before.get(cluster.id);
    if (cluster.isOther || !previous || previous.isOther) continue;
    if (cluster.failureRate === null || previous.failureRate === null) continue;
    const points = round((cluster.failureRate - previous.failureRate) * 100, 2);
    if (points < params.points) continue;
    const what = params.map === 'issue' ? 'issue cluster ' : '';
    out.push({
      subjectKey: cluster.id,
      subjectLabel: cluster.name,
      period,
      figures: {
        current: cluster.failureRate,
        previous: previous.failureRate,
        change_points: points,
        threshold_points: params.points,
        conversations: cluster.conversations,
      },
      message: `Failure rate rose in ${what}"${slackEscape(cluster.name)}": ${percent(previous.failureRate)} → ${percent(cluster.failureRate)} (+${round(points)} points, alert at ${params.points}) since ${baselineLabel}.`,
    });
  }
  return out;
}

export function evaluateNewCluster(
  params: Extract<AlertRuleParams, { kind: 'new_cluster' }>,
  current: readonly ClusterFigures[],
  baseline: { clusters: readonly ClusterFigures[]; pooledIds: readonly string[] } | undefined,
  period: string,
  baselineLabel: string,
): AlertCandidate[] {
  // Without an earlier publication every cluster is "new": that is the first snapshot, not news.
  if (!baseline) return [];
  const known = new Set([...baseline.clusters.map((c) => c.id), ...baseline.pooledIds]);
  return current
    .filter(
      (cluster) =>
        !cluster.isOther &&
        !known.has(cluster.id) &&
        cluster.conversations >= params.min_conversations,
    )
    .map((cluster) => ({
      subjectKey: cluster.id,
      subjectLabel: cluster.name,
      period,
      figures: {
        conversations: cluster.conversations,
        threshold_conversations: params.min_conversations,
        failure_rate: cluster.failureRate,
      },
      message: `New topic "${slackEscape(cluster.name)}": ${cluster.conversations} conversations (alert at ${params.min_conversations}), not in ${baselineLabel}.`,
    }));
}

/**
 * The last closed ISO week against the week before it, per published cell. Only cells published
 * as themselves in both weeks are compared.
 */
export function evaluateMinutesSavedDrop(
  params: Extract<AlertRuleParams, { kind: 'minutes_saved_drop' }>,
  weekly: readonly WeeklyCell[],
  publishedAt: Date,
  labelOf: (value: string) => string | undefined,
): AlertCandidate[] {
  const closedWeek = isoWeekLabel(new Date(publishedAt.getTime() - 7 * DAY_MS));
  const weekBefore = isoWeekLabel(new Date(publishedAt.getTime() - 14 * DAY_MS));
  const cells = (bucket: string) =>
    new Map(
      weekly
        .filter((cell) => cell.bucket === bucket && !cell.isOther)
        .map((cell) => [cell.value, cell.minutesSavedTotal]),
    );
  const current = cells(closedWeek);
  const previous = cells(weekBefore);
  const what = params.scope === 'team' ? 'team' : 'topic';
  const out: AlertCandidate[] = [];
  for (const [value, minutes] of current) {
    const before = previous.get(value);
    if (before === undefined || before <= 0) continue;
    const drop = round(((before - minutes) / before) * 100);
    if (drop < params.percent) continue;
    const label = labelOf(value);
    if (label === undefined) continue; // a cluster no longer in the tree: nothing to name it by
    out.push({
      subjectKey: value,
      subjectLabel: label,
      period: closedWeek,
      figures: {
        current_minutes: minutes,
        previous_minutes: before,
        drop_percent: drop,
        threshold_percent: params.percent,
        week: closedWeek,
        previous_week: weekBefore,
      },
      message: `Minutes saved fell in ${what} "${slackEscape(label)}": ${round(before)} → ${round(minutes)} minutes (−${drop}%, alert at ${params.percent}%) in ${closedWeek} against ${weekBefore}.`,
    });
  }
  return out;
}

/** Dead-lettered conversations against all processed, from the pipeline counts. */
export function evaluateTaggingFailures(
  params: Extract<AlertRuleParams, { kind: 'tagging_failures' }>,
  status: { failed: number; tagged: number; embedded: number },
  period: string,
): AlertCandidate[] {
  const processed = status.failed + status.tagged + status.embedded;
  if (processed < params.min_conversations) return [];
  const share = round((status.failed / processed) * 100, 2);
  if (share <= params.percent) return [];
  return [
    {
      subjectKey: 'tenant',
      subjectLabel: 'Tagging',
      period,
      figures: {
        failed: status.failed,
        processed,
        failed_percent: share,
        threshold_percent: params.percent,
      },
      message: `Tagging failures at ${share}% (${status.failed} of ${processed} conversations, alert above ${params.percent}%): see \`silhouette status\` for the reasons and \`silhouette retry-failed\` once fixed.`,
    },
  ];
}

/** The whole `text` of a webhook (Slack-compatible) and the e-mail body. */
export function alertText(ruleName: string, candidate: AlertCandidate): string {
  return `Silhouette alert "${slackEscape(ruleName)}" (${candidate.period}): ${candidate.message}`;
}
