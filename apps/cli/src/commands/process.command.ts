/**
 * `silhouette process --tenant SLUG [--json]`: tagging, embedding, clustering and publishing to
 * completion, in both modes. This process runs a worker itself while it waits (in server mode
 * other workers may take part too), so the command never depends on anything else running.
 *
 * It never waits for something that cannot come: a clustering attempt that fails (any worker,
 * either mode) is recorded with its reason, and the command exits 1 with it within a poll; so
 * does a clustering job that is dead-lettered, or that ends without publishing.
 */
import type { Env } from '@silhouette/config';
import { InsightsRepository, PipelineStatusRepository, privacyModeOf } from '@silhouette/db';
import { ClusteringRepository, ConversationStatusRepository } from '@silhouette/sealed';
import { dpPlanFor, startWorker } from '@silhouette/worker';
import { progressFor, type ProgressOptions } from '../progress';
import { workerDepsFrom, type Runtime } from '../runtime';
import { requireTenant, withRuntime } from '../with-runtime';

/**
 * Tagging counts come from a grouped count over the tenant's conversations, which reads every
 * row (about 0.2 s of PostgreSQL at a million): the command waits at least 500 ms between counts,
 * and ten times as long as the last count took, so that watching never takes more than a tenth
 * of a core from the tagging it watches.
 */
const TAGGING_POLL_MS = 500;
const TAGGING_POLL_SHARE = 10;
const CLUSTERING_POLL_MS = 200;
/** A clustering job gone from the queue this long without a snapshot or a failure has ended. */
const ENDED_GRACE_MS = 2_000;
const TAGGING_DEADLINE_MS = 24 * 3600 * 1000;

export interface ProcessSummary {
  tenant: string;
  conversations: number;
  tagged: number;
  failed: number;
  snapshot_id: string | null;
  snapshot_version: number | null;
  clusters_published: number;
}

/** Clustering could not run: the command exits 1 with this message. */
export class ClusteringFailedError extends Error {
  readonly code = 'clustering_failed';
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function processCommand(
  env: Env,
  flags: { tenant?: string; json?: boolean },
  progressOptions: ProgressOptions = {},
): Promise<ProcessSummary> {
  return withRuntime(env, 'process', {}, async (runtime) => {
    const tenant = await requireTenant(runtime, flags.tenant);
    const statuses = new PipelineStatusRepository(runtime.ownerDb);
    const insights = new InsightsRepository(runtime.ownerDb);
    const progress = progressFor(flags, progressOptions);
    // "To completion": conversations waiting for idleness are tagged now too.
    await new ConversationStatusRepository(runtime.ownerDb).promoteIdle(
      0,
      Number.MAX_SAFE_INTEGER,
      tenant.id,
    );
    // Counted before this process's worker starts taking tag jobs.
    const start = await statuses.forTenant(tenant.id);
    const tagging = progress.stage('tagging', start.accepted);
    const worker = await startWorker(workerDepsFrom(runtime));
    try {
      await worker.reconcile(0);
      const deadline = Date.now() + TAGGING_DEADLINE_MS;
      let countMs = 0;
      for (let status = start; status.accepted > 0;) {
        tagging.update(
          Math.max(0, start.accepted - status.accepted),
          Math.max(0, status.failed - start.failed),
        );
        if (Date.now() > deadline) throw new Error('timed out waiting for tagging to finish');
        await sleep(Math.max(TAGGING_POLL_MS, TAGGING_POLL_SHARE * countMs));
        const countStart = performance.now();
        status = await statuses.forTenant(tenant.id);
        countMs = performance.now() - countStart;
      }
      const status = await statuses.forTenant(tenant.id);
      tagging.update(start.accepted, Math.max(0, status.failed - start.failed));
      tagging.finish();

      if (status.tagged + status.embedded > 0) {
        const clustering = progress.stage('clustering and publishing');
        const dp = privacyModeOf(tenant, env.PRIVACY_MODE) === 'dp';
        if (dp) {
          // An explicit request publishes at once and spends budget; refuse early when none is left.
          const plan = await dpPlanFor(runtime.ownerDb, env, tenant);
          if (plan.rhoCurrentWeek === 0 && plan.rhoPerClosedWeek === 0)
            throw new Error(
              `the monthly privacy budget of tenant ${tenant.slug} is spent: publishing resumes on ${plan.refused?.resumesAt.toISOString().slice(0, 10)}`,
            );
        }
        await clusterToSnapshot(runtime, tenant.id, dp);
        clustering.update(status.tagged + status.embedded);
        clustering.finish();
      }
      const snapshot = await insights.latest(tenant.id);
      const final = await statuses.forTenant(tenant.id);
      const summary: ProcessSummary = {
        tenant: tenant.slug,
        conversations: final.total,
        tagged: final.tagged + final.embedded,
        failed: final.failed,
        snapshot_id: snapshot?.id ?? null,
        snapshot_version: snapshot?.version ?? null,
        clusters_published: snapshot
          ? Number((snapshot.overview as { clusters_published?: number }).clusters_published ?? 0)
          : 0,
      };
      if (flags.json) console.log(JSON.stringify(summary));
      else {
        console.log(
          `tenant ${summary.tenant}: ${summary.conversations} conversations, ${summary.tagged} tagged, ${summary.failed} failed`,
        );
        console.log(
          snapshot
            ? `published snapshot v${summary.snapshot_version} (${summary.snapshot_id}) with ${summary.clusters_published} clusters`
            : 'nothing tagged yet: no snapshot',
        );
      }
      return summary;
    } finally {
      progress.close();
      await worker.stop();
    }
  });
}

/**
 * Enqueues a clustering run and waits for its snapshot, or for the reason it cannot come: a failed
 * attempt, a dead letter, or a job that ended without publishing.
 */
async function clusterToSnapshot(runtime: Runtime, tenantId: string, dp: boolean): Promise<void> {
  const insights = new InsightsRepository(runtime.ownerDb);
  const runs = new ClusteringRepository(runtime.ownerDb);
  // dp mode: the ledger records this publication as the operator's request.
  const payload = { tenantId, ...(dp ? { release: 'requested' as const } : {}) };
  const before = (await insights.latest(tenantId))?.version ?? 0;
  // Attempts are stamped by the database's clock: compare against it, not this machine's.
  const requested = await runs.databaseNow();
  // An explicit request runs again even if an earlier clustering job of this tenant died.
  await runtime.queue.discardDeadLetter('cluster-tenant', payload);
  await runtime.queue.enqueue('cluster-tenant', payload);
  let goneSince: number | undefined;
  for (;;) {
    if (((await insights.latest(tenantId))?.version ?? 0) > before) return;
    const attempt = await runs.latestRunStatus(tenantId, requested);
    if (attempt?.status === 'failed') {
      const retrying = await runtime.queue.isPending('cluster-tenant', payload);
      throw new ClusteringFailedError(
        `clustering failed: ${attempt.failure ?? 'no reason recorded; see the worker logs'}${
          retrying ? ' (the queue retries it; nothing new was published)' : ''
        }`,
      );
    }
    if (await runtime.queue.isPending('cluster-tenant', payload)) {
      goneSince = undefined;
    } else {
      // Not queued or running any more: give a dead letter's record a moment to land.
      goneSince ??= Date.now();
      if (Date.now() - goneSince > ENDED_GRACE_MS) {
        throw new ClusteringFailedError(
          'clustering failed: the clustering job ended without publishing a snapshot (see the worker logs)',
        );
      }
    }
    await sleep(CLUSTERING_POLL_MS);
  }
}
