import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  openaiRecord,
  sharegptRecord,
  anthropicRecord,
  toJsonl,
} from '../../../test/helpers/fixtures';
import { redisUrl } from '../../../test/helpers/services';
import { call, startStack, TEST_METRICS_TOKEN, type Stack } from '../../../test/helpers/stack';

const countConversations = async (stack: Stack) =>
  Number(
    (
      await stack.ownerDb.query<{ n: number }>(
        'SELECT count(*)::integer AS n FROM sealed.conversations',
      )
    ).rows[0]!.n,
  );

describe('HTTP API (server mode: PostgreSQL + BullMQ)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({
      mode: 'server',
      env: {
        INGEST_MAX_RECORDS: '50',
        INGEST_MAX_REQUEST_BYTES: '200000',
        INGEST_MAX_MESSAGE_BYTES: '2000',
        METRICS_TOKEN: TEST_METRICS_TOKEN,
      },
    });
  });
  afterAll(async () => stack?.close());

  it('answers health, readiness (database and queue) and Prometheus metrics (operator’s token)', async () => {
    expect((await call(stack, '/health')).body).toEqual({ status: 'ok' });
    const ready = await call(stack, '/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toEqual({
      status: 'ready',
      checks: { shutdown: 'ok', database: 'ok', queue: 'ok' },
    });
    await call(stack, '/v1/conversations', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: JSON.stringify([openaiRecord('m-1', 'u1')]),
    });
    // The operator's only: no key, or the tenant's own key, reads nothing (issue #10).
    expect((await call(stack, '/metrics')).status).toBe(401);
    expect((await call(stack, '/metrics', { key: stack.tenant.adminKey })).status).toBe(401);
    const metrics = await call(stack, '/metrics', { key: TEST_METRICS_TOKEN });
    expect(metrics.status).toBe(200);
    expect(metrics.text).toMatch(
      /silhouette_ingest_records_total\{tenant="acme",result="accepted"\} 1/,
    );
    expect(metrics.text).toMatch(/silhouette_queue_jobs\{queue="tagging",state="waiting"\} \d+/);
    expect(metrics.text).toMatch(/silhouette_http_request_duration_seconds_bucket/);
  });

  it('serves the OpenAPI document and Swagger UI at /docs', async () => {
    const doc = await call(stack, '/docs/openapi.json');
    expect(doc.body.openapi).toBe('3.0.3');
    expect(Object.keys(doc.body.paths)).toContain('/v1/conversations');
    const page = await call(stack, '/docs');
    expect(page.text).toContain('swagger-ui-bundle.js');
    expect((await call(stack, '/docs/assets/swagger-ui-bundle.js')).status).toBe(200);
  });

  it('authenticates keys and enforces scopes', async () => {
    const body = JSON.stringify([openaiRecord('auth-1', 'u1')]);
    expect((await call(stack, '/v1/conversations', { method: 'POST', body })).status).toBe(401);
    const unknown = await call(stack, '/v1/conversations', {
      method: 'POST',
      body,
      key: 'sil_ingest_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA',
    });
    expect(unknown.status).toBe(401);
    expect(unknown.body.error.field).toBe('authorization');
    const wrongScope = await call(stack, '/v1/conversations', {
      method: 'POST',
      body,
      key: stack.tenant.readKey,
    });
    expect(wrongScope.status).toBe(403);
    expect(wrongScope.body.error.message).toMatch(/scope ingest/);
    expect((await call(stack, '/v1/admin/keys', { key: stack.tenant.readKey })).status).toBe(403);
    expect((await call(stack, '/v1/tenant', { key: stack.tenant.readKey })).body.slug).toBe('acme');
  });

  it('ingests JSON arrays and JSON lines in all formats, idempotently, with one id-only tag job each', async () => {
    const before = await countConversations(stack);
    const records = [
      openaiRecord('f-1', 'u1'),
      anthropicRecord('f-2', 'u2'),
      sharegptRecord('f-3', 'u3'),
    ];
    const first = await call(stack, '/v1/conversations', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: JSON.stringify(records),
    });
    expect(first.status).toBe(200);
    expect(first.body).toEqual({
      accepted: 3,
      updated: 0,
      duplicates: 0,
      rejected: [],
      ignored_fields: [],
    });
    const again = await call(stack, '/v1/conversations', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: toJsonl(records),
      headers: { 'Content-Type': 'application/x-ndjson' },
    });
    expect(again.body).toEqual({
      accepted: 0,
      updated: 0,
      duplicates: 3,
      rejected: [],
      ignored_fields: [],
    });
    expect(await countConversations(stack)).toBe(before + 3);
    const redis = new Redis(redisUrl());
    try {
      const keys = await redis.keys(`${stack.queuePrefix}:tagging:tag-conversation__*`);
      expect(keys.length).toBeGreaterThanOrEqual(3);
      for (const key of keys) {
        const data = JSON.parse((await redis.hget(key, 'data'))!);
        expect(Object.keys(data).sort()).toEqual(['conversationId', 'tenantId']);
      }
    } finally {
      redis.disconnect();
    }
  });

  it('answers 413 naming the limit, and stores nothing, when a limit is exceeded', async () => {
    const before = await countConversations(stack);
    const tooMany = Array.from({ length: 51 }, (_, i) => openaiRecord(`many-${i}`, 'u1'));
    const records = await call(stack, '/v1/conversations', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: JSON.stringify(tooMany),
    });
    expect(records.status).toBe(413);
    expect(records.body.error).toMatchObject({ limit: 'max_records', max: 50 });
    const bigMessage = [
      openaiRecord('ok-before-big', 'u1'),
      openaiRecord('big', 'u1', 'x'.repeat(2001)),
    ];
    const message = await call(stack, '/v1/conversations', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: JSON.stringify(bigMessage),
    });
    expect(message.status).toBe(413);
    expect(message.body.error).toMatchObject({
      limit: 'max_message_bytes',
      max: 2000,
      field: 'messages[1]',
    });
    const bytes = await call(stack, '/v1/conversations', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: 'x'.repeat(200_001),
    });
    expect(bytes.status).toBe(413);
    expect(bytes.body.error).toMatchObject({
      limit: 'max_request_bytes',
      max: 200000,
      field: 'body',
    });
    expect(await countConversations(stack)).toBe(before);
  });

  describe('fuzzed bad input: 4xx naming the field, never a 5xx, nothing stored', () => {
    const valid = () => openaiRecord('fuzz-id', 'fuzz-user') as Record<string, unknown>;
    const withField = (patch: Record<string, unknown>) => ({ ...valid(), ...patch });
    const without = (key: string) =>
      Object.fromEntries(Object.entries(valid()).filter(([k]) => k !== key));
    const message = (patch: Record<string, unknown>) =>
      withField({ messages: [{ role: 'user', content: 'hello', ...patch }] });
    const msgNo = (key: string) =>
      withField({
        messages: [
          Object.fromEntries(
            Object.entries({ role: 'user', content: 'hi' }).filter(([k]) => k !== key),
          ),
        ],
      });
    const share = (conversations: unknown) => ({
      id: 'fuzz-id',
      user_id: 'fuzz-user',
      conversations,
    });
    const anthropic = (messages: unknown) => ({
      id: 'fuzz-id',
      user_id: 'fuzz-user',
      system: 'x',
      messages,
    });

    const recordCases: [string, unknown, string][] = [
      ['missing id', without('id'), 'id'],
      ['null id', withField({ id: null }), 'id'],
      ['float id', withField({ id: 1.5 }), 'id'],
      ['empty id', withField({ id: '' }), 'id'],
      ['blank id', withField({ id: '   ' }), 'id'],
      ['object id', withField({ id: { a: 1 } }), 'id'],
      ['array id', withField({ id: ['a'] }), 'id'],
      ['boolean id', withField({ id: true }), 'id'],
      ['huge id', withField({ id: 'i'.repeat(10_000) }), 'id'],
      ['id with NUL', withField({ id: 'a\u0000b' }), 'id'],
      ['id with newline', withField({ id: 'a\nb' }), 'id'],
      ['id with lone surrogate', withField({ id: 'a\ud800' }), 'id'],
      ['missing user_id', without('user_id'), 'user_id'],
      ['numeric float user_id', withField({ user_id: 12.5 }), 'user_id'],
      ['object user_id', withField({ user_id: {} }), 'user_id'],
      ['empty user_id', withField({ user_id: '' }), 'user_id'],
      ['user_id with control char', withField({ user_id: 'u\u0007' }), 'user_id'],
      ['no messages or conversations', without('messages'), 'messages'],
      ['messages is a string', withField({ messages: 'hello' }), 'messages'],
      ['messages is an object', withField({ messages: { role: 'user' } }), 'messages'],
      ['messages is empty', withField({ messages: [] }), 'messages'],
      ['message is null', withField({ messages: [null] }), 'messages[0]'],
      ['message is a string', withField({ messages: ['hello'] }), 'messages[0]'],
      ['missing role', msgNo('role'), 'messages[0].role'],
      ['numeric role', message({ role: 5 }), 'messages[0].role'],
      ['unknown role', message({ role: 'wizard' }), 'messages[0].role'],
      ['missing content', msgNo('content'), 'messages[0].content'],
      ['numeric content', message({ content: 42 }), 'messages[0].content'],
      ['object content', message({ content: { text: 'x' } }), 'messages[0].content'],
      [
        'content part without type',
        message({ content: [{ text: 'x' }] }),
        'messages[0].content[0]',
      ],
      [
        'content part with numeric text',
        message({ content: [{ type: 'text', text: 5 }] }),
        'messages[0].content[0].text',
      ],
      [
        'assistant only',
        withField({ messages: [{ role: 'assistant', content: 'hi' }] }),
        'messages',
      ],
      ['blank user text', withField({ messages: [{ role: 'user', content: '   ' }] }), 'messages'],
      ['lone surrogate in content', message({ content: 'bad \ud800 text' }), 'messages[0]'],
      ['NUL in content', message({ content: 'bad \u0000 text' }), 'messages[0]'],
      [
        'anthropic system role in messages',
        anthropic([{ role: 'system', content: 'x' }]),
        'messages[0].role',
      ],
      [
        'anthropic bad tool_result',
        anthropic([{ role: 'user', content: [{ type: 'tool_result', content: 5 }] }]),
        'messages[0].content[0].content',
      ],
      [
        'anthropic numeric system',
        { ...anthropic([{ role: 'user', content: 'hi' }]), system: 7 },
        'system',
      ],
      ['sharegpt conversations string', share('x'), 'conversations'],
      ['sharegpt conversations empty', share([]), 'conversations'],
      ['sharegpt unknown speaker', share([{ from: 'alien', value: 'x' }]), 'conversations[0].from'],
      ['sharegpt numeric value', share([{ from: 'human', value: 5 }]), 'conversations[0].value'],
      ['sharegpt null turn', share([null]), 'conversations[0]'],
      ['started_at not a date', withField({ started_at: 'yesterday' }), 'started_at'],
      ['started_at a number', withField({ started_at: 12345 }), 'started_at'],
      ['started_at out of range', withField({ started_at: '1850-01-01T00:00:00Z' }), 'started_at'],
      [
        'started_at impossible date',
        withField({ started_at: '2025-13-45T00:00:00Z' }),
        'started_at',
      ],
      ['metadata a string', withField({ metadata: 'team' }), 'metadata'],
      ['metadata.team a number', withField({ metadata: { team: 5 } }), 'metadata.team'],
      ['metadata.team empty', withField({ metadata: { team: '' } }), 'metadata.team'],
      ['metadata an array', withField({ metadata: ['team'] }), 'metadata'],
      [
        'metadata.team a number next to an unknown key',
        withField({ metadata: { team: 5, session_id: 's' } }),
        'metadata.team',
      ],
      [
        'metadata.feedback unknown value',
        withField({ metadata: { feedback: 'amazing' } }),
        'metadata.feedback',
      ],
      [
        'metadata.team too long',
        withField({ metadata: { team: 't'.repeat(500) } }),
        'metadata.team',
      ],
      ['record is an array', [], '(record)'],
      ['record is a string', 'conversation', '(record)'],
      ['record is a number', 42, '(record)'],
      ['record is null', null, '(record)'],
    ];

    it.each(recordCases)('%s', async (_label, record, field) => {
      const before = await countConversations(stack);
      const response = await call(stack, '/v1/conversations', {
        method: 'POST',
        key: stack.tenant.ingestKey,
        body: JSON.stringify([record]),
      });
      expect(response.status).toBe(400);
      expect(response.body.accepted).toBe(0);
      expect(response.body.rejected).toHaveLength(1);
      expect(response.body.rejected[0]).toMatchObject({ index: 0, field });
      expect(response.body.rejected[0].message.length).toBeGreaterThan(3);
      expect(await countConversations(stack)).toBe(before);
    });

    const bodyCases: [string, string | Buffer, string, Record<string, string>?][] = [
      ['truncated JSON array', '[{"id": "x"', 'body'],
      [
        'invalid UTF-8',
        Buffer.concat([Buffer.from('[{"id": "'), Buffer.from([0xff, 0xfe]), Buffer.from('"}]')]),
        'body',
      ],
      ['empty body', '', 'body'],
      ['plain text', 'hello world', 'body'],
      ['JSON scalar', '42', 'body'],
      ['deeply nested arrays', `${'['.repeat(5000)}${']'.repeat(5000)}`, '(record)'],
      ['bad JSON line', '{"id": "a", "user_id": ', '(record)'],
      [
        'forced format mismatch',
        JSON.stringify([sharegptRecord('fm', 'u1')]),
        'messages',
        { format: 'openai' },
      ],
    ];

    it.each(bodyCases)('%s', async (_label, body, field, query) => {
      const before = await countConversations(stack);
      const path = `/v1/conversations${query ? `?${new URLSearchParams(query)}` : ''}`;
      const response = await call(stack, path, {
        method: 'POST',
        key: stack.tenant.ingestKey,
        body,
      });
      expect(response.status).toBeGreaterThanOrEqual(400);
      expect(response.status).toBeLessThan(500);
      const named = response.body.error?.field ?? response.body.rejected?.[0]?.field;
      expect(named).toBe(field);
      expect(await countConversations(stack)).toBe(before);
    });

    it('an unknown format parameter is a 400 naming it', async () => {
      const response = await call(stack, '/v1/conversations?format=xml', {
        method: 'POST',
        key: stack.tenant.ingestKey,
        body: '[]',
      });
      expect(response.status).toBe(400);
      expect(response.body.error.field).toBe('format');
    });

    it('a duplicate id within one batch is rejected by line while the first copy is kept', async () => {
      const body = toJsonl([
        openaiRecord('dup-in-batch', 'u1'),
        openaiRecord('dup-in-batch', 'u1'),
      ]);
      const response = await call(stack, '/v1/conversations', {
        method: 'POST',
        key: stack.tenant.ingestKey,
        body,
      });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({
        accepted: 1,
        updated: 0,
        duplicates: 0,
        rejected: [
          { line: 2, field: 'id', message: 'duplicates the id of line 1 in this request' },
        ],
        ignored_fields: [],
      });
    });
  });

  it('manages keys: created once, listed without secrets, revoked, and another tenant sees 404', async () => {
    const created = await call(stack, '/v1/admin/keys', {
      method: 'POST',
      key: stack.tenant.adminKey,
      body: JSON.stringify({ scope: 'read', label: 'bi' }),
    });
    expect(created.status).toBe(201);
    expect(created.body.key).toMatch(/^sil_read_/);
    const listed = await call(stack, '/v1/admin/keys', { key: stack.tenant.adminKey });
    expect(listed.text).not.toContain(created.body.key);
    expect(listed.body.keys.map((key: { id: string }) => key.id)).toContain(created.body.id);
    expect((await call(stack, '/v1/tenant', { key: created.body.key })).status).toBe(200);

    const other = await stack.createTenant('globex');
    const foreign = await call(stack, `/v1/admin/keys/${created.body.id}`, {
      method: 'DELETE',
      key: other.adminKey,
    });
    expect(foreign.status).toBe(404);
    expect((await call(stack, '/v1/tenant', { key: created.body.key })).status).toBe(200);

    expect(
      (
        await call(stack, `/v1/admin/keys/${created.body.id}`, {
          method: 'DELETE',
          key: stack.tenant.adminKey,
        })
      ).status,
    ).toBe(204);
    expect((await call(stack, '/v1/tenant', { key: created.body.key })).status).toBe(401);
    const badScope = await call(stack, '/v1/admin/keys', {
      method: 'POST',
      key: stack.tenant.adminKey,
      body: JSON.stringify({ scope: 'root' }),
    });
    expect(badScope.status).toBe(400);
    expect(badScope.body.error.field).toBe('scope');
  });

  it('only lets thresholds move up from the deployment floor', async () => {
    const lower = await call(stack, '/v1/admin/settings', {
      method: 'PATCH',
      key: stack.tenant.adminKey,
      body: JSON.stringify({ k_users: 2 }),
    });
    expect(lower.status).toBe(400);
    expect(lower.body.error.field).toBe('k_users');
    const higher = await call(stack, '/v1/admin/settings', {
      method: 'PATCH',
      key: stack.tenant.adminKey,
      body: JSON.stringify({ k_users: 8, retention_days: 30 }),
    });
    expect(higher.body).toMatchObject({ k_users: 8, retention_days: 30 });
    const minutes = await call(stack, '/v1/admin/settings', {
      method: 'PATCH',
      key: stack.tenant.adminKey,
      body: JSON.stringify({ minutes_overrides: { debugging: { manual_minutes: 45 } } }),
    });
    expect(minutes.body).toMatchObject({
      k_users: 8,
      minutes_overrides: { debugging: { manual_minutes: 45 } },
    });
    const badMinutes = await call(stack, '/v1/admin/settings', {
      method: 'PATCH',
      key: stack.tenant.adminKey,
      body: JSON.stringify({ minutes_overrides: { debugging: { manual_minutes: 9000 } } }),
    });
    expect(badMinutes.status).toBe(400);
    expect(badMinutes.body.error.field).toBe('minutes_overrides.debugging.manual_minutes');
  });

  it('queues an erasure by pseudonym and audit-logs every authenticated request', async () => {
    const response = await call(stack, '/v1/admin/erasure', {
      method: 'POST',
      key: stack.tenant.adminKey,
      body: JSON.stringify({ user_id: 'u1' }),
    });
    expect(response.status).toBe(202);
    const rows = await stack.ownerDb.query<{ user_pseudonym: string }>(
      'SELECT user_pseudonym FROM app.erasure_requests WHERE id = $1',
      [response.body.erasure_request_id],
    );
    expect(rows.rows[0]!.user_pseudonym).toMatch(/^u_/);
    expect(
      await stack.queue.isPending('erase-user', {
        tenantId: stack.tenant.tenant.id,
        erasureRequestId: response.body.erasure_request_id,
      }),
    ).toBe(true);
    const audit = await call(stack, '/v1/admin/audit-log?limit=500', {
      key: stack.tenant.adminKey,
    });
    const actions = audit.body.entries.map((entry: { action: string }) => entry.action);
    expect(actions).toContain('POST /v1/admin/erasure');
    expect(actions).toContain('POST /v1/conversations');
    expect(audit.text).not.toContain('"u1"');
  });

  it('opens dashboard sessions in an httpOnly cookie, with CSRF protection, that die with their key', async () => {
    const created = await call(stack, '/v1/admin/keys', {
      method: 'POST',
      key: stack.tenant.adminKey,
      body: JSON.stringify({ scope: 'read' }),
    });
    const signIn = await call(stack, '/v1/session', {
      method: 'POST',
      body: JSON.stringify({ key: created.body.key }),
    });
    expect(signIn.status).toBe(200);
    const setCookie = signIn.headers.get('set-cookie')!;
    expect(setCookie).toMatch(
      /^silhouette_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\/; Max-Age=28800/,
    );
    expect(signIn.text).not.toContain(created.body.key);
    const cookie = setCookie.split(';')[0]!;
    const withCookie = (
      path: string,
      init: { method?: string; headers?: Record<string, string> } = {},
    ) => call(stack, path, { ...init, headers: { Cookie: cookie, ...init.headers } });
    expect((await withCookie('/v1/tenant')).body.slug).toBe('acme');
    expect((await withCookie('/v1/session')).body.csrf_token).toBe(signIn.body.csrf_token);
    const noCsrf = await withCookie('/v1/session', { method: 'DELETE' });
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body.error.field).toBe('x-csrf-token');
    expect((await withCookie('/v1/admin/keys')).status).toBe(403); // read scope, even through a session

    const ingestOnly = await call(stack, '/v1/session', {
      method: 'POST',
      body: JSON.stringify({ key: stack.tenant.ingestKey }),
    });
    expect(ingestOnly.status).toBe(403);
    expect(
      (await call(stack, '/v1/session', { method: 'POST', body: JSON.stringify({ key: 'nope' }) }))
        .status,
    ).toBe(401);

    await call(stack, `/v1/admin/keys/${created.body.id}`, {
      method: 'DELETE',
      key: stack.tenant.adminKey,
    });
    expect((await withCookie('/v1/tenant')).status).toBe(401);

    const second = await call(stack, '/v1/session', {
      method: 'POST',
      body: JSON.stringify({ key: stack.tenant.readKey }),
    });
    const secondCookie = second.headers.get('set-cookie')!.split(';')[0]!;
    const signOut = await call(stack, '/v1/session', {
      method: 'DELETE',
      headers: { Cookie: secondCookie, 'X-CSRF-Token': second.body.csrf_token },
    });
    expect(signOut.status).toBe(204);
    expect((await call(stack, '/v1/tenant', { headers: { Cookie: secondCookie } })).status).toBe(
      401,
    );
  });

  it('rate-limits per key with Retry-After', async () => {
    const limited = await startStack({ mode: 'embedded', env: { RATE_LIMIT_PER_MINUTE: '3' } });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++)
        statuses.push((await call(limited, '/v1/tenant', { key: limited.tenant.readKey })).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      const response = await call(limited, '/v1/tenant', { key: limited.tenant.readKey });
      expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0);
    } finally {
      await limited.close();
    }
  });
});
