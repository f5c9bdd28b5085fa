/**
 * The budget decision against a real database (PGlite, the real migrations): a tenant's own
 * budget, the deployment's over every tenant, unpriced models, and the month boundary.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEnv } from '@silhouette/config';
import { CostControlRepository, TenantRepository, type Database } from '@silhouette/db';
import { openMigratedDatabase } from '../../../../test/helpers/services';
import { BudgetGuard } from './budget-guard';

describe('budget guard', () => {
  let db: Database;
  let cleanup: () => Promise<void>;
  let acme: string;
  let other: string;
  const env = (budget?: string) =>
    parseEnv({
      LLM_PRICES: JSON.stringify({ priced: { input: 10, output: 20 } }),
      ...(budget ? { LLM_BUDGET_USD_PER_MONTH: budget } : {}),
    });
  const usage = (model: string, promptTokens: number) => ({
    task: 'tag',
    model,
    calls: 1,
    promptTokens,
    completionTokens: 0,
  });

  beforeAll(async () => {
    ({ db, cleanup } = await openMigratedDatabase('pglite'));
    const tenants = new TenantRepository(db);
    acme = (await tenants.insert({ slug: 'acme', name: 'Acme', kUsers: 5, minConversations: 10 }))
      .id;
    other = (
      await tenants.insert({ slug: 'other', name: 'Other', kUsers: 5, minConversations: 10 })
    ).id;
  });
  afterAll(async () => cleanup());

  it('stops a tenant at its own budget, priced from LLM_PRICES', async () => {
    await new CostControlRepository(db).updateSettings(acme, { budgetUsdPerMonth: 1 });
    const guard = new BudgetGuard(db, env());
    expect(await guard.decide(acme)).toEqual({ allowed: true });
    await guard.record(acme, usage('priced', 60_000)); // $0.60
    expect(await guard.decide(acme)).toEqual({ allowed: true });
    await guard.record(acme, usage('priced', 50_000)); // $1.10 in all
    expect(await guard.decide(acme)).toEqual({ allowed: false, reason: 'tenant_budget' });
    expect(await guard.decide(other)).toEqual({ allowed: true });
    const spend = await new CostControlRepository(db).spend(acme);
    expect(spend).toEqual([
      expect.objectContaining({ task: 'tag', model: 'priced', calls: 2, promptTokens: 110_000 }),
    ]);
    expect(spend[0]!.costUsd).toBeCloseTo(1.1, 6);
  });

  it("stops every tenant at the deployment's budget, whoever spent it", async () => {
    const guard = new BudgetGuard(db, env('1.5'));
    expect(await guard.decide(other)).toEqual({ allowed: true });
    await guard.record(other, usage('priced', 50_000)); // $0.50: $1.60 over both tenants
    expect(await guard.decide(other)).toEqual({ allowed: false, reason: 'deployment_budget' });
  });

  it('counts calls of a model without a price, which no budget can stop', async () => {
    const guard = new BudgetGuard(db, env());
    await guard.record(other, usage('unknown-model', 1_000_000));
    const totals = await new CostControlRepository(db).monthTotals(undefined, other);
    expect(totals.unpricedCalls).toBe(1);
    expect(totals.costUsd).toBeCloseTo(0.5, 6);
  });

  it('starts afresh in a new month', async () => {
    const nextMonth = new BudgetGuard(db, env(), () => new Date(Date.now() + 40 * 86_400_000));
    expect(await nextMonth.decide(acme)).toEqual({ allowed: true });
  });
});
