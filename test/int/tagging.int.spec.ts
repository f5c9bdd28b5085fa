/**
 * Issue #3 end to end in server mode (PostgreSQL + BullMQ): SGD conversations through ingest and
 * the tag worker, with the offline provider and with the OpenAI-compatible provider against the
 * scripted server (correct answers, 30 % faults, PII-leaking answers).
 */
import type { Env } from '@silhouette/config';
import { LlmTagger, StructuredLlmClient, TAG_SCHEMA_NAME } from '@silhouette/llm';
import {
  buildTagUserMessage,
  renderConversation,
  tagResponseJsonSchema,
  TAG_SYSTEM_PROMPT,
} from '../../libs/llm/src/tagging/prompt';
import { scrubPii } from '@silhouette/privacy';
import type { WorkerDeps } from '@silhouette/worker';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { presidioValues, sgdRecords } from '../helpers/datasets';
import { offlineProviders } from '../helpers/providers';
import { ScriptedLlmServer } from '../helpers/scripted-llm-server';
import { call, startStack, TEST_METRICS_TOKEN, type Stack } from '../helpers/stack';

const scrub: WorkerDeps['scrub'] = (text) => {
  const result = scrubPii(text);
  return { text: result.text, redactions: result.redactions };
};

function llmProviders(server: ScriptedLlmServer) {
  return (env: Env): Pick<WorkerDeps, 'tagger' | 'scrub' | 'embedderFor'> => ({
    tagger: new LlmTagger({
      client: new StructuredLlmClient({
        baseURL: server.baseURL,
        apiKey: 'test',
        maxAttempts: 2,
        baseDelayMs: 5,
        maxDelayMs: 20,
        timeoutMs: 1500,
        concurrency: env.TAG_CONCURRENCY,
      }),
      model: env.TAG_MODEL,
    }),
    scrub,
    embedderFor: offlineProviders(env).embedderFor,
  });
}

async function ingestAll(stack: Stack, records: Record<string, unknown>[]): Promise<void> {
  for (let i = 0; i < records.length; i += 100) {
    const response = await call(stack, '/v1/conversations', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: JSON.stringify(records.slice(i, i + 100)),
    });
    expect(response.status).toBe(200);
  }
}

async function facetCounts(stack: Stack) {
  const result = await stack.ownerDb.query<{
    facets: number;
    conversations: number;
    distinct_facets: number;
  }>(
    `SELECT (SELECT count(*)::integer FROM sealed.facets) AS facets,
            (SELECT count(*)::integer FROM sealed.conversations) AS conversations,
            (SELECT count(DISTINCT conversation_id)::integer FROM sealed.facets) AS distinct_facets`,
  );
  return result.rows[0]!;
}

describe('tagging 200 SGD conversations', () => {
  const records = sgdRecords(200, 40);
  let stack: Stack | undefined;
  let server: ScriptedLlmServer | undefined;
  afterEach(async () => {
    await stack?.close();
    await server?.close();
    stack = undefined;
    server = undefined;
  });

  it('offline provider: every conversation gets exactly one facet row', async () => {
    stack = await startStack({ mode: 'server', worker: true, workerProviders: offlineProviders });
    await ingestAll(stack, records);
    await stack.queue.waitUntilIdle(120_000);
    expect(await facetCounts(stack)).toEqual({
      facets: 200,
      conversations: 200,
      distinct_facets: 200,
    });
    const providers = await stack.ownerDb.query<{ provider: string }>(
      'SELECT DISTINCT provider FROM sealed.facets',
    );
    expect(providers.rows).toEqual([{ provider: 'offline' }]);
  });

  it('OpenAI-compatible provider: one facet row and exactly one model call per conversation', async () => {
    server = await ScriptedLlmServer.start();
    stack = await startStack({
      mode: 'server',
      worker: true,
      workerProviders: llmProviders(server),
      env: { TAG_MODEL: 'scripted-tagger' },
    });
    await ingestAll(stack, records);
    await stack.queue.waitUntilIdle(120_000);
    expect(await facetCounts(stack)).toEqual({
      facets: 200,
      conversations: 200,
      distinct_facets: 200,
    });
    expect(server.chatRequestCount).toBe(200);
    const tokens = await stack.ownerDb.query<{ provider: string; prompt_tokens: number }>(
      'SELECT DISTINCT provider, (prompt_tokens > 0) AS prompt_tokens FROM sealed.facets',
    );
    expect(tokens.rows).toEqual([{ provider: 'openai-compatible', prompt_tokens: true }]);
  });

  it('30 % faults (429, 500, invalid JSON, timeouts): nothing is lost; failures are dead-lettered with a reason and retryable', async () => {
    server = await ScriptedLlmServer.start({ slowMs: 3000 });
    server.setFailureRate(0.3, 7);
    stack = await startStack({
      mode: 'server',
      worker: true,
      workerProviders: llmProviders(server),
      env: {
        TAG_MODEL: 'scripted-tagger',
        JOB_ATTEMPTS: '2',
        JOB_BACKOFF_MS: '10',
        METRICS_TOKEN: TEST_METRICS_TOKEN,
      },
    });
    await ingestAll(stack, records);
    await stack.queue.waitUntilIdle(180_000);
    const faults = server
      .requestsTo('chat')
      .filter((request) => request.answeredAs !== 'ok').length;
    expect(faults).toBeGreaterThan(40);
    const status = (await call(stack, '/v1/status', { key: stack.tenant.adminKey })).body;
    expect(status.accepted).toBe(0);
    expect(status.tagged + status.failed).toBe(200);
    const failed = await stack.ownerDb.query<{ last_error: string | null }>(
      "SELECT last_error FROM sealed.conversations WHERE status = 'failed'",
    );
    for (const row of failed.rows) expect(row.last_error).toMatch(/\w+/);
    if (status.failed > 0) {
      expect((await call(stack, '/metrics', { key: TEST_METRICS_TOKEN })).text).toMatch(
        /silhouette_jobs_processed_total\{job="tag-conversation",result="dead_lettered"\} [1-9]/,
      );
    }

    server.setFailureRate(0);
    await stack.ownerDb.query(
      "UPDATE sealed.conversations SET status = 'accepted' WHERE status = 'failed'",
    );
    await stack.queue.retryDeadLetters();
    await stack.queue.waitUntilIdle(120_000);
    expect(await facetCounts(stack)).toEqual({
      facets: 200,
      conversations: 200,
      distinct_facets: 200,
    });
  });
});

