import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  adminDatabaseUrl,
  createTestDatabase,
  type TestDatabase,
} from '../../../test/helpers/services';
import { migrate } from './migrations';
import { API_ROLE, WORKER_ROLE } from './open-database';
import { PgDatabase } from './pg-database';

/** Privacy invariant 1 at the database level: the API role cannot reach the sealed schema. */
describe('PostgreSQL roles', () => {
  let testDb: TestDatabase;
  let owner: PgDatabase;
  const login = `api_login_${randomBytes(4).toString('hex')}`;
  const password = randomBytes(12).toString('hex');
  let tenantId: string;

  beforeAll(async () => {
    testDb = await createTestDatabase();
    owner = new PgDatabase({ connectionString: testDb.url });
    await migrate(owner);
    await owner.query(`CREATE ROLE ${login} LOGIN PASSWORD '${password}' IN ROLE ${API_ROLE}`);
    const tenant = await owner.query<{ id: string }>(
      "INSERT INTO app.tenants (slug, name) VALUES ('acme', 'Acme') RETURNING id",
    );
    tenantId = tenant.rows[0]!.id;
    await owner.query(
      "INSERT INTO app.tenant_sealing_keys (tenant_id, key_id, public_key) VALUES ($1, 1, '\\x00')",
      [tenantId],
    );
  });

  afterAll(async () => {
    await owner.close();
    await testDb.drop();
    const admin = new pg.Client({ connectionString: adminDatabaseUrl() });
    await admin.connect();
    await admin.query(`DROP ROLE IF EXISTS ${login}`);
    await admin.end();
  });

  function apiLoginUrl(): string {
    const url = new URL(testDb.url);
    url.username = login;
    url.password = password;
    return url.toString();
  }

  it.each([
    ['its own login role', () => new PgDatabase({ connectionString: apiLoginUrl() })],
    [
      'a shared login acting as silhouette_api',
      () => new PgDatabase({ connectionString: testDb.url, role: API_ROLE }),
    ],
  ])(
    'an API connection through %s gets "permission denied" on the sealed schema',
    async (_label, open) => {
      const api = open();
      try {
        await expect(api.query('SELECT count(*) FROM sealed.conversations')).rejects.toThrow(
          /permission denied for schema sealed/,
        );
        await expect(api.query('SELECT * FROM sealed.tenant_private_keys')).rejects.toThrow(
          /permission denied for schema sealed/,
        );
        await expect(api.query('DELETE FROM sealed.conversations')).rejects.toThrow(
          /permission denied/,
        );
        // …while the control plane and the write-only intake door work.
        const tenants = await api.query<{ slug: string }>('SELECT slug FROM app.tenants');
        expect(tenants.rows.map((row) => row.slug)).toEqual(['acme']);
        const records = JSON.stringify([
          {
            external_id: `x-${randomBytes(3).toString('hex')}`,
            user_pseudonym: 'u_1',
            message_count: 1,
            content_bytes: 5,
            nonce: 'AAAA',
            ciphertext: 'AAAA',
          },
        ]);
        const inserted = await api.query(
          'SELECT * FROM intake.accept_conversations($1, 1, $2, $3::jsonb)',
          [tenantId, Buffer.alloc(32), records],
        );
        expect(inserted.rowCount).toBe(1);
        await expect(api.query('UPDATE app.tenants SET slug = $1', ['hijack'])).rejects.toThrow(
          /permission denied/,
        );
      } finally {
        await api.close();
      }
    },
  );

  it('the worker role reads the sealed schema', async () => {
    const worker = new PgDatabase({ connectionString: testDb.url, role: WORKER_ROLE });
    try {
      const current = await worker.query<{ current_user: string }>('SELECT current_user');
      expect(current.rows[0]!.current_user).toBe(WORKER_ROLE);
      const rows = await worker.query<{ n: number }>(
        'SELECT count(*)::integer AS n FROM sealed.conversations',
      );
      expect(Number(rows.rows[0]!.n)).toBeGreaterThanOrEqual(2);
    } finally {
      await worker.close();
    }
  });
});
