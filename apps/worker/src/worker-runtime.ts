/**
 * The worker: registers a handler for every job name (refusing to start otherwise), marks
 * dead-lettered conversations (and reports) as failed with their reason, registers the report
 * schedules, and runs periodic duties: the reconcilers (re-enqueue accepted conversations and
 * unfinished reports that have no live job, e.g. after a crash or a lost enqueue), publishing
 * and the retention sweep.
 */
import { reportScheduleJobId, type JobName } from '@silhouette/contracts';
import { AlertRepository, ReportRepository, ReportScheduleRepository } from '@silhouette/db';
import {
  ConversationStatusRepository,
  PublicationRequestRepository,
  TaggingGateRepository,
} from '@silhouette/sealed';
import type { DeadLetter, JobContext, JobHandler, JobHandlers } from '@silhouette/queue';
import { deliverAlertProcessor, evaluateAlertsProcessor } from './alerts/alert.processors';
import { evaluatingAlertsAfter } from './alerts/alert-trigger';
import { clusterTenantProcessor } from './clustering/cluster-tenant.processor';
import {
  recordClusteringDeadLetter,
  recordingClusteringFailures,
} from './clustering/clustering-failure';
import { budgetGuardFor } from './cost/budget-guard';
import { withRunSpend } from './cost/spend-tracking';
import { applyRetentionProcessor, eraseUserProcessor } from './processors/maintenance.processors';
import { tagConversationProcessor } from './processors/tag-conversation.processor';
import {
  deliverReportProcessor,
  renderReportProcessor,
  reportServices,
  reportTickProcessor,
  type ReportServices,
} from './reports/report.processors';
import type { WorkerDeps } from './worker-deps';

const RETENTION_INTERVAL_MS = 10 * 60 * 1000;

/** The start of the current publication slot (UTC hour, day, or ISO week). */
export function cadenceSlotStart(cadence: 'hourly' | 'daily' | 'weekly', now = new Date()): Date {
  const day = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  if (cadence === 'hourly') return new Date(day + now.getUTCHours() * 3_600_000);
  if (cadence === 'daily') return new Date(day);
  return new Date(day - ((now.getUTCDay() + 6) % 7) * 86_400_000);
}
const RECONCILE_BATCH = 5000;

export interface RunningWorker {
  /**
   * Enqueues conversations whose growth has been idle for CONVERSATION_IDLE_S, and re-enqueues
   * accepted ones untouched for at least `olderThanSeconds`. Returns how many.
   */
  reconcile(olderThanSeconds?: number): Promise<number>;
  stop(): Promise<void>;
}

function instrument<N extends JobName>(
  deps: WorkerDeps,
  name: N,
  handler: JobHandler<N>,
): JobHandler<N> {
  return async (payload, context: JobContext) => {
    const started = performance.now();
    try {
      await handler(payload, context);
      deps.metrics.jobsProcessed.inc({ job: name, result: 'completed' });
      deps.logger.debug(
        {
          job: name,
          jobId: context.jobId,
          attempt: context.attempt,
          ms: Math.round(performance.now() - started),
        },
        'job completed',
      );
    } catch (error) {
      const final = context.attempt >= context.maxAttempts;
      deps.metrics.jobsProcessed.inc({ job: name, result: final ? 'failed' : 'retried' });
      deps.logger.warn(
        { job: name, jobId: context.jobId, attempt: context.attempt, err: error },
        'job attempt failed',
      );
      throw error;
    } finally {
      deps.metrics.jobSeconds.observe({ job: name }, (performance.now() - started) / 1000);
    }
  };
}

export function buildHandlers(deps: WorkerDeps, reports: ReportServices): JobHandlers {
  const budget = budgetGuardFor(deps);
  return {
    'tag-conversation': instrument(deps, 'tag-conversation', tagConversationProcessor(deps)),
    'cluster-tenant': instrument(
      deps,
      'cluster-tenant',
      evaluatingAlertsAfter(
        deps,
        recordingClusteringFailures(deps, withRunSpend(deps, budget, clusterTenantProcessor)),
      ),
    ),
    'erase-user': instrument(deps, 'erase-user', eraseUserProcessor(deps)),
    'apply-retention': instrument(deps, 'apply-retention', applyRetentionProcessor(deps)),
    'report-tick': instrument(deps, 'report-tick', reportTickProcessor(deps)),
    'render-report': instrument(deps, 'render-report', renderReportProcessor(deps, reports)),
    'deliver-report': instrument(deps, 'deliver-report', deliverReportProcessor(deps, reports)),
    'evaluate-alerts': instrument(deps, 'evaluate-alerts', evaluateAlertsProcessor(deps)),
    'deliver-alert': instrument(deps, 'deliver-alert', deliverAlertProcessor(deps, reports)),
  };
}

