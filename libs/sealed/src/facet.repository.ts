/** Facet rows (sealed schema): written by the tag processor, read by clustering and publishing. */
import {
  minutesSaved,
  type ConversationStats,
  type CustomFacetValue,
  type FacetAnswer,
} from '@silhouette/contracts';
import type { Queryable } from '@silhouette/db';
import { MARK_TAGGED_SET } from './conversation-status.repository';

export interface FacetWrite {
  conversationId: string;
  tenantId: string;
  promptVersion: string;
  /** The conversation revision that was tagged (it grows: 0018). */
  revision: number;
  provider: string;
  model: string;
  facet: FacetAnswer;
  /** Custom facet answers by key (issue #15); null where unanswered. */
  custom?: Record<string, CustomFacetValue>;
  stats: ConversationStats;
  /** Allow-listed metadata values that passed the PII gate (or `(withheld)`). */
  metadata: Record<string, string>;
  redactions: number;
  promptTokens: number;
  completionTokens: number;
  latencyMs: number;
}

/**
 * Insert, or replace a row made for an older revision of the conversation (it grew) or by a
 * different prompt version. The same revision and version leave it unchanged.
 */
const FACET_PARAMS = 28;

/** The placeholders of the n-th facet row (0-based) of a multi-row VALUES list. */
function facetValues(n: number): string {
  const p = (i: number) => `$${n * FACET_PARAMS + i}`;
  const list = Array.from({ length: FACET_PARAMS }, (_, i) => p(i + 1));
  list[13] += '::text[]';
  list[24] += '::jsonb';
  list[27] += '::jsonb';
  return `(${list.join(',')})`;
}

/** The upsert of `rows` facet rows (the placeholders of `facetParams`, one row after another). */
const upsertSql = (rows: number) => `INSERT INTO sealed.facets (
    conversation_id, tenant_id, prompt_version, provider, model, domain, task_type, use_case,
    goal_summary, minutes_without_ai, minutes_with_ai, minutes_saved, outcome, failure_reasons,
    user_frustration, language, confidence, turns, user_tokens, assistant_tokens, redactions,
    prompt_tokens, completion_tokens, latency_ms, metadata, revision, issue, custom)
  VALUES ${Array.from({ length: rows }, (_, n) => facetValues(n)).join(',\n')}
  ON CONFLICT (conversation_id) DO UPDATE SET
    prompt_version = EXCLUDED.prompt_version, provider = EXCLUDED.provider, model = EXCLUDED.model,
    domain = EXCLUDED.domain, task_type = EXCLUDED.task_type, use_case = EXCLUDED.use_case,
    goal_summary = EXCLUDED.goal_summary, minutes_without_ai = EXCLUDED.minutes_without_ai,
    minutes_with_ai = EXCLUDED.minutes_with_ai, minutes_saved = EXCLUDED.minutes_saved,
    outcome = EXCLUDED.outcome, failure_reasons = EXCLUDED.failure_reasons,
    user_frustration = EXCLUDED.user_frustration, language = EXCLUDED.language,
    confidence = EXCLUDED.confidence, turns = EXCLUDED.turns, user_tokens = EXCLUDED.user_tokens,
    assistant_tokens = EXCLUDED.assistant_tokens, redactions = EXCLUDED.redactions,
    prompt_tokens = EXCLUDED.prompt_tokens, completion_tokens = EXCLUDED.completion_tokens,
    latency_ms = EXCLUDED.latency_ms, tagged_at = now(),
    issue = EXCLUDED.issue, custom = EXCLUDED.custom,
    -- A re-tag of a row stored before 0008 finds its metadata already moved here: keep it.
    metadata = CASE WHEN EXCLUDED.metadata = '{}'::jsonb THEN sealed.facets.metadata ELSE EXCLUDED.metadata END
    , revision = EXCLUDED.revision
  WHERE EXCLUDED.revision > sealed.facets.revision
     OR (EXCLUDED.revision = sealed.facets.revision AND sealed.facets.prompt_version <> EXCLUDED.prompt_version)`;
const UPSERT_SQL = upsertSql(1);

function facetParams(row: FacetWrite): unknown[] {
  const f = row.facet;
  return [
    row.conversationId,
    row.tenantId,
    row.promptVersion,
    row.provider,
    row.model,
    f.domain,
    f.task_type,
    f.use_case,
    f.goal_summary,
    f.minutes_without_ai,
    f.minutes_with_ai,
    minutesSaved(f),
    f.outcome,
    f.failure_reasons,
    f.user_frustration,
    f.language,
    f.confidence,
    row.stats.turns,
    row.stats.user_tokens,
    row.stats.assistant_tokens,
    row.redactions,
    row.promptTokens,
    row.completionTokens,
    Math.round(row.latencyMs),
    JSON.stringify(row.metadata),
    row.revision,
    f.issue ?? '',
    JSON.stringify(row.custom ?? {}),
  ];
}

export class FacetRepository {
  constructor(private readonly db: Queryable) {}

  async promptVersionOf(conversationId: string): Promise<string | undefined> {
    const result = await this.db.query<{ prompt_version: string }>(
      'SELECT prompt_version FROM sealed.facets WHERE conversation_id = $1',
      [conversationId],
    );
    return result.rows[0]?.prompt_version;
  }

  /** Returns false when the row was already there with this prompt version. */
  async upsert(row: FacetWrite): Promise<boolean> {
    const result = await this.db.query(UPSERT_SQL, facetParams(row));
    return result.rowCount > 0;
  }

  /**
   * Writes the facet row and marks the conversation tagged in one statement: atomic without a
   * transaction's extra round trips. Under the default retention (none) the same statement
   * deletes the content, which nothing needs any more. A conversation that grew meanwhile (a new
   * revision, waiting for idle) keeps its new content and status, and is tagged again later.
   */
  async saveAndMarkTagged(row: FacetWrite): Promise<void> {
    await this.saveManyAndMarkTagged([row]);
  }

  /**
   * `saveAndMarkTagged` for several conversations in one statement (the tag processor batches
   * the saves of its concurrent jobs): all rows are written, or none. Each conversation appears
   * once (one statement cannot upsert the same row twice).
   */
  async saveManyAndMarkTagged(rows: readonly FacetWrite[]): Promise<void> {
    if (rows.length === 0) return;
    if (new Set(rows.map((row) => row.conversationId)).size !== rows.length)
      throw new Error('saveManyAndMarkTagged: a conversation appears twice in one batch');
    const keys = rows.length * FACET_PARAMS;
    await this.db.query(
      `WITH saved AS (${upsertSql(rows.length)} RETURNING conversation_id)
       UPDATE sealed.conversations c
       ${MARK_TAGGED_SET}
         FROM app.tenants t, unnest($${keys + 1}::uuid[], $${keys + 2}::uuid[], $${keys + 3}::integer[])
                             AS k(tenant_id, id, revision)
        WHERE t.id = c.tenant_id AND c.tenant_id = k.tenant_id AND c.id = k.id
          AND c.status IN ('accepted', 'failed') AND c.revision = k.revision`,
      [
        ...rows.flatMap(facetParams),
        rows.map((row) => row.tenantId),
        rows.map((row) => row.conversationId),
        rows.map((row) => row.revision),
      ],
    );
  }

  async countForTenant(tenantId: string): Promise<number> {
    const result = await this.db.query<{ n: number }>(
      'SELECT count(*)::integer AS n FROM sealed.facets WHERE tenant_id = $1',
      [tenantId],
    );
    return Number(result.rows[0]?.n ?? 0);
  }
}
