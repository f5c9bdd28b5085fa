/**
 * Report schedules (admin) and reports (read or admin). The API only records what an admin asks
 * for and registers the schedule on the queue; the worker builds every report from published
 * rows. Another tenant's ids answer 404.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import {
  Controller,
  Delete,
  Get,
  HttpCode,
  Inject,
  Param,
  Patch,
  Post,
  Req,
  Res,
  UseGuards,
} from '@nestjs/common';
import type { Response } from 'express';
import { z } from 'zod';
import {
  createReportScheduleSchema,
  reportScheduleJobId,
  requestReportSchema,
  updateReportScheduleSchema,
  type ReportScheduleView,
  type ReportView,
} from '@silhouette/contracts';
import {
  ReportRepository,
  ReportScheduleRepository,
  type Report,
  type ReportDelivery,
  type ReportFileMeta,
  type ReportSchedule,
  type ReportScheduleInput,
} from '@silhouette/db';
import { assertCronSchedule, CronError, nextCronTime } from '@silhouette/queue';
import { checkWebhookUrl } from '@silhouette/reports';
import type { ApiDeps } from '../api-deps';
import { AuthGuard, RequireScopes, type AuthenticatedRequest } from '../auth/auth.guard';
import { badRequest, notFound } from '../common/api-error';
import { parseWith, readJsonBody } from '../common/read-body';
import { API_DEPS } from '../tokens';

const uuid = z.uuid();
const listQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(200).default(50),
    /** The `next_before` of the previous page: the id of its last report. */
    before: z.uuid().optional(),
    schedule: z.uuid().optional(),
  })
  .strict();

function scheduleView(schedule: ReportSchedule): ReportScheduleView {
  let next: string | null;
  try {
    next = schedule.enabled ? nextCronTime(schedule, new Date()).toISOString() : null;
  } catch {
    next = null; // a schedule saved before a stricter parser: shown, never run
  }
  return {
    id: schedule.id,
    name: schedule.name,
    type: schedule.type,
    cron: schedule.cron,
    timezone: schedule.timezone,
    period: schedule.period,
    formats: schedule.formats,
    recipients: schedule.recipients,
    webhook_url: schedule.webhookUrl,
    enabled: schedule.enabled,
    created_at: schedule.createdAt.toISOString(),
    updated_at: schedule.updatedAt.toISOString(),
    last_run_at: schedule.lastSlotAt?.toISOString() ?? null,
    next_run_at: next,
  };
}

function reportView(
  report: Report,
  files: ReportFileMeta[],
  deliveries: ReportDelivery[],
): ReportView {
  return {
    id: report.id,
    schedule_id: report.scheduleId,
    type: report.type,
    title:
      report.title ??
      `${report.type === 'impact' ? 'Impact' : 'Quality'} report (${report.status})`,
    slot_at: report.slotAt.toISOString(),
    period: {
      start: report.periodStart?.toISOString() ?? '',
      end: report.periodEnd?.toISOString() ?? '',
      label: report.periodLabel ?? '',
    },
    status: report.status,
    attempts: report.attempts,
    failure_reason: report.failureReason,
    snapshot_id: report.snapshotId,
    formats: report.formats,
    files: files.map((file) => ({
      name: file.name,
      format: file.format,
      content_type: file.contentType,
      bytes: file.bytes,
      sha256: file.sha256,
      download_url: `/v1/reports/${report.id}/files/${encodeURIComponent(file.name)}`,
    })),
    deliveries: deliveries.map((delivery) => ({
      channel: delivery.channel,
      target: delivery.target,
      status: delivery.status,
      attempts: delivery.attempts,
      failure_reason: delivery.failureReason,
      delivered_at: delivery.deliveredAt?.toISOString() ?? null,
    })),
    created_at: report.createdAt.toISOString(),
    completed_at: report.completedAt?.toISOString() ?? null,
  };
}

@Controller('v1')
@UseGuards(AuthGuard)
export class ReportsController {
  constructor(@Inject(API_DEPS) private readonly deps: ApiDeps) {}

