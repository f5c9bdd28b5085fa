/**
 * cluster-tenant: a full run (embed, cluster, name, keep ids stable) followed by publishing a new
 * snapshot through the privacy gates. The snapshot and its rows are written in one transaction,
 * so readers see the previous snapshot or the complete new one, never half of it.
 */
import { randomUUID } from 'node:crypto';
import { canonicalLabels } from '@silhouette/clustering';
import type { JobPayload } from '@silhouette/contracts';
import {
  CostControlRepository,
  CustomFacetRepository,
  InsightsRepository,
  TenantRepository,
  privacyModeOf,
} from '@silhouette/db';
import { UnrecoverableJobError } from '@silhouette/queue';
import {
  ClusteringRepository,
  PublicationRequestRepository,
  TaggingGateRepository,
} from '@silhouette/sealed';
import { applyAuditor, auditPublishedValues } from '../publishing/apply-auditor';
import { applySample } from '../publishing/apply-sample';
import { buildSnapshot, publishedValueCandidates } from '../publishing/build-snapshot';
import { publishDpSnapshot } from '../publishing/dp/publish-dp-snapshot';
import { saveSnapshot } from '../publishing/save-snapshot';
import type { WorkerDeps } from '../worker-deps';
import { runClustering, type ClusteringRun } from './run-clustering';
import { customFacetMap, ISSUES_MAP, runTextMap, type TextMapRun } from './run-text-map';

/**
 * Free-form tags drift ("python", "Python script", "scripting"): breakdowns count them under one
 * canonical label per facet (the most frequent spelling of each group).
 */
async function withCanonicalLabels(run: ClusteringRun): Promise<ClusteringRun> {
  const canonical = async (values: string[]) => {
    const counts = new Map<string, number>();
    for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
    return canonicalLabels([...counts].map(([label, count]) => ({ label, count })));
  };
  const domains = await canonical(run.rows.map((row) => row.domain));
  const tasks = await canonical(run.rows.map((row) => row.taskType));
  return {
    ...run,
    rows: run.rows.map((row) => ({
      ...row,
      domain: domains.get(row.domain) ?? row.domain,
      taskType: tasks.get(row.taskType) ?? row.taskType,
    })),
  };
}

/** A run over no conversations: publishing it withholds every figure. */
function emptyRun(): ClusteringRun {
  return {
    runId: randomUUID(),
    mode: 'full',
    rows: [],
    levels: [],
    embeddingModel: 'none',
    namer: 'none',
  };
}

