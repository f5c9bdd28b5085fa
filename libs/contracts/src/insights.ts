/**
 * Response contracts of the read API (insights, privacy evidence, tenant, sessions, users): the
 * API's controllers return values typed by these schemas, the OpenAPI document at /docs is
 * generated from them, and the dashboard's client uses their inferred types. An integration test
 * parses every endpoint's real response with its schema, so the three cannot drift apart.
 *
 * Browser-safe on purpose (zod only, no node modules): the dashboard imports this file's types.
 * Objects are not strict, so an older client tolerates a newer field; the contract test checks
 * that parsing changes nothing, which catches fields missing from a schema.
 */
import { z } from 'zod';

export const PRIVACY_MODES = ['dp', 'threshold'] as const;
export type PrivacyMode = (typeof PRIVACY_MODES)[number];

export const snapshotInfoSchema = z.object({
  id: z.uuid(),
  version: z.number().int().min(1),
  published_at: z.string(),
  period: z.object({ start: z.string().nullable(), end: z.string().nullable() }),
  /** Which mode produced every figure of this snapshot (README "Privacy"). */
  privacy_mode: z.enum(PRIVACY_MODES),
});

/** dp mode: the 90% interval of the privacy noise around a figure. */
export const noiseIntervalSchema = z.object({ low: z.number(), high: z.number() });
/** dp mode: per figure (`conversations`, `distinct_users`, `minutes_saved`), its noise interval. */
export const noiseSchema = z.record(z.string(), noiseIntervalSchema);
export type NoiseIntervals = z.infer<typeof noiseSchema>;
export type SnapshotInfo = z.infer<typeof snapshotInfoSchema>;

/** One published cell of a breakdown inside a snapshot's metrics (camelCase, as stored). */
export const metricRowSchema = z.object({
  value: z.string(),
  isOther: z.boolean(),
  conversations: z.number().int(),
  distinctUsers: z.number().int(),
  minutesSavedTotal: z.number(),
  noise: noiseSchema.optional(),
});
export type MetricRow = z.infer<typeof metricRowSchema>;

export const minutesSavedSchema = z.object({
  total: z.number(),
  total_low: z.number(),
  total_high: z.number(),
  mean: z.number(),
  mean_low: z.number(),
  mean_high: z.number(),
  per_active_user_per_week: z.number().optional(),
  method: z.string().optional(),
});
export type MinutesSaved = z.infer<typeof minutesSavedSchema>;

/** A period against the same-length period before it (`overview?from&to`). */
export const periodComparisonSchema = z.object({
  from: z.string(),
  to: z.string(),
  conversations: z.number().int(),
  minutes_saved: z.number(),
  previous: z.object({
    from: z.string(),
    to: z.string(),
    conversations: z.number().int(),
    minutes_saved: z.number(),
  }),
  change_conversations: z.number().nullable(),
  /** False when some weeks were pooled for privacy: the figures are then lower bounds. */
  complete: z.boolean(),
});
export type PeriodComparison = z.infer<typeof periodComparisonSchema>;

/** A 90% interval around a published figure. */
export const publishedIntervalSchema = z.object({ low: z.number(), high: z.number() });

/**
 * Sampling (issue #15): the intervals of a figure estimated from a sample (its conversations
 * and minutes saved were scaled from the tagged conversations to all of them).
 */
export const samplingIntervalsSchema = z.object({
  conversations: publishedIntervalSchema,
  minutes_saved: publishedIntervalSchema.optional(),
});

/** How a sampled tenant's figures were scaled (absent: every conversation was tagged). */
export const sampleInfoSchema = z.object({
  /** The tenant's sample rate when published. */
  rate: z.number(),
  /**
   * Conversations tagged, and conversations that went through the sampling decision. Absent in
   * dp mode: they are exact counts, and the scale there is 1 / rate.
   */
  sampled: z.number().int().optional(),
  population: z.number().int().optional(),
  /** Counts and minutes were multiplied by this (population / sampled, or 1 / rate in dp mode). */
  factor: z.number(),
  method: z.string(),
});
export type SampleInfo = z.infer<typeof sampleInfoSchema>;
/** dp mode: the guarantee the figures were published under. */
export const privacySummarySchema = z.object({
  mode: z.enum(PRIVACY_MODES),
  epsilon_cap: z.number(),
  delta: z.number(),
  epsilon_spent: z.number(),
  period: z.object({ start: z.string(), end: z.string() }),
  /** One sentence, as reports print it. */
  guarantee: z.string(),
});
export type PrivacySummary = z.infer<typeof privacySummarySchema>;

