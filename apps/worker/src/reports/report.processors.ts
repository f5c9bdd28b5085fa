/**
 * The report jobs. A schedule's tick turns every due schedule time into exactly one report row
 * (unique idempotency key: schedule + time) and enqueues its rendering; rendering builds the
 * report from published rows only and stores all files in one transaction; each delivery
 * (e-mail, webhook) is its own job with its own retries.
 */
import type { JobPayload } from '@silhouette/contracts';
import { ReportRepository, ReportScheduleRepository, TenantRepository } from '@silhouette/db';
import { cronTimesBetween, UnrecoverableJobError, type JobContext } from '@silhouette/queue';
import {
  buildReportContent,
  EmailSender,
  NothingPublishedError,
  PdfPrinter,
  PdfUnavailableError,
  postWebhook,
  renderReportFiles,
  ReportPrivacyError,
  resolvePeriod,
  WebhookTargetError,
} from '@silhouette/reports';
import type { WorkerDeps } from '../worker-deps';

export const slotKey = (scheduleId: string, slot: Date) =>
  `schedule:${scheduleId}:${slot.toISOString()}`;

/** Errors that will not go away by retrying: fail the report at once, with the reason. */
const PERMANENT = [NothingPublishedError, ReportPrivacyError, PdfUnavailableError];

export interface ReportServices {
  printer: PdfPrinter;
  email?: EmailSender;
  close(): Promise<void>;
}

export function reportServices(deps: WorkerDeps): ReportServices {
  const printer = new PdfPrinter(deps.env.CHROMIUM_PATH);
  const email = deps.env.SMTP_URL
    ? new EmailSender(deps.env.SMTP_URL, deps.env.REPORT_MAIL_FROM)
    : undefined;
  return {
    printer,
    ...(email ? { email } : {}),
    async close() {
      email?.close();
      await printer.close();
    },
  };
}

export function reportTickProcessor(deps: WorkerDeps) {
  return async (payload: JobPayload<'report-tick'>): Promise<void> => {
    const schedules = new ReportScheduleRepository(deps.db);
    const schedule = await schedules.find(payload.tenantId, payload.scheduleId);
    if (!schedule || !schedule.enabled) return;
    const after = schedule.lastSlotAt ?? schedule.createdAt;
    const limit = deps.env.REPORT_MAX_CATCH_UP;
    const slots = cronTimesBetween(schedule, after, new Date(), limit);
    if (slots.length === limit)
      deps.logger.warn(
        { scheduleId: schedule.id, limit },
        'report schedule caught up at its limit; older missed times are skipped',
      );
    const reports = new ReportRepository(deps.db);
    for (const slot of slots) {
      const { report } = await reports.createOnce({
        tenantId: schedule.tenantId,
        scheduleId: schedule.id,
        type: schedule.type,
        formats: schedule.formats,
        period: schedule.period,
        slotAt: slot,
        idempotencyKey: slotKey(schedule.id, slot),
      });
      if (report.status === 'pending' || report.status === 'rendering')
        await deps.queue.enqueue('render-report', {
          tenantId: report.tenantId,
          reportId: report.id,
        });
    }
    if (slots.length) await schedules.advance(schedule.tenantId, schedule.id, slots.at(-1)!);
  };
}

