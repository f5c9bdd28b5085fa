import { describe, expect, it } from 'vitest';
import { LruResponseCache, responseCacheKey } from './response-cache';

describe('responseCacheKey', () => {
  const parts = { contentHash: 'h', promptVersion: 'tag-v1', model: 'm', schemaName: 's' };

  it('is a sha256 hex digest that changes with every part', () => {
    const key = responseCacheKey(parts);
    expect(key).toMatch(/^[0-9a-f]{64}$/);
    expect(responseCacheKey({ ...parts })).toBe(key);
    for (const field of Object.keys(parts) as (keyof typeof parts)[]) {
      expect(responseCacheKey({ ...parts, [field]: 'other' })).not.toBe(key);
    }
  });

  it('does not confuse part boundaries', () => {
    expect(responseCacheKey({ ...parts, contentHash: 'ab', promptVersion: 'c' })).not.toBe(
      responseCacheKey({ ...parts, contentHash: 'a', promptVersion: 'bc' }),
    );
  });
});

describe('LruResponseCache', () => {
  it('evicts the least recently used entry', async () => {
    const cache = new LruResponseCache(2);
    await cache.set('a', '1');
    await cache.set('b', '2');
    expect(await cache.get('a')).toBe('1'); // a is now the most recent
    await cache.set('c', '3');
    expect(await cache.get('b')).toBeUndefined();
    expect(await cache.get('a')).toBe('1');
    expect(await cache.get('c')).toBe('3');
    expect(cache.size).toBe(2);
  });

  it('rejects a non-positive size', () => {
    expect(() => new LruResponseCache(0)).toThrow(RangeError);
  });
});
