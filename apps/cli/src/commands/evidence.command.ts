/**
 * `silhouette evidence --tenant SLUG [--snapshot ID] [--json]`: the OPERATOR's privacy evidence of
 * a snapshot (the latest by default), read from the sealed schema: every suppressed cell with its
 * scope, key, reason and size. Tenants see counts only (`GET /v1/privacy/evidence`); this is for
 * whoever runs Silhouette, with the owner's database access (issue #10).
 */
import type { Env } from '@silhouette/config';
import { SnapshotEvidenceRepository } from '@silhouette/sealed';
import { InputError } from '../cli-error';
import { requireTenant, withRuntime } from '../with-runtime';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

interface SuppressedCell {
  scope: string;
  key: string;
  reason: string;
  conversations?: number;
}

export async function evidenceCommand(
  env: Env,
  flags: { tenant?: string; snapshot?: string; json?: boolean },
): Promise<void> {
  if (flags.snapshot !== undefined && !UUID.test(flags.snapshot))
    throw new InputError('--snapshot: must be a snapshot id (a UUID)');
  await withRuntime(env, 'evidence', {}, async (runtime) => {
    const tenant = await requireTenant(runtime, flags.tenant);
    const repository = new SnapshotEvidenceRepository(runtime.ownerDb);
    const found = flags.snapshot
      ? await repository
          .find(tenant.id, flags.snapshot)
          .then((evidence) => evidence && { snapshotId: flags.snapshot!, evidence })
      : await repository.latest(tenant.id);
    if (!found)
      throw new InputError(
        flags.snapshot
          ? `--snapshot: no evidence for snapshot ${flags.snapshot} of tenant "${tenant.slug}"`
          : `tenant "${tenant.slug}" has no published snapshot yet`,
      );
    if (flags.json) {
      console.log(JSON.stringify({ snapshot_id: found.snapshotId, evidence: found.evidence }));
      return;
    }
    const cells = (found.evidence.suppressedCells ?? []) as SuppressedCell[];
    console.log(
      `tenant ${tenant.slug}, snapshot ${found.snapshotId}: ${cells.length} suppressed cells`,
    );
    for (const cell of cells)
      console.log(
        `  ${cell.scope}  ${cell.key}  ${cell.reason}${cell.conversations === undefined ? '' : `  (${cell.conversations} conversations)`}`,
      );
  });
}