export function renderReportProcessor(deps: WorkerDeps, services: ReportServices) {
  return async (payload: JobPayload<'render-report'>, context: JobContext): Promise<void> => {
    const reports = new ReportRepository(deps.db);
    const report = await reports.claim(payload.tenantId, payload.reportId);
    if (!report) return; // already finished: a duplicate job
    try {
      const tenant = await new TenantRepository(deps.db).findById(report.tenantId);
      if (!tenant) throw new UnrecoverableJobError('tenant not found');
      const schedule = report.scheduleId
        ? await new ReportScheduleRepository(deps.db).find(report.tenantId, report.scheduleId)
        : undefined;
      // "Improved or regressed" compares with what the schedule's previous report showed.
      const earlier = report.scheduleId
        ? (await reports.list(report.tenantId, { scheduleId: report.scheduleId, limit: 20 })).find(
            (other) => other.status === 'ready' && other.slotAt < report.slotAt,
          )
        : undefined;
      const period = resolvePeriod(report.period, report.slotAt);
      const content = await buildReportContent({
        db: deps.db,
        tenantId: report.tenantId,
        tenantName: tenant.name,
        type: report.type,
        period,
        comparisonSnapshotId: earlier?.snapshotId ?? null,
      });
      const files = await renderReportFiles(content, report.formats, {
        printer: services.printer,
        ...(deps.env.PUBLIC_URL ? { publicUrl: deps.env.PUBLIC_URL } : {}),
      });
      const deliveries = schedule
        ? [
            ...schedule.recipients.map((target) => ({ channel: 'email' as const, target })),
            ...(schedule.webhookUrl
              ? [{ channel: 'webhook' as const, target: schedule.webhookUrl }]
              : []),
          ]
        : [];
      const created = await reports.complete(deps.db, report.tenantId, report.id, {
        title: content.title,
        periodStart: period.start,
        periodEnd: period.end,
        periodLabel: period.label,
        snapshotId: content.snapshot.id,
        files,
        deliveries,
      });
      await deps.queue.enqueueMany(
        'deliver-report',
        created.map((delivery) => ({
          tenantId: report.tenantId,
          reportId: report.id,
          deliveryId: delivery.id,
        })),
      );
      deps.logger.info(
        { reportId: report.id, type: report.type, files: files.length, deliveries: created.length },
        'report rendered',
      );
    } catch (error) {
      const reason = (error as Error).message;
      const permanent =
        error instanceof UnrecoverableJobError || PERMANENT.some((type) => error instanceof type);
      if (permanent || context.attempt >= context.maxAttempts)
        await reports.fail(report.tenantId, report.id, reason);
      throw permanent && !(error instanceof UnrecoverableJobError)
        ? new UnrecoverableJobError(reason)
        : error;
    }
  };
}

export function deliverReportProcessor(deps: WorkerDeps, services: ReportServices) {
  return async (payload: JobPayload<'deliver-report'>, context: JobContext): Promise<void> => {
    const reports = new ReportRepository(deps.db);
    const delivery = await reports.delivery(payload.tenantId, payload.deliveryId);
    if (!delivery || delivery.status !== 'pending') return;
    try {
      const report = await reports.find(payload.tenantId, payload.reportId);
      if (!report || report.status !== 'ready')
        throw new UnrecoverableJobError('report is not ready');
      const files = await reports.allFiles(payload.tenantId, report.id);
      if (delivery.channel === 'email') {
        if (!services.email)
          throw new UnrecoverableJobError('e-mail delivery is not configured: set SMTP_URL');
        const html = files.find((file) => file.format === 'html');
        await services.email.send({
          to: delivery.target,
          subject: report.title ?? 'Silhouette report',
          text: `${report.title ?? 'Silhouette report'}\n\nThe report is attached. It shows only published aggregates that passed the privacy thresholds.`,
          ...(html ? { html: html.content.toString('utf8') } : {}),
          attachments: files.filter((file) => file.format !== 'html'),
        });
      } else {
        const schedule = report.scheduleId
          ? await new ReportScheduleRepository(deps.db).find(payload.tenantId, report.scheduleId)
          : undefined;
        if (!schedule?.webhookSecret)
          throw new UnrecoverableJobError('the schedule of this webhook no longer exists');
        await postWebhook(
          delivery.target,
          schedule.webhookSecret,
          {
            event: 'report.ready',
            report: {
              id: report.id,
              type: report.type,
              title: report.title,
              slot_at: report.slotAt.toISOString(),
              period: {
                start: report.periodStart?.toISOString() ?? null,
                end: report.periodEnd?.toISOString() ?? null,
                label: report.periodLabel,
              },
              snapshot_id: report.snapshotId,
              evidence_path: `/v1/privacy/evidence?snapshot=${report.snapshotId}`,
            },
            files: files.map((file) => ({
              name: file.name,
              format: file.format,
              content_type: file.contentType,
              sha256: file.sha256,
              content_base64: file.content.toString('base64'),
            })),
          },
          { allowHosts: deps.env.WEBHOOK_ALLOW_HOSTS },
        );
      }
      await reports.recordDeliveryAttempt(payload.tenantId, delivery.id, { delivered: true });
    } catch (error) {
      // A refused webhook target will not become public by retrying.
      const refused = error instanceof WebhookTargetError;
      const final =
        refused || error instanceof UnrecoverableJobError || context.attempt >= context.maxAttempts;
      await reports.recordDeliveryAttempt(payload.tenantId, delivery.id, {
        delivered: false,
        reason: (error as Error).message,
        final,
      });
      throw refused ? new UnrecoverableJobError((error as Error).message) : error;
    }
  };
}
