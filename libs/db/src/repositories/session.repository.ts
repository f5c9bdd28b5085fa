/**
 * Dashboard sessions. The browser holds a random token in an httpOnly cookie; only its SHA-256 is
 * stored. A session carries the scope of the API key it was opened with and ends with that key.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../database';
import type { ApiKeyScope } from './api-key.repository';

/** Sessions are only ever opened with a read or admin credential (never ingest). */
export type SessionScope = Exclude<ApiKeyScope, 'ingest'>;

export interface Session {
  tenantId: string;
  keyId: string;
  scope: SessionScope;
  csrfToken: string;
  expiresAt: Date;
}

const hash = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

export class SessionRepository {
  constructor(private readonly db: Queryable) {}

  async open(
    tenantId: string,
    keyId: string,
    ttlSeconds: number,
  ): Promise<{ token: string; csrfToken: string; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const result = await this.db.query<{ expires_at: Date | string }>(
      `INSERT INTO app.sessions (token_hash, tenant_id, key_id, csrf_token, expires_at)
       VALUES ($1, $2, $3, $4, now() + make_interval(secs => $5)) RETURNING expires_at`,
      [hash(token), tenantId, keyId, csrfToken, ttlSeconds],
    );
    return { token, csrfToken, expiresAt: new Date(result.rows[0]!.expires_at) };
  }

  /** The live session for a cookie token whose key is still valid, or undefined. */
  async find(token: string): Promise<Session | undefined> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
    const result = await this.db.query<{
      tenant_id: string;
      key_id: string;
      scope: SessionScope;
      csrf_token: string;
      expires_at: Date | string;
    }>(
      `SELECT s.tenant_id, s.key_id, k.scope, s.csrf_token, s.expires_at
         FROM app.sessions s JOIN app.api_keys k ON k.id = s.key_id
        WHERE s.token_hash = $1 AND s.expires_at > now() AND k.revoked_at IS NULL`,
      [hash(token)],
    );
    const row = result.rows[0];
    return row
      ? {
          tenantId: row.tenant_id,
          keyId: row.key_id,
          scope: row.scope,
          csrfToken: row.csrf_token,
          expiresAt: new Date(row.expires_at),
        }
      : undefined;
  }

  async close(token: string): Promise<void> {
    await this.db.query('DELETE FROM app.sessions WHERE token_hash = $1', [hash(token)]);
  }
}
