/**
 * `npm run bench -- scale [--conversations 1000000] [--tag N] [--users N] [--tag-concurrency 32]
 *   [--tag-workers 1] [--tag-only] [--new 10000] [--privacy dp|threshold]`
 *
 * A whole worker run through PostgreSQL at scale, each step timed with its I/O (server mode:
 * PostgreSQL + BullMQ, the real worker, processors and repositories):
 *
 *  0. seed: `--conversations` SGD dialogues (cycled, each made unique so that no model answer is
 *     served from the cache) sealed through the ingest service in batches of 1,000. Not part of
 *     the worker run. Their tag jobs are fed to the queue as it drains (at most 20,000 waiting),
 *     as a steady producer would, so Redis never holds a million jobs.
 *  1. tag: the LLM tagger against the scripted OpenAI-compatible server at zero latency, in a
 *     process of its own (answering with the offline tagger's facets, so that use cases and goals
 *     vary as a real model's do); until no conversation is left to tag. With `--tag N` below
 *     `--conversations`, only N are sealed and tagged for real; the rest are copies of those
 *     tagged rows written in SQL (content already deleted, as retention leaves it), so that the
 *     clustering steps run at full size on a machine too busy to tag them all. The report says so,
 *     and gives the tagging rate and CPU per conversation to extrapolate from.
 *     `--tag-workers N` tags with N worker processes: this one and N - 1 `silhouette start --role
 *     worker` children on the same queue and database (stopped after the step, so the cluster job
 *     runs here). The step reports the CPU seconds of each process: the workers, the model server,
 *     this database's PostgreSQL backends and Redis (the whole server: the machine is shared).
 *     `--tag-only` stops after this step.
 *  2. cluster and publish: one cluster-tenant job (offline embedder, k-means tree, offline names,
 *     stable ids, snapshot through the privacy gates). Its steps are read off a timeline of the
 *     worker's SQL statements: reading facet rows, fitting and running the embedder, building the
 *     tree and names, writing clusters and members, marking conversations embedded, building and
 *     writing the snapshot.
 *  3. incremental: `--new` more conversations, tagged, then joined to the run (each to its most
 *     similar base cluster, found in memory: nearest-centroid.ts), timed.
 *
 * `--privacy dp|threshold` (default dp, the product's default) picks how the snapshot is published.
 * The HNSW index question of 0003 is settled: no query searched by it (0020 dropped it), and
 * conversations' vectors are no longer stored at all (0023; README "Scale check").
 *
 * Needs the test services (`npm run services -- up`). Prints the machine and the load average at
 * the start and end of each step: the machine is shared, so compare steps within one run.
 */
import { loadavg } from 'node:os';
import { randomBytes } from 'node:crypto';
import { masterKeyId, type Env } from '@silhouette/config';
import {
  InsightsRepository,
  migrate,
  PgDatabase,
  PipelineStatusRepository,
  API_ROLE,
  WORKER_ROLE,
  type Database,
  type Queryable,
  type TransactionScope,
} from '@silhouette/db';
import { IngestService, Pseudonymizer, splitRecords } from '@silhouette/ingest';
import { LlmTagger, StructuredLlmClient } from '@silhouette/llm';
import { BullmqQueueDriver, queuePolicies, type QueueDriver } from '@silhouette/queue';
import {
  ClusteringRepository,
  provisionTenant,
  SealedConversationStore,
  TenantKeyring,
} from '@silhouette/sealed';
import { createLogger, Metrics } from '@silhouette/telemetry';
import { startWorker, type RunningWorker, type WorkerDeps } from '@silhouette/worker';
import { createEmbedderFactory, createScrubber } from '../../apps/cli/src/providers';
import { ProgressReporter } from '../../apps/cli/src/progress';
import { sgdRecords } from '../../test/helpers/datasets';
import { createTestDatabase, redisUrl, testEnv } from '../../test/helpers/services';
import { flag, machine } from './common';
import { startModel } from './tagging';
import {
  backendCpuBetween,
  cpuSeconds,
  postgresBackendCpu,
  redisPid,
  startTagWorker,
  type TagWorkerProcess,
} from './tag-workers';

const WEEK_MS = 7 * 86_400_000;
const SEED_BATCH = 1000;

