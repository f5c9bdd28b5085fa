/**
 * The calendar buckets every published time series uses: ISO weeks (`2026-W41`, Monday to
 * Sunday, UTC) and calendar months (`2026-10`, UTC). Reports cover whole buckets only.
 */
const DAY_MS = 86_400_000;

/** The ISO week label of a moment (UTC). */
export function isoWeekLabel(date: Date): string {
  const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  const weekday = day.getUTCDay() || 7;
  day.setUTCDate(day.getUTCDate() + 4 - weekday);
  const yearStart = new Date(Date.UTC(day.getUTCFullYear(), 0, 1));
  const week = Math.ceil(((day.getTime() - yearStart.getTime()) / DAY_MS + 1) / 7);
  return `${day.getUTCFullYear()}-W${String(week).padStart(2, '0')}`;
}

/** Monday 00:00 UTC of an ISO week label. */
export function isoWeekStart(label: string): Date {
  const match = /^(\d{4})-W(\d{2})$/.exec(label);
  if (!match) throw new RangeError(`not an ISO week label: ${label}`);
  const [year, week] = [Number(match[1]), Number(match[2])];
  const jan4 = new Date(Date.UTC(year, 0, 4));
  return new Date(
    jan4.getTime() - ((jan4.getUTCDay() || 7) - 1) * DAY_MS + (week - 1) * 7 * DAY_MS,
  );
}

/** Monday 00:00 UTC of the week containing `date`. */
export function startOfIsoWeek(date: Date): Date {
  const day = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), date.getUTCDate()));
  return new Date(day.getTime() - ((day.getUTCDay() || 7) - 1) * DAY_MS);
}

/** The calendar month label of a moment (UTC), e.g. 2026-10. */
export function monthLabel(date: Date): string {
  return date.toISOString().slice(0, 7);
}
