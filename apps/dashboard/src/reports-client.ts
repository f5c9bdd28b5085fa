/**
 * Typed calls to the reports API (issue #6). Kept beside api-client.ts rather than inside it so
 * the report shapes come straight from the contracts (type-only: no schema code in the bundle).
 */
import type {
  CreateReportSchedule,
  ReportScheduleView,
  ReportView,
  RequestReport,
  UpdateReportSchedule,
} from '@silhouette/contracts/reports';
import { request } from './api-client';

export type {
  ReportDeliveryView,
  ReportFileView,
  ReportFormat,
  ReportPeriod,
  ReportScheduleView,
  ReportStatus,
  ReportType,
  ReportView,
} from '@silhouette/contracts/reports';

export interface ReportPage {
  reports: ReportView[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  next_before: string | null;
}

/** The create answer carries the webhook signing secret once, when a webhook URL was given. */
export type CreatedSchedule = ReportScheduleView & { webhook_secret?: string };

/** What the dashboard sends: the API fills in defaults (time zone, recipients, enabled). */
export type NewSchedule = Omit<CreateReportSchedule, 'timezone' | 'recipients' | 'enabled'> &
  Partial<Pick<CreateReportSchedule, 'timezone' | 'recipients' | 'enabled'>>;

const q = encodeURIComponent;

export const reportsApi = {
  list: (csrf: string, options: { limit?: number; before?: string } = {}) => {
    const params = new URLSearchParams({ limit: String(options.limit ?? 20) });
    if (options.before) params.set('before', options.before);
    return request<ReportPage>(`/v1/reports?${params.toString()}`, csrf);
  },
  get: (csrf: string, id: string) => request<ReportView>(`/v1/reports/${q(id)}`, csrf),
  /** Admin: a report now; answers 202 with the pending report (poll `get` until it settles). */
  requestNow: (csrf: string, body: RequestReport) =>
    request<ReportView>('/v1/reports', csrf, { method: 'POST', body }),
  schedules: (csrf: string) =>
    request<{ schedules: ReportScheduleView[] }>('/v1/report-schedules', csrf),
  createSchedule: (csrf: string, body: NewSchedule) =>
    request<CreatedSchedule>('/v1/report-schedules', csrf, { method: 'POST', body }),
  updateSchedule: (csrf: string, id: string, patch: UpdateReportSchedule) =>
    request<CreatedSchedule>(`/v1/report-schedules/${q(id)}`, csrf, {
      method: 'PATCH',
      body: patch,
    }),
  deleteSchedule: (csrf: string, id: string) =>
    request<void>(`/v1/report-schedules/${q(id)}`, csrf, { method: 'DELETE' }),
};
