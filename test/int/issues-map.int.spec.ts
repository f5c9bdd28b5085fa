/**
 * Issue #15, the issues map and published custom facets, both storage modes. Conversations on
 * eight topics fail in three ways (wrong answer, abandoned, refused); the scripted model answers
 * `issue` (and, in leak mode, copies names and e-mails into it). The map has two levels, every
 * cell meets the thresholds, each issue cluster lists only published topic clusters as cells that
 * pass the gates, ids survive a full re-run, a two-person issue is never shown, no canary reaches
 * the API or the export, and a custom enum facet is published as a breakdown, per cluster and as
 * a trend.
 */
import { latestSnapshotDocument } from '@silhouette/api';
import {
  breakdownResponseSchema,
  clusterDetailResponseSchema,
  mapResponseSchema,
  publishedCustomFacetsSchema,
  trendsResponseSchema,
} from '@silhouette/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { scanRedis, scanTables, scanText } from '../helpers/leak-scan';
import { scriptedLlmProviders } from '../helpers/providers';
import { redisUrl } from '../helpers/services';
import { ScriptedLlmServer } from '../helpers/scripted-llm-server';
import { call, startStack, type Stack } from '../helpers/stack';

const TOPICS = [
  'I get an error and a stack trace when my python script runs',
  'Please check the budget forecast and the expense figures',
  'Help me prepare interview questions for hiring a candidate',
  'Plan a marketing campaign for our brand newsletter',
  'Translate this paragraph, a translation into German please',
  'Write a reply email to a customer complaint about a refund',
  'Write a sql function for my api code',
  'What is the capital of a country and its population',
];
const ENDINGS = [
  { assistant: 'Here is the answer.', user: 'That does not work, still broken.' }, // unresolved
  { assistant: 'Here is a first part.', user: 'Hmm, and the other part' }, // abandoned
  { assistant: 'I cannot help with that request.', user: undefined }, // refused
  { assistant: 'Here is the answer.', user: 'Thanks, perfect!' }, // resolved
];
const CANARY_EMAIL = 'lucia.marquez.canary@example.net';
const CANARY_NAME = 'Lucia Marquez';

function records() {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < 320; i++) {
    const topic = TOPICS[i % TOPICS.length]!;
    const ending = ENDINGS[Math.floor(i / TOPICS.length) % ENDINGS.length]!;
    const pii = i % 7 === 0 ? ` Contact ${CANARY_NAME} at ${CANARY_EMAIL}.` : '';
    const messages = [
      { role: 'user', content: `${topic}, request ${i}.${pii} It is about billing.` },
      { role: 'assistant', content: ending.assistant },
      ...(ending.user ? [{ role: 'user', content: ending.user }] : []),
    ];
    out.push({ id: `im-${i}`, user_id: `user-${i % 40}`, messages });
  }
  // A rare issue from two people only: a refused contract review (must never show on its own).
  for (let i = 0; i < 3; i++)
    out.push({
      id: `im-rare-${i}`,
      user_id: `rare-${i % 2}`,
      messages: [
        { role: 'user', content: `Review this contract clause for liability, case ${i}.` },
        { role: 'assistant', content: 'I cannot help with that request.' },
      ],
    });
  return out;
}

interface MapCluster {
  id: string;
  level: number;
  parent_id: string | null;
  is_other: boolean;
  name: string;
  keywords: string[];
  conversations: number;
  distinct_users: number;
  topics: { cluster_id: string; name: string; conversations: number; distinct_users: number }[];
}

