/**
 * Demo reports for embedded `start`: once the demo tenant's first snapshot is published, two
 * sample reports (impact and quality over the last four weeks) are requested, and two example
 * schedules exist, so the dashboard's Reports page has something real to show.
 */
import { existsSync } from 'node:fs';
import {
  reportScheduleJobId,
  type ReportFormat,
  type ReportPeriod,
  type ReportType,
} from '@silhouette/contracts';
import { InsightsRepository, ReportRepository, ReportScheduleRepository } from '@silhouette/db';
import type { Runtime } from '../runtime';

const POLL_MS = 5000;

async function ensureSchedules(runtime: Runtime, tenantId: string): Promise<void> {
  const schedules = new ReportScheduleRepository(runtime.ownerDb);
  if ((await schedules.list(tenantId)).length > 0) return;
  const examples = [
    {
      name: 'Weekly impact (Monday 08:00)',
      type: 'impact' as const,
      cron: '0 8 * * 1',
      period: { kind: 'last-week' } as const,
    },
    {
      name: 'Monthly quality (1st, 08:00)',
      type: 'quality' as const,
      cron: '0 8 1 * *',
      period: { kind: 'last-month' } as const,
    },
  ];
  for (const example of examples) {
    const schedule = await schedules.create(tenantId, {
      ...example,
      timezone: 'UTC',
      formats: ['html', 'pdf', 'csv'],
      recipients: [],
      webhookUrl: null,
      webhookSecret: null,
      enabled: true,
    });
    await runtime.queue.upsertSchedule(reportScheduleJobId(schedule.id), schedule, 'report-tick', {
      tenantId,
      scheduleId: schedule.id,
    });
  }
}

async function requestSamples(runtime: Runtime, tenantId: string): Promise<void> {
  const reports = new ReportRepository(runtime.ownerDb);
  if ((await reports.list(tenantId, { limit: 1 })).length > 0) return;
  // PDF needs Chromium; without it the samples come as HTML and CSV only.
  const formats: ReportFormat[] = existsSync(runtime.env.CHROMIUM_PATH)
    ? ['html', 'pdf', 'csv']
    : ['html', 'csv'];
  const period: ReportPeriod = { kind: 'custom', weeks: 4 };
  for (const type of ['impact', 'quality'] as ReportType[]) {
    const { report } = await reports.createOnce({
      tenantId,
      scheduleId: null,
      type,
      formats,
      period,
      slotAt: new Date(),
      idempotencyKey: `demo-sample:${tenantId}:${type}`,
    });
    await runtime.queue.enqueue('render-report', { tenantId, reportId: report.id });
  }
}

/** Sets up the demo's schedules now and its sample reports once a snapshot exists. */
export async function ensureDemoReports(runtime: Runtime, tenantId: string): Promise<() => void> {
  await ensureSchedules(runtime, tenantId);
  let timer: NodeJS.Timeout | undefined;
  const attempt = async () => {
    try {
      if (await new InsightsRepository(runtime.ownerDb).latest(tenantId)) {
        await requestSamples(runtime, tenantId);
        return;
      }
    } catch (error) {
      runtime.logger.warn({ err: error }, 'demo sample reports not requested yet');
    }
    timer = setTimeout(() => void attempt(), POLL_MS);
    timer.unref();
  };
  await attempt();
  return () => clearTimeout(timer);
}
