/**
 * Issue #15, custom facets, both storage modes: the admin API (create, list, update, delete, every
 * validation error naming its field, the ten-facet cap, the prompt budget, tenant isolation),
 * answers of every type in the single tagging call (scripted OpenAI-compatible model), PII in a
 * free-text answer scrubbed, re-tagging after a definition changes, and the offline tagger
 * answering only where the admin's keyword rules match.
 */
import { customFacetListSchema, customFacetSchema } from '@silhouette/contracts';
import { Pseudonymizer } from '@silhouette/ingest';
import { OfflineTagger } from '@silhouette/llm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enqueueRetag } from '../../apps/cli/src/commands/retag.command';
import { offlineProviders, scriptedLlmProviders } from '../helpers/providers';
import { ScriptedLlmServer } from '../helpers/scripted-llm-server';
import { call, startStack, type Stack } from '../helpers/stack';

const FACETS = {
  area: {
    key: 'area',
    question: 'Which product area?',
    type: 'enum',
    values: ['billing', 'reporting', 'security'],
    rules: { billing: ['invoice', 'refund'], security: ['password'] },
  },
  competitor: {
    key: 'competitor',
    question: 'Mentions a competitor?',
    type: 'boolean',
    rules: { true: ['competitor', 'rival'] },
  },
  steps: { key: 'steps', question: 'How many steps?', type: 'number', min: 0, max: 10 },
  blocker: { key: 'blocker', question: 'What blocked the user?', type: 'short_text' },
} as const;

const CANARY_EMAIL = 'maria.garcia.canary@example.org';

/** Conversations that name (or not) the enum values and the boolean's words. */
function records(count: number) {
  return Array.from({ length: count }, (_, i) => {
    const topic = ['my invoice is wrong', 'the password reset fails', 'a report export'][i % 3]!;
    const competitor = i % 2 === 0 ? ' Our competitor does this better.' : '';
    const email = i === 0 ? ` Mail Maria Garcia at ${CANARY_EMAIL}.` : '';
    return {
      id: `cf-${i}`,
      user_id: `user-${i % 6}`,
      messages: [
        { role: 'user', content: `Help with billing, ticket ${i}: ${topic}.${competitor}${email}` },
        { role: 'assistant', content: 'Here is how to proceed.' },
        {
          role: 'user',
          content: i % 4 === 0 ? 'That does not work, still broken.' : 'Thanks, perfect.',
        },
      ],
    };
  });
}

/** Facet rows by the client's conversation id (stored only as its pseudonym). */
async function facetRows(stack: Stack) {
  const pseudonymizer = new Pseudonymizer(
    Buffer.from(stack.env.SILHOUETTE_PSEUDONYM_SECRET!, 'hex'),
  );
  const clientIds = new Map(
    [...Array.from({ length: 24 }, (_, i) => `cf-${i}`), 'cf-leak'].map((id) => [
      pseudonymizer.conversationPseudonym(stack.tenant.tenant.id, id),
      id,
    ]),
  );
  const result = await stack.ownerDb.query<{
    id: string;
    prompt_version: string;
    custom: Record<string, unknown>;
    issue: string;
    outcome: string;
  }>(
    `SELECT c.external_id AS id, f.prompt_version, f.custom, f.issue, f.outcome
       FROM sealed.facets f JOIN sealed.conversations c ON c.id = f.conversation_id
      ORDER BY c.external_id`,
  );
  return result.rows.map((row) => ({ ...row, id: clientIds.get(row.id) ?? row.id }));
}

