import { describe, expect, it } from 'vitest';
import { comparePeriods } from './insights.controller';

describe('comparePeriods', () => {
  const weekly = [
    { value: '2026-W40', isOther: false, conversations: 20, minutesSavedTotal: 100 },
    { value: '2026-W41', isOther: false, conversations: 30, minutesSavedTotal: 150 },
    { value: '2026-W42', isOther: false, conversations: 45, minutesSavedTotal: 200 },
  ];

  it('sums the weeks of the period and of the period before, and the change', () => {
    const result = comparePeriods(weekly, '2026-10-12', '2026-10-19');
    expect(result).toMatchObject({
      conversations: 45,
      minutes_saved: 200,
      previous: { from: '2026-10-05', to: '2026-10-12', conversations: 30 },
      change_conversations: 0.5,
      complete: true,
    });
  });

  it('says the figures are lower bounds when weeks were pooled for privacy', () => {
    const result = comparePeriods(
      [...weekly, { value: '(other)', isOther: true, conversations: 12, minutesSavedTotal: 5 }],
      '2026-09-28',
      '2026-10-19',
    );
    expect(result.conversations).toBe(95);
    expect(result.complete).toBe(false);
  });
});
