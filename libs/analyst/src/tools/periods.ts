/**
 * Periods the analyst can speak about: whole ISO weeks only, as the reports do (README, "Reports
 * and differencing"): the last N published weeks, a range of weeks, or a month as the ISO weeks
 * whose Sunday falls in it. Period figures are sums of published weekly cells, never recomputed
 * (minutes rounded to one decimal after summing, as the overview API's period does).
 */
import { z } from 'zod';
import { isoWeekLabel, isoWeekStart, type MetricRow } from '@silhouette/contracts';
import { intervalFields, noiseOf } from './interval-fields';

const WEEK = /^\d{4}-W\d{2}$/;
const DAY_MS = 86_400_000;

export const periodSchema = z
  .object({
    last_weeks: z
      .number()
      .int()
      .min(1)
      .max(104)
      .optional()
      .describe('the N most recent published ISO weeks (the latest may still be open)'),
    from_week: z
      .string()
      .regex(WEEK, 'an ISO week such as 2026-W41')
      .optional()
      .describe('first ISO week, e.g. 2026-W38'),
    to_week: z
      .string()
      .regex(WEEK, 'an ISO week such as 2026-W41')
      .optional()
      .describe('last ISO week (inclusive)'),
    month: z
      .string()
      .regex(/^\d{4}-\d{2}$/, 'a month such as 2026-10')
      .optional()
      .describe('a month, as the ISO weeks whose Sunday falls in it'),
  })
  .strict()
  .refine(
    (p) =>
      [
        p.last_weeks !== undefined,
        p.from_week !== undefined || p.to_week !== undefined,
        p.month,
      ].filter(Boolean).length === 1,
    { message: 'give one of last_weeks, from_week with to_week, or month' },
  )
  .refine((p) => (p.from_week === undefined) === (p.to_week === undefined), {
    message: 'give both from_week and to_week',
    path: ['to_week'],
  });
export type Period = z.infer<typeof periodSchema>;

export interface WeekCell {
  week: string;
  conversations: number;
  distinct_users: number;
  minutes_saved: number;
}

export interface PeriodFigures {
  from_week: string;
  to_week: string;
  /** Published weeks inside the period (weeks with no published cell are absent). */
  weeks: WeekCell[];
  conversations: number | null;
  minutes_saved: number | null;
  /** False when some weeks were pooled for privacy and cannot be placed in time. */
  complete: boolean;
  note?: string;
}

/** The published weekly cells of the overview (pooled weeks apart). */
export function weeklyCells(weekly: readonly MetricRow[] | undefined): {
  weeks: WeekCell[];
  pooled: boolean;
} {
  const weeks = (weekly ?? [])
    .filter((row) => !row.isOther && WEEK.test(row.value))
    .map((row) => ({
      week: row.value,
      conversations: row.conversations,
      distinct_users: row.distinctUsers,
      minutes_saved: row.minutesSavedTotal,
      // Intervals the publication stored for this week (e.g. `minutesSavedLow`), passed through.
      ...intervalFields(row),
      ...noiseOf(row),
    }))
    .sort((a, b) => a.week.localeCompare(b.week));
  return { weeks, pooled: (weekly ?? []).some((row) => row.isOther) };
}

/** The first and last ISO week of a period, given the latest published week. */
export function periodWeeks(period: Period, latestWeek: string): { from: string; to: string } {
  if (period.last_weeks !== undefined) {
    const last = isoWeekStart(latestWeek).getTime();
    return {
      from: isoWeekLabel(new Date(last - (period.last_weeks - 1) * 7 * DAY_MS)),
      to: latestWeek,
    };
  }
  if (period.month !== undefined) {
    const [year, month] = period.month.split('-').map(Number) as [number, number];
    const first = new Date(Date.UTC(year, month - 1, 1));
    const last = new Date(Date.UTC(year, month, 0));
    // The weeks whose Sunday is inside the month.
    const firstSunday = new Date(first.getTime() + ((7 - (first.getUTCDay() || 7)) % 7) * DAY_MS);
    const lastSunday = new Date(last.getTime() - (last.getUTCDay() % 7) * DAY_MS);
    return { from: isoWeekLabel(firstSunday), to: isoWeekLabel(lastSunday) };
  }
  return { from: period.from_week!, to: period.to_week! };
}

/** The week `weeks` before `week` (same length comparisons). */
export function shiftWeek(week: string, weeks: number): string {
  return isoWeekLabel(new Date(isoWeekStart(week).getTime() + weeks * 7 * DAY_MS));
}

export function weeksBetween(from: string, to: string): number {
  return Math.round((isoWeekStart(to).getTime() - isoWeekStart(from).getTime()) / (7 * DAY_MS)) + 1;
}

/** Sums of the published weekly cells of a period. */
export function periodFigures(
  cells: { weeks: WeekCell[]; pooled: boolean },
  from: string,
  to: string,
): PeriodFigures {
  if (from > to) throw new RangeError('the period ends before it starts');
  const inside = cells.weeks.filter((cell) => cell.week >= from && cell.week <= to);
  const first = cells.weeks[0]?.week;
  const last = cells.weeks.at(-1)?.week;
  if (inside.length === 0) {
    return {
      from_week: from,
      to_week: to,
      weeks: [],
      conversations: null,
      minutes_saved: null,
      complete: false,
      note: first
        ? `no published week in this period; published weeks run from ${first} to ${last}`
        : 'no week has been published as a cell of its own',
    };
  }
  return {
    from_week: from,
    to_week: to,
    weeks: inside,
    conversations: inside.reduce((sum, cell) => sum + cell.conversations, 0),
    minutes_saved: Math.round(inside.reduce((sum, cell) => sum + cell.minutes_saved, 0) * 10) / 10,
    complete: !cells.pooled && inside.length === weeksBetween(from, to),
    ...(cells.pooled
      ? { note: 'some weeks were pooled for privacy: the sums are lower bounds' }
      : inside.length < weeksBetween(from, to)
        ? { note: 'some weeks of this period have no published figures' }
        : {}),
  };
}
