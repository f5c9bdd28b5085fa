/**
 * Searches every place content could leak to: database tables (by schema), Redis keys and values
 * under a prefix, and captured logs. Returns human-readable locations of any canary found.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { Redis } from 'ioredis';
import type { Database } from '@silhouette/db';

/** Every schema of the database but PostgreSQL's own: where any of our tables can be. */
export async function everySchema(db: Database): Promise<string[]> {
  const result = await db.query<{ schema_name: string }>(
    `SELECT schema_name FROM information_schema.schemata
      WHERE schema_name NOT IN ('information_schema', 'pg_catalog', 'pg_toast')
        AND schema_name NOT LIKE 'pg\\_%'`,
  );
  return result.rows.map((row) => row.schema_name);
}

export async function scanTables(
  db: Database,
  schemas: string[],
  canaries: string[],
): Promise<string[]> {
  const tables = await db.query<{ table_schema: string; table_name: string }>(
    `SELECT table_schema, table_name FROM information_schema.tables
      WHERE table_schema = ANY($1::text[]) AND table_type = 'BASE TABLE'`,
    [schemas],
  );
  const found: string[] = [];
  for (const { table_schema, table_name } of tables.rows) {
    const rows = await db.query<{ row: string }>(
      `SELECT t::text AS row FROM "${table_schema}"."${table_name}" t`,
    );
    for (const { row } of rows.rows) {
      for (const canary of canaries)
        if (row.includes(canary)) found.push(`${table_schema}.${table_name}: ${canary}`);
    }
  }
  return found;
}

export async function scanRedis(
  url: string,
  prefix: string,
  canaries: string[],
): Promise<{ keys: number; found: string[] }> {
  const redis = new Redis(url);
  const found: string[] = [];
  let keys = 0;
  try {
    let cursor = '0';
    do {
      const [next, batch] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', '500');
      cursor = next;
      for (const key of batch) {
        keys += 1;
        const type = await redis.type(key);
        let values: string[] = [];
        if (type === 'string') values = [(await redis.get(key)) ?? ''];
        else if (type === 'hash') values = Object.entries(await redis.hgetall(key)).flat();
        else if (type === 'list') values = await redis.lrange(key, 0, -1);
        else if (type === 'set') values = await redis.smembers(key);
        else if (type === 'zset') values = await redis.zrange(key, '0', '-1');
        else if (type === 'stream')
          values = (await redis.xrange(key, '-', '+')).flatMap(([id, fields]) => [id, ...fields]);
        const text = `${key}\n${values.join('\n')}`;
        for (const canary of canaries)
          if (text.includes(canary)) found.push(`redis ${key}: ${canary}`);
      }
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return { keys, found };
}

export function scanText(where: string, text: string, canaries: string[]): string[] {
  return canaries.filter((canary) => text.includes(canary)).map((canary) => `${where}: ${canary}`);
}

/**
 * Every file below `dir` read as bytes (table files, WAL, anything), searched for each canary in
 * UTF-8: what `grep -ra` over a data directory finds.
 */
export function scanDirectory(dir: string, canaries: string[]): { files: number; found: string[] } {
  const needles = canaries.map((canary) => [canary, Buffer.from(canary, 'utf8')] as const);
  const found: string[] = [];
  let files = 0;
  const walk = (path: string): void => {
    for (const entry of readdirSync(path)) {
      const full = join(path, entry);
      const stat = statSync(full);
      if (stat.isDirectory()) walk(full);
      else if (stat.isFile()) {
        files += 1;
        const bytes = readFileSync(full);
        for (const [canary, needle] of needles)
          if (bytes.includes(needle)) found.push(`${relative(dir, full)}: ${canary}`);
      }
    }
  };
  walk(dir);
  return { files, found };
}
