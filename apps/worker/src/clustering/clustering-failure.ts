/**
 * Why a clustering attempt failed, in words an operator can act on, and whether retrying can
 * help. Reasons are stored with the attempt (`sealed.cluster_runs.failure`) and shown by
 * `silhouette process`; they come from error messages that are content-free by construction
 * (the LLM and embedding clients carry status codes, model names and counts only).
 */
import { EmbeddingError } from '@silhouette/clustering';
import { LlmError } from '@silhouette/llm';
import { UnrecoverableJobError, type JobHandler } from '@silhouette/queue';
import { ClusteringRepository } from '@silhouette/sealed';
import type { WorkerDeps } from '../worker-deps';

const MAX_REASON_CHARS = 500;

/** Errors whose run already stored its failure (so the processor does not add a second row). */
const recorded = new WeakSet<object>();

export function markFailureRecorded(error: unknown): void {
  if (typeof error === 'object' && error !== null) recorded.add(error);
}

export function failureRecorded(error: unknown): boolean {
  return typeof error === 'object' && error !== null && recorded.has(error);
}

export function clusteringFailureReason(error: unknown): string {
  let reason = error instanceof Error ? error.message : String(error);
  if (error instanceof EmbeddingError) {
    // The offline embedder's vectors do not share a space with the endpoint's: switching silently
    // would mix spaces (or re-cluster everything differently), so the run stops and says so.
    reason += `; no fallback to the offline embedder (its vectors do not share the endpoint's space): fix the endpoint, or set EMBEDDING_PROVIDER=offline to embed offline from now on`;
  }
  return reason.length > MAX_REASON_CHARS ? `${reason.slice(0, MAX_REASON_CHARS - 1)}…` : reason;
}

/** Failures that another attempt cannot fix (the request itself was refused, or invalid). */
export function isPermanentFailure(error: unknown): boolean {
  if (error instanceof EmbeddingError || error instanceof LlmError) return !error.retryable;
  return false;
}

/**
 * Wraps the cluster-tenant handler: every failed attempt is recorded with its reason (so
 * `silhouette process` can report it at once, in either mode and from any worker), and failures
 * another attempt cannot fix go straight to the dead letters instead of being retried.
 */
export function recordingClusteringFailures(
  deps: Pick<WorkerDeps, 'db'>,
  handler: JobHandler<'cluster-tenant'>,
): JobHandler<'cluster-tenant'> {
  return async (payload, context) => {
    try {
      await handler(payload, context);
    } catch (error) {
      if (error instanceof UnrecoverableJobError) throw error; // e.g. the tenant is gone
      const reason = clusteringFailureReason(error);
      if (!failureRecorded(error)) {
        await new ClusteringRepository(deps.db)
          .recordFailedAttempt(payload.tenantId, reason)
          .catch(() => undefined);
      }
      if (isPermanentFailure(error)) throw new UnrecoverableJobError(reason);
      throw error;
    }
  };
}

/** A cluster-tenant job dead-lettered: the last word on it, for `process` and operators. */
export async function recordClusteringDeadLetter(
  deps: Pick<WorkerDeps, 'db'>,
  tenantId: string,
  attempts: number,
  reason: string,
): Promise<void> {
  const text = `clustering job dead-lettered after ${attempts} attempt(s): ${reason}`;
  await new ClusteringRepository(deps.db).recordFailedAttempt(
    tenantId,
    text.length > MAX_REASON_CHARS ? `${text.slice(0, MAX_REASON_CHARS - 1)}…` : text,
  );
}
