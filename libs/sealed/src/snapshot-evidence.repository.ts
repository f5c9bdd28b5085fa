/**
 * The operator's privacy evidence of each published snapshot: every suppressed cell with its
 * scope, key and size (issue #10). It names small cells, so it lives in the sealed schema, out of
 * the API's reach; tenants see `insights.snapshots.evidence`, counts per kind of scope only.
 */
import type { Queryable } from '@silhouette/db';

export class SnapshotEvidenceRepository {
  constructor(private readonly db: Queryable) {}

  async save(
    tenantId: string,
    snapshotId: string,
    evidence: Record<string, unknown>,
  ): Promise<void> {
    await this.db.query(
      `INSERT INTO sealed.snapshot_evidence (snapshot_id, tenant_id, evidence) VALUES ($1, $2, $3)
       ON CONFLICT (snapshot_id) DO UPDATE SET evidence = EXCLUDED.evidence`,
      [snapshotId, tenantId, JSON.stringify(evidence)],
    );
  }

  /** The operator's evidence of one snapshot of this tenant, or undefined. */
  async find(tenantId: string, snapshotId: string): Promise<Record<string, unknown> | undefined> {
    const result = await this.db.query<{ evidence: Record<string, unknown> }>(
      'SELECT evidence FROM sealed.snapshot_evidence WHERE tenant_id = $1 AND snapshot_id = $2',
      [tenantId, snapshotId],
    );
    return result.rows[0]?.evidence;
  }

  /** The operator's evidence of the tenant's latest snapshot, with that snapshot's id. */
  async latest(
    tenantId: string,
  ): Promise<{ snapshotId: string; evidence: Record<string, unknown> } | undefined> {
    const result = await this.db.query<{ snapshot_id: string; evidence: Record<string, unknown> }>(
      `SELECT e.snapshot_id, e.evidence FROM sealed.snapshot_evidence e
         JOIN insights.snapshots s ON s.id = e.snapshot_id
        WHERE e.tenant_id = $1 ORDER BY s.version DESC LIMIT 1`,
      [tenantId],
    );
    const row = result.rows[0];
    return row ? { snapshotId: row.snapshot_id, evidence: row.evidence } : undefined;
  }
}
