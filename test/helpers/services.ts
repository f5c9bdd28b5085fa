/**
 * Access to the real services `scripts/test.sh` started (PostgreSQL with pgvector, Redis,
 * Chromium). Each test file creates its own fresh database and drops it afterwards.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import pg from 'pg';
import { parseEnv, type Env } from '@silhouette/config';
import { migrate, PgDatabase, PgliteDatabase, type Database } from '@silhouette/db';

const SERVICES_ENV = new URL('../../.silhouette-test/services.env', import.meta.url);

function servicesEnv(): Record<string, string> {
  if (!existsSync(SERVICES_ENV)) return {};
  return Object.fromEntries(
    readFileSync(SERVICES_ENV, 'utf8')
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
}

function required(name: string): string {
  const value = process.env[name] ?? servicesEnv()[name];
  if (!value)
    throw new Error(
      `${name} is not set: run the tests with \`npm test\` (scripts/test.sh starts the services)`,
    );
  return value;
}

export const adminDatabaseUrl = () => required('DATABASE_ADMIN_URL');
export const redisUrl = () => required('REDIS_URL');
export const chromiumPath = () =>
  process.env.CHROMIUM_PATH ?? servicesEnv().CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface TestDatabase {
  url: string;
  name: string;
  drop(): Promise<void>;
}

/** A brand-new, empty database on the test PostgreSQL server. */
export async function createTestDatabase(prefix = 'silhouette_t'): Promise<TestDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminDatabaseUrl() });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(adminDatabaseUrl());
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    name,
    async drop() {
      const client = new pg.Client({ connectionString: adminDatabaseUrl() });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}

export type Engine = 'postgres' | 'pglite';

/** A migrated database of either engine, with a cleanup function. */
export async function openMigratedDatabase(
  engine: Engine,
): Promise<{ db: Database; url?: string; cleanup(): Promise<void> }> {
  if (engine === 'pglite') {
    const db = await PgliteDatabase.open();
    await migrate(db);
    return { db, cleanup: () => db.close() };
  }
  const testDb = await createTestDatabase();
  const db = new PgDatabase({ connectionString: testDb.url });
  await migrate(db);
  return {
    db,
    url: testDb.url,
    async cleanup() {
      await db.close();
      await testDb.drop();
    },
  };
}

/** A parsed environment for tests: fixed secrets, quiet logs, fast retries. */
export function testEnv(overrides: Record<string, string | undefined> = {}): Env {
  return parseEnv({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    SILHOUETTE_MASTER_KEY: randomBytes(32).toString('hex'),
    SILHOUETTE_PSEUDONYM_SECRET: randomBytes(32).toString('hex'),
    JOB_BACKOFF_MS: '10',
    JOB_ATTEMPTS: '3',
    // Suites written for exact figures run in threshold mode; dp suites pass PRIVACY_MODE=dp.
    PRIVACY_MODE: 'threshold',
    ...overrides,
  });
}
