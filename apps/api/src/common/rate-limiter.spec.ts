import { describe, expect, it } from 'vitest';
import { RateLimiter } from './rate-limiter';

describe('RateLimiter', () => {
  it('allows a burst of perMinute, then asks to wait until a token refills', () => {
    const limiter = new RateLimiter(60);
    const now = 1_000_000;
    for (let i = 0; i < 60; i++) expect(limiter.take('k', now)).toBe(0);
    expect(limiter.take('k', now)).toBe(1000);
    expect(limiter.take('other', now)).toBe(0);
    expect(limiter.take('k', now + 1000)).toBe(0);
  });
});
