/**
 * `silhouette process --tenant SLUG [--json]`: tagging, embedding, clustering and publishing to
 * completion, in both modes. This process runs a worker itself while it waits (in server mode
 * other workers may take part too), so the command never depends on anything else running.
 */
import type { Env } from '@silhouette/config';
import { InsightsRepository, PipelineStatusRepository } from '@silhouette/db';
import { ClusteringRepository } from '@silhouette/sealed';
import { dpPlanFor, startWorker } from '@silhouette/worker';
import { workerDepsFrom } from '../runtime';
import { requireTenant, withRuntime } from '../with-runtime';

const POLL_MS = 200;

async function until(
  check: () => Promise<boolean>,
  what: string,
  timeoutMs = 24 * 3600 * 1000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

export interface ProcessSummary {
  tenant: string;
  conversations: number;
  tagged: number;
  failed: number;
  snapshot_id: string | null;
  snapshot_version: number | null;
  clusters_published: number;
}

export async function processCommand(
  env: Env,
  flags: { tenant?: string; json?: boolean },
): Promise<ProcessSummary> {
  return withRuntime(env, 'process', {}, async (runtime) => {
    const tenant = await requireTenant(runtime, flags.tenant);
    const statuses = new PipelineStatusRepository(runtime.ownerDb);
    const insights = new InsightsRepository(runtime.ownerDb);
    const worker = await startWorker(workerDepsFrom(runtime));
    try {
      await worker.reconcile(0);
      await until(
        async () => (await statuses.forTenant(tenant.id)).accepted === 0,
        'tagging to finish',
      );
      const status = await statuses.forTenant(tenant.id);
      const before = (await insights.latest(tenant.id))?.version ?? 0;
      if (status.tagged + status.embedded > 0) {
        const runs = new ClusteringRepository(runtime.ownerDb);
        const requested = new Date(Date.now() - 1000);
        if (env.PRIVACY_MODE === 'dp') {
          // An explicit request publishes at once and spends budget; refuse early when none is left.
          const plan = await dpPlanFor(runtime.ownerDb, env, tenant);
          if (plan.rhoCurrentWeek === 0 && plan.rhoPerClosedWeek === 0)
            throw new Error(
              `the monthly privacy budget of tenant ${tenant.slug} is spent: publishing resumes on ${plan.refused?.resumesAt.toISOString().slice(0, 10)}`,
            );
        }
        await runtime.queue.enqueue('cluster-tenant', {
          tenantId: tenant.id,
          ...(env.PRIVACY_MODE === 'dp' ? { release: 'requested' as const } : {}),
        });
        const failed = async () => (await runs.latestRunStatus(tenant.id, requested)) === 'failed';
        await until(
          async () =>
            ((await insights.latest(tenant.id))?.version ?? 0) > before || (await failed()),
          'the snapshot',
        );
        if (await failed()) throw new Error('the clustering run failed; see the worker logs');
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
      await worker.stop();
    }
  });
}
