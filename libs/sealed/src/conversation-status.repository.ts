/** Pipeline state of sealed conversations: what is waiting, done or dead-lettered. */
import type { Queryable } from '@silhouette/db';

/**
 * SET clause of `UPDATE sealed.conversations c … FROM app.tenants t`: marks a conversation tagged
 * and, under the default retention (none), deletes its content in the same statement. The
 * metadata column (only rows stored before migration 0008 use it) is cleared: the facet row now
 * holds the gated copy.
 */
export const MARK_TAGGED_SET = `SET status = 'tagged', status_at = now(), last_error = NULL,
              metadata = '{}'::jsonb,
              ciphertext = CASE WHEN t.retention_days IS NULL THEN NULL ELSE c.ciphertext END,
              nonce = CASE WHEN t.retention_days IS NULL THEN NULL ELSE c.nonce END,
              ephemeral_public_key = CASE WHEN t.retention_days IS NULL THEN NULL ELSE c.ephemeral_public_key END,
              content_deleted_at = CASE WHEN t.retention_days IS NULL
                                        THEN coalesce(c.content_deleted_at, now())
                                        ELSE c.content_deleted_at END`;

export type ConversationStatus =
  | 'accepted'
  | 'waiting_for_idle'
  | 'tagged'
  | 'embedded'
  | 'failed'
  | 'paused_budget'
  | 'not_sampled';

export class ConversationStatusRepository {
  constructor(private readonly db: Queryable) {}

  async statusOf(
    tenantId: string,
    conversationId: string,
  ): Promise<ConversationStatus | undefined> {
    const result = await this.db.query<{ status: ConversationStatus }>(
      'SELECT status FROM sealed.conversations WHERE tenant_id = $1 AND id = $2',
      [tenantId, conversationId],
    );
    return result.rows[0]?.status;
  }

  /**
   * Marks a conversation tagged. With the default retention (none), its content is deleted in the
   * same statement: nothing needs it any more, and content that does not exist cannot leak.
   */
  async markTagged(tenantId: string, conversationId: string): Promise<void> {
    await this.db.query(
      `UPDATE sealed.conversations c
          ${MARK_TAGGED_SET}
         FROM app.tenants t
        WHERE t.id = c.tenant_id AND c.tenant_id = $1 AND c.id = $2 AND c.status IN ('accepted', 'failed')`,
      [tenantId, conversationId],
    );
  }

  /** `reason` is an error message from our own code: codes and counts, never content. */
  async markFailed(tenantId: string, conversationId: string, reason: string): Promise<void> {
    await this.db.query(
      `UPDATE sealed.conversations SET status = 'failed', status_at = now(), last_error = left($3, 500)
        WHERE tenant_id = $1 AND id = $2 AND status = 'accepted'`,
      [tenantId, conversationId, reason],
    );
  }

  /** Back to 'accepted' so the reconciler or a retry picks them up again. */
  async resetFailed(tenantId?: string): Promise<{ tenantId: string; conversationId: string }[]> {
    const result = await this.db.query<{ tenant_id: string; id: string }>(
      `UPDATE sealed.conversations SET status = 'accepted', status_at = now()
        WHERE status = 'failed' AND ($1::uuid IS NULL OR tenant_id = $1)
        RETURNING tenant_id, id`,
      [tenantId ?? null],
    );
    return result.rows.map((row) => ({ tenantId: row.tenant_id, conversationId: row.id }));
  }

  /**
   * Conversations waiting for idleness (they grew, or arrived over OTLP) whose last growth is at
   * least `idleSeconds` old become 'accepted', to be tagged. Returns them (for enqueueing; the
   * reconciler also finds them if that is lost). With `tenantId`, that tenant's only.
   */
  async promoteIdle(
    idleSeconds: number,
    limit: number,
    tenantId?: string,
  ): Promise<{ tenantId: string; conversationId: string }[]> {
    const result = await this.db.query<{ tenant_id: string; id: string }>(
      `UPDATE sealed.conversations c SET status = 'accepted', status_at = now()
        WHERE c.id IN (
          SELECT id FROM sealed.conversations
           WHERE status = 'waiting_for_idle' AND status_at <= now() - make_interval(secs => $1)
             AND ($3::uuid IS NULL OR tenant_id = $3)
           ORDER BY status_at LIMIT $2)
          AND c.status = 'waiting_for_idle'
        RETURNING c.tenant_id, c.id`,
      [idleSeconds, limit, tenantId ?? null],
    );
    return result.rows.map((row) => ({ tenantId: row.tenant_id, conversationId: row.id }));
  }

