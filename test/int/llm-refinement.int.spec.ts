/**
 * Issue #4 with the OpenAI-compatible provider (scripted server on loopback): clusters are named
 * by the model from samples plus contrast, flagged members move, and the privacy auditor and the
 * PII gate keep leaking or identifying names out of the published snapshot.
 */
import { latestSnapshotDocument } from '@silhouette/api';
import { StructuredLlmClient } from '@silhouette/llm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sgdRecords } from '../helpers/datasets';
import { offlineProviders } from '../helpers/providers';
import { ScriptedLlmServer, type ScriptedRequest } from '../helpers/scripted-llm-server';
import { call, startStack, type Stack } from '../helpers/stack';

const LEAKED_EMAIL = 'jane.roe@leak-test.example';
const IDENTIFYING = 'Requests from the Globex payroll office';

/** Names clusters in turn: a plain name, a name leaking an email, a name the auditor will fail. */
function respond(request: ScriptedRequest) {
  if (request.schemaName === 'cluster_name') {
    const turn = request.seq % 3;
    const name =
      turn === 0
        ? `Leaky group ${LEAKED_EMAIL}`
        : turn === 1
          ? IDENTIFYING
          : `Scripted travel planning ${request.seq}`;
    return {
      content: JSON.stringify({
        name,
        description: 'People plan trips and bookings. They compare options.',
        rejected_samples: [0],
      }),
    };
  }
  const category = (name: string) => ({
    name,
    description: 'Conversations about plans and bookings.',
  });
  if (request.schemaName === 'parent_proposals')
    return {
      content: JSON.stringify({
        parents: [category('Travel and bookings'), category('Leisure plans')],
      }),
    };
  if (request.schemaName === 'parent_dedupe')
    return {
      content: JSON.stringify({
        categories: [category('Travel and bookings'), category('Leisure plans')],
      }),
    };
  // No answer for the assignment: the fallback (word overlap) must still place every child.
  if (request.schemaName === 'parent_assignment')
    return { content: JSON.stringify({ assignments: [] }) };
  if (request.schemaName === 'parent_rename')
    return { content: JSON.stringify(category(`Renamed group ${request.seq}`)) };
  if (request.schemaName === 'privacy_audit') {
    const lines = request.userText.split('\n').filter((line) => /^\[\d+\]/.test(line));
    const ratings = lines.map((line, index) => ({
      index,
      // Goals about reserving are judged too specific: the evidence must stop counting them.
      // So is one team's name: a published value passes the same auditor as names and goals.
      // "Globex" identifies a company; "restaurant" stands for a keyword the auditor fails.
      score:
        line.includes('Globex') ||
        line.includes('reserve something') ||
        line.endsWith('team-3') ||
        /restaurant/i.test(line)
          ? 2
          : 5,
      reason: 'scripted',
    }));
    return { content: JSON.stringify({ ratings }) };
  }
  return undefined;
}

