/**
 * Cache of validated model answers, keyed by what determines the answer: the content (hashed by
 * the caller), the prompt version, the model and the schema. Values are model output (facets can
 * contain leaked PII before the privacy gates), so a persistent implementation belongs inside the
 * sealed boundary, like the conversations themselves.
 */
import { createHash } from 'node:crypto';

export interface ResponseCache {
  get(key: string): Promise<string | undefined>;
  set(key: string, value: string): Promise<void>;
}

export interface ResponseCacheKeyParts {
  contentHash: string;
  promptVersion: string;
  model: string;
  schemaName: string;
}

/** sha256 over the parts, NUL-separated so that no two different tuples share a key. */
export function responseCacheKey(parts: ResponseCacheKeyParts): string {
  return createHash('sha256')
    .update([parts.contentHash, parts.promptVersion, parts.model, parts.schemaName].join('\u0000'))
    .digest('hex');
}

/** In-process LRU cache bounded by entry count (a Map keeps insertion order; hits re-insert). */
export class LruResponseCache implements ResponseCache {
  private readonly entries = new Map<string, string>();

  constructor(readonly maxEntries = 10_000) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError('maxEntries must be a positive integer');
    }
  }

  get size(): number {
    return this.entries.size;
  }

  async get(key: string): Promise<string | undefined> {
    const value = this.entries.get(key);
    if (value !== undefined) {
      this.entries.delete(key);
      this.entries.set(key, value);
    }
    return value;
  }

  async set(key: string, value: string): Promise<void> {
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }
}
