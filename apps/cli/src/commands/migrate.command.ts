import type { Env } from '@silhouette/config';
import { migrate, migrationState, openOwnerDatabase } from '@silhouette/db';
import { runMode } from '@silhouette/config';
import { acquireEmbeddedLock } from '../embedded-lock';
import { rekeyLegacyIds } from '../legacy-ids';

/**
 * `silhouette migrate [--status]`: applies pending migrations, or lists their state; then
 * re-keys conversation ids stored in clear before migration 0008 (see legacy-ids.ts).
 */
export async function migrateCommand(
  env: Env,
  flags: { status?: boolean; json?: boolean },
): Promise<void> {
  const release =
    runMode(env) === 'embedded'
      ? acquireEmbeddedLock(env.SILHOUETTE_DATA_DIR, 'migrate')
      : () => undefined;
  const db = await openOwnerDatabase(env);
  try {
    if (flags.status) {
      const state = await migrationState(db);
      if (flags.json) console.log(JSON.stringify(state));
      else {
        console.log(`applied: ${state.applied.join(', ') || '(none)'}`);
        console.log(`pending: ${state.pending.join(', ') || '(none)'}`);
        if (state.unknown.length) console.log(`unknown: ${state.unknown.join(', ')}`);
        if (state.changed.length) console.log(`edited after applying: ${state.changed.join(', ')}`);
      }
      return;
    }
    const applied = await migrate(db);
    const legacyIds = await rekeyLegacyIds(env, db);
    if (flags.json) console.log(JSON.stringify({ applied, legacy_ids: legacyIds }));
    else {
      console.log(applied.length ? `applied ${applied.join(', ')}` : 'database is up to date');
      if ('skipped' in legacyIds) {
        console.log(`conversation ids stored before 0008 not re-keyed: ${legacyIds.skipped}`);
      } else if (legacyIds.rekeyed > 0 || legacyIds.remaining > 0) {
        console.log(
          `conversation ids stored before 0008: ${legacyIds.rekeyed} re-keyed to pseudonyms, ${legacyIds.remaining} left until retention deletes their content`,
        );
      }
    }
  } finally {
    await db.close();
    release();
  }
}
