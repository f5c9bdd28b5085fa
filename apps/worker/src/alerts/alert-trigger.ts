/**
 * Alerts are evaluated at each publication: wraps a publishing job so that, when it saved a new
 * snapshot, the tenant's rules are evaluated on it. A wrapper rather than a line in the publisher,
 * so every way of publishing (threshold or differentially private) triggers it the same way.
 */
import type { JobHandler } from '@silhouette/queue';
import { InsightsRepository } from '@silhouette/db';
import type { WorkerDeps } from '../worker-deps';

export function evaluatingAlertsAfter(
  deps: WorkerDeps,
  handler: JobHandler<'cluster-tenant'>,
): JobHandler<'cluster-tenant'> {
  return async (payload, context) => {
    const insights = new InsightsRepository(deps.db);
    const before = await insights.latest(payload.tenantId);
    await handler(payload, context);
    const after = await insights.latest(payload.tenantId);
    if (after && after.id !== before?.id)
      await deps.queue.enqueue('evaluate-alerts', {
        tenantId: payload.tenantId,
        snapshotId: after.id,
      });
  };
}
