/**
 * Issue #13, item 3: `silhouette import langfuse|langsmith FILE --tenant SLUG` as real processes,
 * in both storage modes, on the fixtures built from Langfuse's and LangSmith's published schemas
 * (test/fixtures/import/README.md). Bad items follow the ingest rules (position, field, message;
 * good ones kept), a re-import is idempotent, and what is stored is sealed and pseudonymous and
 * opens to the mapped messages.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { masterKeyId } from '@silhouette/config';
import { PgDatabase, PgliteDatabase, type Database } from '@silhouette/db';
import { Pseudonymizer } from '@silhouette/ingest';
import { SealedConversationStore, TenantKeyring } from '@silhouette/sealed';
import { importCommand } from '../../apps/cli/src/commands/import.command';
import { UsageError } from '../../apps/cli/src/cli-error';
import { createTestDatabase, redisUrl, testEnv, type TestDatabase } from '../helpers/services';

const CLI = fileURLToPath(new URL('../../bin/silhouette.mjs', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/import/', import.meta.url));
const run = promisify(execFile);

describe('silhouette import usage', () => {
  it('names a missing file and an unknown source before touching any database', async () => {
    const env = testEnv();
    await expect(importCommand(env, ['langfuse'], {})).rejects.toThrow(UsageError);
    await expect(importCommand(env, ['helicone', 'x.json'], { tenant: 'acme' })).rejects.toThrow(
      'unknown source "helicone" (langfuse or langsmith)',
    );
  });
});

describe.each(['server', 'embedded'] as const)('silhouette import (%s)', (mode) => {
  const dir = mkdtempSync(join(tmpdir(), 'silhouette-import-'));
  const masterKey = randomBytes(32);
  const pseudonymSecret = randomBytes(32);
  let testDb: TestDatabase | undefined;
  let env: Record<string, string>;

  const cli = async (args: string[]) => {
    try {
      const { stdout, stderr } = await run(process.execPath, [CLI, ...args], {
        env: { ...process.env, ...env },
        timeout: 120_000,
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      return { code: failed.code ?? 1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
    }
  };
  const importJson = async (source: string, file: string) => {
    const result = await cli([
      'import',
      source,
      file.startsWith('/') ? file : join(FIXTURES, file),
      '--tenant',
      'acme',
      '--json',
    ]);
    expect(result.code).toBe(0);
    // Progress: one JSON line per stage on stderr (counts only), the result alone on stdout.
    const stages = (result.stderr ?? '')
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(stages).toContainEqual(
      expect.objectContaining({ progress: `import ${source}`, failed: expect.any(Number) }),
    );
    return JSON.parse(result.stdout) as Record<string, unknown>;
  };
  /** The database, opened after the CLI processes are done with it. */
  const openDatabase = async (): Promise<Database> =>
    mode === 'server'
      ? new PgDatabase({ connectionString: testDb!.url })
      : PgliteDatabase.open(join(dir, 'data', 'pgdata'));

  beforeAll(async () => {
    env = {
      SILHOUETTE_MASTER_KEY: masterKey.toString('hex'),
      SILHOUETTE_PSEUDONYM_SECRET: pseudonymSecret.toString('hex'),
      SILHOUETTE_DATA_DIR: join(dir, 'data'),
      LOG_LEVEL: 'silent',
      DATABASE_URL: '',
      REDIS_URL: '',
    };
    if (mode === 'server') {
      testDb = await createTestDatabase();
      env.DATABASE_URL = testDb.url;
      env.REDIS_URL = redisUrl();
      env.QUEUE_PREFIX = `t${randomBytes(5).toString('hex')}`;
    }
    expect((await cli(['migrate'])).code).toBe(0);
    expect((await cli(['tenant', 'create', 'acme', '--json'])).code).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await testDb?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('imports Langfuse API pages: sessions become conversations, bad items are reported, good ones kept', async () => {
    expect(await importJson('langfuse', 'langfuse-traces-pages.jsonl')).toEqual({
      source: 'langfuse',
      items: 4,
      conversations: 3,
      accepted: 2,
      updated: 0,
      duplicates: 0,
      rejected: [
        { line: 2, field: '(record)', message: expect.stringMatching(/^is not valid JSON/) },
        {
          line: 3,
          field: 'userId',
          message: 'is required: conversations are counted per person',
        },
      ],
      ignored_fields: [
        { field: 'metadata.app_version', count: 1 },
        { field: 'metadata.session_id', count: 1 },
      ],
    });
    expect(await importJson('langfuse', 'langfuse-trace-full.json')).toMatchObject({
      items: 1,
      conversations: 1,
      accepted: 1,
      rejected: [],
    });
  }, 180_000);

  it('imports LangSmith runs: threads become conversations; a re-import is all duplicates', async () => {
    const first = await importJson('langsmith', 'langsmith-runs.jsonl');
    expect(first).toMatchObject({
      source: 'langsmith',
      items: 7,
      conversations: 3,
      accepted: 2,
      duplicates: 0,
      ignored_fields: [
        { field: 'metadata.app_version', count: 1 },
        { field: 'metadata.revision_id', count: 1 },
      ],
    });
    expect(
      (first.rejected as { line: number; field: string }[]).map((r) => [r.line, r.field]),
    ).toEqual([
      [4, 'start_time'],
      [7, 'extra.metadata.user_id'],
      [8, '(record)'],
    ]);
    const again = await importJson('langsmith', 'langsmith-runs.jsonl');
    expect(again).toMatchObject({ accepted: 0, updated: 0, duplicates: 2 });
  }, 180_000);

  it('exits 2 when nothing in the file is usable, naming each problem', async () => {
    const bad = join(dir, 'bad.jsonl');
    writeFileSync(bad, 'nope\n{"id": "t", "timestamp": "yesterday"}\n');
    const result = await cli(['import', 'langfuse', bad, '--tenant', 'acme', '--json']);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout).rejected).toEqual([
      { line: 1, field: '(record)', message: expect.stringMatching(/^is not valid JSON/) },
      { line: 2, field: 'timestamp', message: 'must be an ISO date-time' },
    ]);
  }, 180_000);

  it('stores them sealed under pseudonymous ids; the envelope opens to the mapped messages', async () => {
    const db = await openDatabase();
    try {
      const tenant = await db.query<{ id: string }>(
        "SELECT id FROM app.tenants WHERE slug = 'acme'",
      );
      const tenantId = tenant.rows[0]!.id;
      const rows = await db.query<{ id: string; external_id: string; row: string }>(
        'SELECT id, external_id, c::text AS row FROM sealed.conversations c WHERE tenant_id = $1',
        [tenantId],
      );
      expect(rows.rows).toHaveLength(5);
      for (const row of rows.rows) {
        expect(row.external_id).toMatch(/^c_/);
        expect(row.row).not.toContain('vacation');
        expect(row.row).not.toContain('ls-thread-1');
      }
      const pseudonym = new Pseudonymizer(pseudonymSecret).conversationPseudonym(
        tenantId,
        'ls-thread-1',
      );
      const thread = rows.rows.find((row) => row.external_id === pseudonym)!;
      const store = new SealedConversationStore(
        db,
        new TenantKeyring({ key: masterKey, id: masterKeyId(masterKey) }),
      );
      const opened = await store.open(tenantId, thread.id);
      expect(opened.messages.map((message) => message.role)).toEqual([
        'system',
        'user',
        'assistant',
        'user',
        'assistant',
      ]);
      expect(opened.messages[3]!.content).toBe('Which region drove the renewals?');
      // Allow-listed metadata kept (sealed); the unknown `revision_id` was dropped.
      expect(opened.metadata).toEqual({ team: 'finance', model: 'gpt-4o' });
    } finally {
      await db.close();
    }
  });

  it('a later export with a new turn grows the conversation; status shows it waiting; process tags it at once', async () => {
    const later = join(dir, 'later-export.jsonl');
    const system = { role: 'system', content: 'You are the HR assistant of Example Corp.' };
    const history = [
      system,
      { role: 'user', content: 'How many vacation days do I have left this year?' },
      { role: 'assistant', content: 'You have 12 vacation days left until 31 December.' },
      { role: 'user', content: 'Can I carry five of them over to next year?' },
      { role: 'assistant', content: 'Yes, up to five days carry over if your manager approves.' },
    ];
    const trace = (id: string, timestamp: string, input: unknown, output: unknown) => ({
      id,
      timestamp,
      sessionId: 'lf-session-1',
      userId: 'employee-17',
      input,
      output,
      observations: [],
    });
    writeFileSync(
      later,
      JSON.stringify({
        data: [
          trace(
            'lf-trace-1',
            '2025-11-03T09:00:00.000Z',
            { messages: history.slice(0, 2) },
            history[2],
          ),
          trace(
            'lf-trace-2',
            '2025-11-03T09:02:30.000Z',
            { messages: history.slice(0, 4) },
            history[4],
          ),
          trace(
            'lf-trace-5',
            '2025-11-03T09:05:00.000Z',
            { messages: [...history, { role: 'user', content: 'Who approves it?' }] },
            { role: 'assistant', content: 'Your line manager, in the HR portal.' },
          ),
        ],
        meta: { page: 1, limit: 50, totalItems: 3, totalPages: 1 },
      }),
    );
    expect(await importJson('langfuse', later)).toMatchObject({ updated: 1, accepted: 0 });
    const status = await cli(['status', '--tenant', 'acme', '--json']);
    expect(JSON.parse(status.stdout)).toMatchObject({ waiting_for_idle: 1 });
    const processed = await cli(['process', '--tenant', 'acme', '--json']);
    expect(processed.code).toBe(0);
    const after = await cli(['status', '--tenant', 'acme', '--json']);
    expect(JSON.parse(after.stdout)).toMatchObject({ waiting_for_idle: 0, pending: 0 });
  }, 300_000);
});
