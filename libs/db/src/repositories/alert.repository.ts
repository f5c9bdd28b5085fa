/**
 * Alert rules (control plane, written by admins through the API) and the alerts they raised
 * (`insights`, written by the worker from published figures only, with one delivery row per
 * channel). Every method but the worker's reconciler query is scoped by tenant.
 */
import {
  alertRuleParamsSchema,
  type AlertKind,
  type AlertRuleParams,
  type DeliveryStatus,
} from '@silhouette/contracts';
import type { Database, Queryable } from '../database';

export interface AlertRuleInput {
  name: string;
  params: AlertRuleParams;
  recipients: string[];
  webhookUrl: string | null;
  webhookSecret: string | null;
  enabled: boolean;
}

export interface AlertRule extends AlertRuleInput {
  id: string;
  tenantId: string;
  kind: AlertKind;
  createdAt: Date;
  updatedAt: Date;
}

export interface AlertInput {
  tenantId: string;
  ruleId: string;
  ruleName: string;
  kind: AlertKind;
  subjectKey: string;
  subjectLabel: string;
  period: string;
  snapshotId: string | null;
  message: string;
  figures: Record<string, number | string | null>;
}

export interface Alert extends AlertInput {
  id: string;
  raisedAt: Date;
}

export interface AlertDelivery {
  id: string;
  alertId: string;
  tenantId: string;
  channel: 'email' | 'webhook';
  target: string;
  status: DeliveryStatus;
  attempts: number;
  failureReason: string | null;
  deliveredAt: Date | null;
}

interface RuleRow {
  id: string;
  tenant_id: string;
  name: string;
  kind: AlertKind;
  params: AlertRuleParams;
  recipients: string[];
  webhook_url: string | null;
  webhook_secret: string | null;
  enabled: boolean;
  created_at: Date | string;
  updated_at: Date | string;
}

interface AlertRow {
  id: string;
  tenant_id: string;
  rule_id: string;
  rule_name: string;
  kind: AlertKind;
  subject_key: string;
  subject_label: string;
  period: string;
  snapshot_id: string | null;
  message: string;
  figures: Record<string, number | string | null>;
  raised_at: Date | string;
}

interface DeliveryRow {
  id: string;
  alert_id: string;
  tenant_id: string;
  channel: 'email' | 'webhook';
  target: string;
  status: DeliveryStatus;
  attempts: number;
  failure_reason: string | null;
  delivered_at: Date | string | null;
}

const RULE_COLUMNS = `id, tenant_id, name, kind, params, recipients, webhook_url, webhook_secret, enabled,
  created_at, updated_at`;
const ALERT_COLUMNS = `id, tenant_id, rule_id, rule_name, kind, subject_key, subject_label, period, snapshot_id,
  message, figures, raised_at`;
const DELIVERY_COLUMNS = `id, alert_id, tenant_id, channel, target, status, attempts, failure_reason, delivered_at`;

const toRule = (row: RuleRow): AlertRule => ({
  id: row.id,
  tenantId: row.tenant_id,
  name: row.name,
  kind: row.kind,
  // Parsed, so a field added since the rule was stored reads as its default (`map`: topic).
  params: alertRuleParamsSchema.parse(row.params),
  recipients: row.recipients,
  webhookUrl: row.webhook_url,
  webhookSecret: row.webhook_secret,
  enabled: row.enabled,
  createdAt: new Date(row.created_at),
  updatedAt: new Date(row.updated_at),
});

const toAlert = (row: AlertRow): Alert => ({
  id: row.id,
  tenantId: row.tenant_id,
  ruleId: row.rule_id,
  ruleName: row.rule_name,
  kind: row.kind,
  subjectKey: row.subject_key,
  subjectLabel: row.subject_label,
  period: row.period,
  snapshotId: row.snapshot_id,
  message: row.message,
  figures: row.figures,
  raisedAt: new Date(row.raised_at),
});

const toDelivery = (row: DeliveryRow): AlertDelivery => ({
  id: row.id,
  alertId: row.alert_id,
  tenantId: row.tenant_id,
  channel: row.channel,
  target: row.target,
  status: row.status,
  attempts: Number(row.attempts),
  failureReason: row.failure_reason,
  deliveredAt: row.delivered_at === null ? null : new Date(row.delivered_at),
});

