/**
 * The smaller findings of the privacy review (issue #10, finding 6) at the HTTP API, in both
 * modes: raw pipeline counts refused to read keys, denied requests in the audit log, another
 * tenant's cluster as `?parent=` answering 404, `Cache-Control: no-store` on every authenticated
 * response and a strict Content-Security-Policy on the dashboard and the API. The analyst's
 * endpoints (`POST /v1/ask`, `/mcp`) are held to the same rules.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InsightsRepository, type PublishedCluster } from '@silhouette/db';
import { call, startStack, type Stack } from '../helpers/stack';

/**
 * A snapshot of `tenantId` with one cluster per id, stored as the publisher stores one (tenant
 * evidence, the ids of the clusters it pooled).
 */
async function publishClusters(
  stack: Stack,
  tenantId: string,
  clusterIds: string[],
  pooledClusterIds: string[] = [],
  name = 'Booking trips',
): Promise<void> {
  await stack.ownerDb.transaction((tx) =>
    new InsightsRepository(tx).save({
      tenantId,
      runId: randomUUID(),
      periodStart: null,
      periodEnd: null,
      overview: { published: true, levels: 1, thresholds: { k_users: 5, min_conversations: 10 } },
      evidence: {},
      pooledClusterIds,
      clusters: clusterIds.map((id) => clusterOf(id, name)),
      breakdowns: [],
      trends: [],
    }),
  );
}

function clusterOf(clusterId: string, name: string): PublishedCluster {
  return {
    clusterId,
    level: 0,
    parentId: null,
    isOther: false,
    name,
    description: 'Travel bookings',
    keywords: [],
    conversations: 40,
    distinctUsers: 12,
    minutesSavedTotal: 120,
    metrics: { failure_impact_minutes: 60, failure_rate: 0.2, outcomes: [] },
    goals: [],
    lineage: { kind: 'new', sources: [] },
  };
}

const FOREIGN_NAME = 'Globex merger talks';
const MCP_ACCEPT = 'application/json, text/event-stream';
const MCP_INITIALIZE = JSON.stringify({
  jsonrpc: '2.0',
  id: 1,
  method: 'initialize',
  params: {
    protocolVersion: '2025-03-26',
    capabilities: {},
    clientInfo: { name: 'hardening-test', version: '1.0.0' },
  },
});

async function mcpClient(stack: Stack, key: string): Promise<Client> {
  const client = new Client({ name: 'hardening-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${stack.baseUrl}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${key}` } },
    }),
  );
  return client;
}

const toolText = (result: any) =>
  (result.content as { text: string }[]).map((c) => c.text).join('');

