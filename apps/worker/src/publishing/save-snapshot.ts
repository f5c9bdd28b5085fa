/**
 * Saves a built snapshot: the tenant's view of its evidence (counts per kind of scope and
 * reason) and the ids of the clusters it pooled go to `insights`, the operator's evidence (which
 * names every suppressed cell) to the sealed schema. Call inside the publishing transaction.
 */
import {
  InsightsRepository,
  type Queryable,
  type SnapshotDraft,
  type SnapshotSummary,
} from '@silhouette/db';
import { pooledClusterIds, tenantEvidenceView, type PrivacyEvidence } from '@silhouette/privacy';
import { SnapshotEvidenceRepository } from '@silhouette/sealed';

export async function saveSnapshot(tx: Queryable, draft: SnapshotDraft): Promise<SnapshotSummary> {
  const operator = draft.evidence as unknown as PrivacyEvidence;
  const saved = await new InsightsRepository(tx).save({
    ...draft,
    evidence: tenantEvidenceView(operator) as unknown as Record<string, unknown>,
    pooledClusterIds: pooledClusterIds(operator),
  });
  await new SnapshotEvidenceRepository(tx).save(draft.tenantId, saved.id, draft.evidence);
  return saved;
}
