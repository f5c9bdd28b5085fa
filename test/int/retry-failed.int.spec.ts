/**
 * `silhouette retry-failed --tenant T` in server mode (PostgreSQL + BullMQ on real Redis): two
 * tenants' conversations are dead-lettered; retrying one tenant re-runs only its jobs, and the
 * other tenant's stay dead in BullMQ and `failed` in the database.
 */
import { OfflineTagger, type FacetTagger } from '@silhouette/llm';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { retryFailedCommand } from '../../apps/cli/src/commands/retry-failed.command';
import { openaiRecord } from '../helpers/fixtures';
import { offlineProviders } from '../helpers/providers';
import { call, startStack, type Stack } from '../helpers/stack';

/** The offline tagger behind a switch: while `down`, every call fails (the job is retried, then dead). */
class SwitchableTagger implements FacetTagger {
  down = true;
  private readonly inner = new OfflineTagger();
  readonly provider = this.inner.provider;
  readonly promptVersion = this.inner.promptVersion;
  async tag(input: Parameters<FacetTagger['tag']>[0]) {
    if (this.down) throw new Error('tagger unavailable (test)');
    return this.inner.tag(input);
  }
}

async function statusCounts(stack: Stack, tenantId: string): Promise<Record<string, number>> {
  const result = await stack.ownerDb.query<{ status: string; n: number }>(
    'SELECT status, count(*)::int AS n FROM sealed.conversations WHERE tenant_id = $1 GROUP BY status',
    [tenantId],
  );
  return Object.fromEntries(result.rows.map((row) => [row.status, Number(row.n)]));
}

describe('retry-failed --tenant with the BullMQ driver', () => {
  let stack: Stack;
  const tagger = new SwitchableTagger();

  beforeAll(async () => {
    stack = await startStack({
      mode: 'server',
      worker: true,
      workerProviders: (env) => ({ ...offlineProviders(env), tagger }),
      env: { JOB_ATTEMPTS: '2', JOB_BACKOFF_MS: '10' },
    });
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
  });

  it("retries only that tenant's dead letters; the other tenant's stay dead", async () => {
    const beta = await stack.createTenant('beta');
    const ingest = async (key: string, prefix: string, count: number) => {
      const records = Array.from({ length: count }, (_, i) =>
        openaiRecord(`${prefix}-${i}`, `user-${i % 3}`),
      );
      const response = await call(stack, '/v1/conversations', {
        method: 'POST',
        key,
        body: JSON.stringify(records),
      });
      expect(response.status).toBe(200);
      expect(response.body.accepted).toBe(count);
    };
    await ingest(stack.tenant.ingestKey, 'acme', 4);
    await ingest(beta.ingestKey, 'beta', 3);

    await stack.queue.waitUntilIdle(30_000);
    await expect
      .poll(async () => (await stack.queue.counts()).tagging.failed, { timeout: 10_000 })
      .toBe(7);
    await expect
      .poll(async () => (await statusCounts(stack, beta.tenant.id)).failed, { timeout: 10_000 })
      .toBe(3);
    expect(await statusCounts(stack, stack.tenant.tenant.id)).toEqual({ failed: 4 });

    tagger.down = false;
    const output = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      // The command as an operator runs it: its own connections, the stack's queue prefix.
      await retryFailedCommand(
        { ...stack.env, QUEUE_PREFIX: stack.queuePrefix },
        { tenant: 'acme', json: true },
      );
      expect(JSON.parse(String(output.mock.calls.at(-1)?.[0]))).toEqual({
        conversations: 4,
        jobs_retried: 4,
      });
    } finally {
      output.mockRestore();
    }

    await stack.queue.waitUntilIdle(30_000);
    // Tagged, or already embedded if a clustering run picked them up.
    await expect
      .poll(
        async () => {
          const counts = await statusCounts(stack, stack.tenant.tenant.id);
          return { done: (counts.tagged ?? 0) + (counts.embedded ?? 0), failed: counts.failed };
        },
        { timeout: 10_000 },
      )
      .toEqual({ done: 4, failed: undefined });
    expect(await statusCounts(stack, beta.tenant.id)).toEqual({ failed: 3 });
    const dead = await stack.queue.deadLetters();
    expect(dead).toHaveLength(3);
    for (const letter of dead) {
      expect(letter.payload).toMatchObject({ tenantId: beta.tenant.id });
    }
  });
});
