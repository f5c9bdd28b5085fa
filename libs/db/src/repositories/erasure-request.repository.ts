/** Requests to erase one user's data; the API records them, the worker carries them out. */
import type { Queryable } from '../database';

export interface ErasureRequest {
  id: string;
  tenantId: string;
  userPseudonym: string;
  requestedAt: Date;
  completedAt: Date | null;
  conversationsErased: number | null;
}

interface Row {
  id: string;
  tenant_id: string;
  user_pseudonym: string;
  requested_at: Date | string;
  completed_at: Date | string | null;
  conversations_erased: number | null;
}

const toRequest = (row: Row): ErasureRequest => ({
  id: row.id,
  tenantId: row.tenant_id,
  userPseudonym: row.user_pseudonym,
  requestedAt: new Date(row.requested_at),
  completedAt: row.completed_at === null ? null : new Date(row.completed_at),
  conversationsErased: row.conversations_erased === null ? null : Number(row.conversations_erased),
});

const COLUMNS = 'id, tenant_id, user_pseudonym, requested_at, completed_at, conversations_erased';

export class ErasureRequestRepository {
  constructor(private readonly db: Queryable) {}

  async create(tenantId: string, userPseudonym: string): Promise<ErasureRequest> {
    const result = await this.db.query<Row>(
      `INSERT INTO app.erasure_requests (tenant_id, user_pseudonym) VALUES ($1, $2) RETURNING ${COLUMNS}`,
      [tenantId, userPseudonym],
    );
    return toRequest(result.rows[0]!);
  }

  async find(tenantId: string, id: string): Promise<ErasureRequest | undefined> {
    const result = await this.db.query<Row>(
      `SELECT ${COLUMNS} FROM app.erasure_requests WHERE tenant_id = $1 AND id = $2`,
      [tenantId, id],
    );
    return result.rows[0] ? toRequest(result.rows[0]) : undefined;
  }

  async complete(id: string, conversationsErased: number): Promise<void> {
    await this.db.query(
      'UPDATE app.erasure_requests SET completed_at = now(), conversations_erased = $2 WHERE id = $1',
      [id, conversationsErased],
    );
  }
}