export async function startWorker(deps: WorkerDeps): Promise<RunningWorker> {
  const statuses = new ConversationStatusRepository(deps.db);
  const publicationRequests = new PublicationRequestRepository(deps.db);
  const reports = new ReportRepository(deps.db);
  const reportRendering = reportServices(deps);

  const onDeadLetter = async (dead: DeadLetter) => {
    deps.metrics.jobsProcessed.inc({ job: dead.name, result: 'dead_lettered' });
    deps.logger.error(
      { job: dead.name, jobId: dead.jobId, attempts: dead.attempts, reason: dead.reason },
      'job dead-lettered',
    );
    if (dead.name === 'tag-conversation') {
      const payload = dead.payload as { tenantId: string; conversationId: string };
      await statuses.markFailed(payload.tenantId, payload.conversationId, dead.reason);
    }
    if (dead.name === 'cluster-tenant') {
      const payload = dead.payload as { tenantId: string };
      await recordClusteringDeadLetter(deps, payload.tenantId, dead.attempts, dead.reason).catch(
        () => undefined,
      );
    }
    // A render or delivery that died without recording it (e.g. its worker was killed on the
    // last attempt) is marked failed here, so it never stays "in progress" forever.
    if (dead.name === 'render-report') {
      const payload = dead.payload as { tenantId: string; reportId: string };
      await reports.fail(payload.tenantId, payload.reportId, dead.reason);
    }
    if (dead.name === 'deliver-alert') {
      const payload = dead.payload as { tenantId: string; deliveryId: string };
      await new AlertRepository(deps.db).failDelivery(
        payload.tenantId,
        payload.deliveryId,
        dead.reason,
      );
    }
    if (dead.name === 'deliver-report') {
      const payload = dead.payload as { tenantId: string; deliveryId: string };
      await reports.failDelivery(payload.tenantId, payload.deliveryId, dead.reason);
    }
  };

  // Reports: every enabled schedule registered on the queue (and no stale one), a catch-up tick
  // for times missed while no worker ran, and unfinished renders and deliveries re-enqueued.
  const syncReportSchedules = async (): Promise<void> => {
    const enabled = await new ReportScheduleRepository(deps.db).enabled();
    const wanted = new Set(enabled.map((schedule) => reportScheduleJobId(schedule.id)));
    for (const id of await deps.queue.scheduleIds())
      if (id.startsWith(reportScheduleJobId('')) && !wanted.has(id))
        await deps.queue.removeSchedule(id);
    for (const schedule of enabled) {
      const payload = { tenantId: schedule.tenantId, scheduleId: schedule.id };
      try {
        await deps.queue.upsertSchedule(
          reportScheduleJobId(schedule.id),
          schedule,
          'report-tick',
          payload,
        );
        await deps.queue.enqueue('report-tick', payload);
      } catch (error) {
        deps.logger.error(
          { scheduleId: schedule.id, err: error },
          'report schedule not registered',
        );
      }
    }
  };
  const reconcileReports = async (): Promise<void> => {
    // Deterministic job ids: a report or delivery whose job is still live is skipped.
    await deps.queue.enqueueMany(
      'render-report',
      (await reports.unfinished()).map((report) => ({
        tenantId: report.tenantId,
        reportId: report.id,
      })),
    );
    await deps.queue.enqueueMany(
      'deliver-alert',
      (await new AlertRepository(deps.db).pendingDeliveries()).map((delivery) => ({
        tenantId: delivery.tenantId,
        alertId: delivery.alertId,
        deliveryId: delivery.id,
      })),
    );
    await deps.queue.enqueueMany(
      'deliver-report',
      (await reports.pendingDeliveries()).map((delivery) => ({
        tenantId: delivery.tenantId,
        reportId: delivery.reportId,
        deliveryId: delivery.id,
      })),
    );
  };

  // Conversations parked for budget go back to tagging once their tenant may spend again (a new
  // month, a raised budget) or no model is configured any more.
  const budget = budgetGuardFor(deps);
  const taggingGate = new TaggingGateRepository(deps.db);
  const resumeBudgetPaused = async (): Promise<number> => {
    let resumed = 0;
    for (const tenantId of await taggingGate.tenantsPaused()) {
      budget.forget(tenantId);
      if (deps.tagger.provider === 'openai-compatible' && !(await budget.decide(tenantId)).allowed)
        continue;
      const due = await taggingGate.resume(tenantId, RECONCILE_BATCH);
      await deps.queue.enqueueMany('tag-conversation', due);
      resumed += due.length;
    }
    return resumed;
  };

  const reconcile = async (olderThanSeconds = deps.env.RECONCILE_INTERVAL_S): Promise<number> => {
    const resumed = await resumeBudgetPaused();
    // Conversations that stopped growing for CONVERSATION_IDLE_S are due for (re-)tagging.
    const idle = await statuses.promoteIdle(deps.env.CONVERSATION_IDLE_S, RECONCILE_BATCH);
    await deps.queue.enqueueMany('tag-conversation', idle);
    const waiting = await statuses.awaitingTagging(olderThanSeconds, RECONCILE_BATCH);
    // Deterministic job ids make this safe: a conversation that still has a live job is skipped.
    await deps.queue.enqueueMany('tag-conversation', waiting);
    return resumed + idle.length + waiting.length;
  };

  // Newly tagged conversations reach the published snapshot on their own: once a tenant has no
  // conversation left to tag, its clustering job (incremental when possible) is enqueued, and so
  // is a tenant owed a publication (an erasure). In dp mode publications follow the calendar
  // instead (PUBLISH_CADENCE), each spending budget: an erasure takes effect at the tenant's next
  // one, which settles the request, so the timing of publications never says that someone was
  // erased.
  const publishReadyTenants = async (): Promise<void> => {
    const tenants = new Set<string>();
    if (deps.env.PRIVACY_MODE === 'dp') {
      for (const tenantId of await statuses.tenantsDueForPublication(
        cadenceSlotStart(deps.env.PUBLISH_CADENCE),
      ))
        tenants.add(tenantId);
    } else {
      for (const tenantId of await statuses.tenantsReadyToCluster()) tenants.add(tenantId);
      for (const request of await publicationRequests.pending()) tenants.add(request.tenantId);
    }
    await deps.queue.enqueueMany(
      'cluster-tenant',
      [...tenants].map((tenantId) => ({ tenantId })),
    );
  };

  const sweepRetention = () =>
    deps.queue.enqueue('apply-retention', { requestedAt: new Date().toISOString() });

  await deps.queue.startWorkers(buildHandlers(deps, reportRendering), onDeadLetter);
  await syncReportSchedules();
  await reconcileReports();
  const recovered = await reconcile(0);
  if (recovered > 0) deps.logger.info({ recovered }, 'reconciler enqueued accepted conversations');
  await sweepRetention();

  const timers = [
    setInterval(() => {
      reconcile().catch((error: unknown) => deps.logger.error({ err: error }, 'reconciler failed'));
    }, deps.env.RECONCILE_INTERVAL_S * 1000),
    setInterval(() => {
      publishReadyTenants().catch((error: unknown) =>
        deps.logger.error({ err: error }, 'publish scheduling failed'),
      );
    }, deps.env.PUBLISH_INTERVAL_S * 1000),
    setInterval(() => {
      reconcileReports().catch((error: unknown) =>
        deps.logger.error({ err: error }, 'report reconciler failed'),
      );
    }, deps.env.RECONCILE_INTERVAL_S * 1000),
    setInterval(() => {
      sweepRetention().catch((error: unknown) =>
        deps.logger.error({ err: error }, 'retention sweep enqueue failed'),
      );
    }, RETENTION_INTERVAL_MS),
  ];
  for (const timer of timers) timer.unref();

  return {
    reconcile,
    async stop() {
      for (const timer of timers) clearInterval(timer);
      await reportRendering.close();
    },
  };
}
