/**
 * Issue #15 in dp mode (the default publication of #11), both storage modes: an enum and a boolean
 * custom facet, answered offline by the admin's keyword rules, are released through the privacy
 * ledger as noisy cells of their fixed vocabulary and published as breakdowns with noise intervals;
 * no shown cell has a noisy people count under k_users; a value outside the definition is never a
 * key; and the issues map, per-cluster custom aggregates and custom trends come from released
 * cells only, none shown under k_users (issues-map-dp.int.spec.ts checks them in depth).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { breakdownResponseSchema, mapResponseSchema } from '@silhouette/contracts';
import { latestSnapshotDocument } from '../../apps/api/src/insights/snapshot-document';
import { sgdRecords } from '../helpers/datasets';
import { offlineProviders } from '../helpers/providers';
import { call, startStack, type Stack } from '../helpers/stack';

const WEEK_MS = 7 * 86_400_000;
const AREAS = ['dining', 'travel', 'events'];

/** SGD records over the four weeks before this one and this one. */
function spreadRecords(count: number, users: number) {
  const now = Date.now();
  return sgdRecords(count, users).map((record, index) => ({
    ...record,
    started_at: new Date(
      now - (Math.floor(index / users) % 5) * WEEK_MS - (index % 89) * 60_000,
    ).toISOString(),
  }));
}

