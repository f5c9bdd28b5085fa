import { describe, expect, it } from 'vitest';
import { isoWeekLabel, isoWeekStart, startOfIsoWeek } from './calendar';

describe('ISO week buckets', () => {
  it('gives the Monday of an ISO week, across year boundaries', () => {
    expect(isoWeekStart('2026-W01').toISOString()).toBe('2025-12-29T00:00:00.000Z');
    expect(isoWeekStart('2026-W41').toISOString()).toBe('2026-10-05T00:00:00.000Z');
    expect(isoWeekStart('2021-W53').toISOString()).toBe('2022-01-03T00:00:00.000Z');
    expect(() => isoWeekStart('2026-41')).toThrow(/not an ISO week label/);
  });

  it('labels a moment with its ISO week, and the label round-trips to the week start', () => {
    expect(isoWeekLabel(new Date('2027-01-01T12:00:00Z'))).toBe('2026-W53');
    expect(isoWeekLabel(new Date('2026-11-22T23:59:59Z'))).toBe('2026-W47');
    const moment = new Date('2026-11-19T08:00:00Z');
    expect(isoWeekStart(isoWeekLabel(moment))).toEqual(startOfIsoWeek(moment));
  });
});