interface Step {
  step: string;
  seconds: number;
  /** CPU seconds of this process (worker, worker threads, feeder) during the step. */
  cpu: number;
  detail: string;
  load: string;
}

/** Copies of tagged conversations and their facet rows, in SQL (see the module comment). */
async function copyTagged(
  db: Database,
  tenantId: string,
  copies: number,
  users: number,
  progress: ProgressReporter,
): Promise<void> {
  const stage = progress.stage('copy tagged rows (SQL)', copies);
  const BATCH = 100_000;
  for (let start = 0; start < copies; start += BATCH) {
    const size = Math.min(BATCH, copies - start);
    const params = [tenantId, start, size, users];
    // Deterministic ids (md5 of the copy number), so the facet rows can find their conversation.
    await db.query(
      `WITH src AS (
         SELECT c.id, c.metadata, c.message_count, c.content_bytes, c.key_id,
                row_number() OVER (ORDER BY c.id) - 1 AS rn
           FROM sealed.conversations c
          WHERE c.tenant_id = $1 AND c.status = 'tagged' AND c.external_id NOT LIKE 'copy-%'),
       n AS (SELECT count(*) AS n FROM src)
       INSERT INTO sealed.conversations (id, tenant_id, external_id, user_pseudonym, started_at,
              metadata, message_count, content_bytes, key_id, status, content_deleted_at)
       SELECT md5('copy-' || g)::uuid, $1, 'copy-' || g, 'u_copy' || (g % $4),
              now() - interval '7 days' - (g % 2016) * interval '1 hour', src.metadata,
              src.message_count, src.content_bytes, src.key_id, 'tagged', now()
         FROM generate_series($2::int, $2::int + $3::int - 1) g
         JOIN src ON src.rn = g % (SELECT n FROM n)`,
      params,
    );
    await db.query(
      `WITH src AS (
         SELECT c.id, row_number() OVER (ORDER BY c.id) - 1 AS rn
           FROM sealed.conversations c
          WHERE c.tenant_id = $1 AND c.status = 'tagged' AND c.external_id NOT LIKE 'copy-%'),
       n AS (SELECT count(*) AS n FROM src)
       INSERT INTO sealed.facets (conversation_id, tenant_id, prompt_version, provider, model, domain,
              task_type, use_case, goal_summary, minutes_without_ai, minutes_with_ai, minutes_saved,
              outcome, failure_reasons, user_frustration, language, confidence, turns, user_tokens,
              assistant_tokens, redactions, prompt_tokens, completion_tokens, latency_ms)
       SELECT md5('copy-' || g)::uuid, $1, f.prompt_version, f.provider, f.model, f.domain,
              f.task_type, f.use_case, f.goal_summary, f.minutes_without_ai, f.minutes_with_ai,
              f.minutes_saved, f.outcome, f.failure_reasons, f.user_frustration, f.language,
              f.confidence, f.turns, f.user_tokens, f.assistant_tokens, f.redactions,
              f.prompt_tokens, f.completion_tokens, f.latency_ms
         FROM generate_series($2::int, $2::int + $3::int - 1) g
         JOIN src ON src.rn = g % (SELECT n FROM n)
         JOIN sealed.facets f ON f.conversation_id = src.id`,
      [tenantId, start, size],
    );
    stage.advance(size);
  }
  stage.finish();
}

/** SQL statements of the worker, by what they do (first match wins). */
const STATEMENT_KINDS: [string, RegExp][] = [
  ['read facet rows', /FROM sealed\.facets f JOIN sealed\.conversations c/],
  ['start the run', /INSERT INTO sealed\.cluster_runs/],
  ['write clusters', /INSERT INTO sealed\.clusters/],
  ['write members', /INSERT INTO sealed\.cluster_members/],
  ['mark embedded', /SET status = 'embedded'/],
  ['write dp cells', /INSERT INTO insights\.dp_cell/],
  ['mark frozen weeks', /frozen_week = \$2/],
  ['write snapshot', /INSERT INTO insights\./],
];

interface Statement {
  kind: string;
  start: number;
  end: number;
}