describe.each(['server', 'embedded'] as const)('custom facets (%s mode)', (mode) => {
  let server: ScriptedLlmServer;
  let stack: Stack;
  const admin = () => stack.tenant.adminKey;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    server = await ScriptedLlmServer.start();
    stack = await startStack({ mode, worker: true, workerProviders: scriptedLlmProviders(server) });
    const settings = await call(stack, '/v1/admin/settings', {
      method: 'PATCH',
      key: admin(),
      body: JSON.stringify({ retention_days: 30 }),
    });
    expect(settings.status).toBe(200);
  }, 120_000);
  afterAll(async () => {
    await stack?.close();
    await server?.close();
  });

  it('creates one facet of each type and lists them with the prompt budget they share', async () => {
    for (const facet of Object.values(FACETS)) {
      const created = await call(stack, '/v1/admin/facets', {
        method: 'POST',
        key: admin(),
        body: JSON.stringify(facet),
      });
      expect(created.status, created.text).toBe(201);
      expect(created.body).toMatchObject({ key: facet.key, type: facet.type });
      expect(customFacetSchema.parse(created.body)).toEqual(created.body);
      ids[facet.key] = created.body.id;
    }
    const list = await call(stack, '/v1/admin/facets', { key: admin() });
    expect(list.status).toBe(200);
    expect(customFacetListSchema.parse(list.body)).toEqual(list.body);
    expect(list.body.facets.map((f: { key: string; slot: number }) => [f.key, f.slot])).toEqual([
      ['area', 1],
      ['competitor', 2],
      ['steps', 3],
      ['blocker', 4],
    ]);
    expect(list.body.prompt.version).toMatch(/^offline-\d+\+r[0-9a-f]{10}$/); // no model configured in the API env
    expect(list.body.prompt.overhead_tokens).toBeLessThanOrEqual(400);
    expect(list.body.prompt.max_overhead_tokens).toBe(400);
  });

  it('names the field at fault, refuses an eleventh facet and a definition set over the budget', async () => {
    const post = (body: unknown, key = admin()) =>
      call(stack, '/v1/admin/facets', { method: 'POST', key, body: JSON.stringify(body) });
    const cases: [unknown, string][] = [
      [{ key: 'Bad Key', question: 'Which?', type: 'boolean' }, 'key'],
      [{ key: 'ok_key', question: 'x', type: 'boolean' }, 'question'],
      [{ key: 'ok_key', question: 'Which?', type: 'colour' }, 'type'],
      [
        {
          key: 'ok_key',
          question: 'Which?',
          type: 'enum',
          values: Array.from({ length: 21 }, (_, i) => `v${i}`),
        },
        'values',
      ],
      [{ key: 'ok_key', question: 'Which?', type: 'enum', values: ['a', 'a'] }, 'values'],
      [{ key: 'ok_key', question: 'How many?', type: 'number', min: 5, max: 5 }, 'max'],
      [
        {
          key: 'ok_key',
          question: 'Which?',
          type: 'enum',
          values: ['a', 'b'],
          rules: { c: ['xy'] },
        },
        'rules',
      ],
      [{ key: 'ok_key', question: 'Free?', type: 'short_text', values: ['a'] }, 'values'],
    ];
    for (const [body, field] of cases) {
      const response = await post(body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.error.field, JSON.stringify(body)).toBe(field);
    }
    const duplicate = await post(FACETS.area);
    expect(duplicate.status).toBe(409);
    expect(duplicate.body.error.field).toBe('key');
    expect(
      (await post({ key: 'reader', question: 'Which?', type: 'boolean' }, stack.tenant.readKey))
        .status,
    ).toBe(403);

    // A long question costs more than the budget leaves: refused with the overhead it would cost.
    const verbose = await post({
      key: 'verbose',
      question:
        `Does the conversation show ${'a very specific and long-winded concern '.repeat(3)}`.slice(
          0,
          160,
        ),
      type: 'enum',
      values: Array.from({ length: 20 }, (_, i) => `category number ${i}`),
    });
    expect(verbose.status).toBe(400);
    expect(verbose.body.error.field).toBe('values');
    expect(verbose.body.error.message).toMatch(
      /tokens beyond the conversation \(counted with the o200k_base tokenizer\), over the limit of 400/,
    );
    // The figure refused is the one the prompt module counts (one rule, README "Custom facets").
    const [, cost, cut] = /would cost (\d+) tokens.* by (\d+) tokens/.exec(
      verbose.body.error.message as string,
    )!;
    expect(Number(cost) - 400).toBe(Number(cut));

    // Six more compact facets fill the ten slots; the eleventh is refused.
    for (let i = 0; i < 6; i++)
      expect(
        (await post({ key: `flag_${i}`, question: `Flag ${i}?`, type: 'boolean' })).status,
      ).toBe(201);
    const eleventh = await post({ key: 'flag_x', question: 'Flag x?', type: 'boolean' });
    expect(eleventh.status).toBe(409);
    expect(eleventh.body.error.code).toBe('too_many_facets');
    const list = await call(stack, '/v1/admin/facets', { key: admin() });
    expect(list.body.facets).toHaveLength(10);
    expect(list.body.prompt.overhead_tokens).toBeLessThanOrEqual(400);
    for (const facet of list.body.facets.filter((f: { key: string }) => f.key.startsWith('flag_')))
      expect(
        (await call(stack, `/v1/admin/facets/${facet.id}`, { method: 'DELETE', key: admin() }))
          .status,
      ).toBe(204);
  });

  it("keeps tenants apart: another tenant's facet id is a 404", async () => {
    const other = await stack.createTenant('globex');
    for (const method of ['PATCH', 'DELETE'])
      expect(
        (
          await call(stack, `/v1/admin/facets/${ids['area']}`, {
            method,
            key: other.adminKey,
            body: JSON.stringify({ question: 'Hijacked?' }),
          })
        ).status,
      ).toBe(404);
    expect((await call(stack, '/v1/admin/facets', { key: other.adminKey })).body.facets).toEqual(
      [],
    );
  });

  it('answers every type in the one tagging call, scrubbing free-text answers', async () => {
    const ingest = await call(stack, '/v1/conversations', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: JSON.stringify(records(24)),
    });
    expect(ingest.body.accepted).toBe(24);
    await stack.queue.waitUntilIdle(120_000);
    const rows = await facetRows(stack);
    expect(rows).toHaveLength(24);
    const chats = server.requests.filter((r) => r.endpoint === 'chat');
    expect(chats).toHaveLength(24); // one call per conversation, custom facets included
    const system = (chats[0]!.body as { messages: { content: string }[] }).messages[0]!.content;
    // One question per line after the `x:` line, in slot order.
    expect(system).toContain(
      'x: answers to:\nWhich product area? billing|reporting|security\nMentions a competitor?\nHow many steps? 0-10\n',
    );
    for (const row of rows) {
      expect(row.prompt_version).toMatch(/^tag-v\d+\+f[0-9a-f]{10}$/);
      expect(Object.keys(row.custom).sort()).toEqual(['area', 'blocker', 'competitor', 'steps']);
      expect(['billing', 'reporting', 'security']).toContain(row.custom['area']);
      expect(typeof row.custom['competitor']).toBe('boolean');
      expect(row.custom['steps']).toBeGreaterThanOrEqual(0);
      expect(row.custom['steps']).toBeLessThanOrEqual(10);
      expect(typeof row.custom['blocker']).toBe('string');
      expect(String(row.custom['blocker']).split(/\s+/).length).toBeLessThanOrEqual(8);
      // The issue facet: empty when resolved, what went wrong otherwise.
      if (row.outcome === 'resolved') expect(row.issue).toBe('');
      else expect(row.issue.length).toBeGreaterThan(0);
    }
    const byId = new Map(rows.map((row) => [row.id, row]));
    expect(byId.get('cf-0')!.custom['competitor']).toBe(true);
    expect(byId.get('cf-1')!.custom['competitor']).toBe(false);
    expect(rows.some((row) => row.issue.length > 0)).toBe(true);
  });

  it('scrubs a leaked e-mail out of the issue and the short-text answer', async () => {
    server.setMode('leak_pii');
    try {
      const ingest = await call(stack, '/v1/conversations', {
        method: 'POST',
        key: stack.tenant.ingestKey,
        // New wording: an identical conversation would be answered from the response cache.
        body: JSON.stringify([
          {
            id: 'cf-leak',
            user_id: 'user-1',
            messages: [
              {
                role: 'user',
                content: `Refund for my invoice please. Mail Maria Garcia at ${CANARY_EMAIL}.`,
              },
              { role: 'assistant', content: 'Here is how to proceed.' },
              { role: 'user', content: 'That does not work, still broken.' },
            ],
          },
        ]),
      });
      expect(ingest.body.accepted).toBe(1);
      await stack.queue.waitUntilIdle(60_000);
    } finally {
      server.setMode('ok');
    }
    const row = (await facetRows(stack)).find((r) => r.id === 'cf-leak')!;
    expect(row).toBeDefined();
    expect(server.requests.at(-1)!.answeredAs).toBe('leak_pii');
    expect(row.issue.length).toBeGreaterThan(0); // the leaky answer was stored, scrubbed
    expect(JSON.stringify(row)).not.toContain(CANARY_EMAIL);
    expect(JSON.stringify(row)).not.toContain('Garcia');
  });

  it('re-tags retained conversations after a definition changes, and only then', async () => {
    const tagger = scriptedLlmProviders(server)(stack.env).tagger;
    const before = await enqueueRetag({
      db: stack.ownerDb,
      queue: stack.queue,
      tagger,
      tenantId: stack.tenant.tenant.id,
    });
    expect(before.enqueued).toBe(0); // every row has the current version
    const changed = await call(stack, `/v1/admin/facets/${ids['area']}`, {
      method: 'PATCH',
      key: admin(),
      body: JSON.stringify({ values: ['billing', 'reporting', 'security', 'mobile'] }),
    });
    expect(changed.status, changed.text).toBe(200);
    expect(changed.body.values).toEqual(['billing', 'reporting', 'security', 'mobile']);
    expect(changed.body.rules).toEqual(FACETS.area.rules); // untouched fields are kept
    const oldVersion = (await facetRows(stack))[0]!.prompt_version;
    const calls = server.requests.filter((r) => r.endpoint === 'chat').length;
    const retag = await enqueueRetag({
      db: stack.ownerDb,
      queue: stack.queue,
      tagger,
      tenantId: stack.tenant.tenant.id,
    });
    expect(retag.enqueued).toBe(25);
    expect(retag.promptVersion).not.toBe(oldVersion);
    await stack.queue.waitUntilIdle(120_000);
    const rows = await facetRows(stack);
    expect(new Set(rows.map((row) => row.prompt_version))).toEqual(new Set([retag.promptVersion]));
    expect(server.requests.filter((r) => r.endpoint === 'chat').length).toBeGreaterThanOrEqual(
      calls + 25,
    );
    const system = (server.requests.at(-1)!.body as { messages: { content: string }[] })
      .messages[0]!.content;
    expect(system).toContain('billing|reporting|security|mobile');
  }, 120_000);

  it('deletes a facet; a deleted id is a 404', async () => {
    const removed = await call(stack, `/v1/admin/facets/${ids['steps']}`, {
      method: 'DELETE',
      key: admin(),
    });
    expect(removed.status).toBe(204);
    expect(
      (await call(stack, `/v1/admin/facets/${ids['steps']}`, { method: 'DELETE', key: admin() }))
        .status,
    ).toBe(404);
    const list = await call(stack, '/v1/admin/facets', { key: admin() });
    expect(list.body.facets.map((f: { key: string }) => f.key)).toEqual([
      'area',
      'competitor',
      'blocker',
    ]);
  });
});