  /** Public targets only, or hosts the operator allow-listed (libs/reports, webhook-target). */
  private checkWebhook(url: string | null): void {
    if (url === null) return;
    const check = checkWebhookUrl(url, { allowHosts: this.deps.env.WEBHOOK_ALLOW_HOSTS });
    if (!check.ok) throw badRequest('webhook_url', check.message);
  }

  private checkCron(schedule: { cron: string; timezone: string }): void {
    try {
      assertCronSchedule(schedule, this.deps.env.REPORT_MIN_INTERVAL_S);
    } catch (error) {
      if (error instanceof CronError) throw badRequest('cron', error.message);
      throw error;
    }
  }

  /** Registers (or removes) the schedule's repeatable job to match the row. */
  private async register(schedule: ReportSchedule): Promise<void> {
    if (!schedule.enabled) {
      await this.deps.queue.removeSchedule(reportScheduleJobId(schedule.id));
      return;
    }
    await this.deps.queue.upsertSchedule(
      reportScheduleJobId(schedule.id),
      schedule,
      'report-tick',
      {
        tenantId: schedule.tenantId,
        scheduleId: schedule.id,
      },
    );
  }

  @Get('report-schedules')
  @RequireScopes('admin')
  async listSchedules(@Req() request: AuthenticatedRequest) {
    const schedules = await new ReportScheduleRepository(this.deps.db).list(request.auth!.tenantId);
    return { schedules: schedules.map(scheduleView) };
  }

  @Get('report-schedules/:id')
  @RequireScopes('admin')
  async getSchedule(@Req() request: AuthenticatedRequest, @Param('id') id: string) {
    if (!uuid.safeParse(id).success) throw notFound('report schedule');
    const schedule = await new ReportScheduleRepository(this.deps.db).find(
      request.auth!.tenantId,
      id,
    );
    if (!schedule) throw notFound('report schedule');
    return scheduleView(schedule);
  }

  /** The webhook secret is returned once, here; store it to verify signatures. */
  @Post('report-schedules')
  @HttpCode(201)
  @RequireScopes('admin')
  async createSchedule(@Req() request: AuthenticatedRequest) {
    const body = await readJsonBody(request, createReportScheduleSchema);
    this.checkCron(body);
    this.checkWebhook(body.webhook_url);
    const secret = body.webhook_url ? randomBytes(32).toString('base64url') : null;
    const schedule = await new ReportScheduleRepository(this.deps.db).create(
      request.auth!.tenantId,
      {
        name: body.name,
        type: body.type,
        cron: body.cron,
        timezone: body.timezone,
        period: body.period,
        formats: body.formats,
        recipients: body.recipients,
        webhookUrl: body.webhook_url,
        webhookSecret: secret,
        enabled: body.enabled,
      },
    );
    await this.register(schedule);
    return { ...scheduleView(schedule), ...(secret ? { webhook_secret: secret } : {}) };
  }

  @Patch('report-schedules/:id')
  @RequireScopes('admin')
  async updateSchedule(@Req() request: AuthenticatedRequest, @Param('id') id: string) {
    if (!uuid.safeParse(id).success) throw notFound('report schedule');
    const schedules = new ReportScheduleRepository(this.deps.db);
    const tenantId = request.auth!.tenantId;
    const existing = await schedules.find(tenantId, id);
    if (!existing) throw notFound('report schedule');
    const patch = await readJsonBody(request, updateReportScheduleSchema);
    const merged: ReportScheduleInput = {
      name: patch.name ?? existing.name,
      type: patch.type ?? existing.type,
      cron: patch.cron ?? existing.cron,
      timezone: patch.timezone ?? existing.timezone,
      period: patch.period ?? existing.period,
      formats: patch.formats ?? existing.formats,
      recipients: patch.recipients ?? existing.recipients,
      webhookUrl: patch.webhook_url === undefined ? existing.webhookUrl : patch.webhook_url,
      webhookSecret: existing.webhookSecret,
      enabled: patch.enabled ?? existing.enabled,
    };
    if (patch.cron !== undefined || patch.timezone !== undefined) this.checkCron(merged);
    if (patch.webhook_url !== undefined) this.checkWebhook(merged.webhookUrl);
    // A new webhook target gets a new secret, shown once.
    const newSecret =
      merged.webhookUrl && merged.webhookUrl !== existing.webhookUrl
        ? randomBytes(32).toString('base64url')
        : null;
    if (newSecret) merged.webhookSecret = newSecret;
    if (!merged.webhookUrl) merged.webhookSecret = null;
    const updated = (await schedules.update(tenantId, id, merged))!;
    await this.register(updated);
    return { ...scheduleView(updated), ...(newSecret ? { webhook_secret: newSecret } : {}) };
  }

