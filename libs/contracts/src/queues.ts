/**
 * Every queue, job name and payload schema in one place (STYLE.md). Payloads carry ids only:
 * conversation content never enters the queue store. Payloads are parsed with these schemas at
 * enqueue and again at dequeue.
 *
 * Deploy compatibility: add fields as optional; never rename a job without draining its queue.
 */
import { z } from 'zod';

export const QUEUE_NAMES = ['tagging', 'clustering', 'maintenance', 'reports'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

const tenantId = z.uuid();

export const JOBS = {
  /** Tag one conversation with its facet row (sealed worker). */
  'tag-conversation': {
    queue: 'tagging',
    payload: z.object({ tenantId, conversationId: z.uuid() }).strict(),
    jobId: (p: { tenantId: string; conversationId: string }) =>
      `tag-conversation__${p.tenantId}__${p.conversationId}`,
  },
  /** Embed, cluster, name and publish a tenant's snapshot (one at a time per tenant). */
  'cluster-tenant': {
    queue: 'clustering',
    // full: re-cluster from scratch instead of letting new conversations join the last run.
    // release (added with dp mode; older producers omit it): who asked for the publication, as
    // recorded in the privacy ledger. Absent means scheduled.
    payload: z
      .object({
        tenantId,
        full: z.boolean().optional(),
        release: z.enum(['scheduled', 'requested']).optional(),
      })
      .strict(),
    jobId: (p: { tenantId: string }) => `cluster-tenant__${p.tenantId}`,
  },
  /** Erase every conversation and derived row of one pseudonymous user. */
  'erase-user': {
    queue: 'maintenance',
    payload: z.object({ tenantId, erasureRequestId: z.uuid() }).strict(),
    jobId: (p: { tenantId: string; erasureRequestId: string }) =>
      `erase-user__${p.erasureRequestId}`,
  },
  /** Delete content past its retention (all tenants). Runs periodically. */
  'apply-retention': {
    queue: 'maintenance',
    payload: z.object({ requestedAt: z.iso.datetime() }).strict(),
    jobId: (p: { requestedAt: string }) =>
      `apply-retention__${p.requestedAt.slice(0, 16).replace(/[^0-9]/g, '')}`,
  },
  /**
   * A report schedule's tick: create the report of every schedule time due since the last one
   * (missed times included) and enqueue their rendering. Fired by the queue's job scheduler.
   */
  'report-tick': {
    queue: 'reports',
    payload: z.object({ tenantId, scheduleId: z.uuid() }).strict(),
    jobId: (p: { scheduleId: string }) => `report-tick__${p.scheduleId}`,
  },
  /** Build one report from the published snapshot and store all its files at once. */
  'render-report': {
    queue: 'reports',
    payload: z.object({ tenantId, reportId: z.uuid() }).strict(),
    jobId: (p: { reportId: string }) => `render-report__${p.reportId}`,
  },
  /** Send a rendered report to one recipient channel (e-mail or signed webhook). */
  'deliver-report': {
    queue: 'reports',
    payload: z.object({ tenantId, reportId: z.uuid(), deliveryId: z.uuid() }).strict(),
    jobId: (p: { deliveryId: string }) => `deliver-report__${p.deliveryId}`,
  },
  /**
   * Evaluate the tenant's alert rules on one published snapshot (issue #15): raises each alert
   * once per rule, subject and period, and enqueues its deliveries.
   */
  'evaluate-alerts': {
    queue: 'reports',
    payload: z.object({ tenantId, snapshotId: z.uuid() }).strict(),
    jobId: (p: { snapshotId: string }) => `evaluate-alerts__${p.snapshotId}`,
  },
  /** Send one raised alert to one channel (e-mail or signed webhook). */
  'deliver-alert': {
    queue: 'reports',
    payload: z.object({ tenantId, alertId: z.uuid(), deliveryId: z.uuid() }).strict(),
    jobId: (p: { deliveryId: string }) => `deliver-alert__${p.deliveryId}`,
  },
} as const;

/** The repeatable job of one report schedule (BullMQ job scheduler id, in-process timer id). */
export const reportScheduleJobId = (scheduleId: string) => `report-schedule__${scheduleId}`;

export type JobName = keyof typeof JOBS;
export const JOB_NAMES = Object.keys(JOBS) as JobName[];
export type JobPayload<N extends JobName> = z.infer<(typeof JOBS)[N]['payload']>;

export function jobIdFor<N extends JobName>(name: N, payload: JobPayload<N>): string {
  return (JOBS[name].jobId as (p: JobPayload<N>) => string)(payload);
}

export function parseJobPayload<N extends JobName>(name: N, payload: unknown): JobPayload<N> {
  return JOBS[name].payload.parse(payload) as JobPayload<N>;
}
