import { cpSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openMigratedDatabase, type Engine } from '../../../test/helpers/services';
import {
  assertMigrationsCurrent,
  migrate,
  MIGRATIONS_DIR,
  migrationState,
  readMigrationFiles,
} from './migrations';

describe.each<Engine>(['postgres', 'pglite'])('migrations on %s', (engine) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  it('applies every file once, records it, and then reports the schema as current', async () => {
    const opened = await openMigratedDatabase(engine);
    cleanup = opened.cleanup;
    const state = await migrationState(opened.db);
    expect(state.applied).toEqual(readMigrationFiles().map((file) => file.name));
    expect(state.pending).toEqual([]);
    await expect(assertMigrationsCurrent(opened.db)).resolves.toBeUndefined();
    expect(await migrate(opened.db)).toEqual([]);
    const schemas = await opened.db.query<{ nspname: string }>(
      "SELECT nspname FROM pg_namespace WHERE nspname IN ('app', 'sealed', 'insights', 'intake') ORDER BY nspname",
    );
    expect(schemas.rows.map((row) => row.nspname)).toEqual(['app', 'insights', 'intake', 'sealed']);
    const vector = await opened.db.query<{ d: number }>(
      "SELECT '[1,0]'::vector <=> '[0,1]'::vector AS d",
    );
    expect(Number(vector.rows[0]!.d)).toBeCloseTo(1);
  });

  it('refuses a database with an unapplied migration, naming it', async () => {
    const opened = await openMigratedDatabase(engine);
    cleanup = opened.cleanup;
    const dir = mkdtempSync(join(tmpdir(), 'migrations-'));
    cpSync(MIGRATIONS_DIR, dir, { recursive: true });
    writeFileSync(join(dir, '9999_future_change.sql'), 'CREATE TABLE app.future (id integer);');
    await expect(assertMigrationsCurrent(opened.db, readMigrationFiles(dir))).rejects.toThrow(
      /1 unapplied migration\(s\): 9999_future_change\.sql.*silhouette migrate/,
    );
  });

  it('refuses a database with a migration this build does not know, or an edited one', async () => {
    const opened = await openMigratedDatabase(engine);
    cleanup = opened.cleanup;
    await opened.db.query(
      "INSERT INTO public.schema_migrations (version, name, checksum) VALUES (9998, '9998_newer.sql', 'x')",
    );
    await expect(assertMigrationsCurrent(opened.db)).rejects.toThrow(
      /unknown migration\(s\) in the database: 9998_newer\.sql/,
    );
    await opened.db.query('DELETE FROM public.schema_migrations WHERE version = 9998');
    await opened.db.query(
      "UPDATE public.schema_migrations SET checksum = 'edited' WHERE version = 1",
    );
    await expect(assertMigrationsCurrent(opened.db)).rejects.toThrow(
      /edited after being applied: 0001_init\.sql/,
    );
  });
});
