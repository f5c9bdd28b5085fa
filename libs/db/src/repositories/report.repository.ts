/**
 * Reports, their files and deliveries (schema `insights`). A report row is created once per
 * idempotency key (schedule + schedule time), claimed by one renderer, and becomes `ready`
 * in the same transaction that stores all of its files: a half report is never visible.
 */
import type {
  DeliveryStatus,
  ReportFormat,
  ReportPeriod,
  ReportStatus,
  ReportType,
} from '@silhouette/contracts';
import { toBuffer, type Database, type Queryable } from '../database';

export interface Report {
  id: string;
  tenantId: string;
  scheduleId: string | null;
  type: ReportType;
  formats: ReportFormat[];
  period: ReportPeriod;
  slotAt: Date;
  status: ReportStatus;
  attempts: number;
  failureReason: string | null;
  title: string | null;
  periodStart: Date | null;
  periodEnd: Date | null;
  periodLabel: string | null;
  snapshotId: string | null;
  createdAt: Date;
  completedAt: Date | null;
}

export interface ReportFileMeta {
  name: string;
  format: ReportFormat;
  contentType: string;
  bytes: number;
  sha256: string;
}

export interface ReportFile extends ReportFileMeta {
  content: Buffer;
}

export interface ReportDelivery {
  id: string;
  reportId: string;
  channel: 'email' | 'webhook';
  target: string;
  status: DeliveryStatus;
  attempts: number;
  failureReason: string | null;
  deliveredAt: Date | null;
}

export interface NewReport {
  tenantId: string;
  scheduleId: string | null;
  type: ReportType;
  formats: ReportFormat[];
  period: ReportPeriod;
  slotAt: Date;
  idempotencyKey: string;
}

export interface RenderedReport {
  title: string;
  periodStart: Date;
  periodEnd: Date;
  periodLabel: string;
  snapshotId: string;
  files: ReportFile[];
  deliveries: { channel: 'email' | 'webhook'; target: string }[];
}

interface Row {
  id: string;
  tenant_id: string;
  schedule_id: string | null;
  report_type: ReportType;
  formats: ReportFormat[];
  period: ReportPeriod;
  slot_at: Date | string;
  status: ReportStatus;
  attempts: number;
  failure_reason: string | null;
  title: string | null;
  period_start: Date | string | null;
  period_end: Date | string | null;
  period_label: string | null;
  snapshot_id: string | null;
  created_at: Date | string;
  completed_at: Date | string | null;
}

interface DeliveryRow {
  id: string;
  report_id: string;
  channel: 'email' | 'webhook';
  target: string;
  status: DeliveryStatus;
  attempts: number;
  failure_reason: string | null;
  delivered_at: Date | string | null;
}

const COLUMNS = `id, tenant_id, schedule_id, report_type, formats, period, slot_at, status, attempts, failure_reason,
  title, period_start, period_end, period_label, snapshot_id, created_at, completed_at`;
const DELIVERY_COLUMNS =
  'id, report_id, channel, target, status, attempts, failure_reason, delivered_at';

const date = (value: Date | string | null) => (value === null ? null : new Date(value));
const toReport = (row: Row): Report => ({
  id: row.id,
  tenantId: row.tenant_id,
  scheduleId: row.schedule_id,
  type: row.report_type,
  formats: row.formats,
  period: row.period,
  slotAt: new Date(row.slot_at),
  status: row.status,
  attempts: Number(row.attempts),
  failureReason: row.failure_reason,
  title: row.title,
  periodStart: date(row.period_start),
  periodEnd: date(row.period_end),
  periodLabel: row.period_label,
  snapshotId: row.snapshot_id,
  createdAt: new Date(row.created_at),
  completedAt: date(row.completed_at),
});
const toDelivery = (row: DeliveryRow): ReportDelivery => ({
  id: row.id,
  reportId: row.report_id,
  channel: row.channel,
  target: row.target,
  status: row.status,
  attempts: Number(row.attempts),
  failureReason: row.failure_reason,
  deliveredAt: date(row.delivered_at),
});

export class ReportRepository {
  constructor(private readonly db: Queryable) {}

  /**
   * Creates the report for an idempotency key, or finds the one that already exists.
   * `created` is true only for the caller whose insert won.
   */
  async createOnce(input: NewReport): Promise<{ report: Report; created: boolean }> {
    const inserted = await this.db.query<Row>(
      `INSERT INTO insights.reports (tenant_id, schedule_id, report_type, formats, period, slot_at, idempotency_key)
       VALUES ($1, $2, $3, ARRAY(SELECT jsonb_array_elements_text($4::jsonb)), $5, $6, $7)
       ON CONFLICT (idempotency_key) DO NOTHING
       RETURNING ${COLUMNS}`,
      [
        input.tenantId,
        input.scheduleId,
        input.type,
        JSON.stringify(input.formats),
        JSON.stringify(input.period),
        input.slotAt.toISOString(),
        input.idempotencyKey,
      ],
    );
    if (inserted.rows[0]) return { report: toReport(inserted.rows[0]), created: true };
    const existing = await this.db.query<Row>(
      `SELECT ${COLUMNS} FROM insights.reports WHERE idempotency_key = $1 AND tenant_id = $2`,
      [input.idempotencyKey, input.tenantId],
    );
    if (!existing.rows[0]) throw new Error('idempotency key belongs to another tenant');
    return { report: toReport(existing.rows[0]), created: false };
  }