/** The tenant-wide figures stored with a snapshot. Absent fields: nothing could be published. */
export const overviewFiguresSchema = z.object({
  published: z.boolean(),
  thresholds: z.object({ k_users: z.number().int(), min_conversations: z.number().int() }),
  conversations: z.number().int().optional(),
  distinct_users: z.number().int().optional(),
  minutes_saved: minutesSavedSchema.optional(),
  resolution_rate: z.number().optional(),
  failure_rate: z.number().optional(),
  outcomes: z.array(metricRowSchema).optional(),
  /** Reasons overlap (a conversation may have several): each value gated on its own, no total. */
  failure_reasons: z.array(metricRowSchema).optional(),
  /** ISO weeks (`2026-W03`); closed weeks are frozen once published (README, "frozen weeks"). */
  weekly: z.array(metricRowSchema).optional(),
  /** null: too few to show without revealing a small group. */
  low_confidence_conversations: z.number().int().nullable().optional(),
  clusters_published: z.number().int().optional(),
  levels: z.number().int().optional(),
  outcome_labels: z.array(z.string()).optional(),
  /** Present when the tenant tags a sample: every count here is an estimate. */
  sample: sampleInfoSchema.optional(),
  sampling: samplingIntervalsSchema.optional(),
  /** dp mode: noise intervals of conversations, distinct_users and minutes_saved. */
  noise: noiseSchema.optional(),
  privacy: privacySummarySchema.optional(),
});
export type OverviewFigures = z.infer<typeof overviewFiguresSchema>;

export const overviewResponseSchema = overviewFiguresSchema.extend({
  snapshot: snapshotInfoSchema,
  period: periodComparisonSchema.optional(),
});
export type OverviewResponse = z.infer<typeof overviewResponseSchema>;

export const mapPositionSchema = z.object({ x: z.number(), y: z.number() });

export const clusterSummarySchema = z.object({
  id: z.uuid(),
  level: z.number().int().min(0),
  parent_id: z.uuid().nullable(),
  is_other: z.boolean(),
  name: z.string(),
  description: z.string(),
  /**
   * Distinctive terms of the cluster (c-TF-IDF), best first, each used by at least k_users
   * people and checked for personal data; shown apart from the name. Empty for "Other".
   */
  keywords: z.array(z.string()),
  conversations: z.number().int(),
  distinct_users: z.number().int(),
  minutes_saved: z.number(),
  failure_rate: z.number().nullable(),
  /** Position on the 2-D map (principal axes of the centroids), each coordinate in [-1, 1]. */
  map: mapPositionSchema.nullable(),
  noise: noiseSchema.optional(),
});
export type ClusterSummary = z.infer<typeof clusterSummarySchema>;

export const clusterListResponseSchema = z.object({
  snapshot: snapshotInfoSchema,
  clusters: z.array(clusterSummarySchema),
  /** Pass as `cursor` for the next page (same snapshot); null on the last page. */
  next_cursor: z.string().nullable(),
  /** Clusters matching the filter, over all pages. */
  total: z.number().int(),
});
export type ClusterListResponse = z.infer<typeof clusterListResponseSchema>;

export const clusterMetricsSchema = z.object({
  minutes_saved: minutesSavedSchema,
  outcomes: z.array(metricRowSchema),
  failure_reasons: z.array(metricRowSchema),
  resolution_rate: z.number(),
  failure_rate: z.number(),
  frustration_mean: z.number(),
  failure_impact_minutes: z.number().nullable(),
  languages: z.array(metricRowSchema),
  weekly: z.array(metricRowSchema),
  domains: z.array(metricRowSchema),
  task_types: z.array(metricRowSchema),
  teams: z.array(metricRowSchema),
  /** null: too few to show without revealing a small group. */
  low_confidence_conversations: z.number().int().nullable(),
  map: mapPositionSchema.nullable().optional(),
  /** Only on an "other" node: how many groups it pools. */
  pooled_groups: z.number().int().optional(),
  /** Custom facets (issue #15): a gated breakdown of the cluster per facet key. */
  custom: z.record(z.string(), z.array(metricRowSchema)).optional(),
  /** Number facets: the mean answer, when the people who answered meet the thresholds. */
  custom_means: z.record(z.string(), z.number().nullable()).optional(),
  /** A sampled tenant: the intervals of this cluster's scaled figures. */
  sampling: samplingIntervalsSchema.optional(),
  noise: noiseSchema.optional(),
});
export type ClusterMetrics = z.infer<typeof clusterMetricsSchema>;

