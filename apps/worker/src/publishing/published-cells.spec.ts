import { describe, expect, it } from 'vitest';
import { ratesFrom } from './published-cells';

describe('ratesFrom', () => {
  it('divides published outcome counts by the total, leaving pooled rows out', () => {
    const rates = ratesFrom(
      [
        { value: 'resolved', isOther: false, conversations: 60 },
        { value: 'unresolved', isOther: false, conversations: 30 },
        { value: 'abandoned', isOther: true, conversations: 10 },
      ],
      100,
    );
    expect(rates.resolution_rate).toBe(0.6);
    expect(rates.failure_rate).toBe(0.3);
  });

  it('keeps rates of noisy counts within [0, 1]', () => {
    // dp mode: noisy parts can exceed a noisy total.
    const rates = ratesFrom(
      [
        { value: 'resolved', isOther: false, conversations: 140 },
        { value: 'unresolved', isOther: false, conversations: 133 },
      ],
      100,
    );
    expect(rates.resolution_rate).toBe(1);
    expect(rates.failure_rate).toBe(1);
    expect(ratesFrom([], 0)).toEqual({ resolution_rate: 0, failure_rate: 0 });
  });
});