  @Delete('report-schedules/:id')
  @HttpCode(204)
  @RequireScopes('admin')
  async deleteSchedule(@Req() request: AuthenticatedRequest, @Param('id') id: string) {
    if (!uuid.safeParse(id).success) throw notFound('report schedule');
    const deleted = await new ReportScheduleRepository(this.deps.db).delete(
      request.auth!.tenantId,
      id,
    );
    if (!deleted) throw notFound('report schedule');
    await this.deps.queue.removeSchedule(reportScheduleJobId(id));
  }

  @Get('reports')
  @RequireScopes('read', 'admin')
  async listReports(@Req() request: AuthenticatedRequest) {
    const query = parseWith(listQuery, request.query, 'query');
    const tenantId = request.auth!.tenantId;
    const repository = new ReportRepository(this.deps.db);
    const reports = await repository.list(tenantId, {
      limit: query.limit,
      ...(query.before ? { afterId: query.before } : {}),
      ...(query.schedule ? { scheduleId: query.schedule } : {}),
    });
    const ids = reports.map((report) => report.id);
    const files = await repository.files(tenantId, ids);
    const deliveries = await repository.deliveries(tenantId, ids);
    return {
      reports: reports.map((report) =>
        reportView(report, files.get(report.id) ?? [], deliveries.get(report.id) ?? []),
      ),
      next_before: reports.length === query.limit ? reports.at(-1)!.id : null,
    };
  }

  @Get('reports/:id')
  @RequireScopes('read', 'admin')
  async getReport(@Req() request: AuthenticatedRequest, @Param('id') id: string) {
    if (!uuid.safeParse(id).success) throw notFound('report');
    const tenantId = request.auth!.tenantId;
    const repository = new ReportRepository(this.deps.db);
    const report = await repository.find(tenantId, id);
    if (!report) throw notFound('report');
    const files = await repository.files(tenantId, [id]);
    const deliveries = await repository.deliveries(tenantId, [id]);
    return reportView(report, files.get(id) ?? [], deliveries.get(id) ?? []);
  }

  @Get('reports/:id/files/:name')
  @RequireScopes('read', 'admin')
  async download(
    @Req() request: AuthenticatedRequest,
    @Param('id') id: string,
    @Param('name') name: string,
    @Res() response: Response,
  ): Promise<void> {
    if (!uuid.safeParse(id).success) throw notFound('report file');
    const file = await new ReportRepository(this.deps.db).file(request.auth!.tenantId, id, name);
    if (!file) throw notFound('report file');
    response
      .status(200)
      .setHeader('content-type', file.contentType)
      .setHeader(
        'content-disposition',
        `attachment; filename="${file.name.replace(/[^\w.-]/g, '_')}"`,
      )
      .setHeader('x-content-type-options', 'nosniff')
      // A report's HTML is shown as a document of its own, never able to run script.
      .setHeader(
        'content-security-policy',
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:",
      )
      .setHeader('cache-control', 'private, no-store')
      .end(file.content);
  }

  /** A report now, outside any schedule; rendered by the worker (poll GET /v1/reports/:id). */
  @Post('reports')
  @HttpCode(202)
  @RequireScopes('admin')
  async requestReport(@Req() request: AuthenticatedRequest) {
    const body = await readJsonBody(request, requestReportSchema);
    const tenantId = request.auth!.tenantId;
    const { report } = await new ReportRepository(this.deps.db).createOnce({
      tenantId,
      scheduleId: null,
      type: body.type,
      formats: body.formats,
      period: body.period,
      slotAt: new Date(),
      idempotencyKey: `request:${randomUUID()}`,
    });
    await this.deps.queue.enqueue('render-report', { tenantId, reportId: report.id });
    return reportView(report, [], []);
  }
}