/** dp mode shows goal texts (k-anonymous text) without their counts: null. */
export const goalSchema = z.object({
  text: z.string(),
  users: z.number().int().nullable(),
  conversations: z.number().int().nullable(),
});

export const clusterDetailResponseSchema = clusterSummarySchema.extend({
  snapshot: snapshotInfoSchema,
  path: z.array(z.object({ id: z.uuid(), name: z.string(), level: z.number().int() })),
  metrics: clusterMetricsSchema,
  goals: z.array(goalSchema),
  lineage: z.object({ kind: z.string().optional(), sources: z.array(z.string()).optional() }),
  children: z.array(clusterSummarySchema),
});
export type ClusterDetailResponse = z.infer<typeof clusterDetailResponseSchema>;

/** A published figure next to the same figure in the previous snapshot; null when hidden in either. */
export const figureChangeSchema = z.object({
  previous: z.number().nullable(),
  change: z.number().nullable(),
});

/**
 * How a failure cluster compares with the previous published snapshot, matched by stable id.
 * `compared`: present in both; `new`: absent from the previous snapshot's tree; `was_pooled`:
 * then only part of an "other" group or suppressed; `no_previous`: this is the first snapshot.
 */
export const failureTrendSchema = z.object({
  status: z.enum(['compared', 'new', 'was_pooled', 'no_previous']),
  failure_impact_minutes: figureChangeSchema.nullable(),
  failure_rate: figureChangeSchema.nullable(),
});
export type FailureTrend = z.infer<typeof failureTrendSchema>;

export const failureClusterSchema = clusterSummarySchema.extend({
  failure_impact_minutes: z.number().nullable(),
  failure_reasons: z.array(metricRowSchema),
  outcomes: z.array(metricRowSchema),
  trend: failureTrendSchema,
});
export type FailureCluster = z.infer<typeof failureClusterSchema>;

export const failuresResponseSchema = z.object({
  snapshot: snapshotInfoSchema,
  /** The snapshot the trend compares with; null when this is the first one. */
  previous_snapshot: snapshotInfoSchema.nullable(),
  level: z.number().int(),
  clusters: z.array(failureClusterSchema),
  /** Clusters at this level, of which the `limit` with the highest impact are listed. */
  total: z.number().int(),
});
export type FailuresResponse = z.infer<typeof failuresResponseSchema>;

export const BREAKDOWN_FACETS = [
  'domain',
  'task_type',
  'outcome',
  'language',
  'team',
  'department',
] as const;
export type BreakdownFacet = (typeof BREAKDOWN_FACETS)[number];
/** A custom facet in breakdowns and trends (issue #15): `custom:<key>`. */
export const customFacetParamSchema = z
  .string()
  .regex(/^custom:[a-z][a-z0-9_]{1,39}$/, 'a built-in facet or custom:<key>');
export const breakdownFacetSchema = z.union([z.enum(BREAKDOWN_FACETS), customFacetParamSchema]);

export const publishedValueSchema = z.object({
  value: z.string(),
  is_other: z.boolean(),
  conversations: z.number().int(),
  distinct_users: z.number().int(),
  minutes_saved: z.number(),
  noise: noiseSchema.optional(),
});
export type PublishedValue = z.infer<typeof publishedValueSchema>;

export const breakdownResponseSchema = z.object({
  snapshot: snapshotInfoSchema,
  facet: breakdownFacetSchema,
  k_users: z.number().int().nullable(),
  rows: z.array(publishedValueSchema),
});
export type BreakdownResponse = z.infer<typeof breakdownResponseSchema>;

