/**
 * Sampling (issue #15, item 5): when a tenant tags only a sample of its conversations, the
 * published figures are scaled up to the whole and carry intervals that say how far the sample
 * may be off. Applied to a built snapshot after the privacy gates, which judged the cells on the
 * conversations and people actually tagged (so no cell passes on inflated counts).
 *
 * Estimator: the ratio N / n, where n conversations were tagged and N went through the sampling
 * decision (tagged plus `not_sampled`). With one rate it is about 1 / rate; when a tenant changes
 * its rate (or starts sampling after tagging everything) the tenant's total stays right, and a
 * cell is off only by how unevenly it spread over the periods of different rates.
 *
 * Intervals (90%), simple random sampling of n out of N (f = n / N):
 * - a count c of the sample: c·N/n ± 1.645·(N/n)·√((1 − f)·c·(1 − c/n));
 * - minutes saved t: t·N/n, its bootstrap half-width h scaled, and the sampling half-width
 *   1.645·(N/n)·√((1 − f)·(Σx² − t²/n)), where Σx² of the cell comes from its bootstrap
 *   interval (h / 1.645)² + t²/c; both combined as √(h'² + s²).
 * Rates (failure, resolution) and means are ratios and stay as they are. Distinct users are not
 * scaled: they are the people seen in the sample (a lower bound). Closed weeks frozen before
 * keep the figures they were published with, scaled at that time.
 */
import type { SnapshotDraft } from '@silhouette/db';

const Z90 = 1.645;

export interface SampleCounts {
  /** The tenant's configured sample rate, for display. */
  rate: number;
  /** Conversations tagged (in the sample) and those that went through the sampling decision. */
  sampled: number;
  population: number;
}

export interface PublishedInterval {
  low: number;
  high: number;
}

const round = (value: number, digits = 1) => Math.round(value * 10 ** digits) / 10 ** digits;

export class SampleScale {
  readonly factor: number;
  private readonly unsampled: number;

  constructor(readonly counts: SampleCounts) {
    this.factor = counts.population / counts.sampled;
    this.unsampled = Math.max(0, 1 - counts.sampled / counts.population);
  }

  count(c: number): number {
    return Math.round(c * this.factor);
  }

  countInterval(c: number): PublishedInterval {
    const n = this.counts.sampled;
    const half = Z90 * this.factor * Math.sqrt(this.unsampled * c * Math.max(0, 1 - c / n));
    return {
      low: Math.max(0, Math.round(c * this.factor - half)),
      high: Math.round(c * this.factor + half),
    };
  }

  minutes(t: number): number {
    return round(t * this.factor);
  }

  /** The scaled total's interval from the cell's total, bootstrap interval and size. */
  minutesInterval(t: number, low: number, high: number, c: number): PublishedInterval {
    const n = this.counts.sampled;
    const h = Math.max(0, (high - low) / 2);
    const sumOfSquares = c > 0 ? (h / Z90) ** 2 + (t * t) / c : 0;
    const sampling =
      Z90 * this.factor * Math.sqrt(this.unsampled * Math.max(0, sumOfSquares - (t * t) / n));
    const half = Math.sqrt((h * this.factor) ** 2 + sampling ** 2);
    return { low: round(Math.max(0, t * this.factor - half)), high: round(t * this.factor + half) };
  }
}

type Row = Record<string, unknown>;
const isRow = (value: unknown): value is Row => typeof value === 'object' && value !== null;

/** A metric row (`{value, conversations, minutesSavedTotal, …}`) scaled. */
function scaleRow<T extends object>(row: T, scale: SampleScale): T {
  const counted = row as { conversations?: unknown; minutesSavedTotal?: unknown };
  return {
    ...row,
    ...(typeof counted.conversations === 'number'
      ? { conversations: scale.count(counted.conversations) }
      : {}),
    ...(typeof counted.minutesSavedTotal === 'number'
      ? { minutesSavedTotal: scale.minutes(counted.minutesSavedTotal) }
      : {}),
  };
}

const scaleRows = (rows: unknown, scale: SampleScale, keep?: (row: Row) => boolean) =>
  Array.isArray(rows)
    ? rows.map((row) => (isRow(row) && !keep?.(row) ? scaleRow(row, scale) : row))
    : rows;

