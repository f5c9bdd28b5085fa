/**
 * `silhouette process` against OpenAI-compatible endpoints as they really are, in both storage
 * modes, each command a real process (bin/silhouette.mjs) talking HTTP to a scripted server:
 *
 * - a server with every common difference at once (no json_schema, max_completion_tokens only,
 *   no `dimensions`, float-only embeddings, no usage, extra fields, labels a little too long):
 *   tagging, naming, the auditor, embeddings and publishing all work, and nothing is dead-lettered;
 * - a chat-only server (its /embeddings answers 404): no silent fallback to the offline embedder,
 *   `process` exits 1 within seconds with the reason, again after the job was dead-lettered, and
 *   publishes once the endpoint works.
 *
 * Progress goes to stderr as one JSON line per stage (no terminal here).
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseEnv } from '@silhouette/config';
import { openOwnerDatabase } from '@silhouette/db';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sgdRecords } from '../helpers/datasets';
import { toJsonl } from '../helpers/fixtures';
import { ScriptedLlmServer } from '../helpers/scripted-llm-server';
import { createTestDatabase, redisUrl, type TestDatabase } from '../helpers/services';

const CLI = fileURLToPath(new URL('../../bin/silhouette.mjs', import.meta.url));

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  endedAt: number;
}

function cli(args: string[], env: Record<string, string>): Promise<CliResult> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...process.env, ...env }, timeout: 240_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : 1) : 0;
        if (process.env.DEBUG_CLI) console.log(args.join(' '), Date.now() - t0, 'ms');
        resolve({ code, stdout, stderr, endedAt: Date.now() });
      },
    );
  });
}

/** The JSON progress lines a command wrote to stderr. */
function progressLines(stderr: string): { progress: string; done: number; failed: number }[] {
  return stderr
    .split('\n')
    .filter((line) => line.startsWith('{"progress"'))
    .map((line) => JSON.parse(line) as { progress: string; done: number; failed: number });
}

const QUIRKY = {
  responseFormats: ['json_object'] as const,
  maxTokensParameter: 'max_completion_tokens' as const,
  dimensions: 'reject' as const,
  embeddingEncoding: 'float' as const,
  omitUsage: true,
  extraFields: true,
  overlongLabels: true,
};

const CHAT_ONLY = (request: { endpoint: string }) =>
  request.endpoint === 'embeddings'
    ? {
        status: 404,
        body: { error: { message: 'Not Found', type: 'invalid_request_error', code: 'not_found' } },
      }
    : undefined;

