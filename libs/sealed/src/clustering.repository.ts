/**
 * Sealed-side storage of a clustering run: the facet rows it reads, the clusters (with
 * centroids) and memberships it writes. Conversations' own vectors are not kept: no query read
 * them once new conversations joined a run in memory (migration 0023). Bulk writes send a batch
 * as parallel arrays (`unnest`) or JSON records (`jsonb_to_recordset`), so one statement stores
 * it on both engines.
 */
import type { CustomFacetValue } from '@silhouette/contracts';
import { toBuffer, toVectorLiteral, type Queryable } from '@silhouette/db';

/** What clustering and publishing need of one tagged conversation (no content). */
export interface FacetRow {
  conversationId: string;
  user: string;
  at: Date;
  domain: string;
  taskType: string;
  useCase: string;
  goalSummary: string;
  outcome: string;
  failureReasons: string[];
  minutesSaved: number;
  minutesWithoutAi: number;
  frustration: number;
  language: string;
  confidence: number;
  team: string | null;
  department: string | null;
  /** The frozen week whose published figures count this conversation, or null. */
  frozenWeek?: string | null;
  /** What went wrong ("" when resolved or unknown; issue #15). */
  issue?: string;
  /** Custom facet answers by key; null or missing where unanswered. */
  custom?: Record<string, CustomFacetValue>;
}

/** The clustering of the topic tree; other maps are 'issues' and 'custom:<key>'. */
export const TOPIC_MAP = 'topics';

export interface StoredCluster {
  id: string;
  level: number;
  parentId: string | null;
  centroid: Float32Array;
  size: number;
  name: string;
  description: string;
  /** c-TF-IDF terms used by at least k users, shown apart from the name (migration 0015). */
  keywords: string[];
  lineage: 'continued' | 'new' | 'split' | 'merged';
  lineageSources: string[];
}

export interface PreviousRun {
  runId: string;
  startedAt: Date;
  params: Record<string, unknown>;
  embeddingModel: string;
  conversations: number;
  /** The fitted offline embedding model of that run, if any. */
  embedderState: Buffer | null;
  clusters: (StoredCluster & { members: Set<string> })[];
}

/** Memberships as three parallel arrays (unnest), cheaper to send and parse than JSON records. */
function memberColumns(
  members: readonly { conversationId: string; clusterId: string; similarity: number }[],
): [string[], string[], number[]] {
  return [
    members.map((m) => m.conversationId),
    members.map((m) => m.clusterId),
    members.map((m) => m.similarity),
  ];
}

const parseVector = (text: string) => Float32Array.from(text.slice(1, -1).split(','), Number);

export class ClusteringRepository {
  constructor(private readonly db: Queryable) {}

  /**
   * Erasures waiting to be applied to frozen weeks (see migration 0005): per week, how many
   * erased people had conversations counted in it, and how many conversations.
   */
  async pendingFrozenWeekErasures(
    tenantId: string,
  ): Promise<Map<string, { users: number; conversations: number }>> {
    const result = await this.db.query<{ week: string; users: number; conversations: number }>(
      'SELECT week, users, conversations FROM sealed.frozen_week_erasures WHERE tenant_id = $1',
      [tenantId],
    );
    return new Map(
      result.rows.map((row) => [
        row.week,
        { users: Number(row.users), conversations: Number(row.conversations) },
      ]),
    );
  }

  /** Thaws weeks: their conversations are no longer counted as frozen, pending erasures cleared. */
  async thawWeeks(tenantId: string, weeks: readonly string[]): Promise<void> {
    if (weeks.length === 0) return;
    await this.db.query(
      'UPDATE sealed.facets SET frozen_week = NULL WHERE tenant_id = $1 AND frozen_week = ANY($2::text[])',
      [tenantId, [...weeks]],
    );
    await this.db.query(
      'DELETE FROM sealed.frozen_week_erasures WHERE tenant_id = $1 AND week = ANY($2::text[])',
      [tenantId, [...weeks]],
    );
  }

  /** Marks the conversations counted in a newly frozen week's published figures. */
  async markFrozenWeek(
    tenantId: string,
    week: string,
    conversationIds: readonly string[],
  ): Promise<void> {
    for (let i = 0; i < conversationIds.length; i += 5000) {
      await this.db.query(
        `UPDATE sealed.facets SET frozen_week = $2
          WHERE tenant_id = $1 AND conversation_id = ANY($3::uuid[])`,
        [tenantId, week, conversationIds.slice(i, i + 5000)],
      );
    }
  }