  /** Accepted conversations untouched for `olderThanSeconds`: candidates for re-enqueueing. */
  async awaitingTagging(
    olderThanSeconds: number,
    limit: number,
  ): Promise<{ tenantId: string; conversationId: string }[]> {
    const result = await this.db.query<{ tenant_id: string; id: string }>(
      `SELECT tenant_id, id FROM sealed.conversations
        WHERE status = 'accepted' AND status_at < now() - make_interval(secs => $1)
        ORDER BY status_at LIMIT $2`,
      [olderThanSeconds, limit],
    );
    return result.rows.map((row) => ({ tenantId: row.tenant_id, conversationId: row.id }));
  }

  /**
   * Conversations whose content is still held and whose facet row is missing or was made by
   * another prompt version: what `silhouette retag` can re-tag. Keyset-paginated by id.
   */
  async retaggable(
    tenantId: string,
    promptVersion: string,
    afterId: string | null,
    limit: number,
  ): Promise<string[]> {
    const result = await this.db.query<{ id: string }>(
      `SELECT c.id FROM sealed.conversations c
         LEFT JOIN sealed.facets f ON f.conversation_id = c.id
        WHERE c.tenant_id = $1 AND c.ciphertext IS NOT NULL
          AND (f.prompt_version IS NULL OR f.prompt_version <> $2)
          AND ($3::uuid IS NULL OR c.id > $3::uuid)
        ORDER BY c.id LIMIT $4`,
      [tenantId, promptVersion, afterId, limit],
    );
    return result.rows.map((row) => row.id);
  }

  /** Tenants with tagged conversations not yet in a clustering run, and none still being tagged. */
  async tenantsReadyToCluster(): Promise<string[]> {
    const result = await this.db.query<{ tenant_id: string }>(
      `SELECT DISTINCT c.tenant_id FROM sealed.conversations c
        WHERE c.status = 'tagged'
          AND NOT EXISTS (SELECT 1 FROM sealed.conversations a WHERE a.tenant_id = c.tenant_id AND a.status = 'accepted')`,
    );
    return result.rows.map((row) => row.tenant_id);
  }

  /**
   * dp mode: tenants with tagged conversations (or owed a publication: everyone erased) and no
   * scheduled publication since `since` (the start of the current cadence slot). Whether a tenant
   * is due does not depend on who used the assistant lately, only on the calendar, so the timing
   * of publications reveals nobody. The one exception is a tenant's first scheduled publication:
   * it waits until the first import is tagged (nothing left `accepted`), so a new tenant, or the
   * demo, does not spend its first release on a half-tagged corpus and then show it all day.
   */
  async tenantsDueForPublication(since: Date): Promise<string[]> {
    const result = await this.db.query<{ id: string }>(
      `SELECT t.id FROM app.tenants t
        WHERE (EXISTS (SELECT 1 FROM sealed.conversations c
                        WHERE c.tenant_id = t.id AND c.status IN ('tagged', 'embedded'))
               OR EXISTS (SELECT 1 FROM sealed.publication_requests r WHERE r.tenant_id = t.id))
          AND NOT EXISTS (SELECT 1 FROM insights.privacy_ledger l
                           WHERE l.tenant_id = t.id AND l.kind = 'scheduled' AND l.published_at >= $1)
          AND (EXISTS (SELECT 1 FROM insights.privacy_ledger l
                        WHERE l.tenant_id = t.id AND l.kind = 'scheduled')
               OR NOT EXISTS (SELECT 1 FROM sealed.conversations a
                               WHERE a.tenant_id = t.id AND a.status = 'accepted'))`,
      [since.toISOString()],
    );
    return result.rows.map((row) => row.id);
  }

  async failures(
    tenantId: string,
    limit = 100,
  ): Promise<{ conversationId: string; reason: string | null; at: Date }[]> {
    const result = await this.db.query<{
      id: string;
      last_error: string | null;
      status_at: Date | string;
    }>(
      `SELECT id, last_error, status_at FROM sealed.conversations
        WHERE tenant_id = $1 AND status = 'failed' ORDER BY status_at DESC LIMIT $2`,
      [tenantId, limit],
    );
    return result.rows.map((row) => ({
      conversationId: row.id,
      reason: row.last_error,
      at: new Date(row.status_at),
    }));
  }
}
