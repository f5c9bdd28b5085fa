/**
 * Dashboard sessions. The browser holds a random token in an httpOnly cookie; only its SHA-256 is
 * stored. A session is opened with an API key or a user account, carries that credential's scope,
 * and ends when the key is revoked or the user disabled.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../database';
import type { ApiKeyScope } from './api-key.repository';

/** Sessions are only ever opened with a read or admin credential (never ingest). */
export type SessionScope = Exclude<ApiKeyScope, 'ingest'>;

/** What a session was opened with. */
export type SessionCredential = { keyId: string } | { userId: string };

export interface Session {
  tenantId: string;
  keyId: string | null;
  userId: string | null;
  /** The user's email for a user session, null for a key session. */
  email: string | null;
  scope: SessionScope;
  csrfToken: string;
  expiresAt: Date;
}

const hash = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

export class SessionRepository {
  constructor(private readonly db: Queryable) {}

  async open(
    tenantId: string,
    credential: SessionCredential,
    ttlSeconds: number,
  ): Promise<{ token: string; csrfToken: string; expiresAt: Date }> {
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const result = await this.db.query<{ expires_at: Date | string }>(
      `INSERT INTO app.sessions (token_hash, tenant_id, key_id, user_id, csrf_token, expires_at)
       VALUES ($1, $2, $3, $4, $5, now() + make_interval(secs => $6)) RETURNING expires_at`,
      [
        hash(token),
        tenantId,
        'keyId' in credential ? credential.keyId : null,
        'userId' in credential ? credential.userId : null,
        csrfToken,
        ttlSeconds,
      ],
    );
    return { token, csrfToken, expiresAt: new Date(result.rows[0]!.expires_at) };
  }

  /** The live session for a cookie token whose key or user is still valid, or undefined. */
  async find(token: string): Promise<Session | undefined> {
    if (!/^[A-Za-z0-9_-]{43}$/.test(token)) return undefined;
    const result = await this.db.query<{
      tenant_id: string;
      key_id: string | null;
      user_id: string | null;
      email: string | null;
      scope: SessionScope;
      csrf_token: string;
      expires_at: Date | string;
    }>(
      `SELECT s.tenant_id, s.key_id, s.user_id, u.email, coalesce(k.scope, u.scope) AS scope,
              s.csrf_token, s.expires_at
         FROM app.sessions s
         LEFT JOIN app.api_keys k ON k.id = s.key_id AND k.revoked_at IS NULL
         LEFT JOIN app.users u ON u.id = s.user_id AND u.disabled_at IS NULL
        WHERE s.token_hash = $1 AND s.expires_at > now() AND (k.id IS NOT NULL OR u.id IS NOT NULL)`,
      [hash(token)],
    );
    const row = result.rows[0];
    return row
      ? {
          tenantId: row.tenant_id,
          keyId: row.key_id,
          userId: row.user_id,
          email: row.email,
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