export const TREND_FACETS = ['domain', 'task_type', 'cluster'] as const;
export type TrendFacet = (typeof TREND_FACETS)[number];
export const trendFacetSchema = z.union([z.enum(TREND_FACETS), customFacetParamSchema]);
export const TREND_INTERVALS = ['week', 'month'] as const;
export type TrendInterval = (typeof TREND_INTERVALS)[number];

export const trendBucketSchema = z.object({
  bucket: z.string(),
  values: z.array(publishedValueSchema),
});
export type TrendBucket = z.infer<typeof trendBucketSchema>;

export const trendsResponseSchema = z.object({
  snapshot: snapshotInfoSchema,
  facet: trendFacetSchema,
  interval: z.enum(TREND_INTERVALS),
  buckets: z.array(trendBucketSchema),
});
export type TrendsResponse = z.infer<typeof trendsResponseSchema>;

/**
 * The privacy evidence as a tenant sees it: how many cells were published and suppressed per KIND
 * of scope and reason, never which (issue #10). Scopes name no id, week or value: those segments
 * are `*` (e.g. `trend/team/week/` followed by `*`).
 */
export const tenantEvidenceSchema = z.object({
  schemaVersion: z.number().int(),
  thresholds: z.object({ kUsers: z.number().int(), minConversations: z.number().int() }),
  cells: z.object({
    published: z.number().int(),
    suppressed: z.number().int(),
    byReason: z.record(z.string(), z.number().int()),
    byScope: z.record(
      z.string(),
      z.object({ published: z.number().int(), suppressed: z.number().int() }),
    ),
  }),
  suppressedByScope: z.array(
    z.object({ scope: z.string(), reason: z.string(), cells: z.number().int() }),
  ),
  textGate: z.object({
    checked: z.number().int(),
    rejected: z.number().int(),
    byReason: z.record(z.string(), z.number().int()),
  }),
  /** Present when the LLM privacy auditor ran; `scores` is a histogram (score -> texts). */
  auditor: z
    .object({
      model: z.string(),
      promptVersion: z.string(),
      minScore: z.number().optional(),
      checked: z.number().int().optional(),
      rejected: z.number().int().optional(),
      scores: z.record(z.string(), z.number()),
    })
    .optional(),
  models: z.object({
    tagger: z.string(),
    taggerPromptVersion: z.string(),
    embedder: z.string(),
    namer: z.string().optional(),
  }),
  generatedAt: z.string(),
  /** dp mode: the ledger entry of the publication that produced this snapshot. */
  publicationId: z.string().optional(),
  /** dp mode: mechanism, parameters and cost of this snapshot's publication. */
  differentialPrivacy: z
    .object({
      mode: z.literal('dp'),
      mechanism: z.string(),
      conversion: z.string(),
      epsilonCap: z.number(),
      delta: z.number(),
      period: z.object({ start: z.string(), end: z.string() }),
      epsilonSpent: z.number(),
      publication: z.object({
        rho: z.number(),
        epsilon: z.number(),
        delta: z.number(),
        weeks: z.array(
          z.object({
            bucket: z.string(),
            final: z.boolean(),
            rho: z.number(),
            thresholds: z.record(z.string(), z.number()),
          }),
        ),
        sigma: z.record(z.string(), z.record(z.string(), z.record(z.string(), z.number()))),
      }),
      bounds: z.record(z.string(), z.number()),
      backfillWeeks: z.number().int(),
    })
    .optional(),
});
export type TenantEvidence = z.infer<typeof tenantEvidenceSchema>;

export const evidenceResponseSchema = z.object({
  snapshot: snapshotInfoSchema,
  evidence: tenantEvidenceSchema,
});
export type EvidenceResponse = z.infer<typeof evidenceResponseSchema>;

/** `GET /v1/privacy/budget`: the month's cap, what the tenant's publications spent, and each. */
export const budgetResponseSchema = z.object({
  mode: z.enum(PRIVACY_MODES),
  period: z.object({ start: z.string(), end: z.string() }),
  epsilon_cap: z.number(),
  delta: z.number(),
  epsilon_spent: z.number(),
  epsilon_remaining: z.number(),
  /** When publishing is paused because the month is spent: when it resumes. */
  resumes_at: z.string().nullable(),
  cadence: z.enum(['hourly', 'daily', 'weekly']),
  publications: z.array(
    z.object({
      id: z.uuid(),
      kind: z.enum(['scheduled', 'requested']),
      at: z.string(),
      /** This publication's share of epsilon_spent (shares add up to it). */
      epsilon: z.number(),
      rho: z.number(),
      snapshot_id: z.uuid().nullable(),
      weeks: z.array(z.object({ bucket: z.string(), final: z.boolean() })),
    }),
  ),
});
export type BudgetResponse = z.infer<typeof budgetResponseSchema>;

