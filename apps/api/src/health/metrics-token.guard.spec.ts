import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { bearerToken, matchesToken } from './metrics-token.guard';

describe('metrics token', () => {
  it('reads the credentials of a Bearer header only', () => {
    expect(bearerToken('Bearer abc.DEF-123')).toBe('abc.DEF-123');
    expect(bearerToken('bearer \t abc ')).toBe('abc');
    for (const header of [undefined, '', 'abc', 'Basic abc', 'Bearer', 'Bearer ', 'Bearer a b']) {
      expect(bearerToken(header)).toBeUndefined();
    }
  });

  it('matches the exact token only', () => {
    const token = 'f3a9c1e07b5d4e2a9c8b7a6f';
    const expected = createHash('sha256').update(token).digest();
    expect(matchesToken(token, expected)).toBe(true);
    for (const wrong of [undefined, '', token.slice(0, -1), `${token}0`, token.toUpperCase()]) {
      expect(matchesToken(wrong, expected)).toBe(false);
    }
  });
});
