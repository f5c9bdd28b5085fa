/**
 * Which published buckets a report covers. Decided from the schedule time: the last complete
 * ISO week, the last complete calendar month, or the last N complete ISO weeks, all UTC (the
 * buckets every published series uses), and the same span just before it for comparisons.
 *
 * Only closed calendar buckets, never "the last 7 days": two rolling windows one day apart
 * would differ by that one day, a cell nobody checked (see README, "Reports and differencing").
 */
import {
  isoWeekLabel,
  isoWeekStart,
  monthLabel,
  startOfIsoWeek,
  type ReportPeriod,
} from '@silhouette/contracts';

const WEEK_MS = 7 * 86_400_000;

export interface ResolvedPeriod {
  interval: 'week' | 'month';
  /** Bucket labels covered, oldest first. */
  buckets: string[];
  /** The same number of buckets just before. */
  previousBuckets: string[];
  start: Date;
  /** Exclusive. */
  end: Date;
  label: string;
}

function weeksEndingBefore(end: Date, count: number): string[] {
  const labels: string[] = [];
  for (let i = count; i >= 1; i -= 1)
    labels.push(isoWeekLabel(new Date(end.getTime() - i * WEEK_MS)));
  return labels;
}

const day = (date: Date) => date.toISOString().slice(0, 10);

/** The period a report run at `slot` covers. */
export function resolvePeriod(period: ReportPeriod, slot: Date): ResolvedPeriod {
  if (period.kind === 'last-month') {
    const end = new Date(Date.UTC(slot.getUTCFullYear(), slot.getUTCMonth(), 1));
    const start = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth() - 1, 1));
    const previous = new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() - 1, 1));
    const label = start.toLocaleString('en-GB', {
      month: 'long',
      year: 'numeric',
      timeZone: 'UTC',
    });
    return {
      interval: 'month',
      buckets: [monthLabel(start)],
      previousBuckets: [monthLabel(previous)],
      start,
      end,
      label,
    };
  }
  const weeks = period.kind === 'last-week' ? 1 : period.weeks;
  return periodOfWeeks(startOfIsoWeek(slot), weeks);
}

/** `weeks` whole ISO weeks ending (exclusive) at the Monday `end`. */
export function periodOfWeeks(end: Date, weeks: number): ResolvedPeriod {
  const buckets = weeksEndingBefore(end, weeks);
  const start = isoWeekStart(buckets[0]!);
  const lastDay = new Date(end.getTime() - 86_400_000);
  return {
    interval: 'week',
    buckets,
    previousBuckets: weeksEndingBefore(start, weeks),
    start,
    end,
    label:
      weeks === 1
        ? `Week ${buckets[0]} (${day(start)} to ${day(lastDay)})`
        : `${weeks} weeks, ${buckets[0]} to ${buckets[buckets.length - 1]} (${day(start)} to ${day(lastDay)})`,
  };
}

/**
 * An explicit range for the CLI: the whole ISO weeks inside [from, to). Throws when the range
 * holds no whole week, naming the dates.
 */
export function periodBetween(from: Date, to: Date): ResolvedPeriod {
  const firstMonday =
    startOfIsoWeek(from).getTime() === from.getTime()
      ? from
      : new Date(startOfIsoWeek(from).getTime() + WEEK_MS);
  const end = startOfIsoWeek(to);
  const weeks = Math.round((end.getTime() - firstMonday.getTime()) / WEEK_MS);
  if (weeks < 1) {
    throw new RangeError(
      `${day(from)}..${day(to)} contains no whole ISO week (Monday to Sunday); widen the range`,
    );
  }
  return periodOfWeeks(end, weeks);
}
