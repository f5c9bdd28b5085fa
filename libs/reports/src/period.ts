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
  startOfIsoWeek,
  type ReportPeriod,
} from '@silhouette/contracts';

const WEEK_MS = 7 * 86_400_000;

export interface ResolvedPeriod {
  /** Always ISO weeks: the buckets that are frozen once closed (months are weeks ending in them). */
  interval: 'week';
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

/** The ISO weeks whose Sunday falls in [from, to): how many, and the Monday after the last. */
function weeksEndingIn(from: Date, to: Date): { end: Date; count: number } {
  // The Monday after the last Sunday before `to`.
  const end = startOfIsoWeek(to);
  let count = 0;
  for (let sunday = end.getTime() - 86_400_000; sunday >= from.getTime(); sunday -= WEEK_MS)
    count += 1;
  return { end, count };
}

/** The period a report run at `slot` covers. */
export function resolvePeriod(period: ReportPeriod, slot: Date): ResolvedPeriod {
  if (period.kind === 'last-month') {
    // Months are the ISO weeks that end in them: every such week is closed (and frozen) once
    // the month is over, which calendar-month buckets straddling a week would not give.
    const monthEnd = new Date(Date.UTC(slot.getUTCFullYear(), slot.getUTCMonth(), 1));
    const monthBegin = new Date(Date.UTC(monthEnd.getUTCFullYear(), monthEnd.getUTCMonth() - 1, 1));
    const current = weeksEndingIn(monthBegin, monthEnd);
    const previous = weeksEndingIn(
      new Date(Date.UTC(monthBegin.getUTCFullYear(), monthBegin.getUTCMonth() - 1, 1)),
      monthBegin,
    );
    const month = monthBegin.toLocaleString('en-GB', {
      month: 'long',
      year: 'numeric',
      timeZone: 'UTC',
    });
    const resolved = periodOfWeeks(current.end, current.count);
    return {
      ...resolved,
      previousBuckets: weeksEndingBefore(previous.end, previous.count),
      label: `${month} (the ${current.count} weeks ending in it, ${day(resolved.start)} to ${day(new Date(current.end.getTime() - 86_400_000))})`,
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
