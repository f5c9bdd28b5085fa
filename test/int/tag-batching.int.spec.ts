/**
 * The tag processor batches the statements of its concurrent jobs (issue #13, item 5: tagging
 * throughput): the loads, the spend records and the facet saves of jobs in flight together go to
 * the database as one statement each. Both storage modes, against the real database and the
 * scripted OpenAI-compatible server. What must hold: every conversation tagged exactly once with
 * one model call, far fewer statements than jobs, spend totals equal to the per-call sum, and a
 * bad job failing alone while the rest of its batch is tagged.
 */
import { CostControlRepository, type Database, type TransactionScope } from '@silhouette/db';
import { tagConversationProcessor, type WorkerDeps } from '@silhouette/worker';
import { createLogger, Metrics } from '@silhouette/telemetry';
import { afterEach, describe, expect, it } from 'vitest';
import { sgdRecords } from '../helpers/datasets';
import { scriptedLlmProviders } from '../helpers/providers';
import { ScriptedLlmServer, type ScriptedLlmServerOptions } from '../helpers/scripted-llm-server';
import { call, startStack, type Stack } from '../helpers/stack';
import { SealedConversationStore } from '@silhouette/sealed';

/** The worker's database, counting the statements that match each pattern. */
function countingDatabase(db: Database, counts: Map<RegExp, number>): Database {
  const counted = (text: string) => {
    for (const pattern of counts.keys())
      if (pattern.test(text)) counts.set(pattern, counts.get(pattern)! + 1);
  };
  return {
    engine: db.engine,
    query: ((text: string, params?: unknown[]) => {
      counted(text);
      return db.query(text, params);
    }) as Database['query'],
    exec: (sql) => db.exec(sql),
    close: () => db.close(),
    transaction: (fn) =>
      db.transaction((tx) =>
        fn({
          query: ((text: string, params?: unknown[]) => {
            counted(text);
            return tx.query(text, params);
          }) as TransactionScope['query'],
          exec: (sql) => tx.exec(sql),
        } as TransactionScope),
      ),
  };
}

const LOAD = /FROM unnest\(\$1::uuid\[\], \$2::uuid\[\]\) AS k\(tenant_id, id\)/;
const SAVE = /INSERT INTO sealed\.facets/;
const SPEND = /app\.llm_spend/;

