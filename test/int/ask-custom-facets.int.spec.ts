/**
 * The analyst's facets come from what a snapshot publishes, not from a list in its code: a custom
 * facet (issue #15, published as `custom:<key>` breakdown and trend rows) is listed by
 * `describe_published_data`, ranked by `get_breakdown` and followed by `get_trend`, with no change
 * to the analyst. Both engines; the snapshot is written through the repository as a publisher
 * writes it.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  InsightsRepository,
  TenantRepository,
  type Database,
  type PublishedTrendRow,
} from '@silhouette/db';
import { AskService } from '../../libs/analyst/src';
import { openMigratedDatabase, type Engine } from '../helpers/services';

const WEEKS = ['2026-W45', '2026-W46', '2026-W47', '2026-W48'];
const FACET = 'custom:priority';

describe.each(['pglite', 'postgres'] as Engine[])('ask over a custom facet (%s)', (engine) => {
  let db: Database;
  let cleanup: () => Promise<void>;
  let tenantId: string;
  let service: AskService;

  beforeAll(async () => {
    ({ db, cleanup } = await openMigratedDatabase(engine));
    tenantId = (
      await new TenantRepository(db).insert({
        slug: 'facets',
        name: 'Facets',
        kUsers: 5,
        minConversations: 10,
      })
    ).id;
    const row = (value: string, conversations: number) => ({
      facet: FACET,
      value,
      isOther: false,
      conversations,
      distinctUsers: 9,
      minutesSavedTotal: conversations * 6,
    });
    const trends: PublishedTrendRow[] = WEEKS.flatMap((bucket, i) => [
      { ...row('urgent', 20 + i * 10), interval: 'week' as const, bucket },
      { ...row('routine', 40), interval: 'week' as const, bucket },
    ]);
    await db.transaction((tx) =>
      new InsightsRepository(tx).save({
        tenantId,
        runId: randomUUID(),
        periodStart: null,
        periodEnd: null,
        overview: {
          published: true,
          thresholds: { k_users: 5, min_conversations: 10 },
          conversations: 300,
          distinct_users: 30,
          levels: 1,
        },
        evidence: {
          schemaVersion: 2,
          thresholds: { kUsers: 5, minConversations: 10 },
          cells: { published: 4, suppressed: 0, byReason: {}, byScope: {} },
          suppressedByScope: [],
          textGate: { checked: 0, rejected: 0, byReason: {} },
          models: { tagger: 't', taggerPromptVersion: '1', embedder: 'e' },
          generatedAt: new Date().toISOString(),
        },
        clusters: [],
        breakdowns: [row('urgent', 130), row('routine', 160)],
        trends,
      }),
    );
    service = new AskService({ db });
  }, 60_000);
  afterAll(async () => cleanup?.());

  it('lists, ranks and follows a facet it has no code for', async () => {
    const session = await service.session(tenantId);
    const described = await session.call('describe_published_data', {});
    expect(described.ok && described.output['breakdown_facets']).toContain(FACET);
    expect(described.ok && described.output['trend_series']).toContain(`${FACET}/week`);

    const breakdown = await session.call('get_breakdown', { facet: FACET });
    expect(breakdown.ok).toBe(true);
    const rows = (
      breakdown as unknown as { output: { rows: { value: string; conversations: number }[] } }
    ).output.rows;
    expect(rows.map((r) => [r.value, r.conversations])).toEqual([
      ['routine', 160],
      ['urgent', 130],
    ]);

    const trend = await session.call('get_trend', { facet: FACET, value: 'urgent' });
    expect(trend.ok, trend.ok ? '' : trend.error).toBe(true);
    const series = (trend as unknown as { output: { values: { direction: string }[] } }).output
      .values[0]!;
    expect(series.direction).toBe('up');

    const unknown = await session.call('get_breakdown', { facet: 'custom:nothing' });
    expect(unknown.ok).toBe(false);
    expect(!unknown.ok && unknown.error).toMatch(/custom:priority/);
  });
});
