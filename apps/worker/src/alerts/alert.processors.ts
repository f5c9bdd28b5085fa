/**
 * The alert jobs (issue #15, item 3). `evaluate-alerts` runs after each publication: it reads the
 * published snapshot (and the earlier one it is compared with) from `insights`, never raw rows,
 * evaluates every enabled rule, and raises each alert once per rule, subject and period (unique
 * key), with one delivery per channel. `deliver-alert` sends one of them, through the report
 * delivery code: signed webhooks behind the SSRF guard and `WEBHOOK_ALLOW_HOSTS`, SMTP e-mail.
 */
import {
  isoWeekLabel,
  startOfIsoWeek,
  type AlertMap,
  type AlertRuleParams,
  type AlertWebhookBody,
  type JobPayload,
} from '@silhouette/contracts';
import {
  AlertRepository,
  InsightsRepository,
  PipelineStatusRepository,
  type AlertRule,
  type PublishedCluster,
  type PublishedMapCluster,
  type SnapshotSummary,
} from '@silhouette/db';
import { gatePublishedText } from '@silhouette/privacy';
import { UnrecoverableJobError, type JobContext } from '@silhouette/queue';
import { postWebhook, WebhookTargetError } from '@silhouette/reports';
import { ISSUES_MAP } from '../clustering/run-text-map';
import type { ReportServices } from '../reports/report.processors';
import type { WorkerDeps } from '../worker-deps';
import {
  alertText,
  evaluateFailureRateRise,
  evaluateMinutesSavedDrop,
  evaluateNewCluster,
  evaluateTaggingFailures,
  publishedFailureRate,
  type AlertCandidate,
  type ClusterFigures,
} from './alert-rules';

const toFigures = (cluster: PublishedCluster | PublishedMapCluster): ClusterFigures => ({
  id: cluster.clusterId,
  name: cluster.name,
  isOther: cluster.isOther,
  conversations: cluster.conversations,
  failureRate: publishedFailureRate(cluster.metrics),
});

/** Published rows of one evaluation, loaded once however many rules need them. */
class PublishedView {
  private readonly insights: InsightsRepository;
  private readonly cache = new Map<string, Promise<unknown>>();

  constructor(
    private readonly deps: WorkerDeps,
    readonly snapshot: SnapshotSummary,
  ) {
    this.insights = new InsightsRepository(deps.db);
  }

  private once<T>(key: string, load: () => Promise<T>): Promise<T> {
    if (!this.cache.has(key)) this.cache.set(key, load());
    return this.cache.get(key) as Promise<T>;
  }

  clusters(snapshot: SnapshotSummary, level: number): Promise<ClusterFigures[]> {
    return this.once(`clusters/${snapshot.id}/${level}`, async () =>
      (await this.insights.clusters(snapshot.tenantId, snapshot.id, { level })).map(toFigures),
    );
  }

  /** The issues map's published clusters of one level (the same gates as the topic tree's). */
  issueClusters(snapshot: SnapshotSummary, level: number): Promise<ClusterFigures[]> {
    return this.once(`issues/${snapshot.id}/${level}`, async () =>
      (await this.insights.mapClusters(snapshot.tenantId, snapshot.id, ISSUES_MAP))
        .filter((cluster) => cluster.level === level)
        .map(toFigures),
    );
  }

  /** A failure-rate rule's subjects: topic clusters or issue clusters of its level. */
  watched(snapshot: SnapshotSummary, map: AlertMap, level: number): Promise<ClusterFigures[]> {
    return map === 'issue' ? this.issueClusters(snapshot, level) : this.clusters(snapshot, level);
  }

  /** The earlier publication a rule compares with, and how to name it in a message. */
  baseline(
    kind: 'previous_week' | 'previous_publication',
  ): Promise<{ snapshot: SnapshotSummary; label: string } | undefined> {
    return this.once(`baseline/${kind}`, async () => {
      const { tenantId, version, publishedAt } = this.snapshot;
      const earlier =
        kind === 'previous_publication'
          ? await this.insights.previous(tenantId, version)
          : await this.insights.latestBefore(tenantId, startOfIsoWeek(publishedAt));
      if (!earlier) return undefined;
      return {
        snapshot: earlier,
        label:
          kind === 'previous_publication'
            ? `the previous publication (version ${earlier.version})`
            : `the figures published by the end of ${isoWeekLabel(earlier.publishedAt)}`,
      };
    });
  }

  weekly(facet: 'team' | 'cluster') {
    return this.once(`weekly/${facet}`, () =>
      this.insights.trends(this.snapshot.tenantId, this.snapshot.id, facet, 'week'),
    );
  }

  pipeline() {
    return this.once('pipeline', () =>
      new PipelineStatusRepository(this.deps.db).forTenant(this.snapshot.tenantId),
    );
  }
}

