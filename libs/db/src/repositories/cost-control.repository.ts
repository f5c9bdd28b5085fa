/**
 * Cost control (issue #15, items 4 and 5), control plane: each tenant's monthly LLM budget and
 * sample rate, and what the LLM cost per tenant, UTC month, task and model. Numbers only: the
 * API reads them for the cost view and the estimate, the worker writes spend and pauses tagging
 * on them.
 */
import type { Queryable } from '../database';

export interface TenantCostSettings {
  /** USD per UTC month; null: no tenant budget. */
  budgetUsdPerMonth: number | null;
  /** Share of conversations tagged, in (0, 1]. */
  sampleRate: number;
}

export const DEFAULT_COST_SETTINGS: TenantCostSettings = { budgetUsdPerMonth: null, sampleRate: 1 };

export interface SpendRow {
  task: string;
  model: string;
  calls: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  unpricedCalls: number;
}

export interface SpendTotals {
  calls: number;
  promptTokens: number;
  completionTokens: number;
  costUsd: number;
  unpricedCalls: number;
}

/** The first day of `at`'s UTC month, as `YYYY-MM-DD` (the key of `app.llm_spend`). */
export function spendMonth(at: Date = new Date()): string {
  return `${at.getUTCFullYear()}-${String(at.getUTCMonth() + 1).padStart(2, '0')}-01`;
}

/** The first instant of the UTC month after `at`'s: when a spent budget frees up again. */
export function nextSpendMonth(at: Date = new Date()): Date {
  return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth() + 1, 1));
}

const numberOf = (value: unknown): number => Number(value ?? 0);

export class CostControlRepository {
  constructor(private readonly db: Queryable) {}

  async settings(tenantId: string): Promise<TenantCostSettings> {
    const result = await this.db.query<{
      llm_budget_usd_per_month: number | string | null;
      sample_rate: number | string;
    }>(
      'SELECT llm_budget_usd_per_month, sample_rate FROM app.tenant_cost_settings WHERE tenant_id = $1',
      [tenantId],
    );
    const row = result.rows[0];
    if (!row) return { ...DEFAULT_COST_SETTINGS };
    return {
      budgetUsdPerMonth:
        row.llm_budget_usd_per_month === null ? null : Number(row.llm_budget_usd_per_month),
      sampleRate: Number(row.sample_rate),
    };
  }

  /** Sets the given fields (`budgetUsdPerMonth: null` removes the tenant budget). */
  async updateSettings(
    tenantId: string,
    changes: Partial<TenantCostSettings>,
  ): Promise<TenantCostSettings> {
    await this.db.query(
      `INSERT INTO app.tenant_cost_settings (tenant_id, llm_budget_usd_per_month, sample_rate)
       VALUES ($1, CASE WHEN $2::boolean THEN $3::double precision END, coalesce($4::double precision, 1))
       ON CONFLICT (tenant_id) DO UPDATE SET
         llm_budget_usd_per_month = CASE WHEN $2::boolean THEN $3::double precision
                                         ELSE app.tenant_cost_settings.llm_budget_usd_per_month END,
         sample_rate = coalesce($4::double precision, app.tenant_cost_settings.sample_rate),
         updated_at = now()`,
      [
        tenantId,
        changes.budgetUsdPerMonth !== undefined,
        changes.budgetUsdPerMonth ?? null,
        changes.sampleRate ?? null,
      ],
    );
    return this.settings(tenantId);
  }

