/**
 * Issue #15 in dp mode (the default publication of #11), both storage modes: the issues map, a
 * short-text facet's map, per-cluster custom figures and custom trends are released through the
 * privacy ledger as noisy cells and published with their noise intervals. Checked: every shown
 * cell (map node, node × topic pair, cluster × custom value) has noisy figures at or over k_users
 * and min_conversations, topics are named only as the topic tree publishes them, the ledger's ρ is
 * exactly the sum of every released figure's cost (the new families included, recomputed from
 * their sensitivities and the σ the ledger records), and no canary reaches a response or the
 * export. Clustering input order follows random pseudonymous ids: no specific tree is asserted.
 */
import { latestSnapshotDocument } from '@silhouette/api';
import {
  clusterDetailResponseSchema,
  mapResponseSchema,
  trendsResponseSchema,
  type MapCluster,
} from '@silhouette/contracts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  dpFamilies,
  vocabularyFamilies,
  type DpBounds,
} from '../../apps/worker/src/publishing/dp/dp-families';
import { scriptedLlmProviders } from '../helpers/providers';
import { ScriptedLlmServer } from '../helpers/scripted-llm-server';
import { call, startStack, type Stack } from '../helpers/stack';

const TOPICS = [
  'I get an error and a stack trace when my python script runs',
  'Please check the budget forecast and the expense figures',
  'Help me prepare interview questions for hiring a candidate',
  'Write a reply email to a customer complaint about a refund',
];
const ENDINGS = [
  { assistant: 'Here is the answer.', user: 'That does not work, still broken.' }, // unresolved
  { assistant: 'Here is a first part.', user: 'Hmm, and the other part' }, // abandoned
  { assistant: 'I cannot help with that request.', user: undefined }, // refused
  { assistant: 'Here is the answer.', user: 'Thanks, perfect!' }, // resolved
];
const CANARY_EMAIL = 'lucia.marquez.canary@example.net';
const CANARY_NAME = 'Lucia Marquez';
const PEOPLE = 480;

/** 4 conversations per person (the default weekly cap C), all this week, 3 of 4 failing. */
function records() {
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < PEOPLE * 4; i++) {
    const topic = TOPICS[i % TOPICS.length]!;
    const ending = ENDINGS[Math.floor(i / PEOPLE) % ENDINGS.length]!;
    const pii = i % 7 === 0 ? ` Contact ${CANARY_NAME} at ${CANARY_EMAIL}.` : '';
    out.push({
      id: `dp-${i}`,
      user_id: `person-${i % PEOPLE}`,
      messages: [
        { role: 'user', content: `${topic}, request ${i}.${pii} It is about billing.` },
        { role: 'assistant', content: ending.assistant },
        ...(ending.user ? [{ role: 'user', content: ending.user }] : []),
      ],
    });
  }
  // A rare issue from two people only: never shown on its own.
  for (let i = 0; i < 3; i++)
    out.push({
      id: `dp-rare-${i}`,
      user_id: `rare-${i % 2}`,
      messages: [
        { role: 'user', content: `Review this contract clause for liability, case ${i}.` },
        { role: 'assistant', content: 'I cannot help with that request.' },
      ],
    });
  return out;
}

