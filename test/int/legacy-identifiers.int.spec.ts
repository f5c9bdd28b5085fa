/**
 * Conversations stored before migration 0008 keep the client's id in clear. `silhouette migrate`
 * (LegacyIdentifierRepository) replaces it with the pseudonym once the content is gone, so the id
 * leaves the disk and a re-send is a duplicate again; rows still holding content (their envelope
 * is bound to the raw id) and rows whose pseudonym a newer copy already took are left. Both engines.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '@silhouette/db';
import { IngestService, Pseudonymizer } from '@silhouette/ingest';
import { InProcessQueueDriver } from '@silhouette/queue';
import {
  LegacyIdentifierRepository,
  provisionTenant,
  TenantKeyring,
  type ProvisionedTenant,
} from '@silhouette/sealed';
import { openaiRecord } from '../helpers/fixtures';
import { openMigratedDatabase, type Engine } from '../helpers/services';

describe.each<Engine>(['postgres', 'pglite'])('legacy conversation ids on %s', (engine) => {
  let db: Database;
  let cleanup: () => Promise<void>;
  let tenant: ProvisionedTenant;
  const pseudonymizer = new Pseudonymizer(randomBytes(32));
  const pseudonym = (tenantId: string, id: string) =>
    pseudonymizer.conversationPseudonym(tenantId, id);
  const policy = { attempts: 1, backoffMs: 1, concurrency: 1, lockMs: 30_000 };
  const queue = new InProcessQueueDriver({
    tagging: policy,
    clustering: policy,
    maintenance: policy,
    reports: policy,
  });

  const legacyRow = (externalId: string, content: boolean) =>
    db.query(
      `INSERT INTO sealed.conversations (tenant_id, external_id, user_pseudonym, message_count,
              content_bytes, key_id, ephemeral_public_key, nonce, ciphertext, status, content_deleted_at)
       VALUES ($1, $2, $3, 4, 100, 1, $4, $4, $4, 'tagged', CASE WHEN $5 THEN NULL ELSE now() END)`,
      [
        tenant.tenant.id,
        externalId,
        pseudonymizer.pseudonym(tenant.tenant.id, 'alice'),
        content ? randomBytes(32) : null,
        content,
      ],
    );
  const externalIds = async () =>
    (
      await db.query<{ external_id: string }>(
        'SELECT external_id FROM sealed.conversations WHERE tenant_id = $1 ORDER BY external_id',
        [tenant.tenant.id],
      )
    ).rows.map((row) => row.external_id);

  beforeAll(async () => {
    ({ db, cleanup } = await openMigratedDatabase(engine));
    tenant = await provisionTenant(db, new TenantKeyring({ key: randomBytes(32), id: 'mk' }), {
      slug: 'acme',
      kUsers: 5,
      minConversations: 10,
    });
    await legacyRow('alice@example.com', false); // content deleted: re-keyed
    await legacyRow('4111111111111111', true); // content held: bound to the raw id, left
    await legacyRow('legacy-resent', false);
    await db.query(
      `INSERT INTO sealed.conversations (tenant_id, external_id, user_pseudonym, message_count,
              content_bytes, key_id, status)
       VALUES ($1, $2, 'u_x', 4, 100, 1, 'tagged')`,
      [tenant.tenant.id, pseudonym(tenant.tenant.id, 'legacy-resent')],
    );
  });
  afterAll(async () => {
    await queue.close();
    await cleanup();
  });

  it('replaces raw ids by pseudonyms where the content is gone, and says what is left', async () => {
    const repository = new LegacyIdentifierRepository(db);
    expect(await repository.rekey(pseudonym, 1)).toEqual({ rekeyed: 1, remaining: 2 });
    const ids = await externalIds();
    expect(ids).toContain(pseudonym(tenant.tenant.id, 'alice@example.com'));
    expect(ids).not.toContain('alice@example.com');
    expect(ids).toContain('4111111111111111');
    expect(ids).toContain('legacy-resent');
    // A second run finds nothing more to do.
    expect(await repository.rekey(pseudonym)).toEqual({ rekeyed: 0, remaining: 2 });
  });

  it('recognises a re-send of a re-keyed conversation as a duplicate', async () => {
    const result = await new IngestService(db, queue, pseudonymizer).ingestRecords(
      tenant.tenant,
      [{ position: { index: 0 }, value: openaiRecord('alice@example.com', 'alice') }],
      {
        format: 'auto',
        limits: { maxRecords: 10, maxRequestBytes: 1_000_000, maxMessageBytes: 100_000 },
        oversizedMessage: 'record',
      },
    );
    expect(result).toMatchObject({ accepted: 0, duplicates: 1, rejected: [] });
  });
});
