/** erase-user and apply-retention: the sealed store's deletion duties (privacy invariant 2). */
import type { JobPayload } from '@silhouette/contracts';
import { ErasureRequestRepository } from '@silhouette/db';
import { UnrecoverableJobError } from '@silhouette/queue';
import type { WorkerDeps } from '../worker-deps';

export function eraseUserProcessor(deps: WorkerDeps) {
  return async (payload: JobPayload<'erase-user'>): Promise<void> => {
    const requests = new ErasureRequestRepository(deps.db);
    const request = await requests.find(payload.tenantId, payload.erasureRequestId);
    if (!request) throw new UnrecoverableJobError('erasure request not found');
    if (request.completedAt) return;
    const erased = await deps.store.eraseUser(request.tenantId, request.userPseudonym);
    await requests.complete(request.id, erased);
    deps.logger.info(
      { tenantId: request.tenantId, erasureRequestId: request.id, erased },
      'user erased',
    );
  };
}

export function applyRetentionProcessor(deps: WorkerDeps) {
  return async (_payload: JobPayload<'apply-retention'>): Promise<void> => {
    const deleted = await deps.store.applyRetention();
    if (deleted > 0) deps.logger.info({ deleted }, 'retention deleted conversation content');
  };
}
