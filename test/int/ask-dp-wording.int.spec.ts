/**
 * A differentially private snapshot's figures are noisy: offline answers say "about" before each
 * (as the dashboard shows ≈), every figure keeps its stored 90% noise interval, the grounding check
 * accepts the published (noisy) value as displayed, and `describe_published_data` states the mode
 * and its guarantee. A threshold snapshot with the same figures is answered without "about". Both
 * engines; the snapshots are written through the repository as a publisher writes them.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InsightsRepository, TenantRepository, type Database } from '@silhouette/db';
import { AskService } from '../../libs/analyst/src';
import { openMigratedDatabase, type Engine } from '../helpers/services';

const WEEKS = ['2026-W44', '2026-W45', '2026-W46', '2026-W47'];
const GUARANTEE =
  'Every figure is published with user-level differential privacy: everything published in a calendar month is (ε = 4, δ = 1e-7)-differentially private.';

function overview(dp: boolean, sampled = false): Record<string, unknown> {
  const week = (value: string, i: number) => ({
    value,
    isOther: false,
    conversations: 101 + i * 7,
    distinctUsers: 23,
    minutesSavedTotal: 803.4 + i,
    ...(dp
      ? {
          noise: {
            conversations: { low: 95 + i * 7, high: 107 + i * 7 },
            minutes_saved: { low: 760 + i, high: 846 + i },
          },
        }
      : {}),
  });
  return {
    published: true,
    thresholds: { k_users: 5, min_conversations: 10 },
    conversations: 1234,
    distinct_users: 57,
    minutes_saved: {
      total: 8803.6,
      total_low: 8411,
      total_high: 9196,
      mean: 7.1,
      mean_low: 6.8,
      mean_high: 7.5,
    },
    resolution_rate: 0.7312,
    failure_rate: 0.1842,
    levels: 1,
    weekly: WEEKS.map(week),
    ...(sampled
      ? {
          sample: { rate: 0.5, sampled: 617, population: 1234, factor: 2, method: 'scaled' },
          sampling: {
            conversations: { low: 1180, high: 1290 },
            minutes_saved: { low: 8100, high: 9500 },
          },
        }
      : {}),
    ...(dp
      ? {
          noise: {
            conversations: { low: 1219, high: 1249 },
            distinct_users: { low: 51, high: 63 },
            minutes_saved: { low: 8411, high: 9196 },
          },
          privacy: {
            mode: 'dp',
            epsilon_cap: 4,
            delta: 1e-7,
            epsilon_spent: 1.2,
            period: { start: '2026-12-01T00:00:00.000Z', end: '2027-01-01T00:00:00.000Z' },
            guarantee: GUARANTEE,
          },
        }
      : {}),
  };
}

async function publish(db: Database, slug: string, dp: boolean, sampled = false): Promise<string> {
  const tenant = await new TenantRepository(db).insert({
    slug,
    name: slug,
    kUsers: 5,
    minConversations: 10,
  });
  await db.transaction((tx) =>
    new InsightsRepository(tx).save({
      tenantId: tenant.id,
      runId: randomUUID(),
      periodStart: null,
      periodEnd: null,
      overview: overview(dp, sampled),
      evidence: {
        schemaVersion: 2,
        thresholds: { kUsers: 5, minConversations: 10 },
        cells: { published: 5, suppressed: 0, byReason: {}, byScope: {} },
        suppressedByScope: [],
        textGate: { checked: 0, rejected: 0, byReason: {} },
        models: { tagger: 't', taggerPromptVersion: '1', embedder: 'e' },
        generatedAt: new Date().toISOString(),
      },
      clusters: [],
      breakdowns: [],
      trends: [],
    }),
  );
  return tenant.id;
}

describe.each(['pglite', 'postgres'] as Engine[])('ask over a dp snapshot (%s)', (engine) => {
  let db: Database;
  let cleanup: () => Promise<void>;
  let dpTenant: string;
  let thresholdTenant: string;
  let sampledTenant: string;
  let service: AskService;

  beforeAll(async () => {
    ({ db, cleanup } = await openMigratedDatabase(engine));
    dpTenant = await publish(db, 'noisy', true);
    thresholdTenant = await publish(db, 'exact', false);
    sampledTenant = await publish(db, 'sampled', false, true);
    service = new AskService({ db });
  }, 60_000);
  afterAll(async () => cleanup?.());

  it('says "about" before noisy figures and keeps their stored noise intervals', async () => {
    const answer = await service.ask(dpTenant, 'How many conversations were there?');
    expect(answer.status).toBe('answered');
    expect(answer.answer).toContain('about 1,234 conversations');
    const figure = answer.figures.find((f) => f.value === 1234)!;
    expect(figure.interval).toEqual({ low: 1219, high: 1249 });

    const people = await service.ask(dpTenant, 'How many people used it?');
    expect(people.answer).toContain('about 57 distinct people');
    expect(people.figures.find((f) => f.value === 57)?.interval).toEqual({ low: 51, high: 63 });

    const saved = await service.ask(dpTenant, 'How much time did it save?');
    expect(saved.answer).toMatch(/about 8,804 minutes \(90% interval 8,411 to 9,196 minutes\)/);

    const rate = await service.ask(dpTenant, 'What is the failure rate?');
    expect(rate.answer).toContain('about 18.4%');

    // A period: sums of noisy weekly cells are noisy too.
    const period = await service.ask(dpTenant, 'How many conversations in the last 2 weeks?');
    expect(period.status).toBe('answered');
    expect(period.answer).toContain(`about ${(115 + 122).toLocaleString('en-US')} conversations`);
  });

  it('states the privacy mode and its guarantee when asked what the data holds', async () => {
    const session = await service.session(dpTenant);
    const result = await session.call('describe_published_data', {});
    expect(result.ok).toBe(true);
    const output = (result as { output: Record<string, unknown> }).output;
    expect(output['privacy_mode']).toBe('dp');
    expect(output['guarantee']).toBe(GUARANTEE);
    const exact = await service.session(thresholdTenant);
    const plain = await exact.call('describe_published_data', {});
    expect((plain as { output: Record<string, unknown> }).output['privacy_mode']).toBe('threshold');
  });

  it('says "about" for a sampled tenant\'s scaled figures, with their sampling intervals', async () => {
    const answer = await service.ask(sampledTenant, 'How many conversations were there?');
    expect(answer.status).toBe('answered');
    expect(answer.answer).toContain('about 1,234 conversations');
    expect(answer.figures.find((f) => f.value === 1234)?.interval).toEqual({
      low: 1180,
      high: 1290,
    });
  });

  it('answers a threshold snapshot with exact figures, without "about"', async () => {
    const answer = await service.ask(thresholdTenant, 'How many conversations were there?');
    expect(answer.status).toBe('answered');
    expect(answer.answer).toContain('1,234 conversations');
    expect(answer.answer).not.toMatch(/about/);
    expect(answer.figures.find((f) => f.value === 1234)?.interval).toBeNull();
  });
});
