/**
 * API keys: three scopes, stored as SHA-256 hashes, shown once at creation, revocable.
 * Keys are 192-bit random secrets, so a fast unsalted hash is appropriate (not a password).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Queryable } from '../database';

export const API_KEY_SCOPES = ['ingest', 'read', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export interface ApiKeyInfo {
  id: string;
  tenantId: string;
  scope: ApiKeyScope;
  label: string;
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

export interface CreatedApiKey extends ApiKeyInfo {
  /** The only time the full key exists outside its holder. */
  key: string;
}

interface ApiKeyRow {
  id: string;
  tenant_id: string;
  scope: ApiKeyScope;
  label: string;
  key_prefix: string;
  created_at: Date | string;
  last_used_at: Date | string | null;
  revoked_at: Date | string | null;
}

const COLUMNS = 'id, tenant_id, scope, label, key_prefix, created_at, last_used_at, revoked_at';
const date = (value: Date | string | null) => (value === null ? null : new Date(value));

function toInfo(row: ApiKeyRow): ApiKeyInfo {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    scope: row.scope,
    label: row.label,
    prefix: row.key_prefix,
    createdAt: new Date(row.created_at),
    lastUsedAt: date(row.last_used_at),
    revokedAt: date(row.revoked_at),
  };
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

export const API_KEY_FORMAT = /^sil_(ingest|read|admin)_[A-Za-z0-9_-]{32}$/;

export class ApiKeyRepository {
  constructor(private readonly db: Queryable) {}

  async create(tenantId: string, scope: ApiKeyScope, label = ''): Promise<CreatedApiKey> {
    const key = `sil_${scope}_${randomBytes(24).toString('base64url')}`;
    const result = await this.db.query<ApiKeyRow>(
      `INSERT INTO app.api_keys (tenant_id, scope, label, key_prefix, key_hash) VALUES ($1, $2, $3, $4, $5)
       RETURNING ${COLUMNS}`,
      [tenantId, scope, label, key.slice(0, scope.length + 9), hashApiKey(key)],
    );
    return { ...toInfo(result.rows[0]!), key };
  }

  /** The live key matching `key`, or undefined (unknown, malformed or revoked). */
  async authenticate(key: string): Promise<ApiKeyInfo | undefined> {
    if (!API_KEY_FORMAT.test(key)) return undefined;
    const result = await this.db.query<ApiKeyRow>(
      `SELECT ${COLUMNS} FROM app.api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
      [hashApiKey(key)],
    );
    return result.rows[0] ? toInfo(result.rows[0]) : undefined;
  }

  /** Any key matching `key`, revoked or not: who was denied, for the audit log. */
  async identify(key: string): Promise<ApiKeyInfo | undefined> {
    if (!API_KEY_FORMAT.test(key)) return undefined;
    const result = await this.db.query<ApiKeyRow>(
      `SELECT ${COLUMNS} FROM app.api_keys WHERE key_hash = $1`,
      [hashApiKey(key)],
    );
    return result.rows[0] ? toInfo(result.rows[0]) : undefined;
  }

  async touch(id: string): Promise<void> {
    // Coarse: at most one write a minute per key, so authentication stays a read on the hot path.
    await this.db.query(
      `UPDATE app.api_keys SET last_used_at = now()
        WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
      [id],
    );
  }

  async list(tenantId: string): Promise<ApiKeyInfo[]> {
    const result = await this.db.query<ApiKeyRow>(
      `SELECT ${COLUMNS} FROM app.api_keys WHERE tenant_id = $1 ORDER BY created_at`,
      [tenantId],
    );
    return result.rows.map(toInfo);
  }

  /** Revokes a key of this tenant; false when no such live key exists for the tenant. */
  async revoke(tenantId: string, keyId: string): Promise<boolean> {
    const result = await this.db.query(
      'UPDATE app.api_keys SET revoked_at = now() WHERE tenant_id = $1 AND id = $2 AND revoked_at IS NULL',
      [tenantId, keyId],
    );
    return result.rowCount > 0;
  }
}