export function clusterTenantProcessor(deps: WorkerDeps) {
  return async (payload: JobPayload<'cluster-tenant'>): Promise<void> => {
    const tenant = await new TenantRepository(deps.db).findById(payload.tenantId);
    if (!tenant) throw new UnrecoverableJobError('tenant no longer exists');
    const started = performance.now();
    // A publication owed since before this build (an erasure) is settled by the snapshot saved
    // below; one requested while the build runs stays pending for the next.
    const owed = await new PublicationRequestRepository(deps.db).find(tenant.id);
    const clustered = await runClustering(deps, tenant, { full: payload.full ?? false });
    const published = await new InsightsRepository(deps.db).latest(tenant.id);
    if (!clustered && !(owed && published)) {
      if (owed) await new PublicationRequestRepository(deps.db).settle(owed);
      deps.logger.info({ tenantId: tenant.id }, 'nothing tagged yet: no clustering run');
      return;
    }
    // Everyone erased: an empty snapshot (nothing published) replaces figures that counted them.
    const run = clustered ?? emptyRun();
    // The issues map and one map per short-text custom facet, beside the topic tree (issue #15).
    const customFacets = await new CustomFacetRepository(deps.db).list(tenant.id);
    const maps: TextMapRun[] = [];
    const full = { full: payload.full ?? false };
    const issues = await runTextMap(
      deps,
      tenant,
      run.rows,
      ISSUES_MAP,
      (row) => row.issue ?? '',
      full,
    );
    if (issues) maps.push(issues);
    for (const facet of customFacets.filter((definition) => definition.type === 'short_text')) {
      const map = await runTextMap(
        deps,
        tenant,
        run.rows,
        customFacetMap(facet.key),
        (row) => {
          const value = row.custom?.[facet.key];
          return typeof value === 'string' ? value : '';
        },
        full,
      );
      if (map) maps.push(map);
    }
    const clustering = new ClusteringRepository(deps.db);
    const versions = await clustering.taggingVersions(tenant.id);
    const models = {
      tagger: versions.map((v) => `${v.provider}/${v.model}`).join(', '),
      taggerPromptVersion: versions.map((v) => v.promptVersion).join(', '),
      embedder: run.embeddingModel,
      namer: run.namer,
    };
    if (privacyModeOf(tenant, deps.env.PRIVACY_MODE) === 'dp') {
      // dp mode: closed weeks are released once and never recomputed (erasures included: the
      // noise covers them), so frozen-week thawing does not apply.
      const snapshot = await publishDpSnapshot(
        deps,
        tenant,
        await withCanonicalLabels(run),
        models,
        payload.release ?? 'scheduled',
        deps.clock?.() ?? new Date(),
        owed,
        customFacets,
        maps,
      );
      deps.logger.info(
        {
          tenantId: tenant.id,
          runId: run.runId,
          mode: run.mode,
          privacyMode: 'dp',
          snapshotId: snapshot?.id ?? null,
          version: snapshot?.version ?? null,
          conversations: run.rows.length,
          ms: Math.round(performance.now() - started),
        },
        snapshot ? 'snapshot published' : 'snapshot not published (privacy budget spent)',
      );
      return;
    }
    // Frozen weeks stay as published, except where erasures pending in a week form a cell that
    // meets the thresholds: those weeks are recomputed without the erased people (and re-frozen).
    const frozen = await new InsightsRepository(deps.db).frozenWeeks(tenant.id);
    const thawed = [...(await clustering.pendingFrozenWeekErasures(tenant.id))]
      .filter(
        ([week, pending]) =>
          frozen.has(week) &&
          pending.users >= tenant.kUsers &&
          pending.conversations >= tenant.minConversations,
      )
      .map(([week]) => week);
    for (const week of thawed) frozen.delete(week);
    const labelled = await withCanonicalLabels(run);
    const built = buildSnapshot({
      tenantId: tenant.id,
      run: labelled,
      ...(deps.clusterLlm
        ? {
            valueAuditScores: await auditPublishedValues(
              publishedValueCandidates(labelled.rows, frozen),
              deps.clusterLlm,
            ),
          }
        : {}),
      thresholds: { kUsers: tenant.kUsers, minConversations: tenant.minConversations },
      frozen,
      maps,
      customFacets,
      models,
    });
    // A sampled tenant's figures are scaled to all its conversations (issue #15, item 5).
    const draft = applySample(
      built,
      {
        rate: (await new CostControlRepository(deps.db).settings(tenant.id)).sampleRate,
        sampled: run.rows.length,
        population:
          run.rows.length + (await new TaggingGateRepository(deps.db).notSampledCount(tenant.id)),
      },
      new Set(frozen.keys()),
    );
    const audited = deps.clusterLlm ? await applyAuditor(draft, deps.clusterLlm) : draft;
    const snapshot = await deps.db.transaction(async (tx) => {
      await new InsightsRepository(tx).deleteFrozenWeeks(tenant.id, thawed);
      await new ClusteringRepository(tx).thawWeeks(tenant.id, thawed);
      const saved = await saveSnapshot(tx, audited);
      if (owed) await new PublicationRequestRepository(tx).settle(owed);
      for (const week of audited.frozenWeeks ?? [])
        await new ClusteringRepository(tx).markFrozenWeek(
          tenant.id,
          week.week,
          week.conversationIds,
        );
      return saved;
    });
    deps.logger.info(
      {
        tenantId: tenant.id,
        runId: run.runId,
        mode: run.mode,
        snapshotId: snapshot.id,
        version: snapshot.version,
        conversations: run.rows.length,
        clusters: audited.clusters.length,
        mapClusters: audited.mapClusters?.length ?? 0,
        weeksFrozen: audited.frozenWeeks?.length ?? 0,
        weeksThawed: thawed.length,
        ms: Math.round(performance.now() - started),
      },
      'snapshot published',
    );
  };
}
