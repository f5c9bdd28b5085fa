/**
 * `/metrics` (issue #10 follow-up). A verification pass read every tenant's ingest and OTLP
 * counters from `/metrics` with no key at all: `silhouette_ingest_records_total{tenant="acme",…}`.
 * Now the route does not exist unless the operator sets `METRICS_TOKEN`, and then it answers only
 * `Authorization: Bearer <METRICS_TOKEN>`: no tenant key (read, admin, ingest) and no dashboard
 * session opens it, and every refusal is audit-logged without the credential. Both modes.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openaiRecord } from '../helpers/fixtures';
import { call, startStack, type Stack } from '../helpers/stack';

/** One conversation through each ingest door, so both per-tenant counters have a value. */
async function ingestThroughBothDoors(stack: Stack, ingestKey: string): Promise<void> {
  const batch = await call(stack, '/v1/conversations', {
    method: 'POST',
    key: ingestKey,
    body: JSON.stringify([openaiRecord('metrics-1', 'u1')]),
  });
  expect(batch.body.accepted).toBe(1);
  const span = {
    traceId: randomBytes(16).toString('hex'),
    spanId: randomBytes(8).toString('hex'),
    name: 'chat',
    startTimeUnixNano: '1700000000000000000',
    attributes: [
      { key: 'user.id', value: { stringValue: 'u2' } },
      {
        key: 'gen_ai.input.messages',
        value: {
          stringValue: JSON.stringify([
            { role: 'user', parts: [{ type: 'text', content: 'Plan the offsite' }] },
          ]),
        },
      },
    ],
  };
  const otlp = await call(stack, '/otlp/v1/traces', {
    method: 'POST',
    key: ingestKey,
    body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [span] }] }] }),
  });
  expect(otlp.status).toBe(200);
}

/** A dashboard session cookie opened with `key`. */
async function sessionCookie(stack: Stack, key: string): Promise<string> {
  const session = await call(stack, '/v1/session', {
    method: 'POST',
    body: JSON.stringify({ key }),
  });
  expect(session.status).toBe(200);
  return session.headers.get('set-cookie')!.split(';')[0]!;
}

const FIGURES = /silhouette_|tenant=|acme|globex/;

