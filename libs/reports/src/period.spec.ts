import { describe, expect, it } from 'vitest';
import { periodBetween, resolvePeriod } from './period';

describe('report periods', () => {
  const wednesday = new Date('2026-11-18T09:30:00Z'); // ISO week 2026-W47

  it('last week is the last complete ISO week, compared with the one before', () => {
    const period = resolvePeriod({ kind: 'last-week' }, wednesday);
    expect(period).toMatchObject({
      interval: 'week',
      buckets: ['2026-W46'],
      previousBuckets: ['2026-W45'],
      start: new Date('2026-11-09T00:00:00Z'),
      end: new Date('2026-11-16T00:00:00Z'),
    });
    expect(period.label).toBe('Week 2026-W46 (2026-11-09 to 2026-11-15)');
  });

  it('a Monday run covers the week that just ended, not the one starting', () => {
    const period = resolvePeriod({ kind: 'last-week' }, new Date('2026-11-16T00:00:00Z'));
    expect(period.buckets).toEqual(['2026-W46']);
  });

  it('last month is the weeks ending in it, so every one is closed when the month is over', () => {
    // December 2026: Sundays 6, 13, 20, 27; the week of Monday 28 ends in January.
    const period = resolvePeriod({ kind: 'last-month' }, new Date('2027-01-04T08:00:00Z'));
    expect(period).toMatchObject({
      interval: 'week',
      buckets: ['2026-W49', '2026-W50', '2026-W51', '2026-W52'],
      start: new Date('2026-11-30T00:00:00Z'),
      end: new Date('2026-12-28T00:00:00Z'),
    });
    expect(period.label).toBe('December 2026 (the 4 weeks ending in it, 2026-11-30 to 2026-12-27)');
    // November 2026 has five Sundays (1, 8, 15, 22, 29).
    expect(period.previousBuckets).toEqual([
      '2026-W44',
      '2026-W45',
      '2026-W46',
      '2026-W47',
      '2026-W48',
    ]);
  });

  it('custom N weeks are whole weeks, and the previous period is the same length before', () => {
    const period = resolvePeriod({ kind: 'custom', weeks: 3 }, wednesday);
    expect(period.buckets).toEqual(['2026-W44', '2026-W45', '2026-W46']);
    expect(period.previousBuckets).toEqual(['2026-W41', '2026-W42', '2026-W43']);
    // ISO week 53 exists in 2026: the labels follow the ISO calendar, not 52-week arithmetic.
    const newYear = resolvePeriod({ kind: 'custom', weeks: 2 }, new Date('2027-01-06T00:00:00Z'));
    expect(newYear.buckets).toEqual(['2026-W52', '2026-W53']);
  });

  it('an explicit range snaps inward to whole weeks and refuses one without any', () => {
    const period = periodBetween(
      new Date('2026-11-04T00:00:00Z'),
      new Date('2026-11-25T00:00:00Z'),
    );
    expect(period.buckets).toEqual(['2026-W46', '2026-W47']);
    expect(() =>
      periodBetween(new Date('2026-11-17T00:00:00Z'), new Date('2026-11-22T00:00:00Z')),
    ).toThrow(/2026-11-17\.\.2026-11-22 contains no whole ISO week/);
  });
});