  /** Adds one batch of calls to the month's row of (tenant, task, model). */
  async recordSpend(
    tenantId: string,
    entry: {
      task: string;
      model: string;
      calls: number;
      promptTokens: number;
      completionTokens: number;
      /** undefined: the model has no price (counted as unpriced calls). */
      costUsd: number | undefined;
    },
    at: Date = new Date(),
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO app.llm_spend AS s (tenant_id, month, task, model, calls, prompt_tokens,
              completion_tokens, cost_usd, unpriced_calls)
       VALUES ($1, $2::date, $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (tenant_id, month, task, model) DO UPDATE SET
         calls = s.calls + EXCLUDED.calls,
         prompt_tokens = s.prompt_tokens + EXCLUDED.prompt_tokens,
         completion_tokens = s.completion_tokens + EXCLUDED.completion_tokens,
         cost_usd = s.cost_usd + EXCLUDED.cost_usd,
         unpriced_calls = s.unpriced_calls + EXCLUDED.unpriced_calls`,
      [
        tenantId,
        spendMonth(at),
        entry.task,
        entry.model,
        entry.calls,
        entry.promptTokens,
        entry.completionTokens,
        entry.costUsd ?? 0,
        entry.costUsd === undefined ? entry.calls : 0,
      ],
    );
  }

  /** A tenant's spend in one month, per task and model. */
  async spend(tenantId: string, month: string = spendMonth()): Promise<SpendRow[]> {
    const result = await this.db.query<{
      task: string;
      model: string;
      calls: number;
      prompt_tokens: number | string;
      completion_tokens: number | string;
      cost_usd: number | string;
      unpriced_calls: number;
    }>(
      `SELECT task, model, calls, prompt_tokens, completion_tokens, cost_usd, unpriced_calls
         FROM app.llm_spend WHERE tenant_id = $1 AND month = $2::date ORDER BY task, model`,
      [tenantId, month],
    );
    return result.rows.map((row) => ({
      task: row.task,
      model: row.model,
      calls: numberOf(row.calls),
      promptTokens: numberOf(row.prompt_tokens),
      completionTokens: numberOf(row.completion_tokens),
      costUsd: numberOf(row.cost_usd),
      unpricedCalls: numberOf(row.unpriced_calls),
    }));
  }

  /** One tenant's month total, or the whole deployment's (every tenant) without `tenantId`. */
  async monthTotals(month: string = spendMonth(), tenantId?: string): Promise<SpendTotals> {
    const result = await this.db.query<{
      calls: number | string | null;
      prompt_tokens: number | string | null;
      completion_tokens: number | string | null;
      cost_usd: number | string | null;
      unpriced_calls: number | string | null;
    }>(
      `SELECT sum(calls) AS calls, sum(prompt_tokens) AS prompt_tokens,
              sum(completion_tokens) AS completion_tokens, sum(cost_usd) AS cost_usd,
              sum(unpriced_calls) AS unpriced_calls
         FROM app.llm_spend WHERE month = $1::date AND ($2::uuid IS NULL OR tenant_id = $2)`,
      [month, tenantId ?? null],
    );
    const row = result.rows[0];
    return {
      calls: numberOf(row?.calls),
      promptTokens: numberOf(row?.prompt_tokens),
      completionTokens: numberOf(row?.completion_tokens),
      costUsd: numberOf(row?.cost_usd),
      unpricedCalls: numberOf(row?.unpriced_calls),
    };
  }

  /**
   * What tagging a tenant's backlog would send, in numbers: the API cannot read sealed rows,
   * so a definer function counts them (0022_alerts_and_cost_control.sql).
   */
  async backlog(
    tenantId: string,
    sampleRate: number,
    maxConversationTokens: number,
  ): Promise<BacklogFigures> {
    const result = await this.db.query<Record<string, number | string | null>>(
      'SELECT * FROM intake.backlog_estimate($1, $2, $3)',
      [tenantId, sampleRate, maxConversationTokens],
    );
    const row = result.rows[0] ?? {};
    return {
      backlog: numberOf(row['backlog']),
      inSample: numberOf(row['in_sample']),
      measured: numberOf(row['measured']),
      measuredTokens: numberOf(row['measured_tokens']),
      unmeasured: numberOf(row['unmeasured']),
      unmeasuredTokens: numberOf(row['unmeasured_tokens']),
      tagged: numberOf(row['tagged']),
      meanCompletionTokens:
        row['mean_completion_tokens'] === null || row['mean_completion_tokens'] === undefined
          ? null
          : Number(row['mean_completion_tokens']),
    };
  }

  async embeddingTexts(tenantId: string): Promise<EmbeddingFigures> {
    const result = await this.db.query<Record<string, number | string | null>>(
      'SELECT * FROM intake.embedding_estimate($1)',
      [tenantId],
    );
    const row = result.rows[0] ?? {};
    return { texts: numberOf(row['texts']), textTokens: numberOf(row['text_tokens']) };
  }
}

/** The texts a clustering run would embed now, as `intake.embedding_estimate` counts them. */
export interface EmbeddingFigures {
  /** Tagged conversations: one "task; use case; goal" text each. */
  texts: number;
  /** Their tokens, estimated as libs/llm `estimateTokens` does. */
  textTokens: number;
}

/** The backlog as `intake.backlog_estimate` counts it. */
export interface BacklogFigures {
  /** Conversations not tagged yet (accepted, waiting for idle, paused, failed). */
  backlog: number;
  /** Of those, inside the tenant's sample: what tagging would send. */
  inSample: number;
  /** In the sample with an ingest-time token count, and the sum of those counts. */
  measured: number;
  measuredTokens: number;
  /** In the sample, stored before token counts existed: approximated from their size. */
  unmeasured: number;
  unmeasuredTokens: number;
  /** Facet rows already written (the clustering estimate covers them too). */
  tagged: number;
  /** Mean completion tokens of the tenant's model answers so far; null before the first. */
  meanCompletionTokens: number | null;
}
