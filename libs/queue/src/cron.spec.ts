import { describe, expect, it } from 'vitest';
import { assertCronSchedule, cronTimesBetween, nextCronTime } from './cron';

describe('cron schedules', () => {
  it('follow the time zone, including across a daylight-saving change', () => {
    const berlin = { cron: '0 8 * * 1', timezone: 'Europe/Berlin' };
    // 08:00 in Berlin is 06:00 UTC in summer time (CEST) and 07:00 UTC after 25 October (CET).
    expect(nextCronTime(berlin, new Date('2026-10-20T00:00:00Z')).toISOString()).toBe(
      '2026-10-26T07:00:00.000Z',
    );
    expect(nextCronTime(berlin, new Date('2026-10-13T00:00:00Z')).toISOString()).toBe(
      '2026-10-19T06:00:00.000Z',
    );
  });

  it('lists the times missed in an outage, oldest first, keeping the newest when over the limit', () => {
    const everyMinute = { cron: '* * * * *', timezone: 'UTC' };
    const after = new Date('2026-11-16T08:00:00Z');
    const upTo = new Date('2026-11-16T08:05:30Z');
    expect(cronTimesBetween(everyMinute, after, upTo, 10).map((d) => d.toISOString())).toEqual([
      '2026-11-16T08:01:00.000Z',
      '2026-11-16T08:02:00.000Z',
      '2026-11-16T08:03:00.000Z',
      '2026-11-16T08:04:00.000Z',
      '2026-11-16T08:05:00.000Z',
    ]);
    expect(cronTimesBetween(everyMinute, after, upTo, 2).map((d) => d.toISOString())).toEqual([
      '2026-11-16T08:04:00.000Z',
      '2026-11-16T08:05:00.000Z',
    ]);
  });

  it('refuses invalid expressions and schedules more frequent than allowed', () => {
    expect(() => assertCronSchedule({ cron: '61 * * * *', timezone: 'UTC' }, 60)).toThrow(
      /invalid cron expression/,
    );
    expect(() => assertCronSchedule({ cron: '*/10 * * * *', timezone: 'UTC' }, 3600)).toThrow(
      /more often than every 3600 s/,
    );
    expect(() => assertCronSchedule({ cron: '0 8 * * 1', timezone: 'UTC' }, 3600)).not.toThrow();
  });
});