describe.each(['server', 'embedded'] as const)('/metrics access (%s mode)', (mode) => {
  describe('without METRICS_TOKEN (the default)', () => {
    let stack: Stack;
    beforeAll(async () => {
      stack = await startStack({ mode });
      await ingestThroughBothDoors(stack, stack.tenant.ingestKey);
    });
    afterAll(async () => stack?.close());

    it('is not there: no key, any tenant key or a session gets the unknown-route 404, no figures', async () => {
      const unknownRoute = await call(stack, '/no-such-route');
      expect(unknownRoute.status).toBe(404);
      const cookie = await sessionCookie(stack, stack.tenant.adminKey);
      const attempts: Record<string, string>[] = [
        {},
        { Authorization: `Bearer ${stack.tenant.readKey}` },
        { Authorization: `Bearer ${stack.tenant.adminKey}` },
        { Authorization: `Bearer ${stack.tenant.ingestKey}` },
        { 'X-Api-Key': stack.tenant.adminKey },
        { cookie },
      ];
      for (const headers of attempts) {
        const metrics = await call(stack, '/metrics', { headers });
        expect(metrics.status, JSON.stringify(Object.keys(headers))).toBe(404);
        expect(metrics.body).toEqual(unknownRoute.body);
        expect(metrics.headers.get('content-type')).toBe(unknownRoute.headers.get('content-type'));
        expect(metrics.text).not.toMatch(FIGURES);
      }
      // An unknown route is not a denied request: nothing about it in the audit log either.
      const logged = await stack.ownerDb.query(
        "SELECT 1 FROM app.audit_log WHERE action LIKE '%/metrics%'",
      );
      expect(logged.rows).toEqual([]);
    });
  });

  describe('with METRICS_TOKEN', () => {
    const token = randomBytes(24).toString('base64url');
    // Same length, last character changed: a wrong token that shares the longest prefix.
    const nearMiss = `${token.slice(0, -1)}${token.endsWith('A') ? 'B' : 'A'}`;
    let stack: Stack;
    let otherIngestKey: string;
    beforeAll(async () => {
      stack = await startStack({ mode, env: { METRICS_TOKEN: token } });
      const other = await stack.createTenant('globex');
      otherIngestKey = other.ingestKey;
      await ingestThroughBothDoors(stack, stack.tenant.ingestKey);
      await ingestThroughBothDoors(stack, otherIngestKey);
    });
    afterAll(async () => stack?.close());

    it('refuses no key, a wrong token, every tenant key and a dashboard session with 401 and no figures', async () => {
      const readCookie = await sessionCookie(stack, stack.tenant.readKey);
      const adminCookie = await sessionCookie(stack, stack.tenant.adminKey);
      const attempts: Record<string, string>[] = [
        {},
        { Authorization: `Bearer ${nearMiss}` },
        { Authorization: `Bearer ${token.slice(0, 8)}` },
        { Authorization: `Bearer ${token}x` },
        { Authorization: `Basic ${Buffer.from(`prometheus:${token}`).toString('base64')}` },
        { Authorization: token },
        { 'X-Api-Key': token },
        { Authorization: `Bearer ${stack.tenant.readKey}` },
        { Authorization: `Bearer ${stack.tenant.adminKey}` },
        { Authorization: `Bearer ${stack.tenant.ingestKey}` },
        { Authorization: `Bearer ${otherIngestKey}` },
        { cookie: readCookie },
        { cookie: adminCookie },
      ];
      for (const headers of attempts) {
        const metrics = await call(stack, '/metrics', { headers });
        expect(metrics.status, JSON.stringify(headers)).toBe(401);
        expect(metrics.headers.get('www-authenticate')).toBe('Bearer realm="metrics"');
        expect(metrics.body.error).toMatchObject({
          code: 'unauthenticated',
          field: 'authorization',
        });
        expect(metrics.text).not.toMatch(FIGURES);
        expect(metrics.headers.get('cache-control')).toBe('no-store');
      }
    });

    it('answers the operator’s token with every tenant’s counters', async () => {
      for (const authorization of [`Bearer ${token}`, `bearer  ${token} `]) {
        const metrics = await call(stack, '/metrics', {
          headers: { Authorization: authorization },
        });
        expect(metrics.status).toBe(200);
        expect(metrics.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
        for (const tenant of ['acme', 'globex']) {
          // Ingest counts conversations from both doors; the OTLP counter counts spans.
          expect(metrics.text).toContain(
            `silhouette_ingest_records_total{tenant="${tenant}",result="accepted"} 2`,
          );
          expect(metrics.text).toContain(
            `silhouette_otlp_spans_total{tenant="${tenant}",result="accepted"} 1`,
          );
        }
        expect(metrics.text).toMatch(/silhouette_http_request_duration_seconds_bucket/);
      }
    });

    it('audit-logs each refusal (who, route, why), never the token or the key presented', async () => {
      const before = Number(
        (
          await stack.ownerDb.query<{ n: number }>(
            'SELECT count(*)::integer AS n FROM app.audit_log',
          )
        ).rows[0]!.n,
      );
      await call(stack, '/metrics');
      await call(stack, '/metrics', { key: nearMiss });
      await call(stack, '/metrics', { key: stack.tenant.readKey });
      await call(stack, '/metrics', { key: token });
      const rows = (
        await stack.ownerDb.query<{
          tenant_id: string | null;
          actor: string;
          action: string;
          details: Record<string, unknown>;
        }>('SELECT tenant_id, actor, action, details FROM app.audit_log ORDER BY id OFFSET $1', [
          before,
        ])
      ).rows;
      const keyIds = async (tenantId: string) =>
        new Map(
          (
            await stack.ownerDb.query<{ id: string; scope: string }>(
              'SELECT id, scope FROM app.api_keys WHERE tenant_id = $1',
              [tenantId],
            )
          ).rows.map((row) => [row.scope, `key:${row.id}`]),
        );
      const acmeKeys = await keyIds(stack.tenant.tenant.id);
      const readKeyId = acmeKeys.get('read')!.slice('key:'.length);
      const denied = { denied: 401, reason: 'unauthenticated' };
      // The operator's scrape is not an audit entry (it is no tenant's access to insights).
      expect(rows).toEqual([
        { tenant_id: null, actor: 'anonymous', action: 'GET /metrics', details: denied },
        { tenant_id: null, actor: 'key:unknown', action: 'GET /metrics', details: denied },
        {
          tenant_id: stack.tenant.tenant.id,
          actor: `key:${readKeyId}`,
          action: 'GET /metrics',
          details: denied,
        },
      ]);
      // The tenant's admins see their own keys' attempts (this one and the earlier test's), not
      // the anonymous ones nor another tenant's key.
      const tenantLog = await call(stack, '/v1/admin/audit-log?limit=200', {
        key: stack.tenant.adminKey,
      });
      const metricsEntries = (tenantLog.body.entries as { action: string; actor: string }[]).filter(
        (entry) => entry.action === 'GET /metrics',
      );
      expect(metricsEntries.map((entry) => entry.actor)).toContain(`key:${readKeyId}`);
      expect(new Set(metricsEntries.map((entry) => entry.actor))).toEqual(
        new Set(acmeKeys.values()),
      );

      const everything = JSON.stringify(
        (await stack.ownerDb.query('SELECT * FROM app.audit_log')).rows,
      );
      for (const secret of [token, nearMiss, stack.tenant.readKey]) {
        expect(everything).not.toContain(secret);
        expect(stack.logs()).not.toContain(secret);
      }
    });
  });
});
