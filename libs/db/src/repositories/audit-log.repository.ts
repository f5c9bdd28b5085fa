/** Who accessed what, when (privacy invariant 7). Details hold ids and parameters, never content. */
import type { Queryable } from '../database';

export interface AuditEntry {
  tenantId: string | null;
  actor: string;
  action: string;
  resource: string;
  details?: Record<string, unknown>;
}

export class AuditLogRepository {
  constructor(private readonly db: Queryable) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.db.query(
      'INSERT INTO app.audit_log (tenant_id, actor, action, resource, details) VALUES ($1, $2, $3, $4, $5)',
      [
        entry.tenantId,
        entry.actor,
        entry.action,
        entry.resource,
        JSON.stringify(entry.details ?? {}),
      ],
    );
  }

  async list(tenantId: string, limit = 100): Promise<(AuditEntry & { at: Date })[]> {
    const result = await this.db.query<{
      tenant_id: string;
      actor: string;
      action: string;
      resource: string;
      details: Record<string, unknown>;
      at: Date | string;
    }>(
      `SELECT tenant_id, actor, action, resource, details, at FROM app.audit_log
        WHERE tenant_id = $1 ORDER BY at DESC, id DESC LIMIT $2`,
      [tenantId, limit],
    );
    return result.rows.map((row) => ({
      tenantId: row.tenant_id,
      actor: row.actor,
      action: row.action,
      resource: row.resource,
      details: row.details,
      at: new Date(row.at),
    }));
  }
}
