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
 *
 * dp mode (`applyDpSample`): the figures are noisy and the exact counts n and N are not
 * published, so the scale is 1 / rate (the hash sample is a Bernoulli sample at that rate) and
 * everything is computed from the noisy published values (post-processing, no privacy cost):
 * - a count c: c/p ± √(s² + h²), s = 1.645·√(c·(1 − p))/p the sampling half-width and h the
 *   noise half-width scaled by 1/p (both about normal, so they add in quadrature);
 * - minutes t: the same, with s = 1.645·√((1 − p)·t·M)/p, M the per-conversation clip
 *   (DP_MAX_MINUTES_PER_CONVERSATION): Σx² ≤ t·M, so the interval errs on the wide side.
 * Noise intervals are scaled by 1/p with their figures.
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

/** How a sampled snapshot's figures are scaled, and their intervals. */
interface Scale {
  readonly factor: number;
  count(c: number): number;
  countInterval(c: number, noise?: PublishedInterval): PublishedInterval;
  minutes(t: number): number;
  minutesInterval(t: number, low: number, high: number, c: number): PublishedInterval;
}

export class SampleScale implements Scale {
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

/** dp mode: a Bernoulli sample at `rate`, figures and intervals from the noisy values only. */
export class DpSampleScale implements Scale {
  readonly factor: number;

  constructor(
    readonly rate: number,
    /** The per-conversation minutes clip: bounds Σx² by t·M. */
    private readonly maxMinutesPerConversation: number,
  ) {
    this.factor = 1 / rate;
  }

  count(c: number): number {
    return Math.round(c * this.factor);
  }

  countInterval(c: number, noise?: PublishedInterval): PublishedInterval {
    const sampling = Z90 * this.factor * Math.sqrt(Math.max(0, c) * (1 - this.rate));
    const noiseHalf = noise ? Math.max(0, (noise.high - noise.low) / 2) * this.factor : 0;
    const half = Math.sqrt(sampling ** 2 + noiseHalf ** 2);
    return {
      low: Math.max(0, Math.round(c * this.factor - half)),
      high: Math.round(c * this.factor + half),
    };
  }

  minutes(t: number): number {
    return round(t * this.factor);
  }

