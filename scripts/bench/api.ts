/**
 * `npm run bench -- api [--conversations 1000000] [--requests 2000] [--concurrency 8]`
 *
 * p50/p95/p99 of `GET /v1/insights/overview` and `GET /v1/insights/clusters` (top level and one
 * parent's children) for a tenant with 1M facet rows, measured by a load generator in a second
 * process over loopback against `silhouette start --role api` (server mode, PostgreSQL).
 *
 * Data, generated in SQL: N sealed conversations with facet rows, and a published snapshot shaped
 * like the one a 1M-conversation tenant gets (7 / 183 / 33,333 clusters with metrics, goals and
 * breakdowns). The snapshot is synthesized rather than computed by the clustering run (which takes
 * ~10 minutes at 1M, see `npm run bench -- clustering`): the API reads only the snapshot, so its
 * latency depends on the snapshot's and the database's size, not on how the snapshot was made.
 */
import { fork } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { flag, machine, percentile, runCli, startServer, stopServer } from './common';

const LEVELS = [7, 183, 33_333];

async function seed(url: string, tenantSlug: string, conversations: number): Promise<void> {
  const db = new pg.Client({ connectionString: url });
  await db.connect();
  try {
    const tenant = (
      await db.query<{ id: string }>('SELECT id FROM app.tenants WHERE slug = $1', [tenantSlug])
    ).rows[0]!.id;
    await db.query(
      `INSERT INTO sealed.conversations (tenant_id, external_id, user_pseudonym, message_count, content_bytes, key_id, status)
       SELECT $1, 'c_' || g, 'u_' || (g % 5000), 4, 1000, 1, 'embedded'
         FROM generate_series(1, $2) g`,
      [tenant, conversations],
    );
    await db.query(
      `INSERT INTO sealed.facets (conversation_id, tenant_id, prompt_version, provider, model, domain, task_type, use_case,
              goal_summary, minutes_without_ai, minutes_with_ai, minutes_saved, outcome, user_frustration, language,
              confidence, turns, user_tokens, assistant_tokens, metadata)
       SELECT id, tenant_id, 'offline-1', 'offline', 'offline-heuristics-v1', 'domain ' || (hashtext(id::text) & 15),
              'task ' || (hashtext(id::text) & 7), 'a use case', 'a goal', 20, 5, 15, 'resolved', 1, 'en', 0.8, 2, 100, 200,
              jsonb_build_object('team', 'team-' || (hashtext(id::text) & 7))
         FROM sealed.conversations WHERE tenant_id = $1`,
      [tenant],
    );
    const run = (
      await db.query<{ id: string }>(
        `INSERT INTO sealed.cluster_runs (tenant_id, embedding_model, dimension, status, conversations) VALUES ($1, 'bench', 96, 'done', $2) RETURNING id`,
        [tenant, conversations],
      )
    ).rows[0]!.id;
    const overview = {
      published: true,
      conversations,
      distinct_users: 5000,
      levels: 3,
      minutes_saved: { total: conversations * 15, mean: 15 },
      resolution_rate: 0.8,
    };
    const snapshot = (
      await db.query<{ id: string }>(
        `INSERT INTO insights.snapshots (tenant_id, run_id, version, overview, evidence) VALUES ($1, $2, 1, $3, '{}') RETURNING id`,
        [tenant, run, JSON.stringify(overview)],
      )
    ).rows[0]!.id;
    const metrics = JSON.stringify({
      outcomes: [
        {
          value: 'resolved',
          isOther: false,
          conversations: 25,
          distinctUsers: 20,
          minutesSavedTotal: 300,
        },
      ],
      weekly: Array.from({ length: 12 }, (_, i) => ({
        value: `2026-W${30 + i}`,
        isOther: false,
        conversations: 20,
        distinctUsers: 15,
        minutesSavedTotal: 200,
      })),
      failure_rate: 0.1,
    });
    // Level by level: ids are derived from (level, index) so parents are known without lookups.
    // (A valid version-4-shaped UUID from an md5, as the API validates ids.)
    await db.query(`CREATE FUNCTION pg_temp.bench_uuid(t text) RETURNS uuid LANGUAGE sql AS $$
      SELECT (substr(md5(t), 1, 12) || '4' || substr(md5(t), 14, 3) || '8' || substr(md5(t), 18, 15))::uuid $$`);
    for (let level = 0; level < LEVELS.length; level++) {
      const k = LEVELS[level]!;
      const parentK = level === 0 ? 0 : LEVELS[level - 1]!;
      await db.query(
        `INSERT INTO insights.clusters (snapshot_id, tenant_id, cluster_id, level, parent_id, name, description,
                conversations, distinct_users, minutes_saved_total, metrics, goals)
         SELECT $1, $2, pg_temp.bench_uuid($3::int || '-' || g), $3::int,
                CASE WHEN $4::int = 0 THEN NULL ELSE pg_temp.bench_uuid(($3::int - 1) || '-' || (g % greatest($4::int, 1))) END,
                'cluster ' || $3::int || '-' || g, 'A description of the cluster.', $5::int / $6::int, 20, 300, $7::jsonb,
                '[{"text":"a goal","users":6,"conversations":9}]'::jsonb
           FROM generate_series(0, $6::int - 1) g`,
        [snapshot, tenant, level, parentK, conversations, k, metrics],
      );
    }
    await db.query('ANALYZE');
  } finally {
    await db.end();
  }
}

