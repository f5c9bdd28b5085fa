import type { Env } from '@silhouette/config';
import { migrate, migrationState, openOwnerDatabase } from '@silhouette/db';
import { runMode } from '@silhouette/config';
import { acquireEmbeddedLock } from '../embedded-lock';

/** `silhouette migrate [--status]`: applies pending migrations, or lists their state. */
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
    if (flags.json) console.log(JSON.stringify({ applied }));
    else console.log(applied.length ? `applied ${applied.join(', ')}` : 'database is up to date');
  } finally {
    await db.close();
    release();
  }
}
