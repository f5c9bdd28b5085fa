/**
 * Cost control in the worker (issue #15, item 4): whether a tenant may send another tagging call
 * this month, under its own budget and the deployment's (`LLM_BUDGET_USD_PER_MONTH`), and what a
 * model call cost, recorded per tenant, month, task and model.
 *
 * The check reads the month's recorded spend; calls already in flight when the budget is reached
 * still finish, so spend can pass a budget by at most the calls in flight (TAG_CONCURRENCY per
 * worker). Settings and spend are cached for a second: the check runs before every tagging job.
 */
import { llmPrices, type Env } from '@silhouette/config';
import {
  CostControlRepository,
  spendMonth,
  type Queryable,
  type TenantCostSettings,
} from '@silhouette/db';

export type BudgetDecision =
  { allowed: true } | { allowed: false; reason: 'tenant_budget' | 'deployment_budget' };

export interface ModelUsage {
  task: string;
  model: string;
  calls: number;
  promptTokens: number;
  completionTokens: number;
}

// A changed budget or sample rate applies within a second.
const SETTINGS_TTL_MS = 1_000;
const SPEND_TTL_MS = 1_000;

export class BudgetGuard {
  private readonly settingsCache = new Map<string, { at: number; value: TenantCostSettings }>();
  private readonly spendCache = new Map<string, { at: number; usd: number }>();
  private readonly prices: ReturnType<typeof llmPrices>;

  constructor(
    private readonly db: Queryable,
    private readonly env: Pick<Env, 'LLM_BUDGET_USD_PER_MONTH' | 'LLM_PRICES'>,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.prices = llmPrices(env);
  }

  /** The tenant's budget and sample rate (cached briefly: they change rarely). */
  async settings(tenantId: string): Promise<TenantCostSettings> {
    const cached = this.settingsCache.get(tenantId);
    if (cached && Date.now() - cached.at < SETTINGS_TTL_MS) return cached.value;
    const value = await new CostControlRepository(this.db).settings(tenantId);
    this.settingsCache.set(tenantId, { at: Date.now(), value });
    return value;
  }

  async decide(tenantId: string): Promise<BudgetDecision> {
    const deploymentBudget = this.env.LLM_BUDGET_USD_PER_MONTH;
    if (deploymentBudget !== undefined && (await this.spent(undefined)) >= deploymentBudget)
      return { allowed: false, reason: 'deployment_budget' };
    const { budgetUsdPerMonth } = await this.settings(tenantId);
    if (budgetUsdPerMonth !== null && (await this.spent(tenantId)) >= budgetUsdPerMonth)
      return { allowed: false, reason: 'tenant_budget' };
    return { allowed: true };
  }

  /** Records what a call cost (undefined cost: the model has no price, counted as unpriced). */
  async record(tenantId: string, usage: ModelUsage): Promise<void> {
    if (usage.calls === 0 && usage.promptTokens === 0 && usage.completionTokens === 0) return;
    const price = this.prices[usage.model];
    const costUsd = price
      ? (usage.promptTokens * price.input + usage.completionTokens * price.output) / 1_000_000
      : undefined;
    await new CostControlRepository(this.db).recordSpend(
      tenantId,
      { ...usage, costUsd },
      this.now(),
    );
    // The next decision must see this spend.
    this.spendCache.delete(tenantId);
    this.spendCache.delete('*');
  }

  /** Forgets what is cached for the tenant: the reconciler decides on fresh figures. */
  forget(tenantId: string): void {
    this.settingsCache.delete(tenantId);
    this.spendCache.delete(tenantId);
    this.spendCache.delete('*');
  }

  private async spent(tenantId: string | undefined): Promise<number> {
    const key = tenantId ?? '*';
    const cached = this.spendCache.get(key);
    if (cached && Date.now() - cached.at < SPEND_TTL_MS) return cached.usd;
    const totals = await new CostControlRepository(this.db).monthTotals(
      spendMonth(this.now()),
      tenantId,
    );
    this.spendCache.set(key, { at: Date.now(), usd: totals.costUsd });
    return totals.costUsd;
  }
}

const guards = new WeakMap<object, BudgetGuard>();

/**
 * One guard per worker (per deps object): the reconciler that resumes a tenant and the tag jobs
 * that follow must see the same, freshly read settings.
 */
export function budgetGuardFor(deps: {
  db: Queryable;
  env: Pick<Env, 'LLM_BUDGET_USD_PER_MONTH' | 'LLM_PRICES'>;
}): BudgetGuard {
  let guard = guards.get(deps);
  if (!guard) {
    guard = new BudgetGuard(deps.db, deps.env);
    guards.set(deps, guard);
  }
  return guard;
}
