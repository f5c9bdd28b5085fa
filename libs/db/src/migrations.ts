/**
 * Forward-only numbered SQL migrations (`migrations/NNNN_name.sql`), the same files for both
 * engines, recorded in `public.schema_migrations` with a checksum. Start-up refuses to run on a
 * database that has unapplied, unknown or edited migrations.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from './database';

export const MIGRATIONS_DIR = fileURLToPath(new URL('../../../migrations', import.meta.url));

export interface MigrationFile {
  version: number;
  name: string;
  sql: string;
  checksum: string;
}

export interface MigrationState {
  applied: string[];
  pending: string[];
  unknown: string[];
  changed: string[];
}

export class MigrationStateError extends Error {
  readonly code = 'migrations_not_current';
}

const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export function readMigrationFiles(dir = MIGRATIONS_DIR): MigrationFile[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file) => {
      const match = FILE_NAME.exec(file);
      if (!match) throw new Error(`migration file name must look like 0001_name.sql: ${file}`);
      const sql = readFileSync(join(dir, file), 'utf8');
      return {
        version: Number(match[1]),
        name: file,
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    });
}

const CREATE_TABLE = `CREATE TABLE IF NOT EXISTS public.schema_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  checksum text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`;

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
}

async function appliedMigrations(db: Database): Promise<AppliedRow[] | undefined> {
  const exists = await db.query<{ present: boolean }>(
    `SELECT to_regclass('public.schema_migrations') IS NOT NULL AS present`,
  );
  if (!exists.rows[0]?.present) return undefined;
  const result = await db.query<AppliedRow>(
    'SELECT version, name, checksum FROM public.schema_migrations ORDER BY version',
  );
  return result.rows;
}

export async function migrationState(
  db: Database,
  files = readMigrationFiles(),
): Promise<MigrationState> {
  const applied = (await appliedMigrations(db)) ?? [];
  const byVersion = new Map(applied.map((row) => [row.version, row]));
  const known = new Set(files.map((file) => file.version));
  return {
    applied: applied.filter((row) => known.has(row.version)).map((row) => row.name),
    pending: files.filter((file) => !byVersion.has(file.version)).map((file) => file.name),
    unknown: applied.filter((row) => !known.has(row.version)).map((row) => row.name),
    changed: files
      .filter((file) => {
        const row = byVersion.get(file.version);
        return row !== undefined && row.checksum !== file.checksum;
      })
      .map((file) => file.name),
  };
}

/** Throws a readable error unless every migration file is applied and nothing else is. */
export async function assertMigrationsCurrent(
  db: Database,
  files = readMigrationFiles(),
): Promise<void> {
  const state = await migrationState(db, files);
  const problems: string[] = [];
  if (state.pending.length) {
    problems.push(
      `${state.pending.length} unapplied migration(s): ${state.pending.join(', ')} (run \`silhouette migrate\`)`,
    );
  }
  if (state.unknown.length) {
    problems.push(
      `unknown migration(s) in the database: ${state.unknown.join(', ')} (this build is older than the database)`,
    );
  }
  if (state.changed.length) {
    problems.push(`migration(s) edited after being applied: ${state.changed.join(', ')}`);
  }
  if (problems.length)
    throw new MigrationStateError(`Database schema is not current: ${problems.join('; ')}`);
}

/** Applies pending migrations in order, each in its own transaction. Returns the names applied. */
export async function migrate(db: Database, files = readMigrationFiles()): Promise<string[]> {
  await db.exec(CREATE_TABLE);
  const state = await migrationState(db, files);
  if (state.unknown.length || state.changed.length) await assertMigrationsCurrent(db, files);
  const applied: string[] = [];
  for (const file of files) {
    if (!state.pending.includes(file.name)) continue;
    await db.transaction(async (tx) => {
      // Serializes concurrent migrators in server mode; a no-op cost in PGlite.
      await tx.query('SELECT pg_advisory_xact_lock(7243001)');
      const already = await tx.query('SELECT 1 FROM public.schema_migrations WHERE version = $1', [
        file.version,
      ]);
      if (already.rowCount > 0) return;
      await tx.exec(file.sql);
      await tx.query(
        'INSERT INTO public.schema_migrations (version, name, checksum) VALUES ($1, $2, $3)',
        [file.version, file.name, file.checksum],
      );
      applied.push(file.name);
    });
  }
  return applied;
}