/** Cluster or overview metrics: counts and minutes scaled, the minutes interval widened. */
function scaleMetrics(
  metrics: Row,
  conversations: number,
  scale: SampleScale,
  keepWeek?: (row: Row) => boolean,
): Row {
  const out: Row = { ...metrics };
  for (const key of ['outcomes', 'failure_reasons', 'languages', 'domains', 'task_types', 'teams'])
    if (key in out) out[key] = scaleRows(out[key], scale);
  if ('weekly' in out) out['weekly'] = scaleRows(out['weekly'], scale, keepWeek);
  for (const key of ['failure_impact_minutes'])
    if (typeof out[key] === 'number') out[key] = scale.minutes(out[key]);
  if (typeof out['low_confidence_conversations'] === 'number')
    out['low_confidence_conversations'] = scale.count(out['low_confidence_conversations']);
  const minutes = out['minutes_saved'];
  let minutesInterval: PublishedInterval | undefined;
  if (isRow(minutes) && typeof minutes['total'] === 'number') {
    const total = minutes['total'];
    minutesInterval = scale.minutesInterval(
      total,
      Number(minutes['total_low'] ?? total),
      Number(minutes['total_high'] ?? total),
      conversations,
    );
    out['minutes_saved'] = {
      ...minutes,
      total: scale.minutes(total),
      total_low: minutesInterval.low,
      total_high: minutesInterval.high,
      ...(typeof minutes['per_active_user_per_week'] === 'number'
        ? { per_active_user_per_week: round(minutes['per_active_user_per_week'] * scale.factor, 2) }
        : {}),
    };
  }
  out['sampling'] = {
    conversations: scale.countInterval(conversations),
    ...(minutesInterval ? { minutes_saved: minutesInterval } : {}),
  };
  return out;
}

export const SAMPLE_METHOD =
  'Estimated from a sample: each count is scaled by conversations considered / conversations tagged; 90% intervals for simple random sampling (minutes combine it with the bootstrap interval). Distinct users are those seen in the sample.';

/**
 * The draft with every count and minutes figure scaled to the whole, and the sample described
 * in the overview. `frozenWeeks`: closed weeks already published (kept as they were).
 */
export function applySample(
  draft: SnapshotDraft,
  counts: SampleCounts,
  frozenWeeks: ReadonlySet<string>,
): SnapshotDraft {
  if (counts.sampled <= 0 || counts.population <= counts.sampled) return draft;
  const scale = new SampleScale(counts);
  const keepWeek = (row: Row) => frozenWeeks.has(String(row['value']));
  const overview = draft.overview;
  const overviewConversations =
    typeof overview['conversations'] === 'number' ? overview['conversations'] : 0;
  const scaledOverview: Row =
    overview['published'] === true
      ? {
          ...scaleMetrics(overview, overviewConversations, scale, keepWeek),
          conversations: scale.count(overviewConversations),
        }
      : { ...overview };
  scaledOverview['sample'] = {
    rate: counts.rate,
    sampled: counts.sampled,
    population: counts.population,
    factor: round(scale.factor, 4),
    method: SAMPLE_METHOD,
  };
  const frozenTrendKept = (row: { interval: string; bucket: string }) =>
    row.interval === 'week' && frozenWeeks.has(row.bucket);
  return {
    ...draft,
    overview: scaledOverview,
    clusters: draft.clusters.map((cluster) => ({
      ...cluster,
      conversations: scale.count(cluster.conversations),
      minutesSavedTotal: scale.minutes(cluster.minutesSavedTotal),
      metrics: scaleMetrics(cluster.metrics, cluster.conversations, scale),
      goals: cluster.goals.map((goal) => ({
        ...goal,
        conversations: scale.count(goal.conversations),
      })),
    })),
    breakdowns: draft.breakdowns.map((row) => scaleRow(row, scale)),
    trends: draft.trends.map((row) => {
      if (frozenTrendKept(row)) return row;
      const scaled = scaleRow(row, scale);
      if (row.minutesSavedLow === undefined || row.minutesSavedHigh === undefined) return scaled;
      const interval = scale.minutesInterval(
        row.minutesSavedTotal,
        row.minutesSavedLow,
        row.minutesSavedHigh,
        row.conversations,
      );
      return { ...scaled, minutesSavedLow: interval.low, minutesSavedHigh: interval.high };
    }),
    // Weeks frozen now are stored as published now: scaled.
    ...(draft.frozenWeeks
      ? {
          frozenWeeks: draft.frozenWeeks.map((week) => ({
            ...week,
            figures: {
              overview: scaleRow(
                week.figures.overview as unknown as Row,
                scale,
              ) as unknown as typeof week.figures.overview,
              trends: Object.fromEntries(
                Object.entries(week.figures.trends).map(([facet, cells]) => [
                  facet,
                  cells.map((cell) => {
                    const scaled = scaleRow(
                      cell as unknown as Row,
                      scale,
                    ) as unknown as typeof cell;
                    if (cell.minutesSavedLow === undefined || cell.minutesSavedHigh === undefined)
                      return scaled;
                    const interval = scale.minutesInterval(
                      cell.minutesSavedTotal,
                      cell.minutesSavedLow,
                      cell.minutesSavedHigh,
                      cell.conversations,
                    );
                    return {
                      ...scaled,
                      minutesSavedLow: interval.low,
                      minutesSavedHigh: interval.high,
                    };
                  }),
                ]),
              ),
            },
          })),
        }
      : {}),
  };
}
