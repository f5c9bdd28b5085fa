import { join, resolve } from 'node:path';
import type { Env } from '@silhouette/config';
import type { Database } from './database';
import { PgDatabase } from './pg-database';
import { PgliteDatabase } from './pglite-database';

/** Which side of the boundary a connection serves: the API must never reach the sealed schema. */
export type DatabaseRole = 'api' | 'worker';

export const API_ROLE = 'silhouette_api';
export const WORKER_ROLE = 'silhouette_worker';

/**
 * Server mode (`DATABASE_URL`): a pool per role. The API uses `API_DATABASE_URL` when given (its own
 * login) and otherwise acts as the `silhouette_api` group role on the shared login. Embedded mode:
 * PGlite in the data directory; the caller shares one instance between API and worker.
 */
export async function openDatabase(env: Env, role: DatabaseRole): Promise<Database> {
  if (!env.DATABASE_URL) return PgliteDatabase.open(embeddedDataDir(env));
  if (role === 'api') {
    return env.API_DATABASE_URL
      ? new PgDatabase({
          connectionString: env.API_DATABASE_URL,
          applicationName: 'silhouette-api',
        })
      : new PgDatabase({
          connectionString: env.DATABASE_URL,
          role: API_ROLE,
          applicationName: 'silhouette-api',
        });
  }
  return new PgDatabase({
    connectionString: env.DATABASE_URL,
    role: WORKER_ROLE,
    applicationName: 'silhouette-worker',
  });
}

/** Owner connection for migrations (server mode) or the embedded database. */
export async function openOwnerDatabase(env: Env): Promise<Database> {
  if (!env.DATABASE_URL) return PgliteDatabase.open(embeddedDataDir(env));
  return new PgDatabase({
    connectionString: env.DATABASE_URL,
    max: 2,
    applicationName: 'silhouette-migrate',
  });
}

export function embeddedDataDir(env: Pick<Env, 'SILHOUETTE_DATA_DIR'>): string {
  return join(resolve(env.SILHOUETTE_DATA_DIR), 'pgdata');
}
