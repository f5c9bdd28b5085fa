/**
 * `silhouette export --tenant SLUG --out DIR`: everything that tenant's users can see, as files:
 * the latest published snapshot (overview, cluster tree with metrics and goals, breakdowns,
 * privacy evidence). It reads only the `insights` schema, exactly like the API.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Env } from '@silhouette/config';
import { latestSnapshotDocument } from '@silhouette/api';
import { InputError, UsageError } from '../cli-error';
import { requireTenant, withRuntime } from '../with-runtime';

export async function exportCommand(
  env: Env,
  flags: { tenant?: string; out?: string; json?: boolean },
): Promise<void> {
  if (!flags.out) throw new UsageError('--out: required (a directory)');
  const out = flags.out;
  await withRuntime(env, 'export', {}, async (runtime) => {
    const tenant = await requireTenant(runtime, flags.tenant);
    const document = await latestSnapshotDocument(runtime.ownerDb, tenant.id);
    if (!document) {
      throw new InputError(
        `tenant "${tenant.slug}" has no published snapshot yet (run \`silhouette process --tenant ${tenant.slug}\`)`,
      );
    }
    mkdirSync(out, { recursive: true });
    writeFileSync(join(out, 'snapshot.json'), JSON.stringify(document, null, 2));
    writeFileSync(
      join(out, 'clusters.csv'),
      ['id,level,parent_id,name,conversations,distinct_users,minutes_saved']
        .concat(
          document.clusters.map((c) =>
            [
              c.id,
              c.level,
              c.parent_id ?? '',
              csv(c.name),
              c.conversations,
              c.distinct_users,
              c.minutes_saved,
            ].join(','),
          ),
        )
        .join('\n') + '\n',
    );
    if (flags.json)
      console.log(
        JSON.stringify({
          out,
          snapshot_id: document.snapshot_id,
          clusters: document.clusters.length,
        }),
      );
    else
      console.log(
        `wrote ${join(out, 'snapshot.json')} and clusters.csv (snapshot v${document.version}, ${document.clusters.length} clusters)`,
      );
  });
}

function csv(text: string): string {
  return /[",\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
