import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@silhouette/db';
import { InProcessQueueDriver } from '@silhouette/queue';
import {
  provisionTenant,
  SealedConversationStore,
  TenantKeyring,
  type ProvisionedTenant,
} from '@silhouette/sealed';
import {
  anthropicRecord,
  openaiRecord,
  sharegptRecord,
  toJsonl,
} from '../../../test/helpers/fixtures';
import { openMigratedDatabase, type Engine } from '../../../test/helpers/services';
import { IngestService, type IngestOptions } from './ingest.service';
import { Pseudonymizer } from './pseudonym';

const options: IngestOptions = {
  format: 'auto',
  limits: { maxRecords: 1000, maxRequestBytes: 10_000_000, maxMessageBytes: 100_000 },
  oversizedMessage: 'request',
};

describe.each<Engine>(['postgres', 'pglite'])('sealed ingest on %s', (engine) => {
  let db: Database;
  let cleanup: () => Promise<void>;
  let tenant: ProvisionedTenant;
  let keyring: TenantKeyring;
  const queue = new InProcessQueueDriver({
    tagging: { attempts: 1, backoffMs: 1, concurrency: 1, lockMs: 30_000 },
    clustering: { attempts: 1, backoffMs: 1, concurrency: 1, lockMs: 30_000 },
    maintenance: { attempts: 1, backoffMs: 1, concurrency: 1, lockMs: 30_000 },
    reports: { attempts: 1, backoffMs: 1, concurrency: 1, lockMs: 30_000 },
  });
  const pseudonymizer = new Pseudonymizer(randomBytes(32));
  /** The stored id of a conversation of tenant acme. */
  const stored = (id: string) => pseudonymizer.conversationPseudonym(tenant.tenant.id, id);

  beforeAll(async () => {
    ({ db, cleanup } = await openMigratedDatabase(engine));
    keyring = new TenantKeyring({ key: randomBytes(32), id: 'mk-test' });
    tenant = await provisionTenant(db, keyring, { slug: 'acme', kUsers: 5, minConversations: 10 });
  });
  afterAll(async () => {
    await queue.close();
    await cleanup();
  });

  it('stores all three formats sealed, openable only with the tenant key, with pseudonymous users', async () => {
    const service = new IngestService(db, queue, pseudonymizer);
    const body = Buffer.from(
      toJsonl([
        openaiRecord('c-openai', 'alice@example.com', 'Plaintext marker PLAIN-OPENAI'),
        anthropicRecord('c-anthropic', 'bob', 'Plaintext marker PLAIN-ANTHROPIC'),
        sharegptRecord('c-sharegpt', 'carol', 'Plaintext marker PLAIN-SHAREGPT'),
      ]),
    );
    const result = await service.ingestBody(tenant.tenant, body, options);
    expect(result).toEqual({
      accepted: 3,
      updated: 0,
      duplicates: 0,
      rejected: [],
      ignored_fields: [],
    });

    const rows = await db.query<{
      id: string;
      external_id: string;
      user_pseudonym: string;
      ciphertext: Uint8Array;
    }>(
      'SELECT id, external_id, user_pseudonym, ciphertext FROM sealed.conversations WHERE tenant_id = $1 ORDER BY external_id',
      [tenant.tenant.id],
    );
    // Conversation ids are stored as keyed pseudonyms, like user ids.
    expect(rows.rows.map((row) => row.external_id).sort()).toEqual(
      [stored('c-anthropic'), stored('c-openai'), stored('c-sharegpt')].sort(),
    );
    for (const row of rows.rows) {
      expect(row.external_id).toMatch(/^c_[A-Za-z0-9_-]{27}$/);
      expect(Buffer.from(row.ciphertext).toString('latin1')).not.toContain('PLAIN-');
      expect(row.user_pseudonym).toMatch(/^u_[A-Za-z0-9_-]{27}$/);
      expect(row.user_pseudonym).not.toContain('alice');
    }
    const store = new SealedConversationStore(db, keyring);
    const openai = await store.open(
      tenant.tenant.id,
      rows.rows.find((row) => row.external_id === stored('c-openai'))!.id,
    );
    expect(openai.messages.map((message) => message.role)).toEqual([
      'system',
      'user',
      'assistant',
      'user',
    ]);
    expect(openai.messages[1]!.content).toBe('Plaintext marker PLAIN-OPENAI');
    const anthropic = await store.open(
      tenant.tenant.id,
      rows.rows.find((row) => row.external_id === stored('c-anthropic'))!.id,
    );
    expect(anthropic.messages[0]).toEqual({ role: 'system', content: 'Be concise.' });

    const wrongKeyring = new TenantKeyring({ key: randomBytes(32), id: 'mk-test' });
    await expect(
      new SealedConversationStore(db, wrongKeyring).open(tenant.tenant.id, openai.id),
    ).rejects.toThrow(/could not be unwrapped/);

    const counts = await queue.counts();
    expect(counts.tagging.waiting).toBe(3); // no workers started: jobs wait, carrying ids only
  });

  it('seals the allow-listed metadata with the messages and drops unknown fields', async () => {
    const service = new IngestService(db, queue, pseudonymizer);
    const result = await service.ingestBody(
      tenant.tenant,
      Buffer.from(
        JSON.stringify([
          openaiRecord('c-meta', 'erin', 'hello', {
            metadata: { team: 'TEAM-MARKER', session_id: 'SESSION-MARKER' },
          }),
        ]),
      ),
      options,
    );
    expect(result).toMatchObject({
      accepted: 1,
      ignored_fields: [{ field: 'metadata.session_id', count: 1 }],
    });
    const row = await db.query<{ id: string; row: string }>(
      'SELECT c.id, c::text AS row FROM sealed.conversations c WHERE tenant_id = $1 AND external_id = $2',
      [tenant.tenant.id, stored('c-meta')],
    );
    expect(row.rows[0]!.row).not.toContain('MARKER');
    const opened = await new SealedConversationStore(db, keyring).open(
      tenant.tenant.id,
      row.rows[0]!.id,
    );
    expect(opened.metadata).toEqual({ team: 'TEAM-MARKER' });
    await db.query('DELETE FROM sealed.conversations WHERE id = $1', [row.rows[0]!.id]);
  });

  it('is idempotent on (tenant, id): a re-send counts duplicates and stores nothing twice', async () => {
    const service = new IngestService(db, queue, pseudonymizer);
    const body = Buffer.from(
      JSON.stringify([
        openaiRecord('c-openai', 'alice@example.com', 'Plaintext marker PLAIN-OPENAI'),
        openaiRecord('c-new', 'dave'),
      ]),
    );
    const result = await service.ingestBody(tenant.tenant, body, options);
    expect(result).toEqual({
      accepted: 1,
      updated: 0,
      duplicates: 1,
      rejected: [],
      ignored_fields: [],
    });
    const count = await db.query<{ n: number }>(
      'SELECT count(*)::integer AS n FROM sealed.conversations WHERE tenant_id = $1',
      [tenant.tenant.id],
    );
    expect(Number(count.rows[0]!.n)).toBe(4);
  });

  it('keeps good records when others in the batch are bad, and names the bad field', async () => {
    const service = new IngestService(db, queue, pseudonymizer);
    const body = Buffer.from(
      [
        JSON.stringify(openaiRecord('good-1', 'erin')),
        '{"id": "bad-json", ',
        JSON.stringify({ id: 'no-user', messages: [{ role: 'user', content: 'hi' }] }),
        JSON.stringify(openaiRecord('good-1', 'erin')),
      ].join('\n'),
    );
    const result = await service.ingestBody(tenant.tenant, body, options);
    expect(result.accepted).toBe(1);
    expect(result.rejected).toEqual([
      { line: 2, field: '(record)', message: expect.stringMatching(/not valid JSON/) },
      { line: 3, field: 'user_id', message: 'is required' },
      { line: 4, field: 'id', message: 'duplicates the id of line 1 in this request' },
    ]);
  });

  it('keeps tenants apart: the same external id in another tenant is a new conversation', async () => {
    const other = await provisionTenant(db, keyring, {
      slug: 'globex',
      kUsers: 5,
      minConversations: 10,
    });
    const service = new IngestService(db, queue, pseudonymizer);
    const result = await service.ingestBody(
      other.tenant,
      Buffer.from(JSON.stringify([openaiRecord('c-openai', 'alice@example.com')])),
      options,
    );
    expect(result.accepted).toBe(1);
    const otherId = pseudonymizer.conversationPseudonym(other.tenant.id, 'c-openai');
    // The same id in two tenants is stored under unlinkable pseudonyms too.
    expect(otherId).not.toBe(stored('c-openai'));
    const pseudonyms = await db.query<{ user_pseudonym: string }>(
      'SELECT DISTINCT user_pseudonym FROM sealed.conversations WHERE external_id = ANY($1::text[])',
      [[stored('c-openai'), otherId]],
    );
    // The same person in two tenants gets unlinkable pseudonyms.
    expect(pseudonyms.rows).toHaveLength(2);
  });

  it('deletes content after processing by default and erases a user completely', async () => {
    const store = new SealedConversationStore(db, keyring);
    await db.query(
      "UPDATE sealed.conversations SET status = 'tagged' WHERE tenant_id = $1 AND external_id = $2",
      [tenant.tenant.id, stored('c-new')],
    );
    expect(await store.applyRetention()).toBe(1);
    const row = await db.query<{ id: string; ciphertext: unknown; content_deleted_at: unknown }>(
      'SELECT id, ciphertext, content_deleted_at FROM sealed.conversations WHERE tenant_id = $1 AND external_id = $2',
      [tenant.tenant.id, stored('c-new')],
    );
    expect(row.rows[0]!.ciphertext).toBeNull();
    expect(row.rows[0]!.content_deleted_at).not.toBeNull();
    await expect(store.open(tenant.tenant.id, row.rows[0]!.id)).rejects.toThrow(
      /deleted by retention/,
    );

    const erased = await store.eraseUser(
      tenant.tenant.id,
      pseudonymizer.pseudonym(tenant.tenant.id, 'alice@example.com'),
    );
    expect(erased).toBe(1);
    const left = await db.query<{ n: number }>(
      'SELECT count(*)::integer AS n FROM sealed.conversations WHERE tenant_id = $1 AND external_id = $2',
      [tenant.tenant.id, stored('c-openai')],
    );
    expect(Number(left.rows[0]!.n)).toBe(0);
  });
});
