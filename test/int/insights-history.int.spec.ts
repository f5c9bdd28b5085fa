/**
 * Insights across publications, against real PostgreSQL with the real worker: the failures trend
 * since the previous snapshot, cluster pages that stay on their snapshot, closed weeks frozen
 * (late data goes to the current week), and erasure applied to frozen weeks only in batches that
 * meet the thresholds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failuresResponseSchema } from '@silhouette/contracts';
import { sgdRecords } from '../helpers/datasets';
import { offlineProviders } from '../helpers/providers';
import { call, startStack, type Stack } from '../helpers/stack';

// Two closed ISO weeks: 2025-W10 (users with an even index) and 2025-W11 (odd).
const WEEK_A = '2025-W10';
const WEEK_B = '2025-W11';
const dated = (records: Record<string, unknown>[], at: (index: number) => string) =>
  records.map((record, index) => ({ ...record, started_at: at(index) }));

describe('insights across publications', () => {
  let stack: Stack;
  const get = (path: string) => call(stack, path, { key: stack.tenant.readKey });
  const ingest = async (records: Record<string, unknown>[]) => {
    const response = await call(stack, '/v1/conversations', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: JSON.stringify(records),
    });
    expect(response.body.accepted).toBe(records.length);
    await stack.queue.waitUntilIdle(120_000);
  };
  const publish = async () => {
    await stack.queue.enqueue('cluster-tenant', { tenantId: stack.tenant.tenant.id });
    await stack.queue.waitUntilIdle(120_000);
    return (await get('/v1/insights/overview')).body;
  };
  const erase = async (userIds: string[]) => {
    for (const userId of userIds) {
      const response = await call(stack, '/v1/admin/erasure', {
        method: 'POST',
        key: stack.tenant.adminKey,
        body: JSON.stringify({ user_id: userId }),
      });
      expect(response.status).toBe(202);
    }
    await stack.queue.waitUntilIdle(60_000);
  };
  const week = (overview: any, label: string) =>
    overview.weekly.find((row: any) => row.value === label && !row.isOther);
  const weekTrend = async (label: string) =>
    (await get('/v1/insights/trends?facet=domain&interval=week')).body.buckets.find(
      (bucket: any) => bucket.bucket === label,
    );

  let first: any;
  beforeAll(async () => {
    stack = await startStack({ mode: 'server', worker: true, workerProviders: offlineProviders });
    await ingest(
      dated(sgdRecords(200, 40), (i) =>
        i % 2 === 0
          ? `2025-03-04T10:${String(i % 60).padStart(2, '0')}:00Z`
          : `2025-03-11T10:00:00Z`,
      ),
    );
    first = await publish();
  }, 300_000);
  afterAll(async () => stack?.close());

  it('freezes each closed week once published', async () => {
    expect(first.snapshot.version).toBe(1);
    expect(week(first, WEEK_A)).toMatchObject({ conversations: 100, distinctUsers: 20 });
    expect(week(first, WEEK_B)).toMatchObject({ conversations: 100, distinctUsers: 20 });
    const frozen = await stack.ownerDb.query<{ week: string }>(
      'SELECT week FROM insights.frozen_weeks WHERE tenant_id = $1 ORDER BY week',
      [stack.tenant.tenant.id],
    );
    expect(frozen.rows.map((row) => row.week)).toEqual([WEEK_A, WEEK_B]);
    const marked = await stack.ownerDb.query<{ frozen_week: string; n: number }>(
      `SELECT frozen_week, count(*)::integer AS n FROM sealed.facets WHERE tenant_id = $1
        GROUP BY frozen_week ORDER BY frozen_week`,
      [stack.tenant.tenant.id],
    );
    expect(marked.rows).toEqual([
      { frozen_week: WEEK_A, n: 100 },
      { frozen_week: WEEK_B, n: 100 },
    ]);
  });

  it('gives each failure cluster its trend since the previous snapshot, matched by stable id', async () => {
    const v1 = (await get('/v1/insights/failures?limit=1000')).body;
    expect(failuresResponseSchema.parse(v1)).toEqual(v1);
    expect(v1.previous_snapshot).toBeNull();
    expect(v1.clusters.length).toBeGreaterThan(0);
    for (const cluster of v1.clusters) expect(cluster.trend.status).toBe('no_previous');
    // A page of the base level taken from snapshot 1, continued after snapshot 2 is out.
    const page = (await get('/v1/insights/clusters?level=2&limit=2')).body;
    expect(page.next_cursor).not.toBeNull();

    const second = await publish();
    expect(second.snapshot.version).toBeGreaterThan(1);
    const v2 = (await get('/v1/insights/failures?limit=1000')).body;
    expect(failuresResponseSchema.parse(v2)).toEqual(v2);
    expect(v2.previous_snapshot.version).toBe(second.snapshot.version - 1);
    const before = new Map<string, any>(v1.clusters.map((cluster: any) => [cluster.id, cluster]));
    const statuses = new Set<string>();
    for (const cluster of v2.clusters) {
      statuses.add(cluster.trend.status);
      const previous = before.get(cluster.id);
      if (!previous) {
        expect(['new', 'was_pooled']).toContain(cluster.trend.status);
        continue;
      }
      expect(cluster.trend.status).toBe('compared');
      const impact = cluster.trend.failure_impact_minutes;
      expect(impact.previous).toBe(previous.failure_impact_minutes);
      // A change only between two published figures, never from a hidden one.
      if (cluster.failure_impact_minutes === null || previous.failure_impact_minutes === null)
        expect(impact.change).toBeNull();
      else
        expect(impact.change).toBeCloseTo(
          cluster.failure_impact_minutes - previous.failure_impact_minutes,
          1,
        );
    }
    // Stable ids: the same data re-published matches most clusters.
    expect(statuses.has('compared')).toBe(true);

    const next = (await get(`/v1/insights/clusters?level=2&limit=2&cursor=${page.next_cursor}`))
      .body;
    expect(next.snapshot.version).toBe(1);
    expect(next.clusters.map((c: any) => c.id)).not.toContain(page.clusters[0].id);
  });

  it('keeps frozen weeks as published and counts late conversations in the current week', async () => {
    const trendA = await weekTrend(WEEK_A);
    // 30 conversations dated in the frozen week arrive late, from 10 new people.
    await ingest(
      dated(
        sgdRecords(230, 40)
          .slice(200)
          .map((record, i) => ({ ...record, user_id: `late-${i % 10}` })),
        () => '2025-03-05T09:00:00Z',
      ),
    );
    const after = await publish();
    expect(after.conversations).toBe(230);
    expect(week(after, WEEK_A)).toEqual(week(first, WEEK_A));
    expect(week(after, WEEK_B)).toEqual(week(first, WEEK_B));
    expect(await weekTrend(WEEK_A)).toEqual(trendA);
    const current = after.weekly.filter(
      (row: any) => !row.isOther && row.value !== WEEK_A && row.value !== WEEK_B,
    );
    expect(current).toHaveLength(1);
    expect(current[0].conversations).toBe(30);
  });

  it('applies erasures to a frozen week only once they form a cell above the thresholds', async () => {
    const frozenA = week(first, WEEK_A);
    // Users with an even index wrote week A's conversations (5 each).
    await erase(['user-0', 'user-2']);
    const pending = await stack.ownerDb.query<{ users: number; conversations: number }>(
      'SELECT users, conversations FROM sealed.frozen_week_erasures WHERE tenant_id = $1 AND week = $2',
      [stack.tenant.tenant.id, WEEK_A],
    );
    expect(pending.rows).toEqual([{ users: 2, conversations: 10 }]);
    const twoErased = await publish();
    expect(twoErased.conversations).toBe(220);
    // Two people are fewer than k_users: changing the week would publish their activity.
    expect(week(twoErased, WEEK_A)).toEqual(frozenA);

    await erase(['user-4', 'user-6', 'user-8']);
    const fiveErased = await publish();
    expect(fiveErased.conversations).toBe(205);
    // Recomputed from what is there now: 100 - 25 erased, plus the 30 late ones, which rejoin
    // their own week (the current, open week loses them).
    expect(week(fiveErased, WEEK_A)).toMatchObject({ conversations: 105, distinctUsers: 25 });
    expect(week(fiveErased, WEEK_B)).toEqual(week(first, WEEK_B));
    // Recomputed and frozen again; nothing pending any more.
    const state = await stack.ownerDb.query<{ n: number }>(
      'SELECT count(*)::integer AS n FROM sealed.frozen_week_erasures WHERE tenant_id = $1',
      [stack.tenant.tenant.id],
    );
    expect(state.rows[0]!.n).toBe(0);
    const refrozen = await stack.ownerDb.query<{ figures: any }>(
      'SELECT figures FROM insights.frozen_weeks WHERE tenant_id = $1 AND week = $2',
      [stack.tenant.tenant.id, WEEK_A],
    );
    expect(refrozen.rows[0]!.figures.overview.conversations).toBe(105);
  });
});
