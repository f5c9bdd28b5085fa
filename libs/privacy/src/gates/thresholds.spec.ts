import { describe, expect, it } from 'vitest';
import {
  assertValidThresholds,
  cellCounts,
  DEFAULT_THRESHOLDS,
  distinctUsers,
  failureReason,
  passes,
  resolveThresholds,
  SUPPRESSION_REASONS,
  type Cell,
} from './thresholds';

const t = { kUsers: 5, minConversations: 10 };
const users = (n: number, prefix = 'u') => Array.from({ length: n }, (_, i) => `${prefix}${i}`);

describe('passes', () => {
  it('needs both enough distinct users and enough conversations', () => {
    expect(passes({ key: 'a', conversations: 10, users: users(5) }, t)).toBe(true);
    expect(passes({ key: 'a', conversations: 9, users: users(5) }, t)).toBe(false);
    expect(passes({ key: 'a', conversations: 100, users: users(4) }, t)).toBe(false);
    expect(passes({ key: 'a', conversations: 0, users: [] }, t)).toBe(false);
  });

  it('counts distinct users, for arrays with duplicates and for sets', () => {
    const repeated = ['a', 'b', 'a', 'c', 'b', 'd', 'd', 'd', 'a', 'c'];
    expect(passes({ key: 'x', conversations: 10, users: repeated }, t)).toBe(false);
    expect(passes({ key: 'x', conversations: 10, users: [...repeated, 'e'] }, t)).toBe(true);
    expect(passes({ key: 'x', conversations: 10, users: new Set(users(5)) }, t)).toBe(true);
  });

  it('is exact at the boundary for any thresholds', () => {
    for (let k = 1; k <= 8; k++) {
      for (let m = k; m <= k + 5; m++) {
        const th = { kUsers: k, minConversations: m };
        expect(passes({ key: 'x', conversations: m, users: users(k) }, th)).toBe(true);
        expect(
          passes({ key: 'x', conversations: m - 1, users: users(Math.min(k, m - 1)) }, th),
        ).toBe(false);
        expect(passes({ key: 'x', conversations: m, users: users(k - 1) }, th)).toBe(false);
      }
    }
  });
});

describe('failureReason', () => {
  it('names users first, then conversations', () => {
    expect(failureReason({ key: 'a', conversations: 3, users: users(2) }, t)).toBe('too_few_users');
    expect(failureReason({ key: 'a', conversations: 9, users: users(6) }, t)).toBe(
      'too_few_conversations',
    );
    expect(failureReason({ key: 'a', conversations: 10, users: users(5) }, t)).toBeUndefined();
  });
});

describe('validation', () => {
  it('rejects thresholds that are not positive integers', () => {
    for (const bad of [0, -1, 2.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => assertValidThresholds({ kUsers: bad, minConversations: 10 })).toThrow(
        RangeError,
      );
      expect(() => assertValidThresholds({ kUsers: 5, minConversations: bad })).toThrow(RangeError);
      expect(() =>
        passes(
          { key: 'a', conversations: 10, users: users(5) },
          { kUsers: bad, minConversations: 1 },
        ),
      ).toThrow(RangeError);
    }
  });

  it('rejects impossible cells instead of guessing', () => {
    const bad: Cell[] = [
      { key: 'neg', conversations: -1, users: [] },
      { key: 'frac', conversations: 1.5, users: [] },
      { key: 'nan', conversations: Number.NaN, users: [] },
      { key: 'more-users-than-conversations', conversations: 3, users: users(4) },
    ];
    for (const cell of bad) expect(() => cellCounts(cell)).toThrow(RangeError);
    expect(cellCounts({ key: 'ok', conversations: 4, users: ['a', 'a', 'b'] })).toEqual({
      conversations: 4,
      users: 2,
    });
  });

  it('returns the given set itself', () => {
    const set = new Set(['a']);
    expect(distinctUsers(set)).toBe(set);
    expect([...distinctUsers(['b', 'b', 'c'])]).toEqual(['b', 'c']);
  });
});

describe('resolveThresholds', () => {
  it('lets tenants raise thresholds but never lower them', () => {
    expect(resolveThresholds()).toEqual(DEFAULT_THRESHOLDS);
    expect(resolveThresholds({ kUsers: 20 })).toEqual({ kUsers: 20, minConversations: 10 });
    expect(resolveThresholds({ kUsers: 1, minConversations: 2 })).toEqual(DEFAULT_THRESHOLDS);
    expect(resolveThresholds({ minConversations: 50 })).toEqual({
      kUsers: 5,
      minConversations: 50,
    });
  });

  it('rejects garbage overrides', () => {
    expect(() => resolveThresholds({ kUsers: Number.NaN })).toThrow(RangeError);
    expect(() => resolveThresholds({ minConversations: 12.5 })).toThrow(RangeError);
  });

  it('keeps the defaults frozen and lists every reason once', () => {
    expect(Object.isFrozen(DEFAULT_THRESHOLDS)).toBe(true);
    expect(new Set(SUPPRESSION_REASONS).size).toBe(5);
  });
});
