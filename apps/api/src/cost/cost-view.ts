/**
 * The tenant's cost view and backlog estimate (issue #15, item 4), shared by the API
 * (`GET /v1/cost`, `GET /v1/admin/estimate`) and the CLI (`silhouette estimate`). Reads numbers
 * only: the spend table, the budget settings, and the backlog's counts through a definer
 * function (the API has no grants on the sealed schema).
 */
import { embeddingsFromEndpoint, llmConfigured, llmPrices, type Env } from '@silhouette/config';
import {
  CLIO_USD_PER_1000_CONVERSATIONS,
  type CostSummary,
  type EstimateResponse,
} from '@silhouette/contracts';
import {
  CostControlRepository,
  nextSpendMonth,
  PipelineStatusRepository,
  spendMonth,
  type Queryable,
} from '@silhouette/db';
import { DEFAULT_MAX_CONVERSATION_TOKENS, estimateLlmCost } from '@silhouette/llm';

const round = (value: number, digits = 6) => Math.round(value * 10 ** digits) / 10 ** digits;

export async function costSummary(
  db: Queryable,
  env: Env,
  tenantId: string,
  now: Date = new Date(),
): Promise<CostSummary> {
  const repository = new CostControlRepository(db);
  const month = spendMonth(now);
  const [settings, rows, tenantTotals, deploymentTotals, status] = await Promise.all([
    repository.settings(tenantId),
    repository.spend(tenantId, month),
    repository.monthTotals(month, tenantId),
    repository.monthTotals(month),
    new PipelineStatusRepository(db).forTenant(tenantId),
  ]);
  const taggedByModel = rows
    .filter((row) => row.task === 'tag')
    .reduce((sum, row) => sum + row.calls, 0);
  const tenantLimit = settings.budgetUsdPerMonth;
  const deploymentLimit = env.LLM_BUDGET_USD_PER_MONTH ?? null;
  const tenantReached = tenantLimit !== null && tenantTotals.costUsd >= tenantLimit;
  const deploymentReached = deploymentLimit !== null && deploymentTotals.costUsd >= deploymentLimit;
  // Paused while conversations wait, or while a model is in use and a budget is spent.
  const paused =
    status.pausedBudget > 0 || (llmConfigured(env) && (tenantReached || deploymentReached));
  return {
    month: month.slice(0, 7),
    spend: {
      usd: round(tenantTotals.costUsd),
      calls: tenantTotals.calls,
      prompt_tokens: tenantTotals.promptTokens,
      completion_tokens: tenantTotals.completionTokens,
      tagged_conversations: taggedByModel,
      usd_per_1000_conversations:
        taggedByModel > 0 ? round((tenantTotals.costUsd / taggedByModel) * 1000, 4) : null,
      by_task: rows.map((row) => ({
        task: row.task,
        model: row.model,
        calls: row.calls,
        prompt_tokens: row.promptTokens,
        completion_tokens: row.completionTokens,
        usd: round(row.costUsd),
        unpriced_calls: row.unpricedCalls,
      })),
    },
    reference: {
      name: 'Clio (Anthropic, 2024)',
      usd_per_1000_conversations: CLIO_USD_PER_1000_CONVERSATIONS,
    },
    budget: {
      tenant: {
        limit_usd: tenantLimit,
        spent_usd: round(tenantTotals.costUsd),
        reached: tenantReached,
      },
      // The deployment's total is the operator's figure; a tenant sees only whether it is reached.
      deployment: {
        limit_usd: deploymentLimit,
        spent_usd: null,
        reached: deploymentReached,
      },
    },
    tagging: paused ? 'paused_budget' : 'active',
    paused_conversations: status.pausedBudget,
    resumes_at: paused ? nextSpendMonth(now).toISOString() : null,
    sample_rate: settings.sampleRate,
    not_sampled_conversations: status.notSampled,
  };
}

export async function backlogEstimate(
  db: Queryable,
  env: Env,
  tenantId: string,
): Promise<EstimateResponse> {
  const repository = new CostControlRepository(db);
  const settings = await repository.settings(tenantId);
  const backlog = await repository.backlog(
    tenantId,
    settings.sampleRate,
    DEFAULT_MAX_CONVERSATION_TOKENS,
  );
  const online = llmConfigured(env);
  const embedded = embeddingsFromEndpoint(env)
    ? await repository.embeddingTexts(tenantId)
    : undefined;
  const estimate = estimateLlmCost({
    conversationsToTag: online ? backlog.inSample : 0,
    conversationTokens: online ? backlog.measuredTokens + backlog.unmeasuredTokens : 0,
    alreadyTagged: online ? backlog.tagged : 0,
    meanCompletionTokens: backlog.meanCompletionTokens,
    models: { tag: env.TAG_MODEL, name: env.NAME_MODEL, audit: env.AUDIT_MODEL },
    prices: llmPrices(env),
    levels: env.CLUSTER_LEVELS,
    topK: env.CLUSTER_TOP_K,
    ...(embedded
      ? {
          embedding: {
            model: env.EMBEDDING_MODEL,
            taggedTexts: embedded.texts,
            taggedTextTokens: embedded.textTokens,
            backlogTexts: backlog.inSample,
          },
        }
      : {}),
  });
  const assumptions = [
    'Tagging: one call per conversation in the sample, its prompt counted at ingest as the tagger builds it (system and tool messages clipped, long conversations cut from the middle) with an estimate of about 4 characters per token, plus the fixed instructions and schema.',
    backlog.meanCompletionTokens === null
      ? 'Answers: a typical facet answer length, until this tenant has model answers to average.'
      : "Answers: this tenant's mean answer length so far.",
    'Naming and auditing: one full clustering run over every tagged conversation, from its usual structure (about 30 conversations per base cluster); an order of magnitude, not a count.',
    embedded
      ? embedded.texts > 0
        ? "Embeddings: one full clustering run's texts (task; use case; goal): those already tagged as counted, the backlog's at their mean length (runs between full runs embed only new conversations)."
        : "Embeddings: one full clustering run's texts (task; use case; goal) at a typical length, until this tenant has tagged conversations to measure."
      : 'Embeddings: the offline embedder, nothing sent.',
    'The response cache may make re-runs cheaper.',
  ];
  if (backlog.unmeasured > 0)
    assumptions.push(
      `${backlog.unmeasured} conversations were stored before token counts were kept: estimated from their size.`,
    );
  if (!online)
    assumptions.unshift(
      'No model endpoint is configured: the offline providers tag and name for free.',
    );
  return {
    provider: online ? 'openai-compatible' : 'offline',
    backlog: {
      conversations: backlog.backlog,
      in_sample: backlog.inSample,
      sample_rate: settings.sampleRate,
      approximated: backlog.unmeasured,
    },
    lines: estimate.lines.map((line) => ({
      task: line.task,
      model: line.model,
      calls: line.calls,
      prompt_tokens: line.promptTokens,
      completion_tokens: line.completionTokens,
      usd: line.usd === null ? null : round(line.usd),
    })),
    total: {
      prompt_tokens: estimate.total.promptTokens,
      completion_tokens: estimate.total.completionTokens,
      usd: estimate.total.usd === null ? null : round(estimate.total.usd),
    },
    unpriced_models: estimate.unpricedModels,
    assumptions,
  };
}
