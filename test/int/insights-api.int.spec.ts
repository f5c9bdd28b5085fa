/**
 * The insights read API over a published snapshot in PostgreSQL: every endpoint, thresholds in
 * every response, tenant isolation (404, never another tenant's numbers), parameter errors.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { z } from 'zod';
import {
  BREAKDOWN_FACETS,
  breakdownResponseSchema,
  clusterDetailResponseSchema,
  clusterListResponseSchema,
  evidenceResponseSchema,
  failuresResponseSchema,
  overviewResponseSchema,
  pipelineStatusSchema,
  sessionResponseSchema,
  tenantInfoSchema,
  TREND_FACETS,
  TREND_INTERVALS,
  trendsResponseSchema,
} from '@silhouette/contracts';
import { sgdRecords } from '../helpers/datasets';
import { offlineProviders } from '../helpers/providers';
import { call, startStack, type Stack } from '../helpers/stack';

describe('insights API', () => {
  let stack: Stack;
  let other: Awaited<ReturnType<Stack['createTenant']>>;

  beforeAll(async () => {
    stack = await startStack({ mode: 'server', worker: true, workerProviders: offlineProviders });
    other = await stack.createTenant('globex');
    const response = await call(stack, '/v1/conversations', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: JSON.stringify(sgdRecords(300, 40)),
    });
    expect(response.body.accepted).toBe(300);
    await stack.queue.waitUntilIdle(120_000);
    await stack.queue.enqueue('cluster-tenant', { tenantId: stack.tenant.tenant.id });
    await stack.queue.waitUntilIdle(120_000);
  }, 300_000);
  afterAll(async () => stack?.close());

  const get = (path: string, key = stack.tenant.readKey) => call(stack, path, { key });

  it('serves the overview of the latest snapshot', async () => {
    const overview = await get('/v1/insights/overview');
    expect(overview.status).toBe(200);
    expect(overview.body).toMatchObject({
      conversations: 300,
      published: true,
      snapshot: { version: 1 },
    });
    expect(overview.body.distinct_users).toBeGreaterThanOrEqual(5);
    expect(overview.body.minutes_saved.total_low).toBeLessThanOrEqual(
      overview.body.minutes_saved.total,
    );
    // Nothing published for the other tenant yet: a clear 404, not someone else's data.
    const empty = await get('/v1/insights/overview', other.readKey);
    expect(empty.status).toBe(404);
    expect(empty.body.error.code).toBe('no_snapshot');
  });

  it('compares a period with the one before it, from published weekly figures', async () => {
    const all = await get('/v1/insights/overview');
    const weeks = (
      all.body.weekly as { value: string; isOther: boolean; conversations: number }[]
    ).filter((w) => !w.isOther);
    expect(weeks.length).toBeGreaterThan(0);
    const period = await get('/v1/insights/overview?from=2000-01-03&to=2100-01-04');
    expect(period.status).toBe(200);
    expect(period.body.period.conversations).toBe(
      weeks.reduce((sum, w) => sum + w.conversations, 0),
    );
    expect(period.body.period.previous.conversations).toBe(0);
    expect(period.body.period.change_conversations).toBeNull();
    const badDate = await get('/v1/insights/overview?from=yesterday&to=2026-01-01');
    expect(badDate.status).toBe(400);
    expect(badDate.body.error.field).toBe('from');
    const reversed = await get('/v1/insights/overview?from=2026-02-01&to=2026-01-01');
    expect(reversed.body.error.field).toBe('to');
    const half = await get('/v1/insights/overview?from=2026-01-01');
    expect(half.body.error.field).toBe('to');
  });

  it('walks the tree from the top to a base cluster, every node above the thresholds', async () => {
    const top = await get('/v1/insights/clusters');
    expect(top.body.clusters.length).toBeGreaterThan(1);
    expect(top.body.clusters.every((c: any) => c.level === 0)).toBe(true);
    let node = top.body.clusters[0];
    for (let level = 1; level <= 2; level++) {
      const children = await get(`/v1/insights/clusters?parent=${node.id}`);
      expect(children.body.clusters.length).toBeGreaterThan(0);
      node = children.body.clusters[0];
      expect(node.level).toBe(level);
    }
    const detail = await get(`/v1/insights/clusters/${node.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body.path.map((p: any) => p.level)).toEqual([0, 1]);
    expect(detail.body.conversations).toBeGreaterThanOrEqual(10);
    expect(detail.body.distinct_users).toBeGreaterThanOrEqual(5);
    for (const row of [
      ...detail.body.metrics.outcomes,
      ...detail.body.metrics.weekly,
      ...detail.body.metrics.teams,
    ]) {
      expect(row.conversations).toBeGreaterThanOrEqual(10);
      expect(row.distinctUsers).toBeGreaterThanOrEqual(5);
    }
    for (const goal of detail.body.goals) expect(goal.users).toBeGreaterThanOrEqual(5);
  });

  it('ranks failures, serves breakdowns and the privacy evidence', async () => {
    const failures = await get('/v1/insights/failures');
    expect(failures.body.level).toBe(2);
    expect(failures.body.clusters.length).toBeGreaterThan(0);
    const teams = await get('/v1/insights/breakdown?facet=team');
    expect(teams.body.rows.length).toBeGreaterThan(0);
    for (const row of teams.body.rows) {
      expect(row.conversations).toBeGreaterThanOrEqual(10);
      expect(row.distinct_users).toBeGreaterThanOrEqual(5);
    }
    const evidence = await get('/v1/privacy/evidence');
    expect(evidence.body.evidence.thresholds).toEqual({ kUsers: 5, minConversations: 10 });
    // Counts per kind of scope and reason only: no key, no size, no id in a scope (issue #10).
    expect(evidence.body.evidence).not.toHaveProperty('suppressedCells');
    for (const entry of evidence.body.evidence.suppressedByScope) {
      expect(Object.keys(entry).sort()).toEqual(['cells', 'reason', 'scope']);
      expect(entry.scope).toMatch(/^[a-z_/*0-9-]+$/);
      expect(entry.scope).not.toMatch(/[0-9a-f]{8}-|\d{4}-/);
    }
  });

  it('serves trends per week and month, every published value above the thresholds', async () => {
    for (const [facet, interval] of [
      ['domain', 'week'],
      ['task_type', 'month'],
      ['cluster', 'week'],
    ] as const) {
      const trends = await get(`/v1/insights/trends?facet=${facet}&interval=${interval}`);
      expect(trends.status).toBe(200);
      expect(trends.body.buckets.length).toBeGreaterThan(0);
      for (const bucket of trends.body.buckets) {
        expect(bucket.bucket).toMatch(interval === 'week' ? /^\d{4}-W\d{2}$/ : /^\d{4}-\d{2}$/);
        for (const value of bucket.values) {
          expect(value.conversations).toBeGreaterThanOrEqual(10);
          expect(value.distinct_users).toBeGreaterThanOrEqual(5);
        }
      }
    }
    const bad = await get('/v1/insights/trends?facet=salary');
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('facet');
  });

  it("answers 404 for another tenant's cluster and snapshot ids, and 400 naming a bad parameter", async () => {
    const top = await get('/v1/insights/clusters');
    const id = top.body.clusters[0].id;
    const foreign = await get(`/v1/insights/clusters/${id}`, other.readKey);
    expect(foreign.status).toBe(404);
    expect(foreign.text).not.toContain(top.body.clusters[0].name);
    const evidence = await get(
      `/v1/privacy/evidence?snapshot=${top.body.snapshot.id}`,
      other.readKey,
    );
    expect(evidence.status).toBe(404);
    const badLevel = await get('/v1/insights/clusters?level=banana');
    expect(badLevel.status).toBe(400);
    expect(badLevel.body.error.field).toBe('level');
    const badFacet = await get('/v1/insights/breakdown?facet=salary');
    expect(badFacet.body.error.field).toBe('facet');
    expect((await get('/v1/insights/overview', stack.tenant.ingestKey)).status).toBe(403);
  });

  it('pages a level of the tree with a bounded limit and a cursor, in a stable order', async () => {
    const all = (await get('/v1/insights/clusters?level=2')).body;
    expect(all.next_cursor).toBeNull(); // fewer than the default page of 500
    expect(all.total).toBe(all.clusters.length);
    expect(all.clusters.length).toBeGreaterThan(3);
    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = cursor ? `&cursor=${cursor}` : '';
      const page: any = (await get(`/v1/insights/clusters?level=2&limit=3${query}`)).body;
      expect(page.clusters.length).toBeLessThanOrEqual(3);
      expect(page.total).toBe(all.total);
      ids.push(...page.clusters.map((cluster: any) => cluster.id));
      cursor = page.next_cursor;
      pages++;
    } while (cursor && pages < 100);
    expect(pages).toBe(Math.ceil(all.total / 3));
    expect(ids).toEqual(all.clusters.map((cluster: any) => cluster.id));

    for (const [query, field] of [
      ['level=2&limit=0', 'limit'],
      ['level=2&limit=5000', 'limit'],
      ['level=2&limit=ten', 'limit'],
      ['level=2&cursor=not-a-cursor', 'cursor'],
      [`level=1&parent=${all.clusters[0].parent_id}`, 'parent'],
    ] as const) {
      const response = await get(`/v1/insights/clusters?${query}`);
      expect(response.status, query).toBe(400);
      expect(response.body.error.field, query).toBe(field);
    }
    // A cursor names its snapshot: another tenant presenting it gets 404, not this tenant's data.
    const page = (await get('/v1/insights/clusters?level=2&limit=1')).body;
    const foreign = await get(
      `/v1/insights/clusters?level=2&limit=1&cursor=${page.next_cursor}`,
      other.readKey,
    );
    expect(foreign.status).toBe(404);
    expect(foreign.text).not.toContain(all.clusters[1].name);
  });

  it('answers every read endpoint with exactly the shape of its libs/contracts schema', async () => {
    // Parsing must succeed AND change nothing: a field the API sends but the schema lacks would be
    // stripped by the parse, so the comparison catches drift in either direction.
    const conforms = async (schema: z.ZodType, path: string, key = stack.tenant.readKey) => {
      const response = await get(path, key);
      expect(response.status, path).toBe(200);
      const parsed = schema.safeParse(response.body);
      expect(parsed.error?.issues ?? [], path).toEqual([]);
      expect(parsed.data, path).toEqual(response.body);
      return response.body;
    };
    await conforms(overviewResponseSchema, '/v1/insights/overview');
    const period = await conforms(
      overviewResponseSchema,
      '/v1/insights/overview?from=2000-01-03&to=2100-01-04',
    );
    expect(period.period).toBeDefined();
    const top = await conforms(clusterListResponseSchema, '/v1/insights/clusters?level=0');
    const children = await conforms(
      clusterListResponseSchema,
      `/v1/insights/clusters?parent=${top.clusters[0].id}`,
    );
    await conforms(clusterListResponseSchema, '/v1/insights/clusters?level=2');
    // A top-level node, a middle node and an "other" node if there is one: metrics differ by kind.
    const other = top.clusters.find((cluster: any) => cluster.is_other);
    for (const id of [top.clusters[0].id, children.clusters[0].id, other?.id].filter(Boolean))
      await conforms(clusterDetailResponseSchema, `/v1/insights/clusters/${id}`);
    await conforms(failuresResponseSchema, '/v1/insights/failures');
    await conforms(failuresResponseSchema, '/v1/insights/failures?level=0');
    for (const facet of BREAKDOWN_FACETS)
      await conforms(breakdownResponseSchema, `/v1/insights/breakdown?facet=${facet}`);
    for (const facet of TREND_FACETS)
      for (const interval of TREND_INTERVALS)
        await conforms(
          trendsResponseSchema,
          `/v1/insights/trends?facet=${facet}&interval=${interval}`,
        );
    await conforms(evidenceResponseSchema, '/v1/privacy/evidence');
    await conforms(evidenceResponseSchema, `/v1/privacy/evidence?snapshot=${top.snapshot.id}`);
    await conforms(tenantInfoSchema, '/v1/tenant');
    await conforms(tenantInfoSchema, '/v1/admin/settings', stack.tenant.adminKey);
    await conforms(pipelineStatusSchema, '/v1/status', stack.tenant.adminKey);

    const signIn = await call(stack, '/v1/session', {
      method: 'POST',
      body: JSON.stringify({ key: stack.tenant.readKey }),
    });
    expect(sessionResponseSchema.parse(signIn.body)).toEqual(signIn.body);
    const cookie = signIn.headers.get('set-cookie')!.split(';')[0]!;
    const current = await call(stack, '/v1/session', { headers: { cookie } });
    expect(sessionResponseSchema.parse(current.body)).toEqual(current.body);

    // The OpenAPI document describes these responses with the same schemas.
    const docs = (await call(stack, '/docs/openapi.json')).body;
    expect(docs.paths['/v1/insights/overview'].get.responses[200].content).toEqual({
      'application/json': { schema: { $ref: '#/components/schemas/Overview' } },
    });
    for (const name of ['Overview', 'ClusterList', 'ClusterDetail', 'Failures', 'Session'])
      expect(docs.components.schemas[name].type, name).toBe('object');
  });
});