describe.each(['server', 'embedded'] as const)('issues map (%s mode)', (mode) => {
  let server: ScriptedLlmServer;
  let stack: Stack;
  let clusters: MapCluster[];
  const read = () => stack.tenant.readKey;

  const publish = async (full = false) => {
    await stack.queue.waitUntilIdle(180_000);
    await stack.queue.enqueue('cluster-tenant', { tenantId: stack.tenant.tenant.id, full });
    await stack.queue.waitUntilIdle(300_000);
    // A keep-alive socket the server closed while an embedded publication held its event loop
    // fails the first request on it: that request alone is sent again.
    const response = await call(stack, '/v1/insights/map?name=issues', { key: read() }).catch(() =>
      call(stack, '/v1/insights/map?name=issues', { key: read() }),
    );
    expect(response.status, response.text).toBe(200);
    return response;
  };

  beforeAll(async () => {
    server = await ScriptedLlmServer.start({ mode: 'leak_pii' });
    stack = await startStack({
      mode,
      worker: true,
      workerProviders: scriptedLlmProviders(server),
      // The thresholds' exact figures are what this suite checks (dp mode's noisy maps are
      // checked in issues-map-dp.int.spec.ts).
      env: { PRIVACY_MODE: 'threshold' },
    });
    const facet = await call(stack, '/v1/admin/facets', {
      method: 'POST',
      key: stack.tenant.adminKey,
      body: JSON.stringify({
        key: 'area',
        question: 'Which product area?',
        type: 'enum',
        values: ['billing', 'security'],
      }),
    });
    expect(facet.status).toBe(201);
    const blocker = await call(stack, '/v1/admin/facets', {
      method: 'POST',
      key: stack.tenant.adminKey,
      body: JSON.stringify({
        key: 'blocker',
        question: 'What blocked the user?',
        type: 'short_text',
      }),
    });
    expect(blocker.status).toBe(201);
    const all = records();
    for (let i = 0; i < all.length; i += 200) {
      const response = await call(stack, '/v1/conversations', {
        method: 'POST',
        key: stack.tenant.ingestKey,
        body: JSON.stringify(all.slice(i, i + 200)),
      });
      expect(response.status).toBe(200);
    }
    clusters = (await publish()).body.clusters;
  }, 600_000);
  afterAll(async () => {
    await stack?.close();
    await server?.close();
  });

  it('has two levels, children under published parents, every cell over the thresholds', async () => {
    expect(new Set(clusters.map((c) => c.level))).toEqual(new Set([0, 1]));
    const byId = new Map(clusters.map((c) => [c.id, c]));
    const k = stack.env.K_USERS;
    const min = stack.env.MIN_CONVERSATIONS;
    for (const cluster of clusters) {
      expect(cluster.conversations).toBeGreaterThanOrEqual(min);
      expect(cluster.distinct_users).toBeGreaterThanOrEqual(k);
      if (cluster.level === 0) expect(cluster.parent_id).toBeNull();
      else expect(byId.get(cluster.parent_id!)?.level).toBe(0);
      for (const topic of cluster.topics) {
        expect(topic.conversations).toBeGreaterThanOrEqual(min);
        expect(topic.distinct_users).toBeGreaterThanOrEqual(k);
      }
    }
    // Every conversation with an issue (about 3 of 4 here) is in the map's top level, pooled or not.
    const withIssue = await stack.ownerDb.query<{ n: number }>(
      `SELECT count(*)::integer AS n FROM sealed.facets WHERE issue <> ''`,
    );
    expect(withIssue.rows[0]!.n).toBeGreaterThanOrEqual(243);
    const top = clusters.filter((c) => c.level === 0);
    expect(top.reduce((sum, c) => sum + c.conversations, 0)).toBe(withIssue.rows[0]!.n);
    expect(top.filter((c) => !c.is_other).every((c) => c.name.length > 0)).toBe(true);
  });

  it("publishes each cluster's keywords from the tree's own naming, gated, none for Other", async () => {
    // The map run stored c-TF-IDF keywords (terms used by at least k users) with its clusters;
    // what is published is those, minus any the text gate refused, in the same order.
    const stored = await stack.ownerDb.query<{ id: string; keywords: string[] }>(
      `SELECT id, keywords FROM sealed.clusters WHERE run_id = (
         SELECT id FROM sealed.cluster_runs WHERE map = 'issues' AND status = 'done'
          ORDER BY started_at DESC LIMIT 1)`,
    );
    const storedKeywords = new Map(stored.rows.map((row) => [row.id, row.keywords]));
    for (const cluster of clusters) {
      if (cluster.is_other) expect(cluster.keywords).toEqual([]);
      else
        expect(cluster.keywords).toEqual(
          (storedKeywords.get(cluster.id) ?? []).filter((k) => cluster.keywords.includes(k)),
        );
    }
    expect(clusters.some((cluster) => !cluster.is_other && cluster.keywords.length > 0)).toBe(true);
  });

  it('lists for each issue cluster only topic clusters the topic tree publishes', async () => {
    const tree = await call(stack, '/v1/insights/clusters?level=0', { key: read() });
    expect(tree.status).toBe(200);
    const topics = new Map(
      (tree.body.clusters as { id: string; name: string }[]).map((c) => [c.id, c.name]),
    );
    const listed = clusters.flatMap((c) => c.topics);
    expect(listed.length).toBeGreaterThan(0);
    for (const topic of listed) expect(topics.get(topic.cluster_id)).toBe(topic.name);
  });

  it('never shows the two-person issue, nor any canary, in the API or the export', async () => {
    const response = await call(stack, '/v1/insights/map?name=issues', { key: read() });
    const document = await latestSnapshotDocument(stack.apiDb, stack.tenant.tenant.id);
    for (const text of [response.text, JSON.stringify(document)]) {
      expect(text).not.toContain(CANARY_EMAIL);
      expect(text).not.toContain('Marquez');
      expect(text.toLowerCase()).not.toContain('contract');
    }
    expect(document!.maps['issues']!.length).toBe(clusters.length);
    // The leaky answers did reach the tagger's output, and were scrubbed before storage.
    const stored = await stack.ownerDb.query<{ issue: string }>(
      `SELECT issue FROM sealed.facets WHERE issue <> ''`,
    );
    expect(stored.rows.length).toBeGreaterThan(0);
    expect(stored.rows.some((row) => row.issue.includes(CANARY_EMAIL))).toBe(false);
  });

  it('leaves no canary in any table outside the sealed schema, the facet rows, the logs or Redis', async () => {
    const canaries = [CANARY_EMAIL, CANARY_NAME];
    expect(
      await scanTables(stack.ownerDb, ['app', 'insights', 'intake', 'public'], canaries),
    ).toEqual([]);
    // Inside the boundary the leaky answers were scrubbed before the facet row was written.
    expect(await scanTables(stack.ownerDb, ['sealed'], [CANARY_EMAIL])).toEqual([]);
    expect(scanText('logs', stack.logs(), canaries)).toEqual([]);
    if (mode === 'server')
      expect((await scanRedis(redisUrl(), stack.queuePrefix, canaries)).found).toEqual([]);
  });

  it('lets a few new failing conversations join the previous map run (no re-clustering)', async () => {
    const runs = async () =>
      (
        await stack.ownerDb.query<{ n: number }>(
          "SELECT count(*)::integer AS n FROM sealed.cluster_runs WHERE map = 'issues'",
        )
      ).rows[0]!.n;
    const before = await runs();
    const more = Array.from({ length: 24 }, (_, i) => ({
      id: `im-late-${i}`,
      user_id: `user-${i % 40}`,
      messages: [
        { role: 'user', content: `${TOPICS[i % TOPICS.length]}, late request ${i}.` },
        { role: 'assistant', content: 'Here is the answer.' },
        { role: 'user', content: 'That does not work, still broken.' },
      ],
    }));
    const ingest = await call(stack, '/v1/conversations', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: JSON.stringify(more),
    });
    expect(ingest.body.accepted).toBe(24);
    const after = (await publish()).body.clusters as MapCluster[];
    expect(await runs()).toBe(before);
    // Every id is still there; the newcomers are counted in the same clusters.
    expect(new Set(after.map((c) => c.id))).toEqual(new Set(clusters.map((c) => c.id)));
    const withIssue = await stack.ownerDb.query<{ n: number }>(
      `SELECT count(*)::integer AS n FROM sealed.facets WHERE issue <> ''`,
    );
    const top = after.filter((c) => c.level === 0);
    expect(top.reduce((sum, c) => sum + c.conversations, 0)).toBe(withIssue.rows[0]!.n);
    clusters = after;
  }, 600_000);

  it('keeps every issue cluster id on a full re-run of the same data', async () => {
    // The first full run after the late conversations joined is not over the same data: k-means
    // (warm-started, and its start depends on the row order, so on the random conversation ids)
    // may settle on another partition of the 347 texts, and the gates may then show a child that
    // was pooled before, or need no "Other" any more. Ids are carried over by matching, which is
    // best effort across different data. Over exactly the same data every id must be kept.
    const settled = (await publish(true)).body.clusters as MapCluster[];
    const again = (await publish(true)).body.clusters as MapCluster[];
    expect(new Set(again.map((c) => c.id))).toEqual(new Set(settled.map((c) => c.id)));
  }, 600_000);

  it('publishes the custom enum facet as a breakdown, per cluster and as a trend', async () => {
    const facets = await call(stack, '/v1/insights/facets', { key: read() });
    expect(facets.body.facets).toEqual([
      expect.objectContaining({ key: 'area', type: 'enum', published_as: 'breakdown' }),
      expect.objectContaining({ key: 'blocker', type: 'short_text', published_as: 'map' }),
    ]);
    // The workers' model answered (the API process itself has none configured): the evidence says so.
    expect(facets.body).toMatchObject({ tagger: 'openai-compatible', note: null });
    const breakdown = await call(stack, '/v1/insights/breakdown?facet=custom:area', {
      key: read(),
    });
    expect(breakdown.status).toBe(200);
    const total = breakdown.body.rows.reduce(
      (sum: number, row: { conversations: number }) => sum + row.conversations,
      0,
    );
    expect(total).toBe(347); // 323 first, and the 24 late ones
    expect(
      breakdown.body.rows.find((row: { value: string }) => row.value === 'billing'),
    ).toBeDefined();
    const trends = await call(stack, '/v1/insights/trends?facet=custom:area&interval=month', {
      key: read(),
    });
    expect(trends.status).toBe(200);
    expect(trends.body.buckets.length).toBeGreaterThan(0);
    const tree = await call(stack, '/v1/insights/clusters?level=0', { key: read() });
    const detail = await call(stack, `/v1/insights/clusters/${tree.body.clusters[0].id}`, {
      key: read(),
    });
    expect(detail.status).toBe(200);
    expect(detail.body.metrics.custom.area.length).toBeGreaterThan(0);
    expect(clusterDetailResponseSchema.parse(detail.body)).toEqual(detail.body);
    const bad = await call(stack, '/v1/insights/breakdown?facet=custom:Bad-Key', { key: read() });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('facet');
    // Every response has exactly the shape of its libs/contracts schema.
    const map = await call(stack, '/v1/insights/map?name=issues', { key: read() });
    expect(mapResponseSchema.parse(map.body)).toEqual(map.body);
    expect(publishedCustomFacetsSchema.parse(facets.body)).toEqual(facets.body);
    expect(breakdownResponseSchema.parse(breakdown.body)).toEqual(breakdown.body);
    expect(trendsResponseSchema.parse(trends.body)).toEqual(trends.body);
    const badMap = await call(stack, '/v1/insights/map?name=topics', { key: read() });
    expect(badMap.status).toBe(400);
    expect(badMap.body.error.field).toBe('name');
  });

  it('clusters a short-text facet into its own two-level map under the same gates', async () => {
    const response = await call(stack, '/v1/insights/map?name=custom:blocker', { key: read() });
    expect(response.status).toBe(200);
    const map = response.body.clusters as MapCluster[];
    expect(new Set(map.map((c) => c.level))).toEqual(new Set([0, 1]));
    for (const cluster of map) {
      expect(cluster.conversations).toBeGreaterThanOrEqual(stack.env.MIN_CONVERSATIONS);
      expect(cluster.distinct_users).toBeGreaterThanOrEqual(stack.env.K_USERS);
    }
    expect(response.text).not.toContain(CANARY_EMAIL);
    expect(response.text).not.toContain('Marquez');
    // Its answers are never published as breakdown values.
    const breakdown = await call(stack, '/v1/insights/breakdown?facet=custom:blocker', {
      key: read(),
    });
    expect(breakdown.body.rows).toEqual([]);
  });

  it("keeps tenants apart: another tenant's map is its own (empty before it publishes)", async () => {
    const other = await stack.createTenant('initech');
    const response = await call(stack, '/v1/insights/map?name=issues', { key: other.readKey });
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('no_snapshot');
  });
});
