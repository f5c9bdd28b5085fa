/**
 * The two reasons a conversation is not sent to the model (issue #15, items 4 and 5), as
 * pipeline states in the sealed store:
 * - `not_sampled`: outside the tenant's deterministic sample (`sealed.sample_bucket` of its
 *   pseudonym at or above rate · 2^32). Final: its content is deleted at once under the default
 *   retention, like a tagged one's, and a grown conversation keeps its place (same pseudonym).
 * - `paused_budget`: the month's LLM budget is spent. Nothing is lost: the content stays, the
 *   reconciler skips it, and `resume` puts it back to `accepted` when budget is available again.
 */
import type { Queryable } from '@silhouette/db';

const SAMPLE_SPACE = 4_294_967_296; // 2^32 buckets

export class TaggingGateRepository {
  constructor(private readonly db: Queryable) {}

  /**
   * Marks the conversation `not_sampled` when it falls outside a sample at `sampleRate`.
   * Returns true when it did (the caller then leaves it alone).
   */
  async excludeUnlessSampled(
    tenantId: string,
    conversationId: string,
    sampleRate: number,
  ): Promise<boolean> {
    if (sampleRate >= 1) return false;
    const result = await this.db.query(
      `UPDATE sealed.conversations c
          SET status = 'not_sampled', status_at = now(), last_error = NULL,
              metadata = '{}'::jsonb,
              ciphertext = CASE WHEN t.retention_days IS NULL THEN NULL ELSE c.ciphertext END,
              nonce = CASE WHEN t.retention_days IS NULL THEN NULL ELSE c.nonce END,
              ephemeral_public_key = CASE WHEN t.retention_days IS NULL THEN NULL ELSE c.ephemeral_public_key END,
              content_deleted_at = CASE WHEN t.retention_days IS NULL
                                        THEN coalesce(c.content_deleted_at, now())
                                        ELSE c.content_deleted_at END
         FROM app.tenants t
        WHERE t.id = c.tenant_id AND c.tenant_id = $1 AND c.id = $2
          AND c.status IN ('accepted', 'failed', 'paused_budget')
          AND sealed.sample_bucket(c.external_id) >= $3::double precision * ${SAMPLE_SPACE}`,
      [tenantId, conversationId, sampleRate],
    );
    return result.rowCount > 0;
  }

  /** Parks an accepted conversation until budget is available (the reconciler skips it). */
  async pauseForBudget(tenantId: string, conversationId: string): Promise<void> {
    await this.db.query(
      `UPDATE sealed.conversations SET status = 'paused_budget', status_at = now()
        WHERE tenant_id = $1 AND id = $2 AND status IN ('accepted', 'failed')`,
      [tenantId, conversationId],
    );
  }

  /** Conversations left out of the tenant's sample (the population beyond the tagged ones). */
  async notSampledCount(tenantId: string): Promise<number> {
    const result = await this.db.query<{ n: number | string }>(
      `SELECT count(*) AS n FROM sealed.conversations WHERE tenant_id = $1 AND status = 'not_sampled'`,
      [tenantId],
    );
    return Number(result.rows[0]?.n ?? 0);
  }

  /** Tenants with conversations waiting for budget. */
  async tenantsPaused(): Promise<string[]> {
    const result = await this.db.query<{ tenant_id: string }>(
      `SELECT DISTINCT tenant_id FROM sealed.conversations WHERE status = 'paused_budget'`,
    );
    return result.rows.map((row) => row.tenant_id);
  }

  /** Back to `accepted`, oldest first; returns them for enqueueing. */
  async resume(
    tenantId: string,
    limit: number,
  ): Promise<{ tenantId: string; conversationId: string }[]> {
    const result = await this.db.query<{ tenant_id: string; id: string }>(
      `UPDATE sealed.conversations c SET status = 'accepted', status_at = now()
        WHERE c.id IN (SELECT id FROM sealed.conversations
                        WHERE tenant_id = $1 AND status = 'paused_budget'
                        ORDER BY status_at LIMIT $2)
          AND c.status = 'paused_budget'
        RETURNING c.tenant_id, c.id`,
      [tenantId, limit],
    );
    return result.rows.map((row) => ({ tenantId: row.tenant_id, conversationId: row.id }));
  }
}