// Arrays travel as JSON: one encoding that pg and PGlite read the same way.
const textArray = (index: number) => `ARRAY(SELECT jsonb_array_elements_text($${index}::jsonb))`;

export class AlertRepository {
  constructor(private readonly db: Queryable) {}

  async createRule(tenantId: string, input: AlertRuleInput): Promise<AlertRule> {
    const result = await this.db.query<RuleRow>(
      `INSERT INTO app.alert_rules (tenant_id, name, kind, params, recipients, webhook_url, webhook_secret, enabled)
       VALUES ($1, $2, $3, $4::jsonb, ${textArray(5)}, $6, $7, $8)
       RETURNING ${RULE_COLUMNS}`,
      [
        tenantId,
        input.name,
        input.params.kind,
        JSON.stringify(input.params),
        JSON.stringify(input.recipients),
        input.webhookUrl,
        input.webhookSecret,
        input.enabled,
      ],
    );
    return toRule(result.rows[0]!);
  }

  async rules(tenantId: string): Promise<AlertRule[]> {
    const result = await this.db.query<RuleRow>(
      `SELECT ${RULE_COLUMNS} FROM app.alert_rules WHERE tenant_id = $1 ORDER BY created_at, id`,
      [tenantId],
    );
    return result.rows.map(toRule);
  }

  async enabledRules(tenantId: string): Promise<AlertRule[]> {
    const result = await this.db.query<RuleRow>(
      `SELECT ${RULE_COLUMNS} FROM app.alert_rules WHERE tenant_id = $1 AND enabled ORDER BY created_at, id`,
      [tenantId],
    );
    return result.rows.map(toRule);
  }