/** The worker's database, recording when each statement ran (the timeline of a run). */
function recordingDatabase(db: Database, timeline: Statement[]): Database {
  const kindOf = (sql: string) =>
    STATEMENT_KINDS.find(([, pattern]) => pattern.test(sql))?.[0] ?? 'other';
  const timed = <Q extends Queryable>(target: Q): Q['query'] =>
    (async (text: string, params?: unknown[]) => {
      const start = performance.now();
      try {
        return await target.query(text, params);
      } finally {
        timeline.push({ kind: kindOf(text), start, end: performance.now() });
      }
    }) as Q['query'];
  return {
    engine: db.engine,
    query: timed(db),
    exec: (sql) => db.exec(sql),
    close: () => db.close(),
    transaction: (fn) =>
      db.transaction((tx) =>
        fn({ query: timed(tx), exec: (sql) => tx.exec(sql) } as TransactionScope),
      ),
  };
}

const load = () =>
  loadavg()
    .map((l) => l.toFixed(1))
    .join(' ');

function records(count: number, users: number, offset: number): Record<string, unknown>[] {
  const base = sgdRecords(Number.MAX_SAFE_INTEGER, 1);
  const now = Date.now();
  return Array.from({ length: count }, (_, j) => {
    const i = offset + j;
    const source = base[i % base.length]!;
    const messages = (source['messages'] as { role: string; content: string }[]).map((m, k) =>
      // A unique case tag (letters and digits, never a number run the PII gate would flag).
      k === 0 ? { ...m, content: `${m.content} (case ref ${i.toString(36)}x)` } : m,
    );
    return {
      id: `scale-${i}`,
      user_id: `user-${i % users}`,
      started_at: new Date(now - WEEK_MS - (i % (12 * 7 * 24)) * 3_600_000).toISOString(),
      metadata: { team: `team-${i % 12}` },
      messages,
    };
  });
}

/** Ingest without enqueueing: `feedTagJobs` enqueues as the queue drains. */
const noQueue = {
  kind: 'bullmq',
  enqueue: async () => undefined,
  enqueueMany: async () => undefined,
} as unknown as QueueDriver;

async function seed(
  apiDb: Database,
  tenant: { id: string; slug: string },
  pseudonymizer: Pseudonymizer,
  count: number,
  users: number,
  offset: number,
  progress: ProgressReporter,
): Promise<number> {
  const service = new IngestService(apiDb, noQueue, pseudonymizer);
  const stage = progress.stage('seed (ingest)', count);
  let accepted = 0;
  for (let start = 0; start < count; start += SEED_BATCH) {
    const batch = records(Math.min(SEED_BATCH, count - start), users, offset + start);
    const raw = splitRecords(batch.map((r) => JSON.stringify(r)).join('\n'));
    const result = await service.ingestRecords(tenant, raw, {
      format: 'openai',
      limits: {
        maxRecords: SEED_BATCH,
        maxRequestBytes: Number.MAX_SAFE_INTEGER,
        maxMessageBytes: 1e6,
      },
      oversizedMessage: 'record',
    });
    accepted += result.accepted;
    stage.advance(batch.length, result.rejected.length);
  }
  stage.finish();
  return accepted;
}

const MAX_WAITING_JOBS = 20_000;
const FEED_BATCH = 5_000;

/**
 * Enqueues the tag jobs of every accepted conversation, keeping at most MAX_WAITING_JOBS waiting,
 * and resolves when none is left to tag.
 *
 * Progress comes from the queue's counts while jobs are in flight: the exact pipeline status
 * counts every conversation of the tenant (a scan of a million rows, about a quarter of a second
 * of PostgreSQL), and asking it every two seconds was a tenth of a core taken from the step it
 * measures. It is asked only once the queue has drained, to confirm that none is left.
 */