  async find(tenantId: string, id: string): Promise<Report | undefined> {
    const result = await this.db.query<Row>(
      `SELECT ${COLUMNS} FROM insights.reports WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    );
    return result.rows[0] ? toReport(result.rows[0]) : undefined;
  }

  /**
   * Newest first. `afterId` pages: the reports after that one in this order, compared on
   * (created_at, id) in the database at full precision, so rows created in the same
   * millisecond are neither skipped nor repeated.
   */
  async list(
    tenantId: string,
    options: { limit: number; afterId?: string; scheduleId?: string },
  ): Promise<Report[]> {
    const result = await this.db.query<Row>(
      `SELECT ${COLUMNS} FROM insights.reports r
        WHERE tenant_id = $1 AND ($3::uuid IS NULL OR schedule_id = $3)
          AND ($2::uuid IS NULL OR (r.created_at, r.id) <
               (SELECT created_at, id FROM insights.reports WHERE tenant_id = $1 AND id = $2))
        ORDER BY created_at DESC, id DESC LIMIT $4`,
      [tenantId, options.afterId ?? null, options.scheduleId ?? null, options.limit],
    );
    return result.rows.map(toReport);
  }

  /** Reports not yet finished (the worker re-enqueues them after a restart). */
  async unfinished(limit = 500): Promise<Report[]> {
    const result = await this.db.query<Row>(
      `SELECT ${COLUMNS} FROM insights.reports WHERE status IN ('pending', 'rendering')
        ORDER BY created_at LIMIT $1`,
      [limit],
    );
    return result.rows.map(toReport);
  }

  /** Deliveries still to attempt (re-enqueued after a restart). */
  async pendingDeliveries(limit = 500): Promise<(ReportDelivery & { tenantId: string })[]> {
    const result = await this.db.query<DeliveryRow & { tenant_id: string }>(
      `SELECT ${DELIVERY_COLUMNS}, tenant_id FROM insights.report_deliveries WHERE status = 'pending' LIMIT $1`,
      [limit],
    );
    return result.rows.map((row) => ({ ...toDelivery(row), tenantId: row.tenant_id }));
  }

  /**
   * Takes a report for rendering and counts the attempt. Undefined when it is already finished
   * (a duplicate job), so the caller does nothing.
   */
  async claim(tenantId: string, id: string): Promise<Report | undefined> {
    const result = await this.db.query<Row>(
      `UPDATE insights.reports SET status = 'rendering', attempts = attempts + 1
        WHERE tenant_id = $1 AND id = $2 AND status IN ('pending', 'rendering')
        RETURNING ${COLUMNS}`,
      [tenantId, id],
    );
    return result.rows[0] ? toReport(result.rows[0]) : undefined;
  }

  /** Stores every file and delivery and marks the report ready, all in one transaction. */
  async complete(
    db: Database,
    tenantId: string,
    id: string,
    rendered: RenderedReport,
  ): Promise<ReportDelivery[]> {
    return db.transaction(async (tx) => {
      const updated = await tx.query(
        `UPDATE insights.reports
            SET status = 'ready', failure_reason = NULL, title = $3, period_start = $4, period_end = $5,
                period_label = $6, snapshot_id = $7, completed_at = now()
          WHERE tenant_id = $1 AND id = $2 AND status = 'rendering'`,
        [
          tenantId,
          id,
          rendered.title,
          rendered.periodStart.toISOString(),
          rendered.periodEnd.toISOString(),
          rendered.periodLabel,
          rendered.snapshotId,
        ],
      );
      if (updated.rowCount === 0) throw new Error('report is no longer being rendered');
      for (const file of rendered.files) {
        await tx.query(
          `INSERT INTO insights.report_files (report_id, tenant_id, name, format, content_type, content, sha256)
           VALUES ($1, $2, $3, $4, $5, $6, $7)`,
          [id, tenantId, file.name, file.format, file.contentType, file.content, file.sha256],
        );
      }
      const deliveries: ReportDelivery[] = [];
      for (const delivery of rendered.deliveries) {
        const inserted = await tx.query<DeliveryRow>(
          `INSERT INTO insights.report_deliveries (report_id, tenant_id, channel, target)
           VALUES ($1, $2, $3, $4) RETURNING ${DELIVERY_COLUMNS}`,
          [id, tenantId, delivery.channel, delivery.target],
        );
        deliveries.push(toDelivery(inserted.rows[0]!));
      }
      return deliveries;
    });
  }

  /** Marks a report failed with its reason (after its last attempt). */
  async fail(tenantId: string, id: string, reason: string): Promise<void> {
    await this.db.query(
      `UPDATE insights.reports SET status = 'failed', failure_reason = $3, completed_at = now()
        WHERE tenant_id = $1 AND id = $2 AND status IN ('pending', 'rendering')`,
      [tenantId, id, reason.slice(0, 500)],
    );
  }

  async files(
    tenantId: string,
    reportIds: readonly string[],
  ): Promise<Map<string, ReportFileMeta[]>> {
    const byReport = new Map<string, ReportFileMeta[]>();
    if (reportIds.length === 0) return byReport;
    const result = await this.db.query<{
      report_id: string;
      name: string;
      format: ReportFormat;
      content_type: string;
      bytes: number;
      sha256: string;
    }>(
      `SELECT report_id, name, format, content_type, octet_length(content) AS bytes, sha256
         FROM insights.report_files
        WHERE tenant_id = $1 AND report_id IN (SELECT jsonb_array_elements_text($2::jsonb)::uuid)
        ORDER BY report_id, format, name`,
      [tenantId, JSON.stringify(reportIds)],
    );
    for (const row of result.rows) {
      const list = byReport.get(row.report_id) ?? [];
      list.push({
        name: row.name,
        format: row.format,
        contentType: row.content_type,
        bytes: Number(row.bytes),
        sha256: row.sha256,
      });
      byReport.set(row.report_id, list);
    }
    return byReport;
  }

  async file(tenantId: string, reportId: string, name: string): Promise<ReportFile | undefined> {
    return (await this.readFiles(tenantId, reportId, name))[0];
  }

  /** Every file of a report with its bytes, in one query (deliveries attach them all). */
  allFiles(tenantId: string, reportId: string): Promise<ReportFile[]> {
    return this.readFiles(tenantId, reportId);
  }

  private async readFiles(
    tenantId: string,
    reportId: string,
    name?: string,
  ): Promise<ReportFile[]> {
    const result = await this.db.query<{
      name: string;
      format: ReportFormat;
      content_type: string;
      content: unknown;
      sha256: string;
    }>(
      `SELECT name, format, content_type, content, sha256 FROM insights.report_files
        WHERE tenant_id = $1 AND report_id = $2 AND ($3::text IS NULL OR name = $3)
        ORDER BY format, name`,
      [tenantId, reportId, name ?? null],
    );
    return result.rows.map((row) => {
      const content = toBuffer(row.content);
      return {
        name: row.name,
        format: row.format,
        contentType: row.content_type,
        content,
        bytes: content.length,
        sha256: row.sha256,
      };
    });
  }

  async deliveries(
    tenantId: string,
    reportIds: readonly string[],
  ): Promise<Map<string, ReportDelivery[]>> {
    const byReport = new Map<string, ReportDelivery[]>();
    if (reportIds.length === 0) return byReport;
    const result = await this.db.query<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM insights.report_deliveries
        WHERE tenant_id = $1 AND report_id IN (SELECT jsonb_array_elements_text($2::jsonb)::uuid)
        ORDER BY report_id, channel, target`,
      [tenantId, JSON.stringify(reportIds)],
    );
    for (const row of result.rows) {
      const list = byReport.get(row.report_id) ?? [];
      list.push(toDelivery(row));
      byReport.set(row.report_id, list);
    }
    return byReport;
  }