  /** `low`..`high`: the figure's published (noise) interval. */
  minutesInterval(t: number, low: number, high: number): PublishedInterval {
    const sampling =
      Z90 *
      this.factor *
      Math.sqrt((1 - this.rate) * Math.max(0, t) * this.maxMinutesPerConversation);
    const noiseHalf = Math.max(0, (high - low) / 2) * this.factor;
    const half = Math.sqrt(sampling ** 2 + noiseHalf ** 2);
    return { low: round(Math.max(0, t * this.factor - half)), high: round(t * this.factor + half) };
  }
}

/** Noise intervals (dp mode) scaled with their figures; absent or null stays so. */
function scaleNoise(noise: unknown, scale: Scale): unknown {
  if (!isRow(noise)) return noise;
  const out: Row = { ...noise };
  for (const figure of ['conversations', 'minutes_saved']) {
    const interval = out[figure];
    if (
      isRow(interval) &&
      typeof interval['low'] === 'number' &&
      typeof interval['high'] === 'number'
    )
      out[figure] =
        figure === 'conversations'
          ? { low: scale.count(interval['low']), high: scale.count(interval['high']) }
          : { low: scale.minutes(interval['low']), high: scale.minutes(interval['high']) };
  }
  return out;
}

const conversationNoise = (noise: unknown): PublishedInterval | undefined => {
  const interval = isRow(noise) ? noise['conversations'] : undefined;
  return isRow(interval) &&
    typeof interval['low'] === 'number' &&
    typeof interval['high'] === 'number'
    ? { low: interval['low'], high: interval['high'] }
    : undefined;
};

type Row = Record<string, unknown>;
const isRow = (value: unknown): value is Row => typeof value === 'object' && value !== null;

/** A metric row (`{value, conversations, minutesSavedTotal, …}`) scaled. */
function scaleRow<T extends object>(row: T, scale: Scale): T {
  const counted = row as { conversations?: unknown; minutesSavedTotal?: unknown; noise?: unknown };
  return {
    ...row,
    ...(isRow(counted.noise) ? { noise: scaleNoise(counted.noise, scale) } : {}),
    ...(typeof counted.conversations === 'number'
      ? { conversations: scale.count(counted.conversations) }
      : {}),
    ...(typeof counted.minutesSavedTotal === 'number'
      ? { minutesSavedTotal: scale.minutes(counted.minutesSavedTotal) }
      : {}),
  };
}

const scaleRows = (rows: unknown, scale: Scale, keep?: (row: Row) => boolean) =>
  Array.isArray(rows)
    ? rows.map((row) => (isRow(row) && !keep?.(row) ? scaleRow(row, scale) : row))
    : rows;

/** Cluster or overview metrics: counts and minutes scaled, the minutes interval widened. */
function scaleMetrics(
  metrics: Row,
  conversations: number,
  scale: Scale,
  keepWeek?: (row: Row) => boolean,
  /** dp mode: the figure's noise intervals, combined into its sampling intervals. */
  noise?: unknown,
): Row {
  const out: Row = { ...metrics };
  for (const key of ['outcomes', 'failure_reasons', 'languages', 'domains', 'task_types', 'teams'])
    if (key in out) out[key] = scaleRows(out[key], scale);
  if ('weekly' in out) out['weekly'] = scaleRows(out['weekly'], scale, keepWeek);
  // A map cluster's topic cells, and a cluster's custom-facet parts (per facet key); custom
  // means are ratios and stay as they are.
  if ('topics' in out) out['topics'] = scaleRows(out['topics'], scale);
  if (isRow(out['custom']))
    out['custom'] = Object.fromEntries(
      Object.entries(out['custom']).map(([key, rows]) => [key, scaleRows(rows, scale)]),
    );
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
  if (isRow(out['noise'])) out['noise'] = scaleNoise(out['noise'], scale);
  out['sampling'] = {
    conversations: scale.countInterval(conversations, conversationNoise(noise)),
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
  return scaleDraft(draft, scale, frozenWeeks, {
    rate: counts.rate,
    sampled: counts.sampled,
    population: counts.population,
    factor: round(scale.factor, 4),
    method: SAMPLE_METHOD,
  });
}

export const DP_SAMPLE_METHOD =
  'Estimated from a sample: each count is scaled by 1 / sample rate; 90% intervals combine the sampling error (Bernoulli sampling at that rate, minutes bounded by the per-conversation clip) with the privacy noise. Distinct users are those seen in the sample.';

/**
 * dp mode: the assembled noisy snapshot scaled by 1 / rate, with intervals from the noisy
 * values only. The sample's exact sizes are not published (they are exact counts).
 */
export function applyDpSample(
  draft: SnapshotDraft,
  sample: { rate: number; maxMinutesPerConversation: number },
): SnapshotDraft {
  if (!(sample.rate > 0 && sample.rate < 1)) return draft;
  const scale = new DpSampleScale(sample.rate, sample.maxMinutesPerConversation);
  return scaleDraft(draft, scale, new Set(), {
    rate: sample.rate,
    factor: round(scale.factor, 4),
    method: DP_SAMPLE_METHOD,
  });
}

function scaleDraft(
  draft: SnapshotDraft,
  scale: Scale,
  frozenWeeks: ReadonlySet<string>,
  sampleInfo: Row,
): SnapshotDraft {
  const keepWeek = (row: Row) => frozenWeeks.has(String(row['value']));
  const overview = draft.overview;
  const overviewConversations =
    typeof overview['conversations'] === 'number' ? overview['conversations'] : 0;
  const scaledOverview: Row =
    overview['published'] === true
      ? {
          ...scaleMetrics(overview, overviewConversations, scale, keepWeek, overview['noise']),
          conversations: scale.count(overviewConversations),
        }
      : { ...overview };
  scaledOverview['sample'] = sampleInfo;
  const frozenTrendKept = (row: { interval: string; bucket: string }) =>
    row.interval === 'week' && frozenWeeks.has(row.bucket);
  return {
    ...draft,
    overview: scaledOverview,
    clusters: draft.clusters.map((cluster) => ({
      ...cluster,
      conversations: scale.count(cluster.conversations),
      minutesSavedTotal: scale.minutes(cluster.minutesSavedTotal),
      ...(cluster.noise ? { noise: scaleNoise(cluster.noise, scale) as typeof cluster.noise } : {}),
      metrics: scaleMetrics(
        cluster.metrics,
        cluster.conversations,
        scale,
        undefined,
        cluster.noise ?? cluster.metrics['noise'],
      ),
      goals: cluster.goals.map((goal) => ({
        ...goal,
        conversations: goal.conversations === null ? null : scale.count(goal.conversations),
      })),
    })),
    // The issues map and short-text maps: counted like the topic clusters.
    ...(draft.mapClusters
      ? {
          mapClusters: draft.mapClusters.map((cluster) => {
            const noise = cluster.metrics['noise'];
            return {
              ...cluster,
              conversations: scale.count(cluster.conversations),
              metrics: scaleMetrics(
                cluster.metrics,
                cluster.conversations,
                scale,
                undefined,
                noise,
              ),
            };
          }),
        }
      : {}),
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
