/** Tenants (companies). Every other query in the system is scoped by a tenant id from here. */
import type { Queryable } from '../database';
import { toBuffer } from '../database';

export interface Tenant {
  id: string;
  slug: string;
  name: string;
  kUsers: number;
  minConversations: number;
  retentionDays: number | null;
  /** Admin-edited manual minutes per task type label (Nebuly-style), used by both taggers. */
  minutesOverrides: Record<string, { manualMinutes: number }>;
  /** dp mode: the tenant's own monthly ε, below the deployment's cap (null: the cap). */
  dpEpsilon: number | null;
  createdAt: Date;
}

interface TenantRow {
  id: string;
  slug: string;
  name: string;
  k_users: number;
  min_conversations: number;
  retention_days: number | null;
  settings: {
    minutes_overrides?: Record<string, { manual_minutes: number }>;
    dp_epsilon?: number | null;
  } | null;
  created_at: Date | string;
}

const COLUMNS = 'id, slug, name, k_users, min_conversations, retention_days, settings, created_at';

function toTenant(row: TenantRow): Tenant {
  return {
    id: row.id,
    slug: row.slug,
    name: row.name,
    kUsers: Number(row.k_users),
    minConversations: Number(row.min_conversations),
    retentionDays: row.retention_days === null ? null : Number(row.retention_days),
    minutesOverrides: Object.fromEntries(
      Object.entries(row.settings?.minutes_overrides ?? {}).map(([label, value]) => [
        label,
        { manualMinutes: Number(value.manual_minutes) },
      ]),
    ),
    dpEpsilon:
      row.settings?.dp_epsilon === undefined || row.settings.dp_epsilon === null
        ? null
        : Number(row.settings.dp_epsilon),
    createdAt: new Date(row.created_at),
  };
}

export const TENANT_SLUG = /^[a-z0-9][a-z0-9-]{1,62}$/;

export class TenantRepository {
  constructor(private readonly db: Queryable) {}

  async insert(input: {
    slug: string;
    name: string;
    kUsers: number;
    minConversations: number;
  }): Promise<Tenant> {
    const result = await this.db.query<TenantRow>(
      `INSERT INTO app.tenants (slug, name, k_users, min_conversations) VALUES ($1, $2, $3, $4)
       RETURNING ${COLUMNS}`,
      [input.slug, input.name, input.kUsers, input.minConversations],
    );
    return toTenant(result.rows[0]!);
  }

  async findBySlug(slug: string): Promise<Tenant | undefined> {
    const result = await this.db.query<TenantRow>(
      `SELECT ${COLUMNS} FROM app.tenants WHERE slug = $1`,
      [slug],
    );
    return result.rows[0] ? toTenant(result.rows[0]) : undefined;
  }

  async findById(id: string): Promise<Tenant | undefined> {
    const result = await this.db.query<TenantRow>(
      `SELECT ${COLUMNS} FROM app.tenants WHERE id = $1`,
      [id],
    );
    return result.rows[0] ? toTenant(result.rows[0]) : undefined;
  }

  async list(): Promise<Tenant[]> {
    const result = await this.db.query<TenantRow>(
      `SELECT ${COLUMNS} FROM app.tenants ORDER BY slug`,
    );
    return result.rows.map(toTenant);
  }

  /** The active public sealing key the API encrypts new conversations with. */
  async activeSealingKey(
    tenantId: string,
  ): Promise<{ keyId: number; publicKey: Buffer } | undefined> {
    const result = await this.db.query<{ key_id: number; public_key: unknown }>(
      'SELECT key_id, public_key FROM app.tenant_sealing_keys WHERE tenant_id = $1 AND active',
      [tenantId],
    );
    const row = result.rows[0];
    return row ? { keyId: Number(row.key_id), publicKey: toBuffer(row.public_key) } : undefined;
  }

  async updateSettings(
    tenantId: string,
    settings: {
      kUsers?: number;
      minConversations?: number;
      retentionDays?: number | null;
      minutesOverrides?: Record<string, { manualMinutes: number }>;
      /** dp mode: the tenant's own monthly ε (null: the deployment's cap). */
      dpEpsilon?: number | null;
    },
  ): Promise<Tenant | undefined> {
    const result = await this.db.query<TenantRow>(
      `UPDATE app.tenants SET
         k_users = coalesce($2, k_users),
         min_conversations = coalesce($3, min_conversations),
         retention_days = CASE WHEN $4::boolean THEN $5::integer ELSE retention_days END,
         settings = jsonb_set(
           CASE WHEN $6::jsonb IS NULL THEN settings
                ELSE jsonb_set(settings, '{minutes_overrides}', $6::jsonb) END,
           '{dp_epsilon}',
           CASE WHEN $7::boolean THEN coalesce(to_jsonb($8::double precision), 'null'::jsonb)
                ELSE coalesce(settings->'dp_epsilon', 'null'::jsonb) END)
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [
        tenantId,
        settings.kUsers ?? null,
        settings.minConversations ?? null,
        settings.retentionDays !== undefined,
        settings.retentionDays ?? null,
        settings.minutesOverrides === undefined
          ? null
          : JSON.stringify(
              Object.fromEntries(
                Object.entries(settings.minutesOverrides).map(([label, value]) => [
                  label,
                  { manual_minutes: value.manualMinutes },
                ]),
              ),
            ),
        settings.dpEpsilon !== undefined,
        settings.dpEpsilon ?? null,
      ],
    );
    return result.rows[0] ? toTenant(result.rows[0]) : undefined;
  }
}
