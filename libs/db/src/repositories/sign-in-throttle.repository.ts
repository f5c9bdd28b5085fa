/**
 * Failed password sign-ins counted per bucket (an account, a client address) in fixed windows,
 * in the database so every API process shares the count. Bucket names are hashed before they are
 * stored: the table holds neither emails nor addresses.
 */
import { createHash } from 'node:crypto';
import type { Queryable } from '../database';

const hash = (bucket: string) => createHash('sha256').update(bucket, 'utf8').digest('hex');

export interface ThrottleRule {
  bucket: string;
  maxFailures: number;
}

export class SignInThrottleRepository {
  constructor(
    private readonly db: Queryable,
    private readonly windowSeconds: number,
  ) {}

  /** Milliseconds until any of `rules` allows another attempt; 0 when all allow one now. */
  async waitMs(rules: readonly ThrottleRule[]): Promise<number> {
    const result = await this.db.query<{ bucket: string; failures: number; wait_ms: number }>(
      `SELECT bucket, failures,
              extract(epoch FROM (window_start + make_interval(secs => $2) - now())) * 1000 AS wait_ms
         FROM app.sign_in_failures
        WHERE bucket = ANY($1::text[]) AND window_start + make_interval(secs => $2) > now()`,
      [rules.map((rule) => hash(rule.bucket)), this.windowSeconds],
    );
    let wait = 0;
    for (const rule of rules) {
      const row = result.rows.find((candidate) => candidate.bucket === hash(rule.bucket));
      if (row && Number(row.failures) >= rule.maxFailures)
        wait = Math.max(wait, Math.ceil(Number(row.wait_ms)));
    }
    return wait;
  }

  /** Counts one failure in each bucket, starting a new window where the old one has ended. */
  async recordFailure(buckets: readonly string[]): Promise<void> {
    for (const bucket of buckets) {
      await this.db.query(
        `INSERT INTO app.sign_in_failures AS f (bucket, failures, window_start) VALUES ($1, 1, now())
         ON CONFLICT (bucket) DO UPDATE SET
           failures = CASE WHEN f.window_start + make_interval(secs => $2) <= now() THEN 1
                           ELSE f.failures + 1 END,
           window_start = CASE WHEN f.window_start + make_interval(secs => $2) <= now() THEN now()
                               ELSE f.window_start END`,
        [hash(bucket), this.windowSeconds],
      );
    }
    // Housekeeping: windows that ended long ago carry nothing.
    await this.db.query(
      `DELETE FROM app.sign_in_failures
        WHERE window_start + make_interval(secs => $1) < now() - interval '1 day'`,
      [this.windowSeconds],
    );
  }

  async clear(bucket: string): Promise<void> {
    await this.db.query('DELETE FROM app.sign_in_failures WHERE bucket = $1', [hash(bucket)]);
  }
}
