/**
 * Scheduled impact and quality reports (issue #6): what an admin may configure, and the shapes
 * the API returns. A report is a publication: it is built only from published snapshot rows.
 */
import { z } from 'zod';

export const REPORT_TYPES = ['impact', 'quality'] as const;
export type ReportType = (typeof REPORT_TYPES)[number];

export const REPORT_FORMATS = ['html', 'pdf', 'csv'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const REPORT_STATUSES = ['pending', 'rendering', 'ready', 'failed'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

export const DELIVERY_STATUSES = ['pending', 'delivered', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/**
 * Which published buckets a report covers, decided at the moment it runs. Only closed calendar
 * buckets: the last complete ISO week, the last complete calendar month, or the last N complete
 * ISO weeks (never a rolling window of days, see README "Reports and differencing").
 */
export const reportPeriodSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('last-week') }).strict(),
  z.object({ kind: z.literal('last-month') }).strict(),
  z.object({ kind: z.literal('custom'), weeks: z.number().int().min(1).max(26) }).strict(),
]);
export type ReportPeriod = z.infer<typeof reportPeriodSchema>;

const formats = z
  .array(z.enum(REPORT_FORMATS))
  .min(1)
  .max(REPORT_FORMATS.length)
  .refine((list) => new Set(list).size === list.length, 'formats must not repeat');

const recipients = z.array(z.email().max(254)).max(50);

/**
 * An http(s) URL without credentials. Which hosts are reachable (public addresses only, https,
 * unless the operator allow-listed the host) is decided where the operator's configuration is
 * known: `checkWebhookUrl` in libs/reports, by the API and again at delivery.
 */
const webhookUrl = z
  .url()
  .max(2000)
  .refine((value) => {
    const url = new URL(value);
    return !url.username && !url.password && ['https:', 'http:'].includes(url.protocol);
  }, 'must be an https URL without credentials');

/** Five-field cron (minute hour day month weekday), or six with seconds where the operator allows. */
const cron = z
  .string()
  .trim()
  .min(9)
  .max(120)
  .refine((value) => [5, 6].includes(value.split(/\s+/).length), 'must have 5 or 6 fields');

const timezone = z
  .string()
  .max(64)
  .refine((value) => {
    try {
      new Intl.DateTimeFormat('en', { timeZone: value });
      return true;
    } catch {
      return false;
    }
  }, 'must be an IANA time zone such as Europe/Berlin');

export const createReportScheduleSchema = z
  .object({
    name: z.string().trim().min(1).max(120),
    type: z.enum(REPORT_TYPES),
    cron,
    timezone: timezone.default('UTC'),
    period: reportPeriodSchema,
    formats,
    recipients: recipients.default([]),
    webhook_url: webhookUrl.nullable().default(null),
    enabled: z.boolean().default(true),
  })
  .strict();
export type CreateReportSchedule = z.infer<typeof createReportScheduleSchema>;

export const updateReportScheduleSchema = z
  .object({
    name: z.string().trim().min(1).max(120),
    type: z.enum(REPORT_TYPES),
    cron,
    timezone,
    period: reportPeriodSchema,
    formats,
    recipients,
    webhook_url: webhookUrl.nullable(),
    enabled: z.boolean(),
  })
  .partial()
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, 'give at least one field to change');
export type UpdateReportSchedule = z.infer<typeof updateReportScheduleSchema>;

/** A report requested now, outside any schedule (`POST /v1/reports`, the dashboard's button). */
export const requestReportSchema = z
  .object({
    type: z.enum(REPORT_TYPES),
    period: reportPeriodSchema,
    formats: formats.default(['html', 'csv']),
  })
  .strict();
export type RequestReport = z.infer<typeof requestReportSchema>;

export interface ReportScheduleView {
  id: string;
  name: string;
  type: ReportType;
  cron: string;
  timezone: string;
  period: ReportPeriod;
  formats: ReportFormat[];
  recipients: string[];
  webhook_url: string | null;
  enabled: boolean;
  created_at: string;
  updated_at: string;
  /** The last schedule time that produced a report. */
  last_run_at: string | null;
  next_run_at: string | null;
}

export interface ReportFileView {
  name: string;
  format: ReportFormat;
  content_type: string;
  bytes: number;
  sha256: string;
  download_url: string;
}

export interface ReportDeliveryView {
  channel: 'email' | 'webhook';
  target: string;
  status: DeliveryStatus;
  attempts: number;
  failure_reason: string | null;
  delivered_at: string | null;
}

export interface ReportView {
  id: string;
  schedule_id: string | null;
  type: ReportType;
  title: string;
  /** The schedule time this report belongs to (its idempotency key with the schedule). */
  slot_at: string;
  period: { start: string; end: string; label: string };
  status: ReportStatus;
  attempts: number;
  failure_reason: string | null;
  snapshot_id: string | null;
  formats: ReportFormat[];
  files: ReportFileView[];
  deliveries: ReportDeliveryView[];
  created_at: string;
  completed_at: string | null;
}

/** Shared with alert rules, which deliver through the same code (libs/contracts/src/alerts.ts). */
export { recipients as emailRecipientsSchema, webhookUrl as webhookUrlSchema };