describe.each(['server', 'embedded'] as const)('API hardening (%s mode)', (mode) => {
  let stack: Stack;
  let dashboardDir: string;
  let other: Awaited<ReturnType<Stack['createTenant']>>;
  let ownCluster: string;
  let foreignCluster: string;

  beforeAll(async () => {
    dashboardDir = mkdtempSync(join(tmpdir(), 'silhouette-dashboard-'));
    writeFileSync(join(dashboardDir, 'index.html'), '<!doctype html><div id="root"></div>');
    stack = await startStack({ mode, dashboardDir });
    other = await stack.createTenant('globex');
    ownCluster = randomUUID();
    foreignCluster = randomUUID();
    await publishClusters(stack, stack.tenant.tenant.id, [ownCluster]);
    await publishClusters(stack, other.tenant.id, [foreignCluster], [], FOREIGN_NAME);
  });
  afterAll(async () => {
    await stack?.close();
    rmSync(dashboardDir, { recursive: true, force: true });
  });

  const audit = async (where: string, params: unknown[]) =>
    (
      await stack.ownerDb.query<{
        tenant_id: string | null;
        actor: string;
        action: string;
        details: any;
      }>(
        `SELECT tenant_id, actor, action, details FROM app.audit_log WHERE ${where} ORDER BY id`,
        params,
      )
    ).rows;

  it('gives raw pipeline counts to admin and ingest keys only (403 for read)', async () => {
    expect((await call(stack, '/v1/status', { key: stack.tenant.readKey })).status).toBe(403);
    expect((await call(stack, '/v1/status', { key: stack.tenant.adminKey })).status).toBe(200);
    expect((await call(stack, '/v1/status', { key: stack.tenant.ingestKey })).status).toBe(200);
    // A dashboard session opened with a read key is refused too.
    const session = await call(stack, '/v1/session', {
      method: 'POST',
      body: JSON.stringify({ key: stack.tenant.readKey }),
    });
    const cookie = session.headers.get('set-cookie')!.split(';')[0]!;
    expect((await call(stack, '/v1/status', { headers: { cookie } })).status).toBe(403);
  });

  it('audit-logs denied requests: who (never the credential), which route, why', async () => {
    const unknownKey = `sil_read_${'x'.repeat(32)}`;
    expect((await call(stack, '/v1/insights/overview', { key: unknownKey })).status).toBe(401);
    expect((await call(stack, '/v1/insights/overview')).status).toBe(401);
    expect(
      (
        await call(stack, '/v1/insights/overview', {
          headers: { cookie: 'silhouette_session=nope' },
        })
      ).status,
    ).toBe(401);
    expect((await call(stack, '/v1/admin/keys', { key: stack.tenant.readKey })).status).toBe(403);
    const created = await call(stack, '/v1/admin/keys', {
      method: 'POST',
      key: stack.tenant.adminKey,
      body: JSON.stringify({ scope: 'read', label: 'soon revoked' }),
    });
    await call(stack, `/v1/admin/keys/${created.body.id}`, {
      method: 'DELETE',
      key: stack.tenant.adminKey,
    });
    expect((await call(stack, '/v1/insights/overview', { key: created.body.key })).status).toBe(
      401,
    );
    const signIn = await call(stack, '/v1/session', {
      method: 'POST',
      body: JSON.stringify({
        tenant: 'acme',
        email: 'nobody@acme.example',
        password: 'x'.repeat(12),
      }),
    });
    expect(signIn.status).toBe(401);

    const anonymous = await audit(`actor IN ('key:unknown', 'anonymous', 'session:unknown')`, []);
    expect(anonymous).toEqual([
      {
        tenant_id: null,
        actor: 'key:unknown',
        action: 'GET /v1/insights/overview',
        details: { denied: 401, reason: 'unauthenticated' },
      },
      expect.objectContaining({
        actor: 'anonymous',
        details: { denied: 401, reason: 'unauthenticated' },
      }),
      expect.objectContaining({ actor: 'session:unknown' }),
    ]);
    // The tenant's admins see what was tried with their keys and accounts.
    const log = (await call(stack, '/v1/admin/audit-log?limit=200', { key: stack.tenant.adminKey }))
      .body.entries as { actor: string; action: string; details: any }[];
    const denied = log.filter((entry) => entry.details.denied);
    expect(denied).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          actor: `key:${created.body.id}`,
          action: 'GET /v1/insights/overview',
          details: { denied: 401, reason: 'unauthenticated' },
        }),
        expect.objectContaining({
          action: 'GET /v1/admin/keys',
          details: { denied: 403, reason: 'forbidden' },
        }),
        expect.objectContaining({
          action: 'GET /v1/status',
          details: { denied: 403, reason: 'forbidden' },
        }),
      ]),
    );
    const failedSignIn = await audit(`actor = 'account:unknown'`, []);
    expect(failedSignIn).toEqual([
      expect.objectContaining({
        action: 'POST /v1/session',
        details: { denied: 401, reason: 'wrong_password' },
      }),
    ]);
    // No credential, cookie or e-mail address is ever written.
    const everything = JSON.stringify(await audit('true', []));
    for (const secret of [unknownKey, created.body.key, 'nope', 'nobody@acme.example'])
      expect(everything).not.toContain(secret);
  });

  it('answers 404 for another tenant’s cluster as parent, never an empty list', async () => {
    const own = await call(stack, `/v1/insights/clusters?parent=${ownCluster}`, {
      key: stack.tenant.readKey,
    });
    expect(own.status).toBe(200);
    expect(own.body.clusters).toEqual([]);
    for (const parent of [foreignCluster, randomUUID()]) {
      const response = await call(stack, `/v1/insights/clusters?parent=${parent}`, {
        key: stack.tenant.readKey,
      });
      expect(response.status).toBe(404);
      expect(response.text).not.toContain('Booking trips');
      expect(response.text).not.toContain(FOREIGN_NAME);
    }
  });

  it('the analyst over MCP answers another tenant’s cluster id as an unknown one', async () => {
    const client = await mcpClient(stack, stack.tenant.readKey);
    try {
      const own = await client.callTool({
        name: 'get_cluster',
        arguments: { cluster_id: ownCluster },
      });
      expect(own.isError).toBeFalsy();
      expect(toolText(own)).toContain('Booking trips');
      const refusals: string[] = [];
      for (const id of [foreignCluster, randomUUID()]) {
        for (const [name, args] of [
          ['get_cluster', { cluster_id: id }],
          ['list_clusters', { parent_id: id }],
        ] as const) {
          const result = await client.callTool({ name, arguments: args });
          expect(result.isError, `${name} ${id}`).toBe(true);
          expect(toolText(result)).not.toContain(FOREIGN_NAME);
          refusals.push(toolText(result).replaceAll(id, '<id>'));
        }
      }
      // The same words for a foreign id as for one that exists nowhere: nothing to tell them apart.
      expect(refusals.slice(0, 2)).toEqual(refusals.slice(2));
      const asked = await call(stack, '/v1/ask', {
        method: 'POST',
        key: stack.tenant.readKey,
        body: JSON.stringify({ question: `How many conversations about ${FOREIGN_NAME}?` }),
      });
      expect(asked.status).toBe(200);
      expect(JSON.stringify(asked.body.figures)).not.toContain(FOREIGN_NAME);
    } finally {
      await client.close();
    }
  });

  it('audit-logs requests the analyst’s endpoints deny, without the question', async () => {
    const question = JSON.stringify({ question: 'How many conversations about Booking trips?' });
    const unknownKey = `sil_read_${'z'.repeat(32)}`;
    expect(
      (
        await call(stack, '/v1/ask', {
          method: 'POST',
          key: stack.tenant.ingestKey,
          body: question,
        })
      ).status,
    ).toBe(403);
    expect(
      (
        await call(stack, '/mcp', {
          method: 'POST',
          key: unknownKey,
          body: MCP_INITIALIZE,
          headers: { accept: MCP_ACCEPT },
        })
      ).status,
    ).toBe(401);
    expect(
      (
        await call(stack, '/mcp', {
          method: 'POST',
          key: stack.tenant.ingestKey,
          body: MCP_INITIALIZE,
          headers: { accept: MCP_ACCEPT },
        })
      ).status,
    ).toBe(403);
    const denied = await audit(
      `details->>'denied' IS NOT NULL AND action IN ('POST /v1/ask', 'POST /mcp')`,
      [],
    );
    expect(denied).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          tenant_id: stack.tenant.tenant.id,
          action: 'POST /v1/ask',
          details: { denied: 403, reason: 'forbidden' },
        }),
        expect.objectContaining({
          tenant_id: null,
          actor: 'key:unknown',
          action: 'POST /mcp',
          details: { denied: 401, reason: 'unauthenticated' },
        }),
        expect.objectContaining({
          tenant_id: stack.tenant.tenant.id,
          action: 'POST /mcp',
          details: { denied: 403, reason: 'forbidden' },
        }),
      ]),
    );
    const everything = JSON.stringify(denied);
    for (const secret of [unknownKey, stack.tenant.ingestKey, 'Booking trips'])
      expect(everything).not.toContain(secret);
  });

  it('says a cluster was pooled in the previous snapshot (was_pooled can be true)', async () => {
    const grown = randomUUID();
    const fresh = randomUUID();
    await publishClusters(stack, stack.tenant.tenant.id, [ownCluster], [grown]);
    await publishClusters(stack, stack.tenant.tenant.id, [ownCluster, grown, fresh]);
    const failures = await call(stack, '/v1/insights/failures?level=0', {
      key: stack.tenant.readKey,
    });
    const status = new Map(
      failures.body.clusters.map((c: { id: string; trend: { status: string } }) => [
        c.id,
        c.trend.status,
      ]),
    );
    expect(status.get(grown)).toBe('was_pooled');
    expect(status.get(fresh)).toBe('new');
    expect(status.get(ownCluster)).toBe('compared');
  });

  it('marks every authenticated response no-store, and sends a strict CSP', async () => {
    for (const [path, key] of [
      ['/v1/insights/overview', stack.tenant.readKey],
      ['/v1/insights/clusters', stack.tenant.readKey],
      ['/v1/privacy/evidence', stack.tenant.readKey],
      ['/v1/tenant', stack.tenant.readKey],
      ['/v1/admin/keys', stack.tenant.adminKey],
      ['/v1/admin/audit-log', stack.tenant.adminKey],
      ['/v1/insights/clusters/not-an-id', stack.tenant.readKey],
      ['/v1/admin/keys', stack.tenant.readKey],
    ] as const) {
      const response = await call(stack, path, { key });
      expect(response.headers.get('cache-control'), path).toBe('no-store');
      expect(response.headers.get('content-security-policy'), path).toContain("default-src 'none'");
    }
    // The analyst's answers are insights too, allowed or refused.
    for (const [path, key, body, headers] of [
      [
        '/v1/ask',
        stack.tenant.readKey,
        JSON.stringify({ question: 'How many conversations?' }),
        {},
      ],
      [
        '/v1/ask',
        stack.tenant.ingestKey,
        JSON.stringify({ question: 'How many conversations?' }),
        {},
      ],
      ['/mcp', stack.tenant.readKey, MCP_INITIALIZE, { accept: MCP_ACCEPT }],
      ['/mcp', stack.tenant.ingestKey, MCP_INITIALIZE, { accept: MCP_ACCEPT }],
    ] as const) {
      const response = await call(stack, path, { method: 'POST', key, body, headers });
      expect(response.status, `${path} ${response.text}`).toBeLessThan(500);
      expect(response.headers.get('cache-control'), path).toBe('no-store');
      expect(response.headers.get('content-security-policy'), path).toContain("default-src 'none'");
    }
    const page = await fetch(`${stack.baseUrl}/?view=overview`, {
      headers: { accept: 'text/html' },
    });
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    for (const directive of [
      "default-src 'none'",
      "script-src 'self'",
      "style-src 'self'",
      "connect-src 'self'",
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ])
      expect(csp).toContain(directive);
    expect(csp).not.toContain('unsafe');
  });
});

describe('denied requests flood (embedded mode)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ mode: 'embedded', env: { RATE_LIMIT_PER_MINUTE: '10' } });
  });
  afterAll(async () => stack?.close());

  it('answers every bad key with 401 but writes at most the per-minute cap to the audit log', async () => {
    for (let i = 0; i < 25; i += 1) {
      const key = `sil_read_${String(i).padStart(32, 'y')}`;
      expect((await call(stack, '/v1/insights/overview', { key })).status).toBe(401);
    }
    const logged = await stack.ownerDb.query<{ n: number }>(
      "SELECT count(*)::integer AS n FROM app.audit_log WHERE actor = 'key:unknown'",
    );
    // 10 at once; the bucket refills one every 6 s, so a slow run may log one or two more.
    expect(Number(logged.rows[0]!.n)).toBeGreaterThanOrEqual(10);
    expect(Number(logged.rows[0]!.n)).toBeLessThanOrEqual(12);
  });
});