describe.each(['server', 'embedded'] as const)('batched tag statements (%s mode)', (mode) => {
  let stack: Stack | undefined;
  let server: ScriptedLlmServer | undefined;
  afterEach(async () => {
    await stack?.close();
    await server?.close();
    stack = undefined;
    server = undefined;
  });

  async function setUp(count: number, respond?: ScriptedLlmServerOptions['respond']) {
    server = await ScriptedLlmServer.start(respond ? { respond } : {});
    stack = await startStack({ mode, env: { TAG_MODEL: 'scripted-tagger' } });
    const records = sgdRecords(count, 11);
    const response = await call(stack, '/v1/conversations', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: JSON.stringify(records),
    });
    expect(response.status).toBe(200);
    const ids = await stack.ownerDb.query<{ id: string }>(
      'SELECT id FROM sealed.conversations WHERE tenant_id = $1 ORDER BY id',
      [stack.tenant.tenant.id],
    );
    expect(ids.rows).toHaveLength(count);
    const counts = new Map<RegExp, number>([
      [LOAD, 0],
      [SAVE, 0],
      [SPEND, 0],
    ]);
    const db = countingDatabase(stack.workerDb, counts);
    const deps: WorkerDeps = {
      env: stack.env,
      db,
      queue: stack.queue,
      store: new SealedConversationStore(db, stack.keyring),
      ...scriptedLlmProviders(server)(stack.env),
      logger: createLogger({ level: 'silent' }),
      metrics: new Metrics({ defaultMetrics: false }),
    };
    return { ids: ids.rows.map((row) => row.id), counts, process: tagConversationProcessor(deps) };
  }

  async function statuses(s: Stack) {
    const result = await s.ownerDb.query<{ status: string; n: number }>(
      `SELECT status, count(*)::integer AS n FROM sealed.conversations GROUP BY status ORDER BY status`,
    );
    return Object.fromEntries(result.rows.map((row) => [row.status, row.n]));
  }

  it('40 concurrent jobs: each conversation tagged once with one model call, in a few statements, spend summed exactly', async () => {
    const { ids, counts, process } = await setUp(40);
    const tenantId = stack!.tenant.tenant.id;
    await Promise.all(ids.map((conversationId) => process({ tenantId, conversationId })));

    expect(await statuses(stack!)).toEqual({ tagged: 40 });
    const facets = await stack!.ownerDb.query<{ n: number; distinct: number }>(
      'SELECT count(*)::integer AS n, count(DISTINCT conversation_id)::integer AS distinct FROM sealed.facets',
    );
    expect(facets.rows[0]).toEqual({ n: 40, distinct: 40 });
    expect(server!.chatRequestCount).toBe(40);
    // Content is deleted as each conversation is tagged (default retention), in the same statement.
    const content = await stack!.ownerDb.query<{ n: number }>(
      'SELECT count(*)::integer AS n FROM sealed.conversations WHERE ciphertext IS NOT NULL',
    );
    expect(content.rows[0]!.n).toBe(0);
    // Batched: far fewer statements than jobs (one per job before).
    expect(counts.get(LOAD)).toBeGreaterThan(0);
    expect(counts.get(LOAD)).toBeLessThanOrEqual(10);
    expect(counts.get(SAVE)).toBeGreaterThan(0);
    expect(counts.get(SAVE)).toBeLessThanOrEqual(20);
    expect(counts.get(SPEND)).toBeLessThanOrEqual(20);
    // Spend totals are the sum of the calls, whatever the grouping.
    const spend = await new CostControlRepository(stack!.ownerDb).monthTotals(undefined, tenantId);
    const tokens = await stack!.ownerDb.query<{ prompt: number; completion: number }>(
      'SELECT sum(prompt_tokens)::integer AS prompt, sum(completion_tokens)::integer AS completion FROM sealed.facets',
    );
    expect(spend.calls).toBe(40);
    expect(spend.promptTokens).toBe(tokens.rows[0]!.prompt);
    expect(spend.completionTokens).toBe(tokens.rows[0]!.completion);

    // A re-run (the reconciler or a retried job) changes nothing and calls no model.
    await Promise.all(ids.map((conversationId) => process({ tenantId, conversationId })));
    expect(server!.chatRequestCount).toBe(40);
    expect(
      (await new CostControlRepository(stack!.ownerDb).monthTotals(undefined, tenantId)).calls,
    ).toBe(40);
  });

  it('a bad job in a batch fails alone: the others in its batch are tagged', async () => {
    const { ids, process } = await setUp(12);
    const tenantId = stack!.tenant.tenant.id;
    // A payload that is not a uuid breaks the shared load statement; the batch is then loaded
    // one by one and only that job fails.
    const outcomes = await Promise.allSettled([
      ...ids.slice(0, 6).map((conversationId) => process({ tenantId, conversationId })),
      process({ tenantId, conversationId: 'not-a-uuid' }),
      ...ids.slice(6).map((conversationId) => process({ tenantId, conversationId })),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual([
      ...Array(6).fill('fulfilled'),
      'rejected',
      ...Array(6).fill('fulfilled'),
    ]);
    expect(await statuses(stack!)).toEqual({ tagged: 12 });
    expect(server!.chatRequestCount).toBe(12);
  });

  it('a conversation erased while its model call is in flight fails alone: the rest of the batch is saved', async () => {
    let erase: (() => Promise<void>) | undefined;
    const { ids, process } = await setUp(8, async () => {
      // On the first model call (every job's load is done by then), erase one conversation.
      const once = erase;
      erase = undefined;
      await once?.();
      return undefined;
    });
    const tenantId = stack!.tenant.tenant.id;
    const victim = ids[3]!;
    erase = async () => {
      await stack!.ownerDb.query('DELETE FROM sealed.conversations WHERE id = $1', [victim]);
    };
    const outcomes = await Promise.allSettled(
      ids.map((conversationId) => process({ tenantId, conversationId })),
    );
    // Its facet row cannot be written (the conversation is gone): that job fails, and its
    // failure broke no other job's save, although they were batched together.
    expect(outcomes.map((outcome) => outcome.status)).toEqual(
      ids.map((id) => (id === victim ? 'rejected' : 'fulfilled')),
    );
    expect(await statuses(stack!)).toEqual({ tagged: 7 });
    const facets = await stack!.ownerDb.query<{ conversation_id: string }>(
      'SELECT conversation_id FROM sealed.facets',
    );
    expect(facets.rows.map((row) => row.conversation_id).sort()).toEqual(
      ids.filter((id) => id !== victim).sort(),
    );
  });
});
