/**
 * Alert rules (`/v1/admin/alerts`, admin) and the alerts they raised (`GET /v1/alerts`, read or
 * admin). The API only records rules; the worker evaluates them at each publication on published
 * figures. A webhook's signing secret is shown once, when the webhook is set or changed.
 * Another tenant's ids answer 404.
 */
import { randomBytes } from 'node:crypto';
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
  UseGuards,
} from '@nestjs/common';
import { z } from 'zod';
import {
  createAlertRuleSchema,
  updateAlertRuleSchema,
  type AlertRuleView,
  type AlertState,
  type AlertView,
} from '@silhouette/contracts';
import {
  AlertRepository,
  type Alert,
  type AlertDelivery,
  type AlertRule,
  type AlertRuleInput,
} from '@silhouette/db';
import { gatePublishedText } from '@silhouette/privacy';
import { checkWebhookUrl } from '@silhouette/reports';
import type { ApiDeps } from '../api-deps';
import { AuthGuard, RequireScopes, type AuthenticatedRequest } from '../auth/auth.guard';
import { badRequest, notFound } from '../common/api-error';
import { parseWith, readJsonBody } from '../common/read-body';
import { API_DEPS } from '../tokens';

const uuid = z.uuid();
const listQuery = z
  .object({ limit: z.coerce.number().int().min(1).max(500).default(100) })
  .strict();

function ruleView(rule: AlertRule): AlertRuleView {
  return {
    id: rule.id,
    name: rule.name,
    kind: rule.kind,
    params: rule.params,
    recipients: rule.recipients,
    webhook_url: rule.webhookUrl,
    enabled: rule.enabled,
    created_at: rule.createdAt.toISOString(),
    updated_at: rule.updatedAt.toISOString(),
  };
}

export function alertState(deliveries: readonly Pick<AlertDelivery, 'status'>[]): AlertState {
  if (deliveries.length === 0) return 'recorded';
  if (deliveries.some((delivery) => delivery.status === 'failed')) return 'failed';
  if (deliveries.every((delivery) => delivery.status === 'delivered')) return 'delivered';
  return 'pending';
}

function alertView(alert: Alert, deliveries: AlertDelivery[], withTargets: boolean): AlertView {
  return {
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
    state: alertState(deliveries),
    // Recipients and webhook URLs are the admin's configuration, not a reader's business.
    deliveries: withTargets
      ? deliveries.map((delivery) => ({
          channel: delivery.channel,
          target: delivery.target,
          status: delivery.status,
          attempts: delivery.attempts,
          failure_reason: delivery.failureReason,
          delivered_at: delivery.deliveredAt?.toISOString() ?? null,
        }))
      : [],
  };
}

@Controller('v1')
@UseGuards(AuthGuard)
export class AlertsController {
  constructor(@Inject(API_DEPS) private readonly deps: ApiDeps) {}

  /** Public targets only, or hosts the operator allow-listed (libs/reports, webhook-target). */
  private checkWebhook(url: string | null): void {
    if (url === null) return;
    const check = checkWebhookUrl(url, { allowHosts: this.deps.env.WEBHOOK_ALLOW_HOSTS });
    if (!check.ok) throw badRequest('webhook_url', check.message);
  }

  /** The name travels in every alert it raises: no personal data in it. */
  private checkName(name: string): void {
    if (!gatePublishedText(name).ok)
      throw badRequest('name', 'must not contain personal data (names, e-mails, numbers, ids)');
  }

  @Get('admin/alerts')
  @RequireScopes('admin')
  async listRules(@Req() request: AuthenticatedRequest) {
    const rules = await new AlertRepository(this.deps.db).rules(request.auth!.tenantId);
    return { rules: rules.map(ruleView) };
  }

