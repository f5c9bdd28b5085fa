import { MAX_MINUTES } from '@silhouette/contracts';
import { describe, expect, it } from 'vitest';
import { estimateMinutes, normalizeMinutesOverrides } from './minutes-estimator';
import { MANUAL_MINUTES, READING_WPM, TYPING_WPM, MINUTES_PER_USER_TURN } from './tagging-tables';

const none = new Map<string, number>();

describe('estimateMinutes', () => {
  it('uses the manual-minutes row at the reference size and the reading/typing model for the assistant time', () => {
    const row = MANUAL_MINUTES['drafting']!;
    const m = estimateMinutes(
      { taskType: 'drafting', assistantWords: row.referenceWords, userWords: 40, userTurns: 2 },
      none,
    );
    expect(m.minutesWithoutAi).toBe(row.manualMinutes);
    const expectedWith =
      row.referenceWords / READING_WPM + 40 / TYPING_WPM + 2 * MINUTES_PER_USER_TURN;
    expect(m.minutesWithAi).toBeCloseTo(expectedWith, 1);
  });

  it('scales sub-linearly with the size of what was produced, within bounds', () => {
    const small = estimateMinutes(
      { taskType: 'coding', assistantWords: 50, userWords: 10, userTurns: 1 },
      none,
    );
    const large = estimateMinutes(
      { taskType: 'coding', assistantWords: 800, userWords: 10, userTurns: 1 },
      none,
    );
    expect(large.minutesWithoutAi).toBeGreaterThan(small.minutesWithoutAi);
    expect(large.minutesWithoutAi).toBeLessThanOrEqual(MANUAL_MINUTES['coding']!.manualMinutes * 4);
  });

  it('bounds both estimates to [0, MAX_MINUTES]', () => {
    const m = estimateMinutes(
      { taskType: 'analysis', assistantWords: 10_000_000, userWords: 10_000_000, userTurns: 5_000 },
      new Map([['analysis', MAX_MINUTES]]),
    );
    expect(m.minutesWithoutAi).toBe(MAX_MINUTES);
    expect(m.minutesWithAi).toBe(MAX_MINUTES);
    const zero = estimateMinutes(
      { taskType: 'analysis', assistantWords: 0, userWords: 0, userTurns: 0 },
      new Map([['analysis', 0]]),
    );
    expect(zero).toEqual({ minutesWithoutAi: 0, minutesWithAi: 0 });
  });

  it('falls back to the "other" row for an unknown task type', () => {
    const row = MANUAL_MINUTES['other']!;
    const m = estimateMinutes(
      { taskType: 'juggling', assistantWords: row.referenceWords, userWords: 0, userTurns: 1 },
      none,
    );
    expect(m.minutesWithoutAi).toBe(row.manualMinutes);
  });
});

describe('normalizeMinutesOverrides', () => {
  it('keys overrides by trimmed lowercase label', () => {
    expect([...normalizeMinutesOverrides({ ' Debugging ': { manualMinutes: 12 } })]).toEqual([
      ['debugging', 12],
    ]);
    expect(normalizeMinutesOverrides(undefined).size).toBe(0);
  });

  it('rejects out-of-range values and unknown fields', () => {
    expect(() => normalizeMinutesOverrides({ coding: { manualMinutes: MAX_MINUTES + 1 } })).toThrow(
      RangeError,
    );
    expect(() => normalizeMinutesOverrides({ coding: { manualMinutes: 5, extra: 1 } })).toThrow(
      RangeError,
    );
  });
});
