/**
 * Publications a tenant is owed regardless of new data: an erasure must reach the published
 * figures through the next release (issue #10, finding 5), not wait until something else is
 * tagged. The erasure records the request in the same transaction as the deletion; whatever
 * schedules publications (today: the worker's publish tick) treats a pending request as a reason
 * to publish under its release rules, and the publisher settles it in the transaction that saves
 * a snapshot built after the request. A request made while a build runs stays pending.
 */
import type { Queryable } from '@silhouette/db';

export interface PublicationRequest {
  tenantId: string;
  reason: string;
  requestedAt: Date;
  /** Pass to `settle`: a later request has a higher generation and stays pending. */
  generation: number;
}

interface RequestRow {
  tenant_id: string;
  reason: string;
  requested_at: Date | string;
  generation: string | number;
}

const toRequest = (row: RequestRow): PublicationRequest => ({
  tenantId: row.tenant_id,
  reason: row.reason,
  requestedAt: new Date(row.requested_at),
  generation: Number(row.generation),
});

export class PublicationRequestRepository {
  constructor(private readonly db: Queryable) {}

  /** Records (or renews) the tenant's request; the latest reason and time win. */
  async request(tenantId: string, reason: string): Promise<void> {
    await this.db.query(
      `INSERT INTO sealed.publication_requests (tenant_id, reason) VALUES ($1, $2)
       ON CONFLICT (tenant_id) DO UPDATE
         SET reason = EXCLUDED.reason, requested_at = now(),
             generation = sealed.publication_requests.generation + 1`,
      [tenantId, reason],
    );
  }

  async pending(): Promise<PublicationRequest[]> {
    const result = await this.db.query<RequestRow>(
      'SELECT tenant_id, reason, requested_at, generation FROM sealed.publication_requests ORDER BY requested_at',
    );
    return result.rows.map(toRequest);
  }

  async find(tenantId: string): Promise<PublicationRequest | undefined> {
    const result = await this.db.query<RequestRow>(
      'SELECT tenant_id, reason, requested_at, generation FROM sealed.publication_requests WHERE tenant_id = $1',
      [tenantId],
    );
    return result.rows[0] ? toRequest(result.rows[0]) : undefined;
  }

  /** Settles the request `seen` when the build began, unless a newer one arrived since. */
  async settle(seen: PublicationRequest): Promise<void> {
    await this.db.query(
      'DELETE FROM sealed.publication_requests WHERE tenant_id = $1 AND generation <= $2',
      [seen.tenantId, seen.generation],
    );
  }
}
