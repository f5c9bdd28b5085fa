/**
 * Publications owed after an erasure (issue #10, finding 5), on PGlite with the real migrations:
 * a request made while a build runs is not settled by that build.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, PgliteDatabase, TenantRepository } from '@silhouette/db';
import { PublicationRequestRepository } from './publication-request.repository';

describe('PublicationRequestRepository', () => {
  let db: PgliteDatabase;
  let tenantId: string;

  beforeAll(async () => {
    db = await PgliteDatabase.open();
    await migrate(db);
    tenantId = (
      await new TenantRepository(db).insert({
        slug: 'acme',
        name: 'Acme',
        kUsers: 5,
        minConversations: 10,
      })
    ).id;
  });
  afterAll(async () => db?.close());

  it('keeps a request made during a build pending, and settles the one the build saw', async () => {
    const requests = new PublicationRequestRepository(db);
    await requests.request(tenantId, 'erasure');
    const seen = (await requests.find(tenantId))!;
    expect(seen).toMatchObject({ tenantId, reason: 'erasure', generation: 1 });
    // Another erasure while the snapshot is being built.
    await requests.request(tenantId, 'erasure');
    await requests.settle(seen);
    expect((await requests.pending()).map((r) => r.generation)).toEqual([2]);
    await requests.settle((await requests.find(tenantId))!);
    expect(await requests.pending()).toEqual([]);
  });
});
