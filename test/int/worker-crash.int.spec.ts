/**
 * A worker killed with SIGKILL in the middle of a batch loses nothing (BullMQ on real Redis):
 * right after the kill every accepted conversation is tagged or still has a live job, and a
 * restarted worker finishes the rest, each conversation tagged exactly once.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sgdRecords } from '../helpers/datasets';
import { ScriptedLlmServer } from '../helpers/scripted-llm-server';
import { call, startStack, type Stack } from '../helpers/stack';

const CLI = fileURLToPath(new URL('../../bin/silhouette.mjs', import.meta.url));

describe('worker killed mid-batch', () => {
  let stack: Stack;
  let server: ScriptedLlmServer;
  const children: ChildProcess[] = [];
  let output = '';

  function startWorkerProcess(): ChildProcess {
    const child = spawn(process.execPath, [CLI, 'start', '--role', 'worker'], {
      env: {
        ...process.env,
        DATABASE_URL: stack.env.DATABASE_URL,
        REDIS_URL: stack.env.REDIS_URL,
        QUEUE_PREFIX: stack.queuePrefix,
        SILHOUETTE_MASTER_KEY: stack.env.SILHOUETTE_MASTER_KEY,
        SILHOUETTE_PSEUDONYM_SECRET: stack.env.SILHOUETTE_PSEUDONYM_SECRET,
        OPENAI_BASE_URL: server.baseURL,
        OPENAI_API_KEY: 'test',
        TAG_MODEL: 'scripted-tagger',
        TAG_CONCURRENCY: '4',
        JOB_LOCK_MS: '2000',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // Keep the child's output for the failure message.
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    children.push(child);
    return child;
  }

  async function taggedCount(): Promise<number> {
    const result = await stack.ownerDb.query<{ n: number }>(
      'SELECT count(*)::integer AS n FROM sealed.facets',
    );
    return Number(result.rows[0]!.n);
  }

  beforeAll(async () => {
    server = await ScriptedLlmServer.start();
    server.setLatency(150);
    stack = await startStack({ mode: 'server', env: { JOB_LOCK_MS: '2000' } });
    const records = sgdRecords(200, 40);
    for (let i = 0; i < records.length; i += 100) {
      await call(stack, '/v1/conversations', {
        method: 'POST',
        key: stack.tenant.ingestKey,
        body: JSON.stringify(records.slice(i, i + 100)),
      });
    }
  });
  afterAll(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await stack?.close();
    await server?.close();
  });

  it('keeps every conversation tagged or queued, and finishes after a restart', async () => {
    const first = startWorkerProcess();
    await expect
      .poll(taggedCount, { timeout: 60_000, interval: 100 })
      .toBeGreaterThanOrEqual(30)
      .catch((error: Error) => {
        throw new Error(`${error.message}\nworker output:\n${output.slice(-3000)}`);
      });
    first.kill('SIGKILL');
    await new Promise((resolve) => first.once('exit', resolve));
    const taggedAtKill = await taggedCount();
    expect(taggedAtKill).toBeLessThan(200);

    // Nothing lost: every conversation not yet tagged still has a job (waiting, delayed or held
    // by the dead worker's lock until the stalled check hands it back).
    const untagged = await stack.ownerDb.query<{ tenant_id: string; id: string }>(
      "SELECT tenant_id, id FROM sealed.conversations WHERE status = 'accepted'",
    );
    expect(untagged.rows.length).toBe(200 - taggedAtKill);
    for (const row of untagged.rows) {
      expect(
        await stack.queue.isPending('tag-conversation', {
          tenantId: row.tenant_id,
          conversationId: row.id,
        }),
      ).toBe(true);
    }

    startWorkerProcess();
    await expect.poll(taggedCount, { timeout: 90_000, interval: 250 }).toBe(200);
    const duplicates = await stack.ownerDb.query<{ n: number }>(
      'SELECT count(*)::integer AS n FROM (SELECT conversation_id FROM sealed.facets GROUP BY conversation_id HAVING count(*) > 1) d',
    );
    expect(Number(duplicates.rows[0]!.n)).toBe(0);
    const status = await call(stack, '/v1/status', { key: stack.tenant.adminKey });
    expect(status.body).toMatchObject({ conversations: 200, accepted: 0, failed: 0 });
  }, 240_000);
});