  @Get('admin/alerts/:id')
  @RequireScopes('admin')
  async getRule(@Req() request: AuthenticatedRequest, @Param('id') id: string) {
    if (!uuid.safeParse(id).success) throw notFound('alert rule');
    const rule = await new AlertRepository(this.deps.db).rule(request.auth!.tenantId, id);
    if (!rule) throw notFound('alert rule');
    return ruleView(rule);
  }

  /** The webhook secret is returned once, here; store it to verify signatures. */
  @Post('admin/alerts')
  @HttpCode(201)
  @RequireScopes('admin')
  async createRule(@Req() request: AuthenticatedRequest): Promise<AlertRuleView> {
    const body = await readJsonBody(request, createAlertRuleSchema);
    this.checkName(body.name);
    this.checkWebhook(body.webhook_url);
    const secret = body.webhook_url ? randomBytes(32).toString('base64url') : null;
    const rule = await new AlertRepository(this.deps.db).createRule(request.auth!.tenantId, {
      name: body.name,
      params: body.params,
      recipients: body.recipients,
      webhookUrl: body.webhook_url,
      webhookSecret: secret,
      enabled: body.enabled,
    });
    return { ...ruleView(rule), ...(secret ? { webhook_secret: secret } : {}) };
  }

  @Patch('admin/alerts/:id')
  @RequireScopes('admin')
  async updateRule(
    @Req() request: AuthenticatedRequest,
    @Param('id') id: string,
  ): Promise<AlertRuleView> {
    if (!uuid.safeParse(id).success) throw notFound('alert rule');
    const alerts = new AlertRepository(this.deps.db);
    const tenantId = request.auth!.tenantId;
    const existing = await alerts.rule(tenantId, id);
    if (!existing) throw notFound('alert rule');
    const patch = await readJsonBody(request, updateAlertRuleSchema);
    const merged: AlertRuleInput = {
      name: patch.name ?? existing.name,
      params: patch.params ?? existing.params,
      recipients: patch.recipients ?? existing.recipients,
      webhookUrl: patch.webhook_url === undefined ? existing.webhookUrl : patch.webhook_url,
      webhookSecret: existing.webhookSecret,
      enabled: patch.enabled ?? existing.enabled,
    };
    if (patch.name !== undefined) this.checkName(merged.name);
    if (patch.webhook_url !== undefined) this.checkWebhook(merged.webhookUrl);
    // A new webhook target gets a new secret, shown once.
    const newSecret =
      merged.webhookUrl && merged.webhookUrl !== existing.webhookUrl
        ? randomBytes(32).toString('base64url')
        : null;
    if (newSecret) merged.webhookSecret = newSecret;
    if (!merged.webhookUrl) merged.webhookSecret = null;
    const updated = (await alerts.updateRule(tenantId, id, merged))!;
    return { ...ruleView(updated), ...(newSecret ? { webhook_secret: newSecret } : {}) };
  }

  @Delete('admin/alerts/:id')
  @HttpCode(204)
  @RequireScopes('admin')
  async deleteRule(@Req() request: AuthenticatedRequest, @Param('id') id: string): Promise<void> {
    if (!uuid.safeParse(id).success) throw notFound('alert rule');
    const deleted = await new AlertRepository(this.deps.db).deleteRule(request.auth!.tenantId, id);
    if (!deleted) throw notFound('alert rule');
  }

  /** Raised alerts, newest first, with their delivery state (targets for admins only). */
  @Get('alerts')
  @RequireScopes('read', 'admin')
  async listAlerts(@Req() request: AuthenticatedRequest): Promise<{ alerts: AlertView[] }> {
    const { limit } = parseWith(listQuery, request.query, 'query');
    const alerts = await new AlertRepository(this.deps.db).alerts(request.auth!.tenantId, limit);
    const admin = request.auth!.scope === 'admin';
    return {
      alerts: alerts
        // Tagging failures quote exact pipeline counts, which only admins see (/v1/status).
        .filter(({ alert }) => admin || alert.kind !== 'tagging_failures')
        .map(({ alert, deliveries }) => alertView(alert, deliveries, admin)),
    };
  }
}
