import { mkdirSync } from 'node:fs';
import { PGlite, type Transaction } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import type { Database, QueryResult, TransactionScope } from './database';

/**
 * Embedded engine: PGlite in this process with pgvector, data directory on disk. One process
 * per data directory (PGlite is a single backend); PGlite serializes queries itself.
 */
export class PgliteDatabase implements Database {
  readonly engine = 'pglite' as const;

  private constructor(private readonly pg: PGlite) {}

  /** `dataDir` undefined means in-memory (tests). */
  static async open(dataDir?: string): Promise<PgliteDatabase> {
    if (dataDir) mkdirSync(dataDir, { recursive: true });
    const pg = await PGlite.create({ ...(dataDir ? { dataDir } : {}), extensions: { vector } });
    return new PgliteDatabase(pg);
  }

  async query<Row>(text: string, params?: unknown[]): Promise<QueryResult<Row>> {
    const result = await this.pg.query<Row>(text, params);
    return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
  }

  async transaction<T>(fn: (tx: TransactionScope) => Promise<T>): Promise<T> {
    return this.pg.transaction(async (transaction: Transaction) => {
      const tx: TransactionScope = {
        query: async <Row>(text: string, params?: unknown[]) => {
          const result = await transaction.query<Row>(text, params);
          return { rows: result.rows, rowCount: result.affectedRows ?? result.rows.length };
        },
        exec: async (sql: string) => {
          await transaction.exec(sql);
        },
      };
      return fn(tx);
    });
  }

  async exec(sql: string): Promise<void> {
    await this.pg.exec(sql);
  }

  async close(): Promise<void> {
    await this.pg.close();
  }
}