interface LoadResult {
  path: string;
  requests: number;
  p50: number;
  p95: number;
  p99: number;
  errors: number;
}

/** The load generator, in its own process: N keep-alive loops, latency per request. */
async function loadChild(
  base: string,
  key: string,
  paths: string[],
  requests: number,
  concurrency: number,
) {
  const results: LoadResult[] = [];
  for (const path of paths) {
    const latencies: number[] = [];
    let errors = 0;
    let sent = 0;
    const worker = async () => {
      while (sent < requests) {
        sent += 1;
        const started = performance.now();
        const response = await fetch(`${base}${path}`, {
          headers: { Authorization: `Bearer ${key}` },
        });
        const body = await response.text();
        if (!response.ok) {
          if (errors === 0)
            console.error(`first error for ${path}: ${response.status} ${body.slice(0, 300)}`);
          errors += 1;
        }
        latencies.push(performance.now() - started);
      }
    };
    // Warm-up, then the measured run.
    for (let i = 0; i < 50; i++)
      await (
        await fetch(`${base}${path}`, { headers: { Authorization: `Bearer ${key}` } })
      ).arrayBuffer();
    await Promise.all(Array.from({ length: concurrency }, worker));
    latencies.sort((a, b) => a - b);
    results.push({
      path,
      requests: latencies.length,
      p50: percentile(latencies, 50),
      p95: percentile(latencies, 95),
      p99: percentile(latencies, 99),
      errors,
    });
  }
  process.send!(results);
}

export async function main(args: string[]): Promise<void> {
  const conversations = flag(args, 'conversations', 1_000_000);
  const requests = flag(args, 'requests', 2000);
  const concurrency = flag(args, 'concurrency', 8);
  const services = (await import('../../test/helpers/services')).adminDatabaseUrl();
  const dbName = `silhouette_apibench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: services });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(services);
  url.pathname = `/${dbName}`;
  const env = {
    DATABASE_URL: url.toString(),
    REDIS_URL: (await import('../../test/helpers/services')).redisUrl(),
    QUEUE_PREFIX: dbName,
    SILHOUETTE_MASTER_KEY: randomBytes(32).toString('hex'),
    SILHOUETTE_PSEUDONYM_SECRET: randomBytes(32).toString('hex'),
    RATE_LIMIT_PER_MINUTE: '1000000',
  };
  try {
    await runCli(['migrate'], env);
    const keys = JSON.parse(await runCli(['tenant', 'create', 'bench', '--json'], env)) as {
      read_key: string;
    };
    const seeded = performance.now();
    await seed(url.toString(), 'bench', conversations);
    const seedSeconds = (performance.now() - seeded) / 1000;
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const server = await startServer(['--role', 'api'], env, port);
    try {
      const base = `http://127.0.0.1:${port}`;
      const top = (await (
        await fetch(`${base}/v1/insights/clusters?level=0`, {
          headers: { Authorization: `Bearer ${keys.read_key}` },
        })
      ).json()) as {
        clusters: { id: string }[];
      };
      const paths = [
        '/v1/insights/overview',
        '/v1/insights/clusters?level=0',
        `/v1/insights/clusters?parent=${top.clusters[0]!.id}`,
      ];
      const results = await new Promise<LoadResult[]>((resolve, reject) => {
        const child = fork(
          fileURLToPath(import.meta.url),
          [
            '--load-child',
            base,
            keys.read_key,
            JSON.stringify(paths),
            String(requests),
            String(concurrency),
          ],
          {
            execArgv: ['--import', 'tsx'],
          },
        );
        child.once('message', (message) => resolve(message as LoadResult[]));
        child.once(
          'exit',
          (code) => code !== 0 && reject(new Error(`load generator exited ${code}`)),
        );
      });
      console.log(`machine: ${machine()}`);
      console.log(
        `command: npm run bench -- api --conversations ${conversations} --requests ${requests} --concurrency ${concurrency}`,
      );
      console.log(
        `seeded ${conversations} facet rows and a ${LEVELS.join(' / ')} cluster snapshot in ${seedSeconds.toFixed(0)} s`,
      );
      console.log('| request | requests | p50 ms | p95 ms | p99 ms | errors |');
      console.log('|---|---:|---:|---:|---:|---:|');
      for (const r of results)
        console.log(
          `| ${r.path.replace(/parent=[0-9a-f-]+/, 'parent=<id>')} | ${r.requests} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.p99.toFixed(1)} | ${r.errors} |`,
        );
    } finally {
      await stopServer(server);
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
  }
}

if (process.argv.includes('--load-child')) {
  const [base, key, paths, requests, concurrency] = process.argv.slice(
    process.argv.indexOf('--load-child') + 1,
  );
  await loadChild(
    base!,
    key!,
    JSON.parse(paths!) as string[],
    Number(requests),
    Number(concurrency),
  );
  process.exit(0);
}
