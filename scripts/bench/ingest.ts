/**
 * `npm run bench -- ingest [--conversations N] [--batch 500] [--concurrency 4]`
 *
 * Conversations per second through the batch HTTP API (POST /v1/conversations) into PostgreSQL
 * (server mode, BullMQ on Redis enqueueing one tag job each) and into PGlite (embedded mode).
 * A second pass re-sends every conversation with two new turns: the growing-conversation path
 * (compare the stored message hashes, replace the sealed content, wait for idle).
 * The API runs in its own process (`silhouette start --role api`); this process is the client.
 * Conversations average ~1 KB of message text. Needs the test services (`npm run services -- up`).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { flag, machine, REPO_ROOT, runCli, startServer, stopServer } from './common';

const WORDS =
  'the a report budget python error deploy customer invoice meeting schedule draft email summary review plan data query table chart team project release test fix bug feature design policy contract legal hiring travel booking'.split(
    ' ',
  );

function sentence(random: () => number, words: number): string {
  return Array.from({ length: words }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ');
}

/** ~1 KB of message text on average (uniform 0.5–1.5 KB), 4 messages, 60 users. */
function conversations(count: number, runId: string): string[] {
  let seed = 42;
  const random = () => (seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: count }, (_, i) => {
    const bytes = 512 + Math.floor(random() * 1024);
    const words = Math.round(bytes / 6 / 4);
    return JSON.stringify({
      id: `bench-${runId}-${i}`,
      user_id: `user-${i % 60}`,
      started_at: new Date(Date.UTC(2026, 9, 1) + i * 60_000).toISOString(),
      metadata: { team: `team-${i % 6}` },
      messages: [
        { role: 'user', content: sentence(random, words) },
        { role: 'assistant', content: sentence(random, words) },
        { role: 'user', content: sentence(random, words) },
        { role: 'assistant', content: sentence(random, words) },
      ],
    });
  });
}

/** The same conversations with two more turns each. */
function grown(lines: string[]): string[] {
  return lines.map((line) => {
    const record = JSON.parse(line) as { messages: { role: string; content: string }[] };
    record.messages.push(
      { role: 'user', content: 'thanks, and can you also add a summary table for the team' },
      { role: 'assistant', content: 'here is the summary table with one row per project' },
    );
    return JSON.stringify(record);
  });
}

async function postAll(
  port: number,
  key: string,
  lines: string[],
  batch: number,
  concurrency: number,
): Promise<{ seconds: number; accepted: number; updated: number }> {
  const batches: string[] = [];
  for (let i = 0; i < lines.length; i += batch) batches.push(lines.slice(i, i + batch).join('\n'));
  let next = 0;
  let accepted = 0;
  let updated = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < batches.length) {
        const body = batches[next++]!;
        const response = await fetch(`http://127.0.0.1:${port}/v1/conversations`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${key}`, 'Content-Type': 'application/x-ndjson' },
          body,
        });
        const result = (await response.json()) as { accepted: number; updated?: number };
        if (!response.ok) throw new Error(`ingest answered ${response.status}`);
        accepted += result.accepted;
        updated += result.updated ?? 0;
      }
    }),
  );
  return { seconds: (performance.now() - started) / 1000, accepted, updated };
}

export async function deleteRedisPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', '1000');
      cursor = next;
      if (keys.length) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export function servicesEnv(): Record<string, string> {
  const file = join(REPO_ROOT, '.silhouette-test/services.env');
  try {
    return Object.fromEntries(
      readFileSync(file, 'utf8')
        .split('\n')
        .filter((line) => line.includes('='))
        .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
    );
  } catch {
    throw new Error('test services are not running: `npm run services -- up` first');
  }
}

async function measure(
  label: string,
  env: Record<string, string>,
  count: number,
  batch: number,
  concurrency: number,
) {
  const tenant = JSON.parse(await runCli(['tenant', 'create', 'bench', '--json'], env)) as {
    ingest_key: string;
  };
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const server = await startServer(['--role', 'api', '--no-demo'], env, port);
  try {
    await postAll(port, tenant.ingest_key, conversations(1000, 'warmup'), batch, concurrency);
    const lines = conversations(count, 'run');
    const result = await postAll(port, tenant.ingest_key, lines, batch, concurrency);
    if (result.accepted !== count)
      throw new Error(`${label}: accepted ${result.accepted} of ${count}`);
    const growth = await postAll(port, tenant.ingest_key, grown(lines), batch, concurrency);
    if (growth.updated !== count)
      throw new Error(`${label}: updated ${growth.updated} of ${count}`);
    return [
      { label, conversations: count, seconds: result.seconds, perSecond: count / result.seconds },
      {
        label: `${label}, re-sent with two new turns (growth)`,
        conversations: count,
        seconds: growth.seconds,
        perSecond: count / growth.seconds,
      },
    ];
  } finally {
    await stopServer(server);
  }
}

export async function main(args: string[]): Promise<void> {
  const count = flag(args, 'conversations', 20_000);
  const batch = flag(args, 'batch', 500);
  const concurrency = flag(args, 'concurrency', 4);
  const services = servicesEnv();
  const secrets = {
    SILHOUETTE_MASTER_KEY: randomBytes(32).toString('hex'),
    SILHOUETTE_PSEUDONYM_SECRET: randomBytes(32).toString('hex'),
    INGEST_MAX_RECORDS: String(batch),
    RATE_LIMIT_PER_MINUTE: '100000',
  };
  const results = [];

  const dbName = `silhouette_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: services.DATABASE_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(services.DATABASE_ADMIN_URL!);
  url.pathname = `/${dbName}`;
  try {
    const env = {
      ...secrets,
      DATABASE_URL: url.toString(),
      REDIS_URL: services.REDIS_URL!,
      QUEUE_PREFIX: dbName,
    };
    await runCli(['migrate'], env);
    results.push(
      ...(await measure('PostgreSQL 15 + BullMQ (server mode)', env, count, batch, concurrency)),
    );
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
    await deleteRedisPrefix(services.REDIS_URL!, dbName);
  }

  const dataDir = mkdtempSync(join(tmpdir(), 'silhouette-bench-'));
  try {
    const env = { ...secrets, SILHOUETTE_DATA_DIR: dataDir };
    await runCli(['migrate'], env);
    results.push(...(await measure('PGlite (embedded mode)', env, count, batch, concurrency)));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }

  console.log(`machine: ${machine()}`);
  console.log(
    `command: npm run bench -- ingest --conversations ${count} --batch ${batch} --concurrency ${concurrency}`,
  );
  console.log('| engine | conversations | seconds | conversations/s |');
  console.log('|---|---:|---:|---:|');
  for (const r of results)
    console.log(
      `| ${r.label} | ${r.conversations} | ${r.seconds.toFixed(2)} | ${Math.round(r.perSecond)} |`,
    );
}