  async rule(tenantId: string, id: string): Promise<AlertRule | undefined> {
    const result = await this.db.query<RuleRow>(
      `SELECT ${RULE_COLUMNS} FROM app.alert_rules WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    );
    return result.rows[0] ? toRule(result.rows[0]) : undefined;
  }

  async updateRule(
    tenantId: string,
    id: string,
    input: AlertRuleInput,
  ): Promise<AlertRule | undefined> {
    const result = await this.db.query<RuleRow>(
      `UPDATE app.alert_rules
          SET name = $3, kind = $4, params = $5::jsonb, recipients = ${textArray(6)}, webhook_url = $7,
              webhook_secret = $8, enabled = $9, updated_at = now()
        WHERE tenant_id = $1 AND id = $2
        RETURNING ${RULE_COLUMNS}`,
      [
        tenantId,
        id,
        input.name,
        input.params.kind,
        JSON.stringify(input.params),
        JSON.stringify(input.recipients),
        input.webhookUrl,
        input.webhookSecret,
        input.enabled,
      ],
    );
    return result.rows[0] ? toRule(result.rows[0]) : undefined;
  }

  async deleteRule(tenantId: string, id: string): Promise<boolean> {
    const result = await this.db.query(
      'DELETE FROM app.alert_rules WHERE tenant_id = $1 AND id = $2',
      [tenantId, id],
    );
    return result.rowCount > 0;
  }

  /**
   * Records the alert and one delivery per channel in one transaction, once: a second call
   * for the same rule, subject and period changes nothing and returns undefined.
   */
  async raiseOnce(
    db: Database,
    input: AlertInput,
    channels: { channel: 'email' | 'webhook'; target: string }[],
  ): Promise<{ alert: Alert; deliveries: AlertDelivery[] } | undefined> {
    return db.transaction(async (tx) => {
      const inserted = await tx.query<AlertRow>(
        `INSERT INTO insights.alerts (tenant_id, rule_id, rule_name, kind, subject_key, subject_label, period,
                snapshot_id, message, figures)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb)
         ON CONFLICT (rule_id, subject_key, period) DO NOTHING
         RETURNING ${ALERT_COLUMNS}`,
        [
          input.tenantId,
          input.ruleId,
          input.ruleName,
          input.kind,
          input.subjectKey,
          input.subjectLabel,
          input.period,
          input.snapshotId,
          input.message,
          JSON.stringify(input.figures),
        ],
      );
      const row = inserted.rows[0];
      if (!row) return undefined;
      const deliveries: AlertDelivery[] = [];
      for (const channel of channels) {
        const created = await tx.query<DeliveryRow>(
          `INSERT INTO insights.alert_deliveries (alert_id, tenant_id, channel, target)
           VALUES ($1, $2, $3, $4) ON CONFLICT (alert_id, channel, target) DO NOTHING
           RETURNING ${DELIVERY_COLUMNS}`,
          [row.id, input.tenantId, channel.channel, channel.target],
        );
        if (created.rows[0]) deliveries.push(toDelivery(created.rows[0]));
      }
      return { alert: toAlert(row), deliveries };
    });
  }

  /** The tenant's alerts, newest first, with their deliveries. */
  async alerts(
    tenantId: string,
    limit = 100,
  ): Promise<{ alert: Alert; deliveries: AlertDelivery[] }[]> {
    const alerts = await this.db.query<AlertRow>(
      `SELECT ${ALERT_COLUMNS} FROM insights.alerts WHERE tenant_id = $1
        ORDER BY raised_at DESC, id LIMIT $2`,
      [tenantId, limit],
    );
    if (alerts.rows.length === 0) return [];
    const deliveries = await this.db.query<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM insights.alert_deliveries
        WHERE tenant_id = $1 AND alert_id = ANY($2::uuid[]) ORDER BY channel, target`,
      [tenantId, alerts.rows.map((row) => row.id)],
    );
    const byAlert = new Map<string, AlertDelivery[]>();
    for (const row of deliveries.rows) {
      const list = byAlert.get(row.alert_id) ?? [];
      list.push(toDelivery(row));
      byAlert.set(row.alert_id, list);
    }
    return alerts.rows.map((row) => ({
      alert: toAlert(row),
      deliveries: byAlert.get(row.id) ?? [],
    }));
  }

  async alert(tenantId: string, id: string): Promise<Alert | undefined> {
    const result = await this.db.query<AlertRow>(
      `SELECT ${ALERT_COLUMNS} FROM insights.alerts WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    );
    return result.rows[0] ? toAlert(result.rows[0]) : undefined;
  }

  async delivery(tenantId: string, id: string): Promise<AlertDelivery | undefined> {
    const result = await this.db.query<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM insights.alert_deliveries WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    );
    return result.rows[0] ? toDelivery(result.rows[0]) : undefined;
  }

  /** Deliveries still pending, any tenant (the worker's reconciler re-enqueues them). */
  async pendingDeliveries(limit = 500): Promise<AlertDelivery[]> {
    const result = await this.db.query<DeliveryRow>(
      `SELECT ${DELIVERY_COLUMNS} FROM insights.alert_deliveries WHERE status = 'pending' LIMIT $1`,
      [limit],
    );
    return result.rows.map(toDelivery);
  }

  /** Records one delivery attempt: delivered, or its failure (final or not yet). */
  async recordDeliveryAttempt(
    tenantId: string,
    id: string,
    outcome: { delivered: true } | { delivered: false; reason: string; final: boolean },
  ): Promise<void> {
    if (outcome.delivered) {
      await this.db.query(
        `UPDATE insights.alert_deliveries
            SET status = 'delivered', attempts = attempts + 1, failure_reason = NULL, delivered_at = now()
          WHERE tenant_id = $1 AND id = $2`,
        [tenantId, id],
      );
      return;
    }
    await this.db.query(
      `UPDATE insights.alert_deliveries
          SET status = CASE WHEN $4::boolean THEN 'failed' ELSE status END, attempts = attempts + 1,
              failure_reason = $3
        WHERE tenant_id = $1 AND id = $2 AND status <> 'delivered'`,
      [tenantId, id, outcome.reason.slice(0, 500), outcome.final],
    );
  }

  /** Marks a delivery failed that is still pending (its job died without recording it). */
  async failDelivery(tenantId: string, id: string, reason: string): Promise<void> {
    await this.db.query(
      `UPDATE insights.alert_deliveries SET status = 'failed', failure_reason = coalesce(failure_reason, $3)
        WHERE tenant_id = $1 AND id = $2 AND status = 'pending'`,
      [tenantId, id, reason.slice(0, 500)],
    );
  }
}
