/**
 * No vector is kept per conversation: migration 0020 dropped the HNSW indexes 0003 created (no
 * query used them) and 0023 the table itself (nothing read it once new conversations joined a
 * run in memory), on both engines. Clustering itself runs without it: test/int/clustering.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '@silhouette/db';
import { openMigratedDatabase, type Engine } from '../../../test/helpers/services';

describe.each<Engine>(['postgres', 'pglite'])('embedding storage on %s', (engine) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  it('keeps no per-conversation vectors, no vector index and no index builder', async () => {
    const opened = await openMigratedDatabase(engine);
    cleanup = opened.cleanup;
    const db = opened.db;
    const state = async () =>
      (
        await db.query<{ table: string | null; functions: number; vectorIndexes: number }>(
          `SELECT to_regclass('sealed.conversation_embeddings')::text AS table,
                  (SELECT count(*)::int FROM pg_proc WHERE proname = 'ensure_embedding_index') AS functions,
                  (SELECT count(*)::int FROM pg_indexes
                    WHERE indexdef ILIKE '%USING hnsw%' OR indexdef ILIKE '%USING ivfflat%') AS "vectorIndexes"`,
        )
      ).rows[0];
    expect(await state()).toEqual({ table: null, functions: 0, vectorIndexes: 0 });

    // A database that still has 0003's table with vectors in it (what 0023 meets in the field).
    await db.exec(
      `CREATE TABLE sealed.conversation_embeddings (conversation_id uuid PRIMARY KEY,
         tenant_id uuid NOT NULL, model text NOT NULL, dimension integer NOT NULL,
         embedding vector NOT NULL, embedded_at timestamptz NOT NULL DEFAULT now());
       INSERT INTO sealed.conversation_embeddings (conversation_id, tenant_id, model, dimension, embedding)
       VALUES (gen_random_uuid(), gen_random_uuid(), 'offline', 3, '[1,2,3]')`,
    );
    expect((await state())!.table).toBe('sealed.conversation_embeddings');
    const migration = readFileSync(
      join(MIGRATIONS_DIR, '0023_drop_conversation_embeddings.sql'),
      'utf8',
    );
    await db.exec(migration);
    expect(await state()).toEqual({ table: null, functions: 0, vectorIndexes: 0 });
    await db.exec(migration); // and again: nothing to do
  });
});