describe.each(['server', 'embedded'] as const)('issues map in dp mode (%s)', (mode) => {
  let server: ScriptedLlmServer;
  let stack: Stack;
  const get = (path: string) =>
    // A kept-alive socket may have been closed by the server during a long publication: retry.
    call(stack, path, { key: stack.tenant.readKey }).catch(() =>
      call(stack, path, { key: stack.tenant.readKey }),
    );

  beforeAll(async () => {
    server = await ScriptedLlmServer.start({ mode: 'leak_pii' });
    stack = await startStack({
      mode,
      worker: true,
      workerProviders: scriptedLlmProviders(server),
      // The largest budget a deployment may set, one week released (this one): the statistical
      // expectations below hold with the tail probabilities stated there.
      env: {
        PRIVACY_MODE: 'dp',
        PUBLISH_INTERVAL_S: '3600',
        DP_EPSILON_PER_MONTH: '100',
        DP_BACKFILL_WEEKS: '0',
      },
    });
    for (const body of [
      { key: 'area', question: 'Which product area?', type: 'enum', values: ['billing', 'hr'] },
      { key: 'blocker', question: 'What blocked the user?', type: 'short_text' },
      { key: 'effort', question: 'How much effort, 0 to 10?', type: 'number', min: 0, max: 10 },
    ]) {
      const created = await call(stack, '/v1/admin/facets', {
        method: 'POST',
        key: stack.tenant.adminKey,
        body: JSON.stringify(body),
      });
      expect(created.status, created.text).toBe(201);
    }
    const all = records();
    for (let i = 0; i < all.length; i += 500) {
      const response = await call(stack, '/v1/conversations', {
        method: 'POST',
        key: stack.tenant.ingestKey,
        body: JSON.stringify(all.slice(i, i + 500)),
      });
      expect(response.status, response.text).toBe(200);
    }
    await stack.queue.waitUntilIdle(240_000);
    await stack.queue.enqueue('cluster-tenant', {
      tenantId: stack.tenant.tenant.id,
      release: 'requested',
    });
    await stack.queue.waitUntilIdle(300_000);
  }, 600_000);
  afterAll(async () => {
    await stack?.close();
    await server?.close();
  });

  it('publishes the issues map from noisy cells, every node and topic pair over the thresholds', async () => {
    const response = await get('/v1/insights/map?name=issues');
    expect(response.status, response.text).toBe(200);
    const body = mapResponseSchema.parse(response.body);
    expect(body).toEqual(response.body);
    expect(body.snapshot.privacy_mode).toBe('dp');
    const k = stack.env.K_USERS;
    const min = stack.env.MIN_CONVERSATIONS;
    // The largest top-level node of the map run, in people and conversations (exact, from the
    // sealed tables), against the σ its released figures carry (from the ledger): it is hidden
    // only if a noisy figure falls more than 4 σ under its threshold, P(Z < -4) ≈ 3e-5 each.
    const largest = await stack.ownerDb.query<{ people: number; conversations: number }>(
      `SELECT count(DISTINCT c.user_pseudonym)::integer AS people,
              count(*)::integer AS conversations
         FROM sealed.cluster_members m
         JOIN sealed.clusters b ON b.run_id = m.run_id AND b.id = m.cluster_id
         JOIN sealed.conversations c ON c.id = m.conversation_id
        WHERE m.run_id = (SELECT id FROM sealed.cluster_runs
                           WHERE tenant_id = $1 AND map = 'issues' AND status = 'done'
                           ORDER BY started_at DESC LIMIT 1)
        GROUP BY b.parent_id ORDER BY 1 DESC LIMIT 1`,
      [stack.tenant.tenant.id],
    );
    const sigma = await stack.ownerDb.query<{ s: Record<string, number> }>(
      `SELECT parameters->'sigma'->(SELECT jsonb_object_keys(parameters->'sigma') LIMIT 1)
              ->'map/issues/level-0' AS s
         FROM insights.privacy_ledger WHERE tenant_id = $1`,
      [stack.tenant.tenant.id],
    );
    const { people, conversations } = largest.rows[0]!;
    const s = sigma.rows[0]!.s;
    expect(people - k).toBeGreaterThanOrEqual(4 * s['new_users']!);
    expect(conversations - min).toBeGreaterThanOrEqual(4 * s['conversations']!);
    const top = body.clusters.filter((c) => c.level === 0 && !c.is_other);
    expect(top.length).toBeGreaterThan(0);
    const tree = await get('/v1/insights/clusters?level=0');
    const topics = new Map(
      (tree.body.clusters as { id: string; name: string }[]).map((c) => [c.id, c.name]),
    );
    for (const cluster of body.clusters) {
      expect(cluster.distinct_users).toBeGreaterThanOrEqual(k);
      expect(cluster.conversations).toBeGreaterThanOrEqual(min);
      expect(cluster.failure_rate ?? 0).toBeLessThanOrEqual(1);
      if (!cluster.is_other) {
        // The 90% interval of the released (raw) figure: the shown value is post-processed
        // (consistent with its siblings, never under its noisy people count), so it may lie
        // outside, and a raw figure far under zero has the interval [0, 0].
        const band = cluster.noise!['conversations']!;
        expect(band.high).toBeGreaterThanOrEqual(band.low);
      }
      for (const topic of cluster.topics) {
        // A pair is named only when its own noisy figures pass, and only as the tree names it.
        expect(topic.distinct_users).toBeGreaterThanOrEqual(k);
        expect(topic.conversations).toBeGreaterThanOrEqual(min);
        expect(topics.get(topic.cluster_id)).toBe(topic.name);
        expect(topic.noise).toBeDefined();
      }
    }
    // Children sit under published parents.
    const ids = new Set(body.clusters.map((c) => c.id));
    for (const child of body.clusters.filter((c: MapCluster) => c.level === 1))
      expect(ids.has(child.parent_id!)).toBe(true);
    // The two-person issue is never a node of its own: every shown node has ≥ k noisy people.
    expect(response.text).not.toContain(CANARY_EMAIL);
    expect(response.text).not.toContain('Marquez');
    const blocker = await get('/v1/insights/map?name=custom:blocker');
    expect(blocker.status).toBe(200);
    for (const cluster of mapResponseSchema.parse(blocker.body).clusters)
      expect(cluster.distinct_users).toBeGreaterThanOrEqual(k);
    expect(blocker.text).not.toContain(CANARY_EMAIL);
  });

  it('charges the ledger exactly the cost of every released figure, the new families included', async () => {
    const ledger = await stack.ownerDb.query<{
      rho: number;
      parameters: {
        sigma: Record<string, Record<string, Record<string, number>>>;
        bounds: DpBounds;
      };
    }>('SELECT rho, parameters FROM insights.privacy_ledger WHERE tenant_id = $1', [
      stack.tenant.tenant.id,
    ]);
    expect(ledger.rows.length).toBe(1);
    const { rho, parameters } = ledger.rows[0]!;
    let recomputed = 0;
    let maps = 0;
    for (const week of Object.values(parameters.sigma)) {
      const families = Object.keys(week);
      const levels = families.filter((f) => /^cluster\/level-\d+$/.test(f)).length;
      const mapLevels = new Map<string, number>();
      for (const family of families) {
        const match = /^map\/(.+)\/level-(\d+)$/.exec(family);
        if (match)
          mapLevels.set(match[1]!, Math.max(mapLevels.get(match[1]!) ?? 0, Number(match[2]) + 1));
      }
      const custom = families
        .filter((f) => f.startsWith('facet/custom:'))
        .map((f) => f.slice('facet/custom:'.length));
      const sensitivities = new Map<string, number>();
      for (const family of [
        ...dpFamilies(levels, parameters.bounds, custom, {
          maps: [...mapLevels].map(([map, n]) => ({ map, levels: n })),
          clusterCustom: custom.map((key) => ({ key, type: key === 'effort' ? 'number' : 'enum' })),
        }),
        ...vocabularyFamilies(parameters.bounds),
      ])
        for (const figure of family.figures)
          sensitivities.set(`${family.name}/${figure.name}`, figure.l2);
      for (const [family, figures] of Object.entries(week))
        for (const [figure, sigma] of Object.entries(figures)) {
          const l2 = sensitivities.get(`${family}/${figure}`);
          expect(l2, `${family}/${figure}`).toBeDefined();
          const cost = l2! ** 2 / (2 * sigma ** 2);
          recomputed += cost;
          if (family.startsWith('map/') || /^cluster\/level-\d+\/(custom|number):/.test(family))
            maps += cost;
        }
      expect(families).toEqual(
        expect.arrayContaining([
          'map/issues/level-0',
          'map/issues/level-1/topic',
          'map/custom:blocker/level-0',
          'cluster/level-0/custom:area',
          'cluster/level-0/number:effort',
        ]),
      );
    }
    // σ is stored to 3 decimals (σ ≥ 1): the recomputed ρ is within 0.1% of the charge.
    expect(Math.abs(recomputed - rho) / rho).toBeLessThan(1e-3);
    expect(maps).toBeGreaterThan(0);
    expect(maps).toBeLessThan(rho / 2);
  });

  it('publishes per-cluster custom parts and means, and custom trends, with intervals', async () => {
    const k = stack.env.K_USERS;
    const tree = await get('/v1/insights/clusters?level=0');
    const ids = (tree.body.clusters as { id: string; is_other: boolean }[])
      .filter((c) => !c.is_other)
      .map((c) => c.id);
    expect(ids.length).toBeGreaterThan(0);
    for (const id of ids) {
      const detail = await get(`/v1/insights/clusters/${id}`);
      expect(detail.status).toBe(200);
      expect(clusterDetailResponseSchema.parse(detail.body)).toEqual(detail.body);
      const area = (detail.body.metrics.custom?.area ?? []) as {
        distinctUsers: number;
        isOther: boolean;
        noise?: unknown;
      }[];
      for (const row of area) {
        expect(row.distinctUsers).toBeGreaterThanOrEqual(k);
        if (!row.isOther) expect(row.noise).toBeDefined();
      }
      const mean = detail.body.metrics.custom_means?.effort;
      if (mean !== null && mean !== undefined) {
        expect(mean).toBeGreaterThanOrEqual(0);
        expect(mean).toBeLessThanOrEqual(10);
      }
      expect(detail.text).not.toContain(CANARY_EMAIL);
    }
    // Every top cluster × value pair of the run is released (public keys: 3 values each, none
    // other), and shown only when it passes.
    const released = await stack.ownerDb.query<{ keys: number; top: number }>(
      `SELECT (SELECT count(DISTINCT key)::integer FROM insights.dp_cells
                WHERE tenant_id = $1 AND family = 'cluster/level-0/custom:area') AS keys,
              (SELECT count(*)::integer FROM sealed.clusters WHERE level = 0 AND run_id = (
                 SELECT id FROM sealed.cluster_runs WHERE tenant_id = $1 AND map = 'topics'
                    AND status = 'done' ORDER BY started_at DESC LIMIT 1)) AS top`,
      [stack.tenant.tenant.id],
    );
    expect(released.rows[0]!.keys).toBe(released.rows[0]!.top * 3);
    // Every conversation says "billing" (the scripted model answers the enum by keyword): the
    // week's billing cell holds all 1,920 conversations of 480 people, far over k at σ ≈ 30-50.
    const trends = await get('/v1/insights/trends?facet=custom:area&interval=week');
    expect(trends.status).toBe(200);
    const parsed = trendsResponseSchema.parse(trends.body);
    const values = parsed.buckets.flatMap((bucket) => bucket.values);
    expect(values.length).toBeGreaterThan(0);
    for (const value of values) expect(value.distinct_users).toBeGreaterThanOrEqual(k);
    // The export carries the same stored figures, and no canary.
    const document = (await latestSnapshotDocument(stack.apiDb, stack.tenant.tenant.id))!;
    const text = JSON.stringify(document);
    expect(text).not.toContain(CANARY_EMAIL);
    expect(text).not.toContain('Marquez');
  });
});