describe('LLM naming and privacy auditor', () => {
  let stack: Stack;
  let server: ScriptedLlmServer;

  beforeAll(async () => {
    server = await ScriptedLlmServer.start({ respond });
    stack = await startStack({
      mode: 'server',
      worker: true,
      workerProviders: (env) => ({
        ...offlineProviders(env),
        clusterLlm: {
          client: new StructuredLlmClient({
            baseURL: server.baseURL,
            apiKey: 'test',
            maxAttempts: 2,
            baseDelayMs: 5,
          }),
          nameModel: 'scripted-namer',
          auditModel: 'scripted-auditor',
        },
      }),
    });
    await call(stack, '/v1/conversations', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: JSON.stringify(sgdRecords(300, 40)),
    });
    // 90 conversations that end in a complaint, from 30 people: an issues map to name.
    const failing = sgdRecords(90, 30).map((record, i) => {
      const messages = record.messages as { role: string; content: string }[];
      return {
        ...record,
        id: `failing-${i}`,
        user_id: `failing-user-${i % 30}`,
        messages: [
          messages[0],
          messages[1],
          { role: 'user', content: 'No, that is wrong. It still does not work.' },
        ],
      };
    });
    await call(stack, '/v1/conversations', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: JSON.stringify(failing),
    });
    await stack.queue.waitUntilIdle(120_000);
    await stack.queue.enqueue('cluster-tenant', { tenantId: stack.tenant.tenant.id });
    await stack.queue.waitUntilIdle(180_000);
  }, 300_000);
  afterAll(async () => {
    await stack?.close();
    await server?.close();
  });

  it('names clusters with the model, never over 100 items a prompt, and moves flagged members', async () => {
    const document = (await latestSnapshotDocument(stack.apiDb, stack.tenant.tenant.id))!;
    expect(
      document.clusters.some((cluster) => cluster.name.startsWith('Scripted travel planning')),
    ).toBe(true);
    for (const request of server.requestsTo('chat')) {
      const user =
        (request.body as { messages: { role: string; content: string }[] }).messages.find(
          (m) => m.role === 'user',
        )?.content ?? '';
      expect(
        user.split('\n').filter((line) => /^(\d+\.|- |\[\d+\])/.test(line)).length,
      ).toBeLessThanOrEqual(100);
    }
    const namer = await stack.ownerDb.query<{ namer: string }>(
      "SELECT params->>'namer' AS namer FROM sealed.cluster_runs WHERE map = 'topics'",
    );
    expect(namer.rows[0]!.namer).toMatch(
      /scripted-namer \(name-v1, hierarchy-v1; \d+ named, [1-9]\d* members moved\)/,
    );
    // The upper levels were built by the model: parents renamed from their actual children.
    const top = document.clusters.filter((cluster) => cluster.level === 0 && !cluster.is_other);
    expect(top.length).toBeGreaterThan(0);
    expect(top.every((cluster) => cluster.name.startsWith('Renamed group'))).toBe(true);
    expect([...new Set(document.clusters.map((cluster) => cluster.level))].sort()).toEqual([
      0, 1, 2,
    ]);
    const byId = new Map(document.clusters.map((cluster) => [cluster.id, cluster]));
    for (const cluster of document.clusters) {
      if (cluster.level > 0) expect(byId.get(cluster.parent_id!)?.level).toBe(cluster.level - 1);
    }
  });

  it('publishes no leaked or identifying name, and records the auditor in the evidence', async () => {
    const document = (await latestSnapshotDocument(stack.apiDb, stack.tenant.tenant.id))!;
    const text = JSON.stringify([document.clusters, document.maps]);
    expect(text).not.toContain(LEAKED_EMAIL);
    expect(text).not.toContain(IDENTIFYING);
    expect(document.clusters.some((cluster) => cluster.name === 'Unnamed group')).toBe(true);
    expect(document.privacy.auditor).toMatchObject({
      model: 'scripted-auditor',
      promptVersion: 'audit-v1',
      minScore: 4,
    });
    expect(document.privacy.auditor!.rejected).toBeGreaterThan(0);
  });

  it('names the issues map the same way, through the same gates (issue #15)', async () => {
    const document = (await latestSnapshotDocument(stack.apiDb, stack.tenant.tenant.id))!;
    const issues = document.maps['issues'] ?? [];
    expect(issues.length).toBeGreaterThan(0);
    const named = issues.filter((cluster) => !cluster.is_other);
    // Named by the model (base issues, and the top level rebuilt and renamed), kept offline where
    // the model's name was unusable (the readable offline name the run stored), or withheld by the
    // auditor and the PII gate: never the leaking or identifying names.
    expect(
      named
        .filter((cluster) => cluster.level === 0)
        .every((cluster) => /^(Renamed group|Unnamed group)/.test(cluster.name)),
    ).toBe(true);
    const stored = await stack.ownerDb.query<{ id: string; name: string }>(
      `SELECT id, name FROM sealed.clusters WHERE run_id = (
         SELECT id FROM sealed.cluster_runs WHERE map = 'issues' AND status = 'done'
          ORDER BY started_at DESC LIMIT 1)`,
    );
    const storedName = new Map(stored.rows.map((row) => [row.id, row.name]));
    for (const cluster of named) {
      expect(cluster.name).not.toContain(LEAKED_EMAIL);
      expect(cluster.name).not.toContain(IDENTIFYING);
      if (cluster.name !== 'Unnamed group') expect(cluster.name).toBe(storedName.get(cluster.id));
    }
    const namer = await stack.ownerDb.query<{ namer: string }>(
      "SELECT params->>'namer' AS namer FROM sealed.cluster_runs WHERE map = 'issues'",
    );
    expect(namer.rows[0]!.namer).toMatch(/^scripted-namer \(name-v1, hierarchy-v1; \d+ named/);
  });

  it('pools a breakdown value the auditor refuses, never showing it (issue #10)', async () => {
    const teams = await call(stack, '/v1/insights/breakdown?facet=team', {
      key: stack.tenant.readKey,
    });
    const values = teams.body.rows.map((row: { value: string }) => row.value);
    expect(values).toEqual(expect.arrayContaining(['team-0', 'team-1', '(other)']));
    expect(values).not.toContain('team-3');
    const document = (await latestSnapshotDocument(stack.apiDb, stack.tenant.tenant.id))!;
    expect(JSON.stringify(document)).not.toContain('team-3');
    expect(document.privacy.textGate.byReason.auditor_score).toBeGreaterThan(0);
  });

  it('counts in the evidence the goal statements shown, after the auditor (issue #10)', async () => {
    const document = (await latestSnapshotDocument(stack.apiDb, stack.tenant.tenant.id))!;
    const goals = document.clusters.flatMap((cluster) => cluster.goals);
    expect(goals.length).toBeGreaterThan(0);
    expect(goals.some((goal) => goal.includes('reserve something'))).toBe(false);
    const audited = server
      .requestsTo('chat')
      .some((request) => JSON.stringify(request.body).includes('reserve something'));
    expect(audited).toBe(true);
    const counted = Object.entries(document.privacy.cells.byScope)
      .filter(([scope]) => scope.endsWith('/goal'))
      .reduce((sum, [, counts]) => sum + counts.published, 0);
    expect(counted).toBe(goals.length);
  });

  it('publishes the offline keywords next to model names, each through the auditor', async () => {
    const document = (await latestSnapshotDocument(stack.apiDb, stack.tenant.tenant.id))!;
    // Inside the boundary the run kept keywords with "restaurant" (the SGD data has them)...
    const sealed = await stack.ownerDb.query<{ keyword: string }>(
      'SELECT DISTINCT unnest(keywords) AS keyword FROM sealed.clusters',
    );
    expect(sealed.rows.some((row) => /restaurant/i.test(row.keyword))).toBe(true);
    // ...the auditor failed each of them, and only those were dropped.
    const published = document.clusters.flatMap((cluster) => cluster.keywords);
    expect(published.length).toBeGreaterThan(0);
    expect(published.filter((keyword) => /restaurant/i.test(keyword))).toEqual([]);
    // Parents rebuilt by the model have keywords from their actual members too.
    const top = document.clusters.filter((cluster) => cluster.level === 0 && !cluster.is_other);
    expect(top.some((cluster) => cluster.keywords.length > 0)).toBe(true);
  });
});
