/**
 * Saves a built snapshot: `insights` get the tenant's view of its evidence (counts per kind of
 * scope and reason) and the ids of the clusters it pooled (`InsightsRepository.save` derives
 * both), the sealed schema the operator's evidence, which names every suppressed cell. Every
 * publisher saves through here. Call inside the publishing transaction.
 */
import {
  InsightsRepository,
  type Queryable,
  type SnapshotDraft,
  type SnapshotSummary,
} from '@silhouette/db';
import { SnapshotEvidenceRepository } from '@silhouette/sealed';

export async function saveSnapshot(tx: Queryable, draft: SnapshotDraft): Promise<SnapshotSummary> {
  const saved = await new InsightsRepository(tx).save(draft);
  await new SnapshotEvidenceRepository(tx).save(draft.tenantId, saved.id, draft.evidence);
  return saved;
}
