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
      score: line.includes('Globex') ? 2 : 5,
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
    // the model's name was unusable, or withheld by the auditor and the PII gate: never the
    // leaking or identifying names.
    expect(
      named
        .filter((cluster) => cluster.level === 0)
        .every((cluster) => /^(Renamed group|Unnamed group)/.test(cluster.name)),
    ).toBe(true);
    expect(
      named.every((cluster) =>
        /^(Scripted travel planning|Renamed group|Unnamed group|[a-z ]+( · [a-z ]+)*$)/.test(
          cluster.name,
        ),
      ),
    ).toBe(true);
    const namer = await stack.ownerDb.query<{ namer: string }>(
      "SELECT params->>'namer' AS namer FROM sealed.cluster_runs WHERE map = 'issues'",
    );
    expect(namer.rows[0]!.namer).toMatch(/^scripted-namer \(name-v1, hierarchy-v1; \d+ named/);
  });
});
