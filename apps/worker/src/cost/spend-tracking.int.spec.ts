/**
 * A clustering run's embedding requests are the tenant's spend: the real OpenAI-compatible
 * embedder against the scripted server, recorded in a real database (PGlite, the real
 * migrations). The tokens recorded are the estimate's count of the texts; the server's own usage
 * for the same texts is the check. The offline embedder sends nothing and records nothing.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OfflineEmbedder, OpenAiEmbedder } from '@silhouette/clustering';
import { parseEnv } from '@silhouette/config';
import { CostControlRepository, TenantRepository, type Database } from '@silhouette/db';
import { ScriptedLlmServer } from '../../../../test/helpers/scripted-llm-server';
import { openMigratedDatabase } from '../../../../test/helpers/services';
import type { WorkerDeps } from '../worker-deps';
import { BudgetGuard } from './budget-guard';
import { RunSpend } from './spend-tracking';

const TEXTS = [
  'debugging; fix a failing build; get the CI pipeline green again',
  'writing; draft a customer e-mail; answer a refund request politely',
  '',
  'analysis; compare quarterly figures; explain the revenue change',
  'coding; write a SQL query; list overdue invoices by customer',
  'planning; organise a team offsite; pick dates and a venue',
  'translation; translate a product page; publish it in Spanish',
  'learning; understand pgvector; choose an index for embeddings',
  'support; reset a password; regain access to the account',
  'writing; summarise meeting notes; share decisions with the team',
];

describe('spend tracking of embeddings', () => {
  let db: Database;
  let cleanup: () => Promise<void>;
  let llm: ScriptedLlmServer;
  let tenantId: string;
  const env = parseEnv({});

  beforeAll(async () => {
    ({ db, cleanup } = await openMigratedDatabase('pglite'));
    llm = await ScriptedLlmServer.start();
    tenantId = (
      await new TenantRepository(db).insert({
        slug: 'acme',
        name: 'Acme',
        kUsers: 5,
        minConversations: 10,
      })
    ).id;
  });
  afterAll(async () => {
    await llm?.close();
    await cleanup?.();
  });

  it("records an endpoint embedder's requests as the tenant's spend, tokens as the server counts them", async () => {
    const embedder = new OpenAiEmbedder({
      model: 'text-embedding-3-small',
      dimension: 64,
      baseURL: llm.baseURL,
      apiKey: 'test',
      batchSize: 4,
    });
    const spend = new RunSpend();
    const deps = spend.track({
      embedderFor: async () => ({ embedder }),
    } as unknown as WorkerDeps);
    const { embedder: tracked } = await deps.embedderFor(TEXTS);
    const vectors = await tracked.embed(TEXTS);
    expect(vectors).toHaveLength(TEXTS.length);
    expect(llm.requestsTo('embeddings')).toHaveLength(3);
    await spend.record(new BudgetGuard(db, env), tenantId);

    const rows = await new CostControlRepository(db).spend(tenantId);
    expect(rows).toHaveLength(1);
    const row = rows[0]!;
    expect(row).toMatchObject({ task: 'embed', model: 'text-embedding-3-small', calls: 3 });
    // The server's usage for the same inputs (the embedder sends "" as " ").
    const counted = await new OpenAI({ baseURL: llm.baseURL, apiKey: 'test' }).embeddings.create({
      model: 'text-embedding-3-small',
      input: TEXTS.map((text) => (text.length === 0 ? ' ' : text)),
      encoding_format: 'float',
    });
    expect(row.promptTokens).toBe(counted.usage.prompt_tokens);
    expect(row.costUsd).toBeCloseTo((counted.usage.prompt_tokens * 0.02) / 1e6, 10);
  });

  it('records nothing for the offline embedder', async () => {
    const before = llm.requestsTo('embeddings').length;
    const spend = new RunSpend();
    const deps = spend.track({
      embedderFor: async (texts: readonly string[]) => ({ embedder: OfflineEmbedder.fit(texts) }),
    } as unknown as WorkerDeps);
    const { embedder } = await deps.embedderFor(TEXTS);
    expect(await embedder.embed(TEXTS)).toHaveLength(TEXTS.length);
    const other = (
      await new TenantRepository(db).insert({
        slug: 'other',
        name: 'Other',
        kUsers: 5,
        minConversations: 10,
      })
    ).id;
    await spend.record(new BudgetGuard(db, env), other);
    expect(await new CostControlRepository(db).spend(other)).toEqual([]);
    expect(llm.requestsTo('embeddings')).toHaveLength(before);
  });
});