  async facetRows(tenantId: string): Promise<FacetRow[]> {
    const result = await this.db.query<{
      conversation_id: string;
      user_pseudonym: string;
      at: Date | string;
      domain: string;
      task_type: string;
      use_case: string;
      goal_summary: string;
      outcome: string;
      failure_reasons: string[];
      minutes_saved: number;
      minutes_without_ai: number;
      user_frustration: number;
      language: string;
      confidence: number;
      team: string | null;
      department: string | null;
      frozen_week: string | null;
      issue: string;
      custom: Record<string, CustomFacetValue> | string;
    }>(
      `SELECT f.conversation_id, c.user_pseudonym, coalesce(c.started_at, c.ingested_at) AS at,
              f.domain, f.task_type, f.use_case, f.goal_summary, f.outcome, f.failure_reasons,
              f.minutes_saved, f.minutes_without_ai, f.user_frustration, f.language, f.confidence,
              f.metadata->>'team' AS team, f.metadata->>'department' AS department, f.frozen_week,
              f.issue, f.custom
         FROM sealed.facets f JOIN sealed.conversations c ON c.id = f.conversation_id
        WHERE f.tenant_id = $1
        ORDER BY f.conversation_id`,
      [tenantId],
    );
    return result.rows.map((row) => ({
      conversationId: row.conversation_id,
      user: row.user_pseudonym,
      at: new Date(row.at),
      domain: row.domain,
      taskType: row.task_type,
      useCase: row.use_case,
      goalSummary: row.goal_summary,
      outcome: row.outcome,
      failureReasons: row.failure_reasons,
      minutesSaved: Number(row.minutes_saved),
      minutesWithoutAi: Number(row.minutes_without_ai),
      frustration: Number(row.user_frustration),
      language: row.language,
      confidence: Number(row.confidence),
      team: row.team,
      department: row.department,
      frozenWeek: row.frozen_week,
      issue: row.issue,
      custom: typeof row.custom === 'string' ? JSON.parse(row.custom) : row.custom,
    }));
  }

  /** Which taggers produced the facet rows (for the privacy evidence). */
  async taggingVersions(
    tenantId: string,
  ): Promise<{ provider: string; model: string; promptVersion: string; conversations: number }[]> {
    const result = await this.db.query<{
      provider: string;
      model: string;
      prompt_version: string;
      n: number;
    }>(
      `SELECT provider, model, prompt_version, count(*)::integer AS n FROM sealed.facets
        WHERE tenant_id = $1 GROUP BY provider, model, prompt_version ORDER BY n DESC`,
      [tenantId],
    );
    return result.rows.map((row) => ({
      provider: row.provider,
      model: row.model,
      promptVersion: row.prompt_version,
      conversations: Number(row.n),
    }));
  }

  /**
   * The tenant's latest run or failed attempt started at or after `since`, if any, with the
   * reason of a failure.
   */
  async latestRunStatus(
    tenantId: string,
    since: Date,
  ): Promise<{ status: 'running' | 'done' | 'failed'; failure: string | null } | undefined> {
    const result = await this.db.query<{
      status: 'running' | 'done' | 'failed';
      failure: string | null;
    }>(
      `SELECT status, failure FROM sealed.cluster_runs WHERE tenant_id = $1 AND started_at >= $2
          AND map = 'topics'
        ORDER BY started_at DESC LIMIT 1`,
      [tenantId, since.toISOString()],
    );
    return result.rows[0];
  }

  /** The database's clock (runs are stamped with it; callers compare against it). */
  async databaseNow(): Promise<Date> {
    const result = await this.db.query<{ now: Date | string }>('SELECT now() AS now');
    return new Date(result.rows[0]!.now);
  }

  /**
   * A failed clustering attempt that had not started a run (or whose run is unknown): a `failed`
   * row of its own with the content-free reason.
   */
  async recordFailedAttempt(tenantId: string, reason: string): Promise<void> {
    await this.db.query(
      `INSERT INTO sealed.cluster_runs (tenant_id, status, finished_at, embedding_model, dimension, failure)
       VALUES ($1, 'failed', now(), '', 0, $2)`,
      [tenantId, reason],
    );
  }

  async updateRunParams(runId: string, params: Record<string, unknown>): Promise<void> {
    await this.db.query(
      'UPDATE sealed.cluster_runs SET params = params || $2::jsonb WHERE id = $1',
      [runId, JSON.stringify(params)],
    );
  }

  async createRun(
    tenantId: string,
    embeddingModel: string,
    dimension: number,
    params: Record<string, unknown>,
    map = TOPIC_MAP,
  ): Promise<string> {
    const result = await this.db.query<{ id: string }>(
      `INSERT INTO sealed.cluster_runs (tenant_id, embedding_model, dimension, params, map) VALUES ($1, $2, $3, $4, $5) RETURNING id`,
      [tenantId, embeddingModel, dimension, JSON.stringify(params), map],
    );
    return result.rows[0]!.id;
  }

  async finishRun(
    runId: string,
    status: 'done' | 'failed',
    conversations: number,
    embedderState?: Buffer,
    failure?: string,
  ): Promise<void> {
    await this.db.query(
      `UPDATE sealed.cluster_runs SET status = $2, finished_at = now(), conversations = $3,
              embedder_state = coalesce($4, embedder_state), failure = $5 WHERE id = $1`,
      [runId, status, conversations, embedderState ?? null, failure ?? null],
    );
  }

