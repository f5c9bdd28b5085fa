/**
 * Dashboard user accounts of a tenant: the customer's own staff (scope read or admin), never end
 * users of the assistant. The password hash is read by `findForSignIn` only, never listed.
 */
import type { Queryable } from '../database';

export const USER_SCOPES = ['read', 'admin'] as const;
export type UserScope = (typeof USER_SCOPES)[number];

export interface UserInfo {
  id: string;
  tenantId: string;
  email: string;
  scope: UserScope;
  createdAt: Date;
  lastSignInAt: Date | null;
  disabledAt: Date | null;
}

export class UserExistsError extends Error {
  constructor() {
    super('a user with this email already exists in this tenant');
  }
}

interface UserRow {
  id: string;
  tenant_id: string;
  email: string;
  scope: UserScope;
  created_at: Date | string;
  last_sign_in_at: Date | string | null;
  disabled_at: Date | string | null;
}

const COLUMNS = 'id, tenant_id, email, scope, created_at, last_sign_in_at, disabled_at';
const date = (value: Date | string | null) => (value === null ? null : new Date(value));
const toInfo = (row: UserRow): UserInfo => ({
  id: row.id,
  tenantId: row.tenant_id,
  email: row.email,
  scope: row.scope,
  createdAt: new Date(row.created_at),
  lastSignInAt: date(row.last_sign_in_at),
  disabledAt: date(row.disabled_at),
});

/** Emails are compared case-insensitively: stored trimmed and lower-cased. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();

export class UserRepository {
  constructor(private readonly db: Queryable) {}

  async create(
    tenantId: string,
    email: string,
    scope: UserScope,
    passwordHash: string,
  ): Promise<UserInfo> {
    try {
      const result = await this.db.query<UserRow>(
        `INSERT INTO app.users (tenant_id, email, scope, password_hash) VALUES ($1, $2, $3, $4)
         RETURNING ${COLUMNS}`,
        [tenantId, normalizeEmail(email), scope, passwordHash],
      );
      return toInfo(result.rows[0]!);
    } catch (error) {
      if ((error as { code?: string }).code === '23505') throw new UserExistsError();
      throw error;
    }
  }

  async list(tenantId: string): Promise<UserInfo[]> {
    const result = await this.db.query<UserRow>(
      `SELECT ${COLUMNS} FROM app.users WHERE tenant_id = $1 ORDER BY created_at, email`,
      [tenantId],
    );
    return result.rows.map(toInfo);
  }

  /**
   * The account a password sign-in names (tenant by slug), with its hash; undefined when the
   * tenant or the user does not exist. Disabled accounts are returned (the caller still spends
   * the same hashing work on them) with `disabledAt` set.
   */
  async findForSignIn(
    tenantSlug: string,
    email: string,
  ): Promise<(UserInfo & { tenantSlug: string; passwordHash: string }) | undefined> {
    const result = await this.db.query<UserRow & { slug: string; password_hash: string }>(
      `SELECT u.id, u.tenant_id, u.email, u.scope, u.created_at, u.last_sign_in_at, u.disabled_at,
              u.password_hash, t.slug
         FROM app.users u JOIN app.tenants t ON t.id = u.tenant_id
        WHERE t.slug = $1 AND u.email = $2`,
      [tenantSlug.trim().toLowerCase(), normalizeEmail(email)],
    );
    const row = result.rows[0];
    return row
      ? { ...toInfo(row), tenantSlug: row.slug, passwordHash: row.password_hash }
      : undefined;
  }

  async recordSignIn(id: string): Promise<void> {
    await this.db.query('UPDATE app.users SET last_sign_in_at = now() WHERE id = $1', [id]);
  }

  /**
   * Disables a user of this tenant and ends their sessions; false when no such enabled user
   * exists in the tenant (another tenant's id included).
   */
  async disable(tenantId: string, userId: string): Promise<boolean> {
    const result = await this.db.query(
      `UPDATE app.users SET disabled_at = now()
        WHERE tenant_id = $1 AND id = $2 AND disabled_at IS NULL`,
      [tenantId, userId],
    );
    if (result.rowCount === 0) return false;
    await this.db.query('DELETE FROM app.sessions WHERE user_id = $1', [userId]);
    return true;
  }
}
