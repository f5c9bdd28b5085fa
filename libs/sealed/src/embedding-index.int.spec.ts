/**
 * Migration 0020 drops the HNSW indexes 0003 created on sealed.conversation_embeddings (no query
 * used them: `npm run bench -- scale` EXPLAINs the only pgvector search), on both engines, and
 * clustering keeps storing embeddings of any dimension without them.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { MIGRATIONS_DIR } from '@silhouette/db';
import { openMigratedDatabase, type Engine } from '../../../test/helpers/services';

describe.each<Engine>(['postgres', 'pglite'])('embedding indexes on %s', (engine) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  it('0020 drops an index 0003 built, and the function that built it', async () => {
    const opened = await openMigratedDatabase(engine);
    cleanup = opened.cleanup;
    const db = opened.db;
    const indexes = async () =>
      (
        await db.query<{ indexname: string }>(
          `SELECT indexname FROM pg_indexes
            WHERE schemaname = 'sealed' AND tablename = 'conversation_embeddings' ORDER BY 1`,
        )
      ).rows.map((row) => row.indexname);
    expect(await indexes()).not.toContain('conversation_embeddings_hnsw_96');
    const fn = `SELECT count(*)::int AS n FROM pg_proc WHERE proname = 'ensure_embedding_index'`;
    expect((await db.query<{ n: number }>(fn)).rows[0]!.n).toBe(0);

    // A database that ran 0003's function before upgrading (what 0020 meets in the field).
    await db.exec(
      `CREATE INDEX conversation_embeddings_hnsw_96 ON sealed.conversation_embeddings
         USING hnsw ((embedding::vector(96)) vector_cosine_ops) WHERE dimension = 96`,
    );
    expect(await indexes()).toContain('conversation_embeddings_hnsw_96');
    await db.exec(
      readFileSync(join(MIGRATIONS_DIR, '0020_drop_unused_embedding_index.sql'), 'utf8'),
    );
    expect(await indexes()).toEqual([
      'conversation_embeddings_pkey',
      'conversation_embeddings_tenant_idx',
    ]);
  });
});
