/**
 * Typed calls for alerts and cost control (issue #15). Types from the contracts, type-only: no
 * schema code in the bundle.
 */
import type {
  AlertRuleParams,
  AlertRuleView,
  AlertView,
  CreateAlertRule,
  UpdateAlertRule,
} from '@silhouette/contracts/alerts';
import type { CostSummary, EstimateResponse, UpdateCostSettings } from '@silhouette/contracts/cost';
import { request } from './api-client';

export type {
  AlertKind,
  AlertMap,
  AlertRuleParams,
  AlertRuleView,
  AlertState,
  AlertView,
} from '@silhouette/contracts/alerts';
export type { CostSummary, EstimateResponse } from '@silhouette/contracts/cost';

/** What the dashboard sends: the API fills in defaults (recipients, webhook, enabled). */
export type NewAlertRule = Pick<CreateAlertRule, 'name'> & {
  params: AlertRuleParams;
} & Partial<Pick<CreateAlertRule, 'recipients' | 'webhook_url' | 'enabled'>>;

/** The create answer carries the webhook signing secret once, when a webhook URL was given. */
export type CreatedAlertRule = AlertRuleView & { webhook_secret?: string };

const q = encodeURIComponent;

export const alertsApi = {
  alerts: (csrf: string) => request<{ alerts: AlertView[] }>('/v1/alerts', csrf),
  rules: (csrf: string) => request<{ rules: AlertRuleView[] }>('/v1/admin/alerts', csrf),
  createRule: (csrf: string, body: NewAlertRule) =>
    request<CreatedAlertRule>('/v1/admin/alerts', csrf, { method: 'POST', body }),
  updateRule: (csrf: string, id: string, patch: UpdateAlertRule) =>
    request<CreatedAlertRule>(`/v1/admin/alerts/${q(id)}`, csrf, { method: 'PATCH', body: patch }),
  deleteRule: (csrf: string, id: string) =>
    request<void>(`/v1/admin/alerts/${q(id)}`, csrf, { method: 'DELETE' }),
};

export const costApi = {
  cost: (csrf: string) => request<CostSummary>('/v1/cost', csrf),
  update: (csrf: string, body: UpdateCostSettings) =>
    request<CostSummary>('/v1/admin/cost', csrf, { method: 'PATCH', body }),
  estimate: (csrf: string) => request<EstimateResponse>('/v1/admin/estimate', csrf),
};