describe.each(['embedded', 'server'] as const)('custom facets in dp mode (%s)', (mode) => {
  let stack: Stack;
  const get = (path: string) =>
    // A kept-alive socket may have been closed by the server during a long publication: retry.
    call(stack, path, { key: stack.tenant.readKey }).catch(() =>
      call(stack, path, { key: stack.tenant.readKey }),
    );

  beforeAll(async () => {
    stack = await startStack({
      mode,
      worker: true,
      workerProviders: offlineProviders,
      env: { PRIVACY_MODE: 'dp', PUBLISH_INTERVAL_S: '3600', DP_EPSILON_PER_MONTH: '60' },
    });
    for (const body of [
      {
        key: 'area',
        question: 'Which area?',
        type: 'enum',
        values: AREAS,
        rules: {
          dining: ['restaurant', 'table', 'dinner', 'lunch'],
          travel: ['flight', 'bus', 'train', 'hotel', 'car', 'trip'],
          events: ['concert', 'event', 'movie', 'show'],
        },
      },
      {
        key: 'booking',
        question: 'Did they book?',
        type: 'boolean',
        rules: { true: ['book', 'reserve', 'reservation'] },
      },
    ]) {
      const created = await call(stack, '/v1/admin/facets', {
        method: 'POST',
        key: stack.tenant.adminKey,
        body: JSON.stringify(body),
      });
      expect(created.status, created.text).toBe(201);
    }
    const response = await call(stack, '/v1/conversations', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: JSON.stringify(spreadRecords(500, 50)),
    });
    expect(response.body.accepted).toBe(500);
    await stack.queue.waitUntilIdle(180_000);
    await stack.queue.enqueue('cluster-tenant', {
      tenantId: stack.tenant.tenant.id,
      release: 'requested',
    });
    await stack.queue.waitUntilIdle(300_000);
  }, 600_000);
  afterAll(async () => stack?.close());

  it('publishes each facet as noisy parts of its vocabulary, every shown cell over k_users', async () => {
    const k = stack.env.K_USERS;
    for (const [facet, vocabulary] of [
      ['custom:area', AREAS],
      ['custom:booking', ['yes', 'no']],
    ] as const) {
      const response = await get(`/v1/insights/breakdown?facet=${facet}`);
      expect(response.status, response.text).toBe(200);
      const body = breakdownResponseSchema.parse(response.body);
      expect(body.snapshot.privacy_mode).toBe('dp');
      const named = body.rows.filter((row) => !row.is_other);
      expect(named.length).toBeGreaterThan(0);
      for (const row of body.rows) expect(row.distinct_users).toBeGreaterThanOrEqual(k);
      for (const row of named) {
        expect([...vocabulary, '(not set)']).toContain(row.value);
        // A noisy figure comes with the 90% interval of its released cell (the shown value is
        // then made consistent with the total, so it may sit outside it).
        const band = row.noise!.conversations!;
        expect(band.high).toBeGreaterThan(band.low);
      }
      // The export shows the same stored noisy values as the API.
      const document = (await latestSnapshotDocument(stack.apiDb, stack.tenant.tenant.id))!;
      for (const row of named)
        expect(
          document.breakdowns.find((b) => b.facet === facet && b.value === row.value)
            ?.conversations,
        ).toBe(row.conversations);
    }
  });

  it('releases cells only under keys the definition names, charged to the ledger', async () => {
    const cells = await stack.ownerDb.query<{ family: string; key: string; sigma: object }>(
      `SELECT family, key, sigma FROM insights.dp_cells
        WHERE tenant_id = $1 AND family LIKE 'facet/custom:%'`,
      [stack.tenant.tenant.id],
    );
    const keys = (family: string) =>
      new Set(cells.rows.filter((row) => row.family === family).map((row) => row.key));
    expect(
      [...keys('facet/custom:area')].every((key) => [...AREAS, '(not set)'].includes(key)),
    ).toBe(true);
    expect([...keys('facet/custom:booking')].sort()).toEqual(
      expect.arrayContaining(['(not set)', 'yes']),
    );
    expect(cells.rows.every((row) => Object.keys(row.sigma).includes('conversations'))).toBe(true);
    // The facet's σ is in the publication's ledger entry, like every released figure.
    const ledger = await stack.ownerDb.query<{ parameters: { sigma: Record<string, object> } }>(
      'SELECT parameters FROM insights.privacy_ledger WHERE tenant_id = $1',
      [stack.tenant.tenant.id],
    );
    const families = ledger.rows.flatMap((row) =>
      Object.values(row.parameters.sigma).flatMap((week) => Object.keys(week)),
    );
    expect(families).toContain('facet/custom:area');
  });

  it('publishes the map, per-cluster parts and trends from released cells only, none under k_users', async () => {
    const k = stack.env.K_USERS;
    const map = await get('/v1/insights/map?name=issues');
    expect(map.status).toBe(200);
    for (const cluster of mapResponseSchema.parse(map.body).clusters) {
      expect(cluster.distinct_users).toBeGreaterThanOrEqual(k);
      if (!cluster.is_other) expect(cluster.noise?.['conversations']).toBeDefined();
    }
    const trend = await get('/v1/insights/trends?facet=custom:area&interval=week');
    expect(trend.status).toBe(200);
    const values = (trend.body.buckets as { values: { distinct_users: number }[] }[]).flatMap(
      (bucket) => bucket.values,
    );
    for (const value of values) expect(value.distinct_users).toBeGreaterThanOrEqual(k);
    const clusters = (await get('/v1/insights/clusters?level=0')).body.clusters as {
      id: string;
    }[];
    expect(clusters.length).toBeGreaterThan(0);
    const detail = await get(`/v1/insights/clusters/${clusters[0]!.id}`);
    for (const rows of Object.values(
      (detail.body.metrics.custom ?? {}) as Record<string, { distinctUsers: number }[]>,
    ))
      for (const row of rows) expect(row.distinctUsers).toBeGreaterThanOrEqual(k);
    // Only released cells back them: per-cluster keys are the tree's ids × the vocabulary.
    const keys = await stack.ownerDb.query<{ key: string }>(
      `SELECT DISTINCT key FROM insights.dp_cells
        WHERE tenant_id = $1 AND family = 'cluster/level-0/custom:area'`,
      [stack.tenant.tenant.id],
    );
    expect(keys.rows.length).toBeGreaterThan(0);
    for (const { key } of keys.rows)
      expect([...AREAS, '(not set)']).toContain(key.slice(key.indexOf('|') + 1));
  });
});
