/**
 * Publishing in dp mode: plan what this publication may spend, release the pending closed weeks
 * and the current week, build the snapshot from every stored noisy cell, and write the ledger
 * charge, the new cells, the snapshot and the closed-week marks in one transaction. The ledger's
 * charge refuses a publication that would pass the cap, which rolls everything back.
 */
import type { Env } from '@silhouette/config';
import type { CustomFacetDefinition } from '@silhouette/contracts';
import {
  CostControlRepository,
  PrivacyLedgerRepository,
  type PublicationKind,
  type SnapshotSummary,
  type StoredNoisyCell,
  type Tenant,
} from '@silhouette/db';
import {
  budgetPeriod,
  gatePublishedText,
  effectiveEpsilon,
  epsilonSpent,
  planRelease,
  thresholdDelta,
  type BudgetCap,
  type ReleasePlan,
} from '@silhouette/privacy';
import {
  ClusteringRepository,
  PublicationRequestRepository,
  type PublicationRequest,
} from '@silhouette/sealed';
import type { ClusteringRun } from '../../clustering/run-clustering';
import type { TextMapRun } from '../../clustering/run-text-map';
import type { WorkerDeps } from '../../worker-deps';
import { applyAuditor, auditPublishedValues } from '../apply-auditor';
import { applyDpSample } from '../apply-sample';
import { publishedValueCandidates } from '../build-snapshot';
import { saveSnapshot } from '../save-snapshot';
import { assembleDpSnapshot } from './assemble-dp-snapshot';
import { DATA_FACETS, familyName, type DpBounds } from './dp-families';
import { pendingClosedWeeks, releaseDpWeeks } from './release-dp-weeks';

export const DP_MECHANISM = 'discrete-gaussian/zcdp';

export function dpBounds(env: Env): DpBounds {
  return {
    maxConversations: env.DP_MAX_CONVERSATIONS_PER_WEEK,
    maxMinutesPerConversation: env.DP_MAX_MINUTES_PER_CONVERSATION,
    maxMinutesPerPerson: env.DP_MAX_MINUTES_PER_PERSON_WEEK,
    maxReasons: 3,
  };
}

/** The tenant's cap: the deployment's, or less when the tenant chose less. */
export function tenantCap(env: Env, tenant: Pick<Tenant, 'dpEpsilon'>): BudgetCap {
  return {
    epsilon: effectiveEpsilon(env.DP_EPSILON_PER_MONTH, tenant.dpEpsilon),
    delta: env.DP_DELTA,
  };
}

/** What a publication at `now` could spend (for `process`, which asks before it waits). */
export async function dpPlanFor(
  db: WorkerDeps['db'],
  env: Env,
  tenant: Tenant,
  now = new Date(),
): Promise<ReleasePlan> {
  const ledger = new PrivacyLedgerRepository(db);
  const finalWeeks = await ledger.finalWeeks(tenant.id);
  const spent = await ledger.spent(tenant.id, budgetPeriod(now).start);
  return planRelease({
    cap: tenantCap(env, tenant),
    spent,
    now,
    cadence: env.PUBLISH_CADENCE,
    pendingClosedWeeks: pendingClosedWeeks(now, env.DP_BACKFILL_WEEKS, finalWeeks).length,
    currentWeek: true,
  });
}

/** Stored cells with this release's cells in place of older provisional ones. */
function withRelease(
  stored: readonly StoredNoisyCell[],
  released: readonly StoredNoisyCell[],
): StoredNoisyCell[] {
  const replaced = new Set(released.map((cell) => cell.bucket));
  return [...stored.filter((cell) => cell.final || !replaced.has(cell.bucket)), ...released];
}