async function tagAll(
  db: Database,
  queue: QueueDriver,
  statuses: PipelineStatusRepository,
  tenantId: string,
  total: number,
  progress: ProgressReporter,
): Promise<{ failed: number }> {
  const stage = progress.stage('tag', total);
  let after = '00000000-0000-0000-0000-000000000000';
  let fed = true;
  let enqueued = 0;
  let lastStatus = 0;
  for (;;) {
    const counts = (await queue.counts()).tagging;
    const inFlight = counts.waiting + counts.active + counts.delayed;
    if (fed && counts.waiting + counts.delayed < MAX_WAITING_JOBS) {
      const ids = await db.query<{ id: string }>(
        `SELECT id FROM sealed.conversations
          WHERE tenant_id = $1 AND status = 'accepted' AND id > $2 ORDER BY id LIMIT $3`,
        [tenantId, after, FEED_BATCH],
      );
      fed = ids.rows.length > 0;
      if (fed) {
        after = ids.rows.at(-1)!.id;
        enqueued += ids.rows.length;
        await queue.enqueueMany(
          'tag-conversation',
          ids.rows.map((row) => ({ tenantId, conversationId: row.id })),
        );
      }
    }
    if (Date.now() - lastStatus > 2000) {
      lastStatus = Date.now();
      if (fed || inFlight > 0) stage.update(enqueued - inFlight, counts.failed);
      else {
        const status = await statuses.forTenant(tenantId);
        stage.update(total - status.accepted, status.failed);
        if (status.accepted === 0) {
          stage.finish();
          return { failed: status.failed };
        }
      }
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function waitForSnapshot(
  db: Database,
  tenantId: string,
  before: number,
  everyMinute?: () => void,
): Promise<void> {
  const insights = new InsightsRepository(db);
  const runs = new ClusteringRepository(db);
  const since = await runs.databaseNow();
  let lastTick = performance.now();
  for (;;) {
    if (((await insights.latest(tenantId))?.version ?? 0) > before) return;
    const attempt = await runs.latestRunStatus(tenantId, since);
    if (attempt?.status === 'failed') throw new Error(`clustering failed: ${attempt.failure}`);
    if (everyMinute && performance.now() - lastTick > 60_000) {
      lastTick = performance.now();
      everyMinute();
    }
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

/** Splits one cluster job's wall time into steps, from its SQL timeline and the embedder's. */
function clusteringSteps(
  timeline: Statement[],
  fit: { start: number; end: number } | undefined,
  started: number,
  ended: number,
): [string, number][] {
  const of = (kind: string) => timeline.filter((s) => s.kind === kind);
  const sum = (list: Statement[]) => list.reduce((total, s) => total + (s.end - s.start), 0);
  const first = (kind: string) => of(kind)[0];
  const last = (kind: string) => of(kind).at(-1);
  const steps: [string, number][] = [];
  for (const kind of STATEMENT_KINDS.map(([k]) => k)) {
    if (of(kind).length) steps.push([`${kind} (SQL)`, sum(of(kind))]);
  }
  if (fit) steps.push(['fit the offline embedder', fit.end - fit.start]);
  const embedStart = fit?.end;
  const embedEnd = first('start the run')?.start;
  if (embedStart !== undefined && embedEnd !== undefined)
    steps.push(['embed (worker threads)', embedEnd - embedStart]);
  const treeStart = first('start the run')?.end;
  const treeEnd = first('write clusters')?.start;
  if (treeStart !== undefined && treeEnd !== undefined)
    steps.push(['k-means tree, stable ids, offline names', treeEnd - treeStart]);
  const publishStart = last('mark embedded')?.end;
  const writes = ['write dp cells', 'mark frozen weeks', 'write snapshot'].flatMap((kind) =>
    first(kind) ? [first(kind)!.start] : [],
  );
  const publishEnd = writes.length ? Math.min(...writes) : undefined;
  if (publishStart !== undefined && publishEnd !== undefined)
    steps.push(['build the snapshot (gates, bootstrap)', publishEnd - publishStart]);
  const accounted = steps.reduce((total, [, ms]) => total + ms, 0);
  steps.push(['other (small queries, run bookkeeping)', ended - started - accounted]);
  return steps;
}

export async function main(args: string[]): Promise<void> {
  const count = flag(args, 'conversations', 100_000);
  const users = flag(args, 'users', Math.max(50, Math.round(count / 25)));
  const tagConcurrency = flag(args, 'tag-concurrency', 32);
  const tagCount = Math.min(count, flag(args, 'tag', count));
  const tagWorkers = flag(args, 'tag-workers', 1);
  const tagOnly = args.includes('--tag-only');
  const fresh = flag(args, 'new', Math.min(10_000, Math.round(count / 100)));
  const privacyArg = args[args.indexOf('--privacy') + 1];
  const privacy = args.includes('--privacy') ? privacyArg : 'dp';
  if (privacy !== 'dp' && privacy !== 'threshold')
    throw new Error(`--privacy must be dp or threshold, got ${privacyArg}`);
  const steps: Step[] = [];
  const progress = new ProgressReporter();
  const timed = async <T>(step: string, fn: () => Promise<T>, detail: (value: T) => string) => {
    const before = load();
    const started = performance.now();
    const cpu = process.cpuUsage();
    const value = await fn();
    const seconds = (performance.now() - started) / 1000;
    const used = process.cpuUsage(cpu);
    steps.push({
      step,
      seconds,
      cpu: (used.user + used.system) / 1e6,
      detail: detail(value),
      load: `${before} → ${load()}`,
    });
    return value;
  };

  const database = await createTestDatabase('silhouette_scale');
  const owner = new PgDatabase({ connectionString: database.url, max: 2 });
  const apiDb = new PgDatabase({ connectionString: database.url, role: API_ROLE });
  const timeline: Statement[] = [];
  const rawWorkerDb = new PgDatabase({ connectionString: database.url, role: WORKER_ROLE });
  const workerDb = recordingDatabase(rawWorkerDb, timeline);
  const model = await startModel(0, 'offline');
  let queue: BullmqQueueDriver | undefined;
  let worker: RunningWorker | undefined;
  const children: TagWorkerProcess[] = [];
  try {
    await migrate(owner);
    const env: Env = testEnv({
      LOG_LEVEL: 'warn',
      TAG_CONCURRENCY: String(tagConcurrency),
      PRIVACY_MODE: privacy,
      // The reconciler is for recovery; here the feeder enqueues (see tagAll).
      RECONCILE_INTERVAL_S: '3600',
      PUBLISH_INTERVAL_S: '86400',
      JOB_ATTEMPTS: '5',
    });
    const masterKey = Buffer.from(env.SILHOUETTE_MASTER_KEY!, 'hex');
    const keyring = new TenantKeyring({ key: masterKey, id: masterKeyId(masterKey) });
    const { tenant } = await provisionTenant(owner, keyring, {
      slug: 'scale',
      kUsers: env.K_USERS,
      minConversations: env.MIN_CONVERSATIONS,
    });
    const pseudonymizer = new Pseudonymizer(Buffer.from(env.SILHOUETTE_PSEUDONYM_SECRET!, 'hex'));
    const queuePrefix = `scale${randomBytes(4).toString('hex')}`;
    queue = new BullmqQueueDriver(redisUrl(), queuePolicies(env), queuePrefix);
    const statuses = new PipelineStatusRepository(owner);

    await timed(
      'seed: ingest (not part of the worker run)',
      () => seed(apiDb, tenant, pseudonymizer, tagCount, users, 0, progress),
      (n) => `${n} conversations, ${users} users`,
    );

    let fit: { start: number; end: number; texts: number } | undefined;
    const offline = createEmbedderFactory(env);
    const deps: WorkerDeps = {
      env,
      db: workerDb,
      queue,
      store: new SealedConversationStore(workerDb, keyring),
      tagger: new LlmTagger({
        client: new StructuredLlmClient({
          baseURL: model.baseURL,
          apiKey: 'bench',
          concurrency: tagConcurrency,
          maxAttempts: 3,
        }),
        model: env.TAG_MODEL,
      }),
      scrub: createScrubber(),
      embedderFor: async (texts, state) => {
        const start = performance.now();
        const result = await offline(texts, state);
        // The topic run embeds every row; the issue and custom maps that follow embed fewer.
        if (!fit || texts.length > fit.texts)
          fit = { start, end: performance.now(), texts: texts.length };
        return result;
      },
      logger: createLogger({ level: 'warn' }),
      metrics: new Metrics({ defaultMetrics: false }),
    };

    // Extra worker processes (`--tag-workers`) on this bench's database, queue and model.
    for (let i = 1; i < tagWorkers; i++)
      children.push(
        await startTagWorker({
          DATABASE_URL: database.url,
          REDIS_URL: redisUrl(),
          QUEUE_PREFIX: queuePrefix,
          SILHOUETTE_MASTER_KEY: env.SILHOUETTE_MASTER_KEY!,
          SILHOUETTE_PSEUDONYM_SECRET: env.SILHOUETTE_PSEUDONYM_SECRET!,
          OPENAI_BASE_URL: model.baseURL,
          OPENAI_API_KEY: 'bench',
          TAG_MODEL: env.TAG_MODEL,
          TAG_CONCURRENCY: String(tagConcurrency),
          LLM_CONCURRENCY: String(tagConcurrency),
          LLM_MAX_ATTEMPTS: '3',
          RECONCILE_INTERVAL_S: '3600',
          PUBLISH_INTERVAL_S: '86400',
          JOB_ATTEMPTS: '5',
          PRIVACY_MODE: env.PRIVACY_MODE,
          LOG_LEVEL: 'warn',
          NODE_ENV: 'test',
        }),
      );
    const redis = redisPid();
    const cpuBefore = {
      model: cpuSeconds(model.child.pid!),
      redis: redis ? cpuSeconds(redis) : 0,
      children: children.map((c) => cpuSeconds(c.child.pid!)),
      postgres: await postgresBackendCpu(owner),
    };
    await timed(
      `1. tag (scripted LLM, 0 ms, TAG_CONCURRENCY ${tagConcurrency}, ${tagWorkers} worker process${tagWorkers > 1 ? 'es' : ''})`,
      async () => {
        worker = await startWorker(deps);
        return tagAll(owner, queue!, statuses, tenant.id, tagCount, progress);
      },
      (r) => `${tagCount} conversations, ${r.failed} failed`,
    );
    const tagCpu = {
      model: cpuSeconds(model.child.pid!) - cpuBefore.model,
      redis: redis ? cpuSeconds(redis) - cpuBefore.redis : 0,
      children: children.map((c, i) => cpuSeconds(c.child.pid!) - cpuBefore.children[i]!),
      postgres: backendCpuBetween(cpuBefore.postgres, await postgresBackendCpu(owner)),
    };
    for (const child of children) await child.stop();
    // Why tagging failed, if it did (errors are recorded without content).
    const failures = await owner.query<{ last_error: string; n: number }>(
      `SELECT last_error, count(*)::int AS n FROM sealed.conversations
        WHERE tenant_id = $1 AND status = 'failed' GROUP BY last_error ORDER BY n DESC LIMIT 3`,
      [tenant.id],
    );
    for (const row of failures.rows) console.error(`tag failures: ${row.n} × ${row.last_error}`);
    const perConversation = (seconds: number) => `${((seconds / tagCount) * 1000).toFixed(2)} ms`;
    const tagStepCpu = steps.at(-1)!.cpu;
    const tagCpuReport = [
      `worker processes: ${[tagStepCpu, ...tagCpu.children].map(perConversation).join(' + ')}`,
      `model server ${perConversation(tagCpu.model)}`,
      `PostgreSQL backends ${perConversation(tagCpu.postgres)}`,
      `Redis (whole server, shared) ${perConversation(tagCpu.redis)}`,
    ].join('; ');
    if (tagOnly) {
      console.log(`\nmachine: ${machine()}`);
      console.log(
        `command: npm run bench -- scale --conversations ${count} --tag ${tagCount} --tag-concurrency ${tagConcurrency} --tag-workers ${tagWorkers} --tag-only`,
      );
      const step = steps.at(-1)!;
      console.log(
        `tagging: ${(tagCount / step.seconds).toFixed(1)} conversations/s (${step.seconds.toFixed(1)} s, ${step.detail}); load ${step.load}`,
      );
      console.log(`CPU per conversation: ${tagCpuReport}`);
      return;
    }
    if (tagCount < count) {
      await timed(
        'copy tagged rows in SQL (not part of the worker run)',
        () => copyTagged(owner, tenant.id, count - tagCount, users, progress),
        () => `${count - tagCount} copies of the ${tagCount} tagged rows`,
      );
      await owner.query('ANALYZE sealed.conversations');
      await owner.query('ANALYZE sealed.facets');
    }

    timeline.length = 0;
    const clusterStarted = performance.now();
    const clustering = progress.stage('cluster and publish');
    try {
      await timed(
        '2. cluster and publish (one cluster-tenant job)',
        async () => {
          await queue!.enqueue('cluster-tenant', { tenantId: tenant.id });
          // The steps so far, once a minute: a long run cut short still says where its time went.
          await waitForSnapshot(owner, tenant.id, 0, () =>
            console.error(
              JSON.stringify({
                clusteringSoFar: Object.fromEntries(
                  clusteringSteps([...timeline], fit, clusterStarted, performance.now()).map(
                    ([step, ms]) => [step, Math.round(ms / 100) / 10],
                  ),
                ),
                load: load(),
              }),
            ),
          );
        },
        () => '',
      );
    } catch (error) {
      // What was measured up to the failure is still worth having.
      console.log('\ncluster-tenant job failed; its steps up to the failure:\n');
      for (const [step, ms] of clusteringSteps(
        [...timeline],
        fit,
        clusterStarted,
        performance.now(),
      ))
        console.log(`| ${step} | ${(ms / 1000).toFixed(1)} |`);
      for (const s of steps) console.log(`| ${s.step} | ${s.seconds.toFixed(1)} | ${s.detail} |`);
      throw error;
    }
    clustering.finish();
    const clusterEnded = performance.now();
    const clusterSteps = clusteringSteps([...timeline], fit, clusterStarted, clusterEnded);
    const snapshot = await new InsightsRepository(owner).latest(tenant.id);
    const runs = await owner.query<{ id: string; base_k: number }>(
      `SELECT id, (params->>'baseK')::int AS base_k FROM sealed.cluster_runs
        WHERE tenant_id = $1 AND map = 'topics' AND status = 'done' ORDER BY started_at DESC LIMIT 1`,
      [tenant.id],
    );
    const run = runs.rows[0]!;
    steps[steps.length - 1]!.detail = `snapshot v${snapshot?.version}, ${
      (snapshot?.overview as { clusters_published?: number }).clusters_published ?? '?'
    } clusters published (all levels; ${run.base_k} base clusters in the run)`;

    // 3. New conversations join the run (nearest base centroid, in memory).
    if (fresh > 0) {
      await seed(apiDb, tenant, pseudonymizer, fresh, users, count, progress);
      await timed(
        `3a. tag ${fresh} new conversations`,
        () => tagAll(owner, queue!, statuses, tenant.id, fresh, progress),
        (r) => `${r.failed} failed in all`,
      );
      timeline.length = 0;
      await timed(
        `3b. incremental run: embed ${fresh}, join the run's base clusters, publish`,
        async () => {
          await queue!.enqueue('cluster-tenant', { tenantId: tenant.id });
          await waitForSnapshot(owner, tenant.id, snapshot?.version ?? 1);
        },
        () => '',
      );
    }

    const rss = process.resourceUsage().maxRSS / 1024;
    console.log(`\nmachine: ${machine()}`);
    console.log(
      `command: npm run bench -- scale --conversations ${count} --tag ${tagCount} --users ${users} --tag-concurrency ${tagConcurrency} --tag-workers ${tagWorkers} --new ${fresh} --privacy ${privacy}`,
    );
    const tagStep = steps.find((s) => s.step.startsWith('1.'))!;
    console.log(
      `tagging: ${(tagCount / tagStep.seconds).toFixed(1)} conversations/s, ${((tagStep.cpu / tagCount) * 1000).toFixed(2)} ms CPU of this (worker) process per conversation, see below for every process` +
        (tagCount < count
          ? `; at this rate ${count} would take ${(count / (tagCount / tagStep.seconds) / 60).toFixed(1)} min (extrapolated)`
          : ''),
    );
    console.log(`tag step CPU per conversation: ${tagCpuReport}`);
    console.log(`peak RSS of the benchmark process (worker included): ${rss.toFixed(0)} MB`);
    console.log(
      '\n| step | seconds | CPU s (this process) | detail | load average (1, 5, 15 min) before → after |',
    );
    console.log('|---|---:|---:|---|---|');
    for (const s of steps)
      console.log(
        `| ${s.step} | ${s.seconds.toFixed(1)} | ${s.cpu.toFixed(1)} | ${s.detail} | ${s.load} |`,
      );
    const worker1 = steps.filter((s) => /^[12]\./.test(s.step));
    console.log(
      `\nwhole worker run (tag + cluster + publish): ${worker1.reduce((t, s) => t + s.seconds, 0).toFixed(1)} s`,
    );
    console.log('\ncluster-tenant job, by step (from its SQL timeline):\n');
    console.log('| step | seconds |');
    console.log('|---|---:|');
    for (const [step, ms] of clusterSteps) console.log(`| ${step} | ${(ms / 1000).toFixed(1)} |`);
  } finally {
    progress.close();
    await worker?.stop();
    for (const child of children) await child.stop();
    await queue?.close();
    await model.stop();
    await rawWorkerDb.close();
    await apiDb.close();
    await owner.close();
    await database.drop();
  }
}
