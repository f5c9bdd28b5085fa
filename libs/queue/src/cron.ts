/**
 * Cron schedule times, shared by the in-process scheduler, the report tick (which replays the
 * times missed while no worker ran) and the API's validation. Five fields, or six with seconds.
 */
import { CronExpressionParser } from 'cron-parser';

export interface CronSchedule {
  cron: string;
  timezone: string;
}

export class CronError extends Error {
  readonly code = 'invalid_cron';
}

function parse(schedule: CronSchedule, after: Date) {
  try {
    return CronExpressionParser.parse(schedule.cron, {
      currentDate: after,
      tz: schedule.timezone,
      strict: false,
    });
  } catch (error) {
    throw new CronError(`invalid cron expression: ${(error as Error).message}`);
  }
}

/** The first schedule time strictly after `after`. */
export function nextCronTime(schedule: CronSchedule, after: Date): Date {
  return parse(schedule, after).next().toDate();
}

/**
 * Schedule times in (after, upTo], oldest first, at most `limit` of them: when more are due
 * (a long outage), the newest `limit` are returned and the older ones are skipped.
 */
export function cronTimesBetween(
  schedule: CronSchedule,
  after: Date,
  upTo: Date,
  limit: number,
): Date[] {
  const times: Date[] = [];
  const iterator = parse(schedule, after);
  for (;;) {
    const next = iterator.next().toDate();
    if (next.getTime() > upTo.getTime()) break;
    times.push(next);
    if (times.length > limit) times.shift();
  }
  return times;
}

/** Throws a CronError unless the schedule parses and its times are at least `minSeconds` apart. */
export function assertCronSchedule(schedule: CronSchedule, minSeconds: number): void {
  const iterator = parse(schedule, new Date());
  let previous = iterator.next().toDate().getTime();
  // A few consecutive gaps catch "every N seconds" and "several times an hour" alike.
  for (let i = 0; i < 8; i += 1) {
    const next = iterator.next().toDate().getTime();
    if (next - previous < minSeconds * 1000) {
      throw new CronError(
        `runs more often than every ${minSeconds} s (REPORT_MIN_INTERVAL_S); choose a longer interval`,
      );
    }
    previous = next;
  }
}