describe('custom facets, offline tagger (embedded mode)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ mode: 'embedded', worker: true, workerProviders: offlineProviders });
    for (const facet of Object.values(FACETS))
      expect(
        (
          await call(stack, '/v1/admin/facets', {
            method: 'POST',
            key: stack.tenant.adminKey,
            body: JSON.stringify(facet),
          })
        ).status,
      ).toBe(201);
  }, 120_000);
  afterAll(async () => stack?.close());

  it('answers enum and boolean facets only where a keyword rule matches, and nothing else', async () => {
    const ingest = await call(stack, '/v1/conversations', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: JSON.stringify(records(6)),
    });
    expect(ingest.body.accepted).toBe(6);
    await stack.queue.waitUntilIdle(60_000);
    const rows = new Map((await facetRows(stack)).map((row) => [row.id, row]));
    const version = new OfflineTagger().promptVersion;
    for (const row of rows.values()) {
      expect(row.prompt_version.startsWith(`${version}+r`)).toBe(true);
      expect(row.custom['steps']).toBeNull();
      expect(row.custom['blocker']).toBeNull();
    }
    // cf-0: "invoice" and "competitor"; cf-1: "password", no competitor word; cf-2: neither rule.
    expect(rows.get('cf-0')!.custom).toMatchObject({ area: 'billing', competitor: true });
    expect(rows.get('cf-1')!.custom).toMatchObject({ area: 'security', competitor: null });
    expect(rows.get('cf-2')!.custom).toMatchObject({ area: null, competitor: true });
    expect(rows.get('cf-5')!.custom).toMatchObject({ area: null, competitor: null });
    const list = await call(stack, '/v1/admin/facets', { key: stack.tenant.adminKey });
    expect(list.body.tagger).toBe('offline');
  });
});
