/**
 * Issue #13, item 1: a conversation that grows. The same id re-sent with its messages plus new
 * turns replaces the sealed content, waits until it has been idle for CONVERSATION_IDLE_S, and is
 * tagged again; its facet row is replaced, never added. Earlier copies are duplicates, different
 * earlier messages are refused, and the comparison works after retention deleted the content
 * (keyed per-message hashes beside the envelope, never the text). Both storage modes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConversationStatusRepository } from '@silhouette/sealed';
import { sgdRecords } from '../helpers/datasets';
import { offlineProviders } from '../helpers/providers';
import { call, startStack, type Stack } from '../helpers/stack';

const IDLE_S = 2;

const firstTurns = [
  { role: 'user', content: 'GROW-MARKER How do I reverse a list in Python?' },
  { role: 'assistant', content: 'Use reversed(items) or items[::-1].' },
];
const laterTurns = [
  { role: 'user', content: 'And how do I sort it in place, descending?' },
  { role: 'assistant', content: 'items.sort(reverse=True) sorts it in place.' },
];

describe.each(['server', 'embedded'] as const)('growing conversations (%s)', (mode) => {
  let stack: Stack;

  const ingest = async (records: unknown[]) =>
    call(stack, '/v1/conversations', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: JSON.stringify(records),
    });
  const record = (messages: unknown[], userId = 'grower') => ({
    id: 'conversation-1',
    user_id: userId,
    messages,
    metadata: { team: 'platform' },
  });
  const stored = async () => {
    const rows = await stack.ownerDb.query<{
      status: string;
      revision: number;
      message_count: number;
      has_content: boolean;
      hashes: string[] | null;
      row: string;
    }>(
      `SELECT status, revision, message_count, ciphertext IS NOT NULL AS has_content,
              message_hashes AS hashes, c::text AS row
         FROM sealed.conversations c WHERE tenant_id = $1`,
      [stack.tenant.tenant.id],
    );
    return rows.rows;
  };
  const facets = async () =>
    (
      await stack.ownerDb.query<{ turns: number; revision: number; metadata: unknown }>(
        'SELECT turns, revision, metadata FROM sealed.facets WHERE tenant_id = $1',
        [stack.tenant.tenant.id],
      )
    ).rows;
  const status = async () =>
    (await call(stack, '/v1/status', { key: stack.tenant.adminKey })).body as Record<
      string,
      number
    >;

  beforeAll(async () => {
    stack = await startStack({
      mode,
      worker: true,
      workerProviders: offlineProviders,
      // Exact published counts: the threshold release rules, not differential privacy's noise.
      env: { CONVERSATION_IDLE_S: String(IDLE_S), PRIVACY_MODE: 'threshold' },
    });
  });
  afterAll(async () => stack?.close());

  it('tags a new conversation at once and deletes its content, keeping only message hashes', async () => {
    const first = await ingest([record(firstTurns)]);
    expect(first.body).toMatchObject({ accepted: 1, updated: 0, duplicates: 0, rejected: [] });
    await stack.queue.waitUntilIdle(30_000);
    const [row] = await stored();
    expect(row).toMatchObject({ status: 'tagged', revision: 1, has_content: false });
    expect(row!.hashes).toHaveLength(2);
    for (const hash of row!.hashes!) expect(hash).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(row!.row).not.toContain('GROW-MARKER');
    expect(await facets()).toEqual([{ turns: 1, revision: 1, metadata: { team: 'platform' } }]);
  });

  it('counts the same messages, or an earlier copy of them, as duplicates', async () => {
    expect((await ingest([record(firstTurns)])).body).toMatchObject({
      accepted: 0,
      updated: 0,
      duplicates: 1,
    });
    expect((await ingest([record(firstTurns.slice(0, 1))])).body).toMatchObject({
      duplicates: 1,
    });
    expect((await stored())[0]).toMatchObject({ status: 'tagged', revision: 1 });
  });

  it('refuses different earlier messages, or another user, naming the field; nothing changes', async () => {
    const conflicting = await ingest([
      record([{ role: 'user', content: 'Something else entirely' }, ...laterTurns]),
    ]);
    expect(conflicting.status).toBe(400);
    expect(conflicting.body.rejected).toEqual([
      { index: 0, field: 'messages', message: 'conflicts with the stored conversation' },
    ]);
    const otherUser = await ingest([record([...firstTurns, ...laterTurns], 'someone-else')]);
    expect(otherUser.body.rejected).toEqual([
      {
        index: 0,
        field: 'user_id',
        message: 'conflicts with the stored conversation (another user_id)',
      },
    ]);
    expect((await stored())[0]).toMatchObject({ status: 'tagged', revision: 1, message_count: 2 });
  });

  it('grows after the content was deleted: new content sealed, waiting for idle, still one facet row', async () => {
    const grown = await ingest([record([...firstTurns, ...laterTurns])]);
    expect(grown.body).toMatchObject({ accepted: 0, updated: 1, duplicates: 0, rejected: [] });
    expect((await stored())[0]).toMatchObject({
      status: 'waiting_for_idle',
      revision: 2,
      message_count: 4,
      has_content: true,
    });
    expect(await status()).toMatchObject({ conversations: 1, waiting_for_idle: 1, accepted: 0 });
    // The reconciler leaves it alone while it is not yet idle.
    await stack.worker!.reconcile();
    await stack.queue.waitUntilIdle(30_000);
    expect((await stored())[0]!.status).toBe('waiting_for_idle');
    // The old facet row still counts it, once.
    expect(await facets()).toEqual([{ turns: 1, revision: 1, metadata: { team: 'platform' } }]);
  });

  it('tags it again once idle, replacing the facet row (counted once)', async () => {
    await new Promise((resolve) => setTimeout(resolve, IDLE_S * 1000 + 200));
    expect(await stack.worker!.reconcile()).toBeGreaterThanOrEqual(1);
    await stack.queue.waitUntilIdle(30_000);
    expect((await stored())[0]).toMatchObject({
      status: 'tagged',
      revision: 2,
      has_content: false,
    });
    expect(await facets()).toEqual([{ turns: 2, revision: 2, metadata: { team: 'platform' } }]);
    expect(await status()).toMatchObject({ conversations: 1, waiting_for_idle: 0, tagged: 1 });
  });

  it('a conversation that grows before it was ever tagged waits, then is tagged once', async () => {
    const id = 'conversation-2';
    const early = await ingest([
      { ...record(firstTurns), id },
      { ...record(firstTurns), id: 'x' },
    ]);
    expect(early.body).toMatchObject({ accepted: 2 });
    const grown = await ingest([{ ...record([...firstTurns, ...laterTurns]), id }]);
    // Tagging may already have started; either way the grown content is what gets tagged last.
    expect(grown.body).toMatchObject({ updated: 1 });
    await new Promise((resolve) => setTimeout(resolve, IDLE_S * 1000 + 200));
    await stack.worker!.reconcile();
    await stack.queue.waitUntilIdle(30_000);
    const rows = await stored();
    expect(rows.map((row) => row.status)).toEqual(['tagged', 'tagged', 'tagged']);
    const facetRows = await facets();
    expect(facetRows).toHaveLength(3);
    expect(facetRows.filter((row) => row.revision === 2).map((row) => row.turns)).toEqual([2, 2]);
  });

  it('a retention period counts from the last growth, so grown content waits for its tagging', async () => {
    const tenantId = stack.tenant.tenant.id;
    await stack.ownerDb.query('UPDATE app.tenants SET retention_days = 1 WHERE id = $1', [
      tenantId,
    ]);
    try {
      const id = 'conversation-3';
      expect((await ingest([{ ...record(firstTurns), id }])).body).toMatchObject({ accepted: 1 });
      await stack.queue.waitUntilIdle(30_000);
      const old = new Date(Date.now() - 3 * 86_400_000).toISOString();
      await stack.ownerDb.query(
        `UPDATE sealed.conversations SET ingested_at = $2, content_sealed_at = $2
          WHERE tenant_id = $1 AND ciphertext IS NOT NULL`,
        [tenantId, old],
      );
      expect(await stack.store.applyRetention()).toBe(1);
      expect(
        (await ingest([{ ...record([...firstTurns, ...laterTurns]), id }])).body,
      ).toMatchObject({ updated: 1 });
      // Ingested three days ago, but sealed again just now: nothing to delete yet.
      expect(await stack.store.applyRetention()).toBe(0);
      const held = await stack.ownerDb.query<{ n: number }>(
        `SELECT count(*)::integer AS n FROM sealed.conversations
          WHERE tenant_id = $1 AND status = 'waiting_for_idle' AND ciphertext IS NOT NULL`,
        [tenantId],
      );
      expect(Number(held.rows[0]!.n)).toBe(1);
    } finally {
      await stack.ownerDb.query('UPDATE app.tenants SET retention_days = NULL WHERE id = $1', [
        tenantId,
      ]);
    }
  });

  it('promoting idle conversations for one tenant leaves other tenants alone', async () => {
    const statuses = new ConversationStatusRepository(stack.ownerDb);
    const other = await stack.createTenant('globex');
    expect(await statuses.promoteIdle(0, 100, other.tenant.id)).toEqual([]);
    const promoted = await statuses.promoteIdle(0, Number.MAX_SAFE_INTEGER, stack.tenant.tenant.id);
    expect(promoted.map((row) => row.tenantId)).toEqual([stack.tenant.tenant.id]);
    expect(await status()).toMatchObject({ waiting_for_idle: 0 });
  });

  it('counts a grown conversation once in the published snapshot, before and after its re-tagging', async () => {
    const published = await stack.createTenant('published');
    const records = sgdRecords(40, 8);
    const send = async (batch: unknown[]) =>
      (
        await call(stack, '/v1/conversations', {
          method: 'POST',
          key: published.ingestKey,
          body: JSON.stringify(batch),
        })
      ).body as Record<string, number>;
    const publish = async () => {
      await stack.queue.enqueue('cluster-tenant', { tenantId: published.tenant.id });
      await stack.queue.waitUntilIdle(120_000);
      // Embedded clustering blocks the event loop for seconds: let both ends' late keep-alive
      // timers close the idle sockets before the next request (else it may reuse a closed one).
      await new Promise((resolve) => setTimeout(resolve, 250));
      const overview = await call(stack, '/v1/insights/overview', { key: published.readKey });
      expect(overview.status).toBe(200);
      return overview.body as { conversations: number; distinct_users: number };
    };
    expect(await send(records)).toMatchObject({ accepted: 40 });
    await stack.queue.waitUntilIdle(60_000);
    const before = await publish();
    expect(before.conversations).toBe(40);

    const grownRecords = records.slice(0, 10).map((record) => ({
      ...record,
      messages: [...(record.messages as unknown[]), ...laterTurns],
    }));
    expect(await send(grownRecords)).toMatchObject({ updated: 10, accepted: 0 });
    await new Promise((resolve) => setTimeout(resolve, IDLE_S * 1000 + 200));
    await stack.worker!.reconcile();
    await stack.queue.waitUntilIdle(60_000);
    const after = await publish();
    expect(after.conversations).toBe(40);
    expect(after.distinct_users).toBe(before.distinct_users);
    const facetRows = await stack.ownerDb.query<{ revision: number; n: number }>(
      `SELECT revision, count(*)::integer AS n FROM sealed.facets WHERE tenant_id = $1
        GROUP BY revision ORDER BY revision`,
      [published.tenant.id],
    );
    expect(facetRows.rows.map((row) => [row.revision, Number(row.n)])).toEqual([
      [1, 30],
      [2, 10],
    ]);
  });
});
