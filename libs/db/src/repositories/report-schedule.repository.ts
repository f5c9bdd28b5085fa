/**
 * Report schedules (control plane): written by admins through the API, read by the worker's
 * report tick. Every method but the worker's `enabled` is scoped by tenant.
 */
import type { ReportFormat, ReportPeriod, ReportType } from '@silhouette/contracts';
import type { Queryable } from '../database';

/** What an admin sets on a schedule. */
export interface ReportScheduleInput {
  name: string;
  type: ReportType;
  cron: string;
  timezone: string;
  period: ReportPeriod;
  formats: ReportFormat[];
  recipients: string[];
  webhookUrl: string | null;
  webhookSecret: string | null;
  enabled: boolean;
}

export interface ReportSchedule extends ReportScheduleInput {
  id: string;
  tenantId: string;
  lastSlotAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

interface Row {
  id: string;
  tenant_id: string;
  name: string;
  report_type: ReportType;
  cron: string;
  timezone: string;
  period: ReportPeriod;
  formats: ReportFormat[];
  recipients: string[];
  webhook_url: string | null;
  webhook_secret: string | null;
  enabled: boolean;
  last_slot_at: Date | string | null;
  created_at: Date | string;
  updated_at: Date | string;
}

const COLUMNS = `id, tenant_id, name, report_type, cron, timezone, period, formats, recipients, webhook_url,
  webhook_secret, enabled, last_slot_at, created_at, updated_at`;

const toSchedule = (row: Row): ReportSchedule => ({
  id: row.id,
  tenantId: row.tenant_id,
  name: row.name,
  type: row.report_type,
  cron: row.cron,
  timezone: row.timezone,
  period: row.period,
  formats: row.formats,
  recipients: row.recipients,
  webhookUrl: row.webhook_url,
  webhookSecret: row.webhook_secret,
  enabled: row.enabled,
  lastSlotAt: row.last_slot_at === null ? null : new Date(row.last_slot_at),
  createdAt: new Date(row.created_at),
  updatedAt: new Date(row.updated_at),
});

// Arrays travel as JSON: one encoding that pg and PGlite read the same way.
const textArray = (index: number) => `ARRAY(SELECT jsonb_array_elements_text($${index}::jsonb))`;

export class ReportScheduleRepository {
  constructor(private readonly db: Queryable) {}

  async create(tenantId: string, input: ReportScheduleInput): Promise<ReportSchedule> {
    const result = await this.db.query<Row>(
      `INSERT INTO app.report_schedules (tenant_id, name, report_type, cron, timezone, period, formats, recipients,
              webhook_url, webhook_secret, enabled)
       VALUES ($1, $2, $3, $4, $5, $6, ${textArray(7)}, ${textArray(8)}, $9, $10, $11)
       RETURNING ${COLUMNS}`,
      [
        tenantId,
        input.name,
        input.type,
        input.cron,
        input.timezone,
        JSON.stringify(input.period),
        JSON.stringify(input.formats),
        JSON.stringify(input.recipients),
        input.webhookUrl,
        input.webhookSecret,
        input.enabled,
      ],
    );
    return toSchedule(result.rows[0]!);
  }

  async list(tenantId: string): Promise<ReportSchedule[]> {
    const result = await this.db.query<Row>(
      `SELECT ${COLUMNS} FROM app.report_schedules WHERE tenant_id = $1 ORDER BY created_at, id`,
      [tenantId],
    );
    return result.rows.map(toSchedule);
  }

  async find(tenantId: string, id: string): Promise<ReportSchedule | undefined> {
    const result = await this.db.query<Row>(
      `SELECT ${COLUMNS} FROM app.report_schedules WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    );
    return result.rows[0] ? toSchedule(result.rows[0]) : undefined;
  }

  /** Every enabled schedule of every tenant (the worker re-registers them at start). */
  async enabled(): Promise<ReportSchedule[]> {
    const result = await this.db.query<Row>(
      `SELECT ${COLUMNS} FROM app.report_schedules WHERE enabled ORDER BY created_at, id`,
    );
    return result.rows.map(toSchedule);
  }

  async update(
    tenantId: string,
    id: string,
    input: ReportScheduleInput,
  ): Promise<ReportSchedule | undefined> {
    const result = await this.db.query<Row>(
      `UPDATE app.report_schedules
          SET name = $3, report_type = $4, cron = $5, timezone = $6, period = $7, formats = ${textArray(8)},
              recipients = ${textArray(9)}, webhook_url = $10, webhook_secret = $11, enabled = $12,
              updated_at = now()
        WHERE tenant_id = $1 AND id = $2
        RETURNING ${COLUMNS}`,
      [
        tenantId,
        id,
        input.name,
        input.type,
        input.cron,
        input.timezone,
        JSON.stringify(input.period),
        JSON.stringify(input.formats),
        JSON.stringify(input.recipients),
        input.webhookUrl,
        input.webhookSecret,
        input.enabled,
      ],
    );
    return result.rows[0] ? toSchedule(result.rows[0]) : undefined;
  }

  async delete(tenantId: string, id: string): Promise<boolean> {
    const result = await this.db.query(
      'DELETE FROM app.report_schedules WHERE tenant_id = $1 AND id = $2',
      [tenantId, id],
    );
    return result.rowCount > 0;
  }

  /** Records that every schedule time up to `slot` has its report; never moves backwards. */
  async advance(tenantId: string, id: string, slot: Date): Promise<void> {
    await this.db.query(
      `UPDATE app.report_schedules SET last_slot_at = GREATEST(coalesce(last_slot_at, $3), $3)
        WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id, slot.toISOString()],
    );
  }
}
