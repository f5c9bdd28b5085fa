import { describe, expect, it } from 'vitest';
import { failureTrend, type TrendSide } from './failure-trend';

const shown = [{ isOther: false }, { isOther: true }];
const side = (impact: number | null, rate: number, outcomes = shown): TrendSide => ({
  failureImpactMinutes: impact,
  failureRate: rate,
  outcomes,
});

describe('failureTrend', () => {
  it('compares figures published in both snapshots', () => {
    expect(
      failureTrend(side(120, 0.25), side(100, 0.3), { hasPrevious: true, wasPooled: false }),
    ).toEqual({
      status: 'compared',
      failure_impact_minutes: { previous: 100, change: 20 },
      failure_rate: { previous: 0.3, change: -0.05 },
    });
  });

  it('never derives a change from a hidden figure on either side', () => {
    const hiddenNow = failureTrend(side(null, 0.2), side(90, 0.2), {
      hasPrevious: true,
      wasPooled: false,
    });
    expect(hiddenNow.failure_impact_minutes).toEqual({ previous: 90, change: null });
    const hiddenThen = failureTrend(side(90, 0.2), side(null, 0.1, [{ isOther: true }]), {
      hasPrevious: true,
      wasPooled: false,
    });
    expect(hiddenThen.failure_impact_minutes).toEqual({ previous: null, change: null });
    // All outcomes pooled then: the rate of 0.1 was not a published figure.
    expect(hiddenThen.failure_rate).toEqual({ previous: null, change: null });
  });

  it('says when a cluster is new, was pooled, or there is nothing to compare with', () => {
    const current = side(50, 0.1);
    expect(failureTrend(current, undefined, { hasPrevious: true, wasPooled: false }).status).toBe(
      'new',
    );
    expect(failureTrend(current, undefined, { hasPrevious: true, wasPooled: true })).toEqual({
      status: 'was_pooled',
      failure_impact_minutes: null,
      failure_rate: null,
    });
    expect(failureTrend(current, undefined, { hasPrevious: false, wasPooled: false }).status).toBe(
      'no_previous',
    );
  });
});
