import pg from 'pg';
import type { Database, QueryResult, TransactionScope } from './database';

export interface PgDatabaseOptions {
  connectionString: string;
  /** Group role to act as on every connection (e.g. silhouette_api when sharing a login). */
  role?: string;
  max?: number;
  applicationName?: string;
}

const ROLE_NAME = /^[a-z_][a-z0-9_]*$/;

export class PgDatabase implements Database {
  readonly engine = 'postgres' as const;
  private readonly pool: pg.Pool;

  constructor(options: PgDatabaseOptions) {
    if (options.role !== undefined && !ROLE_NAME.test(options.role)) {
      throw new Error(`invalid role name: ${options.role}`);
    }
    this.pool = new pg.Pool({
      connectionString: options.connectionString,
      max: options.max ?? 10,
      application_name: options.applicationName ?? 'silhouette',
      // Act as the narrower role from the first statement on; queries queue behind it.
      ...(options.role ? { options: `-c role=${options.role}` } : {}),
    });
    // An idle client losing its connection must not crash the process.
    this.pool.on('error', () => undefined);
  }

  async query<Row>(text: string, params?: unknown[]): Promise<QueryResult<Row>> {
    const result = await this.pool.query(text, params as unknown[]);
    return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
  }

  async transaction<T>(fn: (tx: TransactionScope) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const tx: TransactionScope = {
        query: async <Row>(text: string, params?: unknown[]) => {
          const result = await client.query(text, params as unknown[]);
          return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
        },
        exec: async (sql: string) => {
          await client.query(sql);
        },
      };
      const value = await fn(tx);
      await client.query('COMMIT');
      return value;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw error;
    } finally {
      client.release();
    }
  }

  async exec(sql: string): Promise<void> {
    await this.pool.query(sql);
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
