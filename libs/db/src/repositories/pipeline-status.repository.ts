/** Per-tenant pipeline progress (counts only), readable from both sides of the boundary. */
import type { Queryable } from '../database';

export interface PipelineStatus {
  accepted: number;
  /** Stored, to be tagged once idle for CONVERSATION_IDLE_S (grown, or arrived over OTLP). */
  waitingForIdle: number;
  tagged: number;
  embedded: number;
  failed: number;
  /** Waiting for the month's LLM budget (issue #15): tagged once budget is available. */
  pausedBudget: number;
  /** Outside the tenant's sample: never sent to a model. */
  notSampled: number;
  total: number;
  /** Conversations whose content has been deleted by retention (facets remain). */
  contentDeleted: number;
}

export class PipelineStatusRepository {
  constructor(private readonly db: Queryable) {}

  async forTenant(tenantId: string): Promise<PipelineStatus> {
    const result = await this.db.query<{
      status: string;
      conversations: number;
      content_deleted: number;
    }>('SELECT status, conversations, content_deleted FROM intake.pipeline_status($1)', [tenantId]);
    const status: PipelineStatus = {
      accepted: 0,
      waitingForIdle: 0,
      tagged: 0,
      embedded: 0,
      failed: 0,
      pausedBudget: 0,
      notSampled: 0,
      total: 0,
      contentDeleted: 0,
    };
    for (const row of result.rows) {
      const count = Number(row.conversations);
      if (
        row.status === 'accepted' ||
        row.status === 'tagged' ||
        row.status === 'embedded' ||
        row.status === 'failed'
      ) {
        status[row.status] = count;
      }
      if (row.status === 'waiting_for_idle') status.waitingForIdle = count;
      if (row.status === 'paused_budget') status.pausedBudget = count;
      if (row.status === 'not_sampled') status.notSampled = count;
      status.total += count;
      status.contentDeleted += Number(row.content_deleted);
    }
    return status;
  }
}