async function candidatesFor(
  rule: AlertRule,
  view: PublishedView,
  period: string,
): Promise<AlertCandidate[]> {
  const params: AlertRuleParams = rule.params;
  switch (params.kind) {
    case 'failure_rate_rise': {
      const baseline = await view.baseline(params.baseline);
      return evaluateFailureRateRise(
        params,
        await view.watched(view.snapshot, params.map, params.level),
        baseline ? await view.watched(baseline.snapshot, params.map, params.level) : undefined,
        period,
        baseline?.label ?? '',
      );
    }
    case 'new_cluster': {
      const baseline = await view.baseline(params.baseline);
      return evaluateNewCluster(
        params,
        await view.clusters(view.snapshot, params.level),
        baseline
          ? {
              clusters: await view.clusters(baseline.snapshot, params.level),
              pooledIds: baseline.snapshot.pooledClusterIds,
            }
          : undefined,
        period,
        baseline?.label ?? '',
      );
    }
    case 'minutes_saved_drop': {
      const facet = params.scope === 'team' ? 'team' : 'cluster';
      const names = new Map(
        (await view.clusters(view.snapshot, 0)).map((cluster) => [cluster.id, cluster.name]),
      );
      return evaluateMinutesSavedDrop(
        params,
        await view.weekly(facet),
        view.snapshot.publishedAt,
        (value) => (facet === 'team' ? value : names.get(value)),
      );
    }
    case 'tagging_failures':
      return evaluateTaggingFailures(params, await view.pipeline(), period);
  }
}

export function evaluateAlertsProcessor(deps: WorkerDeps) {
  return async (payload: JobPayload<'evaluate-alerts'>): Promise<void> => {
    const alerts = new AlertRepository(deps.db);
    const rules = await alerts.enabledRules(payload.tenantId);
    if (rules.length === 0) return;
    const snapshot = await new InsightsRepository(deps.db).find(
      payload.tenantId,
      payload.snapshotId,
    );
    if (!snapshot) return; // replaced or deleted since: the newer snapshot is evaluated itself
    const view = new PublishedView(deps, snapshot);
    const period = isoWeekLabel(snapshot.publishedAt);
    for (const rule of rules) {
      for (const candidate of await candidatesFor(rule, view, period)) {
        const text = alertText(rule.name, candidate);
        // Built from published texts and numbers only; checked once more like a report is.
        if (!gatePublishedText(text).ok) {
          deps.logger.warn({ ruleId: rule.id }, 'alert text refused by the PII gate');
          continue;
        }
        const raised = await alerts.raiseOnce(
          deps.db,
          {
            tenantId: snapshot.tenantId,
            ruleId: rule.id,
            ruleName: rule.name,
            kind: rule.kind,
            subjectKey: candidate.subjectKey,
            subjectLabel: candidate.subjectLabel,
            period: candidate.period,
            snapshotId: snapshot.id,
            message: text,
            figures: candidate.figures,
          },
          [
            ...rule.recipients.map((target) => ({ channel: 'email' as const, target })),
            ...(rule.webhookUrl ? [{ channel: 'webhook' as const, target: rule.webhookUrl }] : []),
          ],
        );
        if (!raised) continue; // raised before for this subject and period
        deps.logger.info(
          { ruleId: rule.id, alertId: raised.alert.id, kind: rule.kind, period: candidate.period },
          'alert raised',
        );
        await deps.queue.enqueueMany(
          'deliver-alert',
          raised.deliveries.map((delivery) => ({
            tenantId: snapshot.tenantId,
            alertId: raised.alert.id,
            deliveryId: delivery.id,
          })),
        );
      }
    }
  };
}

export function deliverAlertProcessor(deps: WorkerDeps, services: ReportServices) {
  return async (payload: JobPayload<'deliver-alert'>, context: JobContext): Promise<void> => {
    const alerts = new AlertRepository(deps.db);
    const delivery = await alerts.delivery(payload.tenantId, payload.deliveryId);
    if (!delivery || delivery.status !== 'pending') return;
    try {
      const alert = await alerts.alert(payload.tenantId, payload.alertId);
      if (!alert) throw new UnrecoverableJobError('the alert no longer exists');
      if (delivery.channel === 'email') {
        if (!services.email)
          throw new UnrecoverableJobError('e-mail delivery is not configured: set SMTP_URL');
        await services.email.send({
          to: delivery.target,
          subject: `Silhouette alert: ${alert.ruleName}`,
          text: `${alert.message}\n\nFigures compared are published aggregates that passed the privacy thresholds.`,
          attachments: [],
        });
      } else {
        const rule = await alerts.rule(payload.tenantId, alert.ruleId);
        if (!rule?.webhookSecret)
          throw new UnrecoverableJobError('the rule of this webhook no longer exists');
        const body: AlertWebhookBody = {
          text: alert.message,
          event: 'alert.raised',
          alert: {
            id: alert.id,
            rule_id: alert.ruleId,
            rule_name: alert.ruleName,
            kind: alert.kind,
            subject: { key: alert.subjectKey, label: alert.subjectLabel },
            period: alert.period,
            snapshot_id: alert.snapshotId,
            message: alert.message,
            figures: alert.figures,
            raised_at: alert.raisedAt.toISOString(),
          },
        };
        await postWebhook(delivery.target, rule.webhookSecret, body, {
          allowHosts: deps.env.WEBHOOK_ALLOW_HOSTS,
        });
      }
      await alerts.recordDeliveryAttempt(payload.tenantId, delivery.id, { delivered: true });
    } catch (error) {
      // A refused webhook target will not become public by retrying.
      const refused = error instanceof WebhookTargetError;
      const final =
        refused || error instanceof UnrecoverableJobError || context.attempt >= context.maxAttempts;
      await alerts.recordDeliveryAttempt(payload.tenantId, delivery.id, {
        delivered: false,
        reason: (error as Error).message,
        final,
      });
      throw refused ? new UnrecoverableJobError((error as Error).message) : error;
    }
  };
}