  async saveClusters(runId: string, tenantId: string, clusters: StoredCluster[]): Promise<void> {
    for (let i = 0; i < clusters.length; i += 500) {
      const batch = clusters.slice(i, i + 500).map((cluster) => ({
        id: cluster.id,
        level: cluster.level,
        parent_id: cluster.parentId,
        centroid: toVectorLiteral(cluster.centroid),
        size: cluster.size,
        name: cluster.name,
        description: cluster.description,
        keywords: cluster.keywords,
        lineage: cluster.lineage,
        lineage_sources: cluster.lineageSources,
      }));
      await this.db.query(
        `INSERT INTO sealed.clusters (run_id, id, tenant_id, level, parent_id, centroid, size, name, description, keywords,
                lineage, lineage_sources)
         SELECT $1, r.id, $2, r.level, r.parent_id, r.centroid::vector, r.size, r.name, r.description,
                ARRAY(SELECT jsonb_array_elements_text(r.keywords)), r.lineage,
                ARRAY(SELECT jsonb_array_elements_text(r.lineage_sources))::uuid[]
           FROM jsonb_to_recordset($3::jsonb) AS r(id uuid, level integer, parent_id uuid, centroid text, size integer,
                name text, description text, keywords jsonb, lineage text, lineage_sources jsonb)`,
        [runId, tenantId, JSON.stringify(batch)],
      );
    }
  }

  async saveMembers(
    runId: string,
    members: { conversationId: string; clusterId: string; similarity: number }[],
  ): Promise<void> {
    for (let i = 0; i < members.length; i += 5000) {
      const batch = members.slice(i, i + 5000);
      await this.db.query(
        `INSERT INTO sealed.cluster_members (run_id, conversation_id, cluster_id, similarity)
         SELECT $1, r.c, r.k, r.s FROM unnest($2::uuid[], $3::uuid[], $4::real[]) AS r(c, k, s)`,
        [runId, ...memberColumns(batch)],
      );
    }
  }

  async addMembers(
    runId: string,
    members: { conversationId: string; clusterId: string; similarity: number }[],
  ): Promise<void> {
    for (let i = 0; i < members.length; i += 5000) {
      const batch = members.slice(i, i + 5000);
      await this.db.query(
        `INSERT INTO sealed.cluster_members (run_id, conversation_id, cluster_id, similarity, from_run)
         SELECT $1, r.c, r.k, r.s, false FROM unnest($2::uuid[], $3::uuid[], $4::real[]) AS r(c, k, s)
         ON CONFLICT (run_id, conversation_id) DO NOTHING`,
        [runId, ...memberColumns(batch)],
      );
    }
  }

  async markEmbedded(runId: string): Promise<void> {
    await this.db.query(
      `UPDATE sealed.conversations c SET status = 'embedded', status_at = now()
         FROM sealed.cluster_members m
        WHERE m.run_id = $1 AND m.conversation_id = c.id AND c.status = 'tagged'`,
      [runId],
    );
  }

  /** The latest finished run of a tenant's map with its clusters and their base-level members. */
  async previousRun(tenantId: string, map = TOPIC_MAP): Promise<PreviousRun | undefined> {
    const run = await this.db.query<{
      id: string;
      embedding_model: string;
      conversations: number;
      embedder_state: unknown;
      params: Record<string, unknown>;
      started_at: Date | string;
    }>(
      `SELECT id, embedding_model, conversations, embedder_state, params, started_at FROM sealed.cluster_runs
        WHERE tenant_id = $1 AND map = $2 AND status = 'done' ORDER BY started_at DESC LIMIT 1`,
      [tenantId, map],
    );
    const latest = run.rows[0];
    if (!latest) return undefined;
    const runId = latest.id;
    const clusters = await this.db.query<{
      id: string;
      level: number;
      parent_id: string | null;
      centroid: string;
      size: number;
      name: string;
      description: string;
      keywords: string[];
      lineage: StoredCluster['lineage'];
      lineage_sources: string[];
    }>(
      `SELECT id, level, parent_id, centroid::text AS centroid, size, name, description, keywords, lineage,
              lineage_sources
         FROM sealed.clusters WHERE run_id = $1`,
      [runId],
    );
    const members = await this.db.query<{ cluster_id: string; conversation_id: string }>(
      'SELECT cluster_id, conversation_id FROM sealed.cluster_members WHERE run_id = $1',
      [runId],
    );
    const byCluster = new Map<string, Set<string>>();
    for (const row of members.rows) {
      const set = byCluster.get(row.cluster_id) ?? new Set<string>();
      set.add(row.conversation_id);
      byCluster.set(row.cluster_id, set);
    }
    return {
      runId,
      params: latest.params,
      startedAt: new Date(latest.started_at),
      embeddingModel: latest.embedding_model,
      conversations: Number(latest.conversations),
      embedderState: latest.embedder_state === null ? null : toBuffer(latest.embedder_state),
      clusters: clusters.rows.map((row) => ({
        id: row.id,
        level: Number(row.level),
        parentId: row.parent_id,
        centroid: parseVector(row.centroid),
        size: Number(row.size),
        name: row.name,
        description: row.description,
        keywords: row.keywords ?? [],
        lineage: row.lineage,
        lineageSources: row.lineage_sources,
        members: byCluster.get(row.id) ?? new Set(),
      })),
    };
  }
}