  async delivery(tenantId: string, id: string): Promise<ReportDelivery | undefined> {
    const result = await this.db.query<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM insights.report_deliveries WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    );
    return result.rows[0] ? toDelivery(result.rows[0]) : undefined;
  }

  /** Marks a delivery failed that is still pending (its job died without recording it). */
  async failDelivery(tenantId: string, id: string, reason: string): Promise<void> {
    await this.db.query(
      `UPDATE insights.report_deliveries SET status = 'failed', failure_reason = coalesce(failure_reason, $3)
        WHERE tenant_id = $1 AND id = $2 AND status = 'pending'`,
      [tenantId, id, reason.slice(0, 500)],
    );
  }

  /** Records one delivery attempt: delivered, or its failure (final or not yet). */
  async recordDeliveryAttempt(
    tenantId: string,
    id: string,
    outcome: { delivered: true } | { delivered: false; reason: string; final: boolean },
  ): Promise<void> {
    if (outcome.delivered) {
      await this.db.query(
        `UPDATE insights.report_deliveries
            SET status = 'delivered', attempts = attempts + 1, failure_reason = NULL, delivered_at = now()
          WHERE tenant_id = $1 AND id = $2`,
        [tenantId, id],
      );
      return;
    }
    await this.db.query(
      `UPDATE insights.report_deliveries
          SET status = CASE WHEN $4::boolean THEN 'failed' ELSE status END, attempts = attempts + 1, failure_reason = $3
        WHERE tenant_id = $1 AND id = $2 AND status <> 'delivered'`,
      [tenantId, id, outcome.reason.slice(0, 500), outcome.final],
    );
  }
}
