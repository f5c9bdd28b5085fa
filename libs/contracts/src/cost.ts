/**
 * Cost control and sampling (issue #15, items 4 and 5): the tenant's budget and sample rate,
 * what the LLM cost this month, and the estimate of what tagging the backlog would cost.
 */
import { z } from 'zod';

/** Clio's published cost (Anthropic, 2024): $48.81 per 100,000 conversations. */
export const CLIO_USD_PER_1000_CONVERSATIONS = 0.49;

export const updateCostSettingsSchema = z
  .object({
    /** USD per UTC month for this tenant's model calls; null removes the tenant budget. */
    llm_budget_usd_per_month: z.number().min(0).max(1_000_000).nullable(),
    /** Share of conversations to tag, (0, 1]: 0.2 tags a deterministic fifth. */
    sample_rate: z.number().gt(0).max(1),
  })
  .partial()
  .strict()
  .refine((patch) => Object.keys(patch).length > 0, 'give at least one field to change');
export type UpdateCostSettings = z.infer<typeof updateCostSettingsSchema>;

const budgetSchema = z.object({
  limit_usd: z.number().nullable(),
  /** null for the deployment's budget: other tenants' spend is not this tenant's to see. */
  spent_usd: z.number().nullable(),
  /** True once spent ≥ limit: tagging is paused until `resumes_at` or a higher limit. */
  reached: z.boolean(),
});

export const costSummarySchema = z.object({
  month: z.string(),
  spend: z.object({
    usd: z.number(),
    calls: z.number().int(),
    prompt_tokens: z.number().int(),
    completion_tokens: z.number().int(),
    /** Conversations tagged by a model this month (cache hits excluded). */
    tagged_conversations: z.number().int(),
    /** null until a conversation was tagged by a model this month. */
    usd_per_1000_conversations: z.number().nullable(),
    by_task: z.array(
      z.object({
        task: z.string(),
        model: z.string(),
        calls: z.number().int(),
        prompt_tokens: z.number().int(),
        completion_tokens: z.number().int(),
        usd: z.number(),
        unpriced_calls: z.number().int(),
      }),
    ),
  }),
  reference: z.object({ name: z.string(), usd_per_1000_conversations: z.number() }),
  budget: z.object({
    tenant: budgetSchema,
    /** The deployment's budget over every tenant (LLM_BUDGET_USD_PER_MONTH). */
    deployment: budgetSchema,
  }),
  /** `paused_budget` while conversations wait for budget; `active` otherwise. */
  tagging: z.enum(['active', 'paused_budget']),
  paused_conversations: z.number().int(),
  resumes_at: z.string().nullable(),
  sample_rate: z.number(),
  not_sampled_conversations: z.number().int(),
});
export type CostSummary = z.infer<typeof costSummarySchema>;

const estimateLineSchema = z.object({
  task: z.enum(['tag', 'embed', 'name', 'audit']),
  model: z.string(),
  calls: z.number().int(),
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  /** null when the model has no price (LLM_PRICES). */
  usd: z.number().nullable(),
});

export const estimateResponseSchema = z.object({
  /** `offline` when no endpoint is configured: nothing would be sent and nothing costs. */
  provider: z.enum(['openai-compatible', 'offline']),
  backlog: z.object({
    conversations: z.number().int(),
    in_sample: z.number().int(),
    sample_rate: z.number(),
    /** In the sample but stored before token counts existed: estimated from their size. */
    approximated: z.number().int(),
  }),
  lines: z.array(estimateLineSchema),
  total: z.object({
    prompt_tokens: z.number().int(),
    completion_tokens: z.number().int(),
    usd: z.number().nullable(),
  }),
  unpriced_models: z.array(z.string()),
  /** What the numbers assume, in plain words. */
  assumptions: z.array(z.string()),
});
export type EstimateResponse = z.infer<typeof estimateResponseSchema>;
