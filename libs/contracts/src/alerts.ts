/**
 * Alerts (issue #15, item 3): what an admin may configure, and the shapes the API returns.
 * Rules are evaluated by the worker at each publication, on published figures only (the stored
 * snapshot rows, never raw rows), and each raises at most one alert per subject and period.
 */
import { z } from 'zod';
import { DELIVERY_STATUSES, emailRecipientsSchema, webhookUrlSchema } from './reports';

export const ALERT_KINDS = [
  'failure_rate_rise',
  'new_cluster',
  'minutes_saved_drop',
  'tagging_failures',
] as const;
export type AlertKind = (typeof ALERT_KINDS)[number];

/**
 * Which earlier publication the current one is compared with: the figures as they stood at the
 * end of the previous ISO week (the last snapshot published before this week began), or the
 * snapshot just before this one.
 */
export const ALERT_BASELINES = ['previous_week', 'previous_publication'] as const;
export type AlertBaseline = (typeof ALERT_BASELINES)[number];

const level = z.number().int().min(0).max(4);

/**
 * The map a failure-rate rule watches: the topic tree, or the issues map (its two levels: 0 the
 * root-cause groups, 1 the specific issues).
 */
export const ALERT_MAPS = ['topic', 'issue'] as const;
export type AlertMap = (typeof ALERT_MAPS)[number];
/** The issues map has two levels. */
export const ISSUE_MAP_MAX_LEVEL = 1;

/** Per kind, the thresholds and scope. Percentages and points are in [0, 100]. */
export const alertRuleParamsSchema = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('failure_rate_rise'),
      /** Topic clusters (the default) or issue clusters. */
      map: z
        .enum(ALERT_MAPS, { error: `one of ${ALERT_MAPS.map((m) => `"${m}"`).join(', ')}` })
        .default('topic'),
      /** Level of the clusters watched (0 = top). */
      level: level.default(0),
      /** Fires when a cluster's published failure rate rose by at least this many points. */
      points: z.number().min(0.1).max(100),
      baseline: z.enum(ALERT_BASELINES).default('previous_week'),
    })
    .strict()
    .refine((params) => params.map !== 'issue' || params.level <= ISSUE_MAP_MAX_LEVEL, {
      path: ['level'],
      message: `the issues map has two levels: 0 (root-cause groups) or ${ISSUE_MAP_MAX_LEVEL} (issues)`,
    }),
  z
    .object({
      kind: z.literal('new_cluster'),
      level: level.default(0),
      /** Fires for a cluster absent from the baseline (never published nor pooled) this large. */
      min_conversations: z.number().int().min(1).max(10_000_000),
      baseline: z.enum(ALERT_BASELINES).default('previous_week'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('minutes_saved_drop'),
      /** A team, or a top-level topic cluster. */
      scope: z.enum(['team', 'top_cluster']),
      /** Fires when the last closed week's minutes saved fell by at least this share of the week before. */
      percent: z.number().min(1).max(100),
    })
    .strict(),
  z
    .object({
      kind: z.literal('tagging_failures'),
      /** Fires when dead-lettered conversations exceed this share of those processed. */
      percent: z.number().min(0).max(100),
      /** Not before this many conversations were processed (1 failure in 2 is no signal). */
      min_conversations: z.number().int().min(1).max(1_000_000).default(20),
    })
    .strict(),
]);
export type AlertRuleParams = z.infer<typeof alertRuleParamsSchema>;

export const createAlertRuleSchema = z
  .object({
    name: z.string().trim().min(1).max(120),
    params: alertRuleParamsSchema,
    recipients: emailRecipientsSchema.default([]),
    webhook_url: webhookUrlSchema.nullable().default(null),
    enabled: z.boolean().default(true),
  })
  .strict();
export type CreateAlertRule = z.infer<typeof createAlertRuleSchema>;

export const updateAlertRuleSchema = z
  .object({
    name: z.string().trim().min(1).max(120),
    params: alertRuleParamsSchema,
    recipients: emailRecipientsSchema,
    webhook_url: webhookUrlSchema.nullable(),
    enabled: z.boolean(),
  })
  .partial()
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, 'give at least one field to change');
export type UpdateAlertRule = z.infer<typeof updateAlertRuleSchema>;

export const alertRuleViewSchema = z.object({
  id: z.uuid(),
  name: z.string(),
  kind: z.enum(ALERT_KINDS),
  params: alertRuleParamsSchema,
  recipients: z.array(z.string()),
  webhook_url: z.string().nullable(),
  enabled: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
  /** Only when the webhook was set or changed by this request: shown this once. */
  webhook_secret: z.string().optional(),
});
export type AlertRuleView = z.infer<typeof alertRuleViewSchema>;

/**
 * An alert's state from its deliveries: `recorded` (no channel), `pending`, `delivered` (every
 * channel), `failed` (a channel gave up; the others may have delivered).
 */
export const ALERT_STATES = ['recorded', 'pending', 'delivered', 'failed'] as const;
export type AlertState = (typeof ALERT_STATES)[number];

export const alertViewSchema = z.object({
  id: z.uuid(),
  rule_id: z.uuid(),
  rule_name: z.string(),
  kind: z.enum(ALERT_KINDS),
  subject: z.object({ key: z.string(), label: z.string() }),
  /** ISO week the alert belongs to (one alert per rule, subject and period). */
  period: z.string(),
  snapshot_id: z.uuid().nullable(),
  /** The Slack-compatible `text` the webhook carries. */
  message: z.string(),
  /** The published figures compared: current, previous, threshold (per kind). */
  figures: z.record(z.string(), z.union([z.number(), z.string(), z.null()])),
  raised_at: z.string(),
  state: z.enum(ALERT_STATES),
  deliveries: z.array(
    z.object({
      channel: z.enum(['email', 'webhook']),
      target: z.string(),
      status: z.enum(DELIVERY_STATUSES),
      attempts: z.number().int(),
      failure_reason: z.string().nullable(),
      delivered_at: z.string().nullable(),
    }),
  ),
});
export type AlertView = z.infer<typeof alertViewSchema>;

export const alertRuleListSchema = z.object({ rules: z.array(alertRuleViewSchema) });
export const alertListSchema = z.object({ alerts: z.array(alertViewSchema) });

/** The JSON body POSTed to a rule's webhook: Slack-compatible (`text`) plus the structured alert. */
export interface AlertWebhookBody {
  text: string;
  event: 'alert.raised';
  alert: Omit<AlertView, 'state' | 'deliveries'>;
}