// Tenant, pipeline, sessions, users ---------------------------------------------------------

export const KEY_SCOPES = ['ingest', 'read', 'admin'] as const;
/** Scopes that may open a dashboard session (and that a user account can hold): never ingest. */
export const USER_SCOPES = ['read', 'admin'] as const;
export type UserScope = (typeof USER_SCOPES)[number];

export const tenantInfoSchema = z.object({
  id: z.uuid(),
  slug: z.string(),
  name: z.string(),
  scope: z.enum(KEY_SCOPES),
  k_users: z.number().int(),
  min_conversations: z.number().int(),
  retention_days: z.number().int().nullable(),
  /** Which mode produces published figures (deployment setting). */
  privacy_mode: z.enum(PRIVACY_MODES),
  /** dp mode: the tenant's monthly ε (its own choice when below the deployment's cap). */
  dp_epsilon: z.number(),
  minutes_overrides: z.record(z.string(), z.object({ manual_minutes: z.number() })),
});
export type TenantInfo = z.infer<typeof tenantInfoSchema>;

export const pipelineStatusSchema = z.object({
  conversations: z.number().int(),
  accepted: z.number().int(),
  /** Grown (or streamed over OTLP) conversations, tagged once idle for CONVERSATION_IDLE_S. */
  waiting_for_idle: z.number().int(),
  tagged: z.number().int(),
  embedded: z.number().int(),
  failed: z.number().int(),
  /** Waiting for the month's LLM budget; tagged when it is raised or the month turns. */
  paused_budget: z.number().int(),
  /** Outside the tenant's sample (sample_rate below 1): never sent to a model. */
  not_sampled: z.number().int(),
  content_deleted: z.number().int(),
});
export type PipelineStatus = z.infer<typeof pipelineStatusSchema>;

/**
 * `POST /v1/session`: either an API key, or a user account of one tenant. The tenant is named by
 * its slug because the same email may hold accounts in several tenants.
 */
export const keySignInSchema = z.object({ key: z.string().min(1).max(200) }).strict();
export const passwordSignInSchema = z
  .object({
    tenant: z.string().trim().min(1).max(63),
    email: z.string().trim().min(3).max(254),
    password: z.string().min(1).max(1024),
  })
  .strict();
export type PasswordSignIn = z.infer<typeof passwordSignInSchema>;

export const sessionResponseSchema = z.object({
  tenant: z.string(),
  name: z.string().optional(),
  scope: z.enum(USER_SCOPES),
  /** The signed-in user's email, or null for a session opened with an API key. */
  user: z.string().nullable(),
  csrf_token: z.string(),
  expires_at: z.string(),
});
export type SessionResponse = z.infer<typeof sessionResponseSchema>;

export const userSchema = z.object({
  id: z.uuid(),
  email: z.string(),
  scope: z.enum(USER_SCOPES),
  created_at: z.string(),
  last_sign_in_at: z.string().nullable(),
  disabled_at: z.string().nullable(),
});
export type User = z.infer<typeof userSchema>;

export const createUserRequestSchema = z
  .object({
    email: z.email().max(254),
    scope: z.enum(USER_SCOPES),
    /** Omit to have one generated and returned once. */
    password: z.string().min(12).max(1024).optional(),
  })
  .strict();

export const createdUserSchema = userSchema.extend({
  /** Present only when the password was generated: shown this once. */
  password: z.string().optional(),
  note: z.string().optional(),
});
export type CreatedUser = z.infer<typeof createdUserSchema>;

export const userListResponseSchema = z.object({ users: z.array(userSchema) });

export const errorBodySchema = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    field: z.string().optional(),
    limit: z.enum(['max_records', 'max_request_bytes', 'max_message_bytes']).optional(),
    max: z.number().optional(),
  }),
});
export type ErrorBody = z.infer<typeof errorBodySchema>;