export async function publishDpSnapshot(
  deps: WorkerDeps,
  tenant: Tenant,
  run: ClusteringRun,
  models: { tagger: string; taggerPromptVersion: string; embedder: string; namer: string },
  kind: PublicationKind,
  now = new Date(),
  /** A publication owed (an erasure): settled by this one when it is saved. */
  owed?: PublicationRequest,
  /** The tenant's custom facets (issue #15): enum, boolean and number ones become breakdowns. */
  customFacets: readonly CustomFacetDefinition[] = [],
  /** The issues map and short-text maps (issue #15), released beside the tree. */
  maps: readonly TextMapRun[] = [],
): Promise<SnapshotSummary | undefined> {
  const env = deps.env;
  const ledger = new PrivacyLedgerRepository(deps.db);
  const cap = tenantCap(env, tenant);
  const period = budgetPeriod(now);
  const [finalWeeks, stored, spent] = await Promise.all([
    ledger.finalWeeks(tenant.id),
    ledger.currentCells(tenant.id),
    ledger.spent(tenant.id, period.start),
  ]);
  const pending = pendingClosedWeeks(now, env.DP_BACKFILL_WEEKS, finalWeeks);
  const plan = planRelease({
    cap,
    spent,
    now,
    cadence: env.PUBLISH_CADENCE,
    pendingClosedWeeks: pending.length,
    currentWeek: true,
  });
  if (plan.rhoPerClosedWeek === 0 && plan.rhoCurrentWeek === 0) {
    deps.logger.warn(
      { tenantId: tenant.id, resumesAt: plan.refused?.resumesAt.toISOString() },
      'privacy budget spent for this month: nothing published',
    );
    return undefined;
  }
  const releasedDataKeys = new Map<string, Set<string>>();
  for (const facet of DATA_FACETS) releasedDataKeys.set(familyName.facet(facet), new Set());
  for (const cell of stored) releasedDataKeys.get(cell.family)?.add(cell.key);

  // The auditor scores every free-text value this snapshot could show (fresh rows and values of
  // stored cells) before any noise is drawn, so a failing auditor spends nothing.
  const valueAuditScores = deps.clusterLlm
    ? await auditPublishedValues(dpValueCandidates(run, stored), deps.clusterLlm)
    : undefined;
  const bounds = dpBounds(env);
  const release = releaseDpWeeks({
    rows: run.rows,
    levels: run.levels,
    bounds,
    finalWeeks,
    releasedDataKeys,
    plan,
    deltaOf: (rho) => thresholdDelta(rho, cap),
    kUsers: tenant.kUsers,
    backfillWeeks: env.DP_BACKFILL_WEEKS,
    now,
    customFacets,
    maps,
  });
  const rho = release.rhoClosedWeeks + release.rhoCurrentWeek;
  const spentAfter = epsilonSpent(spent.rho + rho, cap);
  const sigma: Record<string, Record<string, Record<string, number>>> = {};
  for (const parameter of release.parameters) {
    const week = (sigma[parameter.bucket] ??= {});
    (week[parameter.family] ??= {})[parameter.figure] = Math.round(parameter.sigma * 1000) / 1000;
  }
  const draft = assembleDpSnapshot({
    tenantId: tenant.id,
    run,
    cells: withRelease(stored, release.cells),
    thresholds: { kUsers: tenant.kUsers, minConversations: tenant.minConversations },
    models,
    privacy: {
      epsilonCap: cap.epsilon,
      delta: cap.delta,
      period,
      epsilonSpent: spentAfter,
      publication: {
        rho,
        // This publication's share of the month's ε (shares add up to the ε spent).
        epsilon: spent.rho + rho > 0 ? (spentAfter * rho) / (spent.rho + rho) : 0,
        delta: release.delta,
        weeks: release.weeks.map(({ bucket, final, rho: weekRho, thresholds }) => ({
          bucket,
          final,
          rho: weekRho,
          thresholds,
        })),
        sigma,
      },
      bounds: { ...bounds },
      backfillWeeks: env.DP_BACKFILL_WEEKS,
    },
    horizon: release.horizon,
    now,
    ...(valueAuditScores ? { valueAuditScores } : {}),
    customFacets,
    maps,
  });
  // A sampled tenant's noisy figures are scaled to all its conversations (issue #15, item 5):
  // post-processing of the noisy values, no privacy cost.
  const sampled = applyDpSample(draft, {
    rate: (await new CostControlRepository(deps.db).settings(tenant.id)).sampleRate,
    maxMinutesPerConversation: env.DP_MAX_MINUTES_PER_CONVERSATION,
  });
  const audited = deps.clusterLlm ? await applyAuditor(sampled, deps.clusterLlm) : sampled;
  return deps.db.transaction(async (tx) => {
    const ledgerTx = new PrivacyLedgerRepository(tx);
    const entry = await ledgerTx.charge({
      tenantId: tenant.id,
      periodStart: period.start,
      kind,
      mechanism: DP_MECHANISM,
      parameters: {
        weeks: release.weeks,
        sigma,
        bounds,
        unreleased_closed_weeks: release.unreleasedClosedWeeks,
      },
      rhoClosedWeeks: release.rhoClosedWeeks,
      rhoCurrentWeek: release.rhoCurrentWeek,
      delta: release.delta,
      rhoCap: plan.rhoCap,
      epsilonCap: cap.epsilon,
      deltaCap: cap.delta,
      at: now,
    });
    await ledgerTx.saveCells(tenant.id, entry.id, release.cells);
    const saved = await saveSnapshot(tx, {
      ...audited,
      evidence: { ...audited.evidence, publicationId: entry.id },
    });
    await ledgerTx.attachSnapshot(tenant.id, entry.id, saved.id);
    if (owed) await new PublicationRequestRepository(tx).settle(owed);
    const clustering = new ClusteringRepository(tx);
    for (const [week, ids] of release.finalConversations)
      await clustering.markFrozenWeek(tenant.id, week, ids);
    return saved;
  });
}

/** The free-text values a dp snapshot may show that the deterministic gate passes. */
function dpValueCandidates(run: ClusteringRun, stored: readonly StoredNoisyCell[]): string[] {
  const values = new Set(publishedValueCandidates(run.rows));
  const textFamilies = new Set(DATA_FACETS.map((facet) => familyName.facet(facet)));
  for (const cell of stored)
    if (textFamilies.has(cell.family) && gatePublishedText(cell.key).ok) values.add(cell.key);
  return [...values].sort();
}