describe.each(['server', 'embedded'] as const)('model endpoints as they are (%s mode)', (mode) => {
  const dir = mkdtempSync(join(tmpdir(), `silhouette-endpoints-${mode}-`));
  let database: TestDatabase | undefined;
  let quirky: ScriptedLlmServer;
  let chatOnly: ScriptedLlmServer;
  let base: Record<string, string>;

  beforeAll(async () => {
    quirky = await ScriptedLlmServer.start({ quirks: { ...QUIRKY }, embeddingDimension: 48 });
    chatOnly = await ScriptedLlmServer.start({ respond: CHAT_ONLY });
    base = {
      LOG_LEVEL: 'silent',
      // Exact figures: this suite is about endpoint differences; dp publishing has its own suites.
      PRIVACY_MODE: 'threshold',
      OPENAI_API_KEY: 'test-key',
      EMBEDDING_DIMENSION: '48',
      LLM_MAX_ATTEMPTS: '2',
      LLM_TIMEOUT_MS: '10000',
      JOB_ATTEMPTS: '3',
      JOB_BACKOFF_MS: '100',
      SILHOUETTE_MASTER_KEY: randomBytes(32).toString('hex'),
      SILHOUETTE_PSEUDONYM_SECRET: randomBytes(32).toString('hex'),
    };
    if (mode === 'server') {
      database = await createTestDatabase();
      Object.assign(base, {
        DATABASE_URL: database.url,
        REDIS_URL: redisUrl(),
        QUEUE_PREFIX: `t${randomBytes(5).toString('hex')}`,
      });
    } else {
      Object.assign(base, {
        DATABASE_URL: '',
        REDIS_URL: '',
        SILHOUETTE_DATA_DIR: join(dir, 'data'),
      });
    }
    expect((await cli(['migrate'], base)).code).toBe(0);
    for (const slug of ['acme', 'chatonly']) {
      expect((await cli(['tenant', 'create', slug, '--json'], base)).code).toBe(0);
    }
    writeFileSync(join(dir, 'conversations.jsonl'), toJsonl(sgdRecords(200, 25)));
  }, 180_000);

  afterAll(async () => {
    await quirky?.close();
    await chatOnly?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  const withServer = (server: ScriptedLlmServer) => ({ ...base, OPENAI_BASE_URL: server.baseURL });

  /** Reads the database between commands (embedded: the data directory, no command running). */
  async function ownerQuery<R>(sql: string): Promise<R[]> {
    const db = await openOwnerDatabase(parseEnv({ ...base, NODE_ENV: 'test' }));
    try {
      return (await db.query<R>(sql)).rows;
    } finally {
      await db.close();
    }
  }

  it('tags, embeds, names, audits and publishes through every common endpoint difference', async () => {
    const env = withServer(quirky);
    const ingest = await cli(
      ['ingest', join(dir, 'conversations.jsonl'), '--tenant', 'acme', '--json'],
      env,
    );
    expect(ingest.code).toBe(0);
    expect(JSON.parse(ingest.stdout)).toMatchObject({ accepted: 200, rejected: [] });
    expect(progressLines(ingest.stderr)).toEqual([
      expect.objectContaining({ progress: 'ingest', done: 200, failed: 0 }),
    ]);

    const processed = await cli(['process', '--tenant', 'acme', '--json'], env);
    expect(processed.stderr.split('\n').filter((l) => l && !l.startsWith('{'))).toEqual([]);
    expect(processed.code).toBe(0);
    const summary = JSON.parse(processed.stdout);
    // Over-long labels were cut and counted, not dead-lettered: every conversation is tagged.
    expect(summary).toMatchObject({ conversations: 200, tagged: 200, failed: 0 });
    expect(summary.clusters_published).toBeGreaterThan(0);
    expect(progressLines(processed.stderr).map((line) => line.progress)).toEqual([
      'tagging',
      'clustering and publishing',
    ]);
    expect(progressLines(processed.stderr)[0]).toMatchObject({ done: 200, failed: 0 });

    // The model was asked in the forms it takes: one probe of each difference, then remembered.
    const chat = quirky.requestsTo('chat');
    const rejected = chat.filter((r) => r.status === 400);
    expect(rejected.length).toBeGreaterThanOrEqual(2);
    // Learnt per client (tagging, clustering), not per call: at most the calls already in flight
    // (LLM_CONCURRENCY, 8) per difference (2) per client (2) meet a 400.
    expect(rejected.length).toBeLessThanOrEqual(32);
    const accepted = chat
      .filter((r) => r.status === 200)
      .map((r) => r.body as Record<string, unknown>);
    expect(accepted.length).toBeGreaterThan(200); // 200 tags, then names and audits
    for (const body of accepted) {
      expect((body['response_format'] as { type: string }).type).toBe('json_object');
      expect(body['max_tokens']).toBeUndefined();
    }
    const embeddings = quirky.requestsTo('embeddings');
    expect(embeddings[0]!.status).toBe(400); // `dimensions` refused once
    for (const request of embeddings.slice(1)) {
      expect(request.status).toBe(200);
      expect(request.body).toMatchObject({ encoding_format: 'float' });
      expect(request.body).not.toHaveProperty('dimensions');
    }

    // The facet rows hold the labels cut at a word boundary within their limits.
    const facets = await ownerQuery<{ domain: string; use_case: string; goal_summary: string }>(
      `SELECT f.domain, f.use_case, f.goal_summary FROM sealed.facets f
         JOIN app.tenants t ON t.id = f.tenant_id WHERE t.slug = 'acme'`,
    );
    expect(facets).toHaveLength(200);
    for (const facet of facets) {
      expect(facet.domain.length).toBeLessThanOrEqual(60);
      expect(facet.domain).toMatch(/ and related back-office administration( for regional)?$/);
      expect(facet.use_case.split(/\s+/).length).toBeLessThanOrEqual(12);
      expect(facet.goal_summary.split(/\s+/).length).toBeLessThanOrEqual(25);
    }
  }, 240_000);

  it('fails with the reason, fast, instead of falling back to the offline embedder', async () => {
    const env = withServer(chatOnly);
    expect(
      (await cli(['ingest', join(dir, 'conversations.jsonl'), '--tenant', 'chatonly'], env)).code,
    ).toBe(0);

    const first = await cli(['process', '--tenant', 'chatonly'], env);
    expect(first.code).toBe(1);
    expect(first.stderr).toMatch(/clustering failed: .*embedding request rejected .*HTTP 404/);
    expect(first.stderr).toContain('no fallback to the offline embedder');
    expect(first.stderr).toContain('EMBEDDING_PROVIDER=offline');
    const lastEmbeddingCall = Math.max(
      ...chatOnly.requestsTo('embeddings').map((r) => r.receivedAt),
    );
    expect(first.endedAt - lastEmbeddingCall).toBeLessThan(5_000);

    // The job is dead-lettered now; asking again runs it again (it does not wait on the dead id).
    const embeddingCalls = chatOnly.requestsTo('embeddings').length;
    const second = await cli(['process', '--tenant', 'chatonly'], env);
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/embedding request rejected/);
    expect(chatOnly.requestsTo('embeddings').length).toBeGreaterThan(embeddingCalls);
    expect(
      second.endedAt - Math.max(...chatOnly.requestsTo('embeddings').map((r) => r.receivedAt)),
    ).toBeLessThan(5_000);

    const [clusters] = await ownerQuery<{ n: number }>(
      `SELECT count(*)::int AS n FROM sealed.clusters c
         JOIN app.tenants t ON t.id = c.tenant_id WHERE t.slug = 'chatonly'`,
    );
    expect(clusters!.n).toBe(0); // no clusters of offline vectors slipped in
    const [snapshots] = await ownerQuery<{ n: number }>(
      `SELECT count(*)::int AS n FROM insights.snapshots s
         JOIN app.tenants t ON t.id = s.tenant_id WHERE t.slug = 'chatonly'`,
    );
    expect(snapshots!.n).toBe(0);
    const failures = await ownerQuery<{ failure: string }>(
      `SELECT r.failure FROM sealed.cluster_runs r JOIN app.tenants t ON t.id = r.tenant_id
        WHERE t.slug = 'chatonly' AND r.status = 'failed'`,
    );
    expect(failures.length).toBeGreaterThanOrEqual(2);
    for (const row of failures) expect(row.failure).toMatch(/HTTP 404/);

    // Once the endpoint serves embeddings, the same command publishes.
    chatOnly.respond = undefined;
    const fixed = await cli(['process', '--tenant', 'chatonly', '--json'], env);
    expect(fixed.code).toBe(0);
    expect(JSON.parse(fixed.stdout).snapshot_version).toBe(1);
  }, 240_000);
});