describe('a PII-leaking model', () => {
  let stack: Stack;
  let server: ScriptedLlmServer;
  const pii = presidioValues(['PERSON', 'EMAIL_ADDRESS', 'PHONE_NUMBER', 'CREDIT_CARD'], 15);
  const canaries = Object.values(pii).flat();

  beforeAll(async () => {
    server = await ScriptedLlmServer.start({ mode: 'leak_pii' });
    stack = await startStack({
      mode: 'server',
      worker: true,
      workerProviders: llmProviders(server),
      env: { TAG_MODEL: 'scripted-tagger' },
    });
    const records = sgdRecords(60, 12).map((record, i) => {
      const messages = record.messages as { role: string; content: string }[];
      const first = messages.findIndex((message) => message.role === 'user');
      const person = pii.PERSON![i % pii.PERSON!.length]!;
      const email = pii.EMAIL_ADDRESS![i % pii.EMAIL_ADDRESS!.length]!;
      const phone = pii.PHONE_NUMBER![i % pii.PHONE_NUMBER!.length]!;
      const card = pii.CREDIT_CARD![i % pii.CREDIT_CARD!.length]!;
      messages[first] = {
        role: 'user',
        content: `I am ${person}, reach me at ${email} or ${phone}; pay with ${card}. ${messages[first]!.content}`,
      };
      return record;
    });
    await ingestAll(stack, records);
    await stack.queue.waitUntilIdle(120_000);
  });
  afterAll(async () => {
    await stack?.close();
    await server?.close();
  });

  it('really leaks (so this test means something)', async () => {
    const email = pii.EMAIL_ADDRESS![0]!;
    const response = await fetch(`${server.baseURL}/chat/completions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: 'Bearer test' },
      body: JSON.stringify({
        model: 'scripted-tagger',
        messages: [
          { role: 'system', content: TAG_SYSTEM_PROMPT },
          {
            role: 'user',
            content: buildTagUserMessage(
              renderConversation([
                { role: 'user', content: `Mail me at ${email} about the booking` },
              ]),
            ),
          },
        ],
        response_format: {
          type: 'json_schema',
          json_schema: { name: TAG_SCHEMA_NAME, schema: tagResponseJsonSchema(), strict: true },
        },
      }),
    });
    const completion = (await response.json()) as { choices: { message: { content: string } }[] };
    expect(completion.choices[0]!.message.content).toContain(email);
  });

  it('leaves no canary in any facet row, and records the redactions', async () => {
    const rows = await stack.ownerDb.query<{ row: string; redactions: number }>(
      'SELECT f::text AS row, redactions FROM sealed.facets f',
    );
    expect(rows.rows).toHaveLength(60);
    const leaks = rows.rows.flatMap(({ row }) => canaries.filter((canary) => row.includes(canary)));
    expect(leaks).toEqual([]);
    expect(rows.rows.reduce((sum, row) => sum + Number(row.redactions), 0)).toBeGreaterThan(60);
  });
});
