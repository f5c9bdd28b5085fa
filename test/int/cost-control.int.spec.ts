/**
 * Cost control and sampling (issue #15, items 4 and 5) in both storage modes, with the real
 * worker tagging through the scripted OpenAI-compatible server (priced in LLM_PRICES):
 * - a budget of 0 holds everything back (`paused_budget`), so the estimate is taken before
 *   anything is sent; it is then compared with the tokens the server counted;
 * - a small budget tags part of the backlog and pauses the rest; the month turning resumes it,
 *   and so does a raised budget, until every conversation is tagged exactly once (one model call
 *   each, no conversation lost or tagged twice);
 * - a 25% sample tags exactly the conversations whose pseudonym falls in the sample, and the
 *   others never reach the model;
 * - the embeddings line prices a full run's facet texts: once tagged, exactly what the scripted
 *   server counts when those texts are sent to its `/v1/embeddings`.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  clusterDetailResponseSchema,
  costSummarySchema,
  estimateResponseSchema,
  overviewResponseSchema,
} from '@silhouette/contracts';
import { facetText } from '@silhouette/worker';
import { ScriptedLlmServer } from '../helpers/scripted-llm-server';
import { scriptedTaggerProviders } from '../helpers/scripted-providers';
import { call, startStack, type Stack } from '../helpers/stack';

const CLI = fileURLToPath(new URL('../../bin/silhouette.mjs', import.meta.url));
const run = promisify(execFile);
const PRICE = { input: 1000, output: 2000 }; // USD per 1M tokens: a call costs about a dollar

/** Conversations of varied length; a few far over the tagger's 4,000-token budget (truncated). */
function conversations(prefix: string, count: number): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => {
    const long = i % 10 === 3;
    const filler = 'The quarterly budget forecast lists expense lines and revenue notes. ';
    return {
      id: `${prefix}-${i}`,
      user_id: `person-${i % 12}`,
      messages: [
        { role: 'system', content: 'You are the finance assistant. '.repeat(long ? 200 : 2) },
        {
          role: 'user',
          content: `Check this budget forecast ${prefix}-${i}. ${filler.repeat(long ? 900 : 1 + (i % 7))}`,
        },
        {
          role: 'assistant',
          content: `Here is the summary of forecast ${i}. ${filler.repeat(i % 5)}`,
        },
        { role: 'tool', content: `{"rows": ${i}} `.repeat(long ? 400 : 3) },
        { role: 'user', content: 'Thanks, that worked!' },
      ],
    };
  });
}

describe.each(['server', 'embedded'] as const)('cost control (%s mode)', (mode) => {
  let stack: Stack;
  let llm: ScriptedLlmServer;
  const admin = (path: string, init: { method?: string; body?: unknown } = {}) =>
    call(stack, path, {
      key: stack.tenant.adminKey,
      ...(init.method ? { method: init.method } : {}),
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
  const setCost = async (body: Record<string, unknown>) => {
    const response = await admin('/v1/admin/cost', { method: 'PATCH', body });
    expect(response.status).toBe(200);
    return response.body;
  };
  const cost = async () => {
    const body = (await admin('/v1/cost')).body;
    expect(costSummarySchema.parse(body)).toEqual(body);
    return body;
  };
  const settle = async () => {
    await stack.worker!.reconcile(0);
    await stack.queue.waitUntilIdle(120_000);
  };
  const statuses = async () => {
    const result = await stack.ownerDb.query<{ status: string; n: number }>(
      `SELECT status, count(*)::integer AS n FROM sealed.conversations WHERE tenant_id = $1 GROUP BY status`,
      [stack.tenant.tenant.id],
    );
    return Object.fromEntries(result.rows.map((row) => [row.status, Number(row.n)]));
  };

  beforeAll(async () => {
    llm = await ScriptedLlmServer.start();
    stack = await startStack({
      mode,
      worker: true,
      workerProviders: scriptedTaggerProviders(llm),
      env: {
        TAG_MODEL: 'scripted-tagger',
        LLM_PRICES: JSON.stringify({ 'scripted-tagger': PRICE }),
        // One call at a time: a budget then stops at the call that reaches it.
        TAG_CONCURRENCY: '1',
        // The API's estimate needs to know a model is configured.
        OPENAI_BASE_URL: llm.baseURL,
      },
    });
  }, 120_000);

  afterAll(async () => {
    await stack?.close();
    await llm?.close();
  });

  let estimate: any;
  it('holds everything back at a budget of 0, and estimates the backlog before anything is sent', async () => {
    await setCost({ llm_budget_usd_per_month: 0 });
    const response = await call(stack, '/v1/conversations', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: JSON.stringify(conversations('a', 40)),
    });
    expect(response.body.accepted).toBe(40);
    await stack.queue.waitUntilIdle(60_000);
    expect(llm.chatRequestCount).toBe(0);
    expect(await statuses()).toEqual({ paused_budget: 40 });
    const summary = await cost();
    expect(summary.tagging).toBe('paused_budget');
    expect(summary.paused_conversations).toBe(40);
    expect(summary.budget.tenant).toMatchObject({ limit_usd: 0, reached: true });
    expect(summary.reference.usd_per_1000_conversations).toBe(0.49);
    expect(
      (await call(stack, '/v1/status', { key: stack.tenant.adminKey })).body.paused_budget,
    ).toBe(40);

    estimate = (await admin('/v1/admin/estimate')).body;
    expect(estimateResponseSchema.parse(estimate)).toEqual(estimate);
    expect(estimate.provider).toBe('openai-compatible');
    expect(estimate.backlog).toMatchObject({ conversations: 40, in_sample: 40, approximated: 0 });
    const tag = estimate.lines.find((line: any) => line.task === 'tag');
    expect(tag).toMatchObject({ model: 'scripted-tagger', calls: 40 });
    expect(tag.usd).toBeCloseTo(
      (tag.prompt_tokens * PRICE.input + tag.completion_tokens * PRICE.output) / 1e6,
      4,
    );
    expect(estimate.lines.map((line: any) => line.task)).toEqual(['tag', 'embed', 'name', 'audit']);
    // Before any facet exists, a full run's 40 texts at a typical 40 tokens, one request.
    const embed = estimate.lines.find((line: any) => line.task === 'embed');
    expect(embed).toMatchObject({
      model: 'text-embedding-3-small',
      calls: 1,
      prompt_tokens: 40 * 40,
      completion_tokens: 0,
    });
    expect(embed.usd).toBeCloseTo((1600 * 0.02) / 1e6, 8);
    expect(llm.chatRequestCount).toBe(0);
    expect(llm.requestsTo('embeddings')).toHaveLength(0);
  });

  it.runIf(mode === 'server')('prints the same estimate from `silhouette estimate`', async () => {
    const { stdout } = await run(
      process.execPath,
      [CLI, 'estimate', '--tenant', stack.tenant.tenant.slug, '--json'],
      {
        env: {
          ...process.env,
          DATABASE_URL: stack.env.DATABASE_URL!,
          REDIS_URL: stack.env.REDIS_URL!,
          QUEUE_PREFIX: stack.queuePrefix,
          SILHOUETTE_MASTER_KEY: stack.env.SILHOUETTE_MASTER_KEY!,
          SILHOUETTE_PSEUDONYM_SECRET: stack.env.SILHOUETTE_PSEUDONYM_SECRET!,
          OPENAI_BASE_URL: llm.baseURL,
          TAG_MODEL: 'scripted-tagger',
          LLM_PRICES: JSON.stringify({ 'scripted-tagger': PRICE }),
          LOG_LEVEL: 'silent',
        },
      },
    );
    const printed = JSON.parse(stdout);
    expect(printed.tenant).toBe(stack.tenant.tenant.slug);
    expect(printed.backlog).toEqual(estimate.backlog);
    expect(printed.lines).toEqual(estimate.lines);
    expect(llm.chatRequestCount).toBe(0);
  });

  it('tags up to a budget, pauses the rest, and resumes when the month turns', async () => {
    await setCost({ llm_budget_usd_per_month: 5 });
    await settle();
    const first = await statuses();
    const tagged = first['tagged'] ?? 0;
    expect(tagged).toBeGreaterThan(0);
    expect(first['paused_budget']).toBe(40 - tagged);
    const summary = await cost();
    expect(summary.tagging).toBe('paused_budget');
    expect(summary.spend.usd).toBeGreaterThanOrEqual(5);
    // One call at a time: the budget is passed by the last call only.
    const perCall = summary.spend.usd / summary.spend.tagged_conversations;
    expect(summary.spend.usd).toBeLessThan(5 + perCall * 1.5);
    expect(summary.spend.tagged_conversations).toBe(tagged);
    expect(summary.resumes_at).toMatch(/-01T00:00:00.000Z$/);

    // The month turns: this month's spend becomes last month's, and tagging resumes.
    await stack.ownerDb.query(
      `UPDATE app.llm_spend SET month = (month - interval '1 month')::date WHERE tenant_id = $1`,
      [stack.tenant.tenant.id],
    );
    await settle();
    const second = await statuses();
    expect(second['tagged']).toBeGreaterThan(tagged);
    expect((second['tagged'] ?? 0) + (second['paused_budget'] ?? 0)).toBe(40);
  });

  it('finishes when the budget is raised, every conversation tagged exactly once', async () => {
    await setCost({ llm_budget_usd_per_month: 100_000 });
    await settle();
    expect(await statuses()).toEqual({ tagged: 40 });
    expect(llm.chatRequestCount).toBe(40);
    const facets = await stack.ownerDb.query<{ n: number; conversations: number }>(
      `SELECT count(*)::integer AS n, count(DISTINCT conversation_id)::integer AS conversations
         FROM sealed.facets WHERE tenant_id = $1`,
      [stack.tenant.tenant.id],
    );
    expect(facets.rows[0]).toEqual({ n: 40, conversations: 40 });
    const summary = await cost();
    expect(summary.tagging).toBe('active');
    expect(summary.paused_conversations).toBe(0);
  });

  it("estimated the tagging prompt tokens within 3% of the server's count", async () => {
    const counted = await stack.ownerDb.query<{ prompt: number; completion: number }>(
      `SELECT sum(prompt_tokens)::integer AS prompt, sum(completion_tokens)::integer AS completion
         FROM sealed.facets WHERE tenant_id = $1`,
      [stack.tenant.tenant.id],
    );
    const tag = estimate.lines.find((line: any) => line.task === 'tag');
    const error = (tag.prompt_tokens - counted.rows[0]!.prompt) / counted.rows[0]!.prompt;
    console.log(
      `[${mode}] tag prompt tokens: estimated ${tag.prompt_tokens}, counted ${counted.rows[0]!.prompt} (${(error * 100).toFixed(2)}%); completion: estimated ${tag.completion_tokens}, counted ${counted.rows[0]!.completion}`,
    );
    expect(Math.abs(error)).toBeLessThan(0.03);
    // Once answers exist, the estimate uses their mean completion length.
    const later = (await admin('/v1/admin/estimate')).body;
    expect(later.backlog.conversations).toBe(0);
    expect(later.lines[0].calls).toBe(0);

    // Embeddings: the texts a full run would embed, sent to the server's /v1/embeddings as the
    // embedder sends them; its usage is the count. Tagged, the estimate counts them exactly.
    const facets = await stack.ownerDb.query<{
      taskType: string;
      useCase: string;
      goalSummary: string;
    }>(
      `SELECT task_type AS "taskType", use_case AS "useCase", goal_summary AS "goalSummary"
         FROM sealed.facets WHERE tenant_id = $1`,
      [stack.tenant.tenant.id],
    );
    const sent = await new OpenAI({ baseURL: llm.baseURL, apiKey: 'test' }).embeddings.create({
      model: 'text-embedding-3-small',
      input: facets.rows.map(facetText),
      encoding_format: 'float',
    });
    const embedCounted = sent.usage.prompt_tokens;
    const embedLater = later.lines.find((line: any) => line.task === 'embed');
    expect(embedLater).toMatchObject({ calls: 1, prompt_tokens: embedCounted });
    const embedBefore = estimate.lines.find((line: any) => line.task === 'embed');
    console.log(
      `[${mode}] embedding tokens: estimated before tagging ${embedBefore.prompt_tokens} (typical length), after ${embedLater.prompt_tokens}; counted ${embedCounted} (${(((embedBefore.prompt_tokens - embedCounted) / embedCounted) * 100).toFixed(1)}% before tagging)`,
    );
  });

  it('tags a deterministic 25% sample and never sends the rest to the model', async () => {
    await setCost({ sample_rate: 0.25 });
    // The worker reads cost settings at most a second old.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const before = llm.chatRequestCount;
    const since = (await stack.ownerDb.query<{ at: Date }>('SELECT now() AS at')).rows[0]!.at;
    const response = await call(stack, '/v1/conversations', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: JSON.stringify(conversations('b', 80)),
    });
    expect(response.body.accepted).toBe(80);
    await stack.queue.waitUntilIdle(120_000);
    const expected = await stack.ownerDb.query<{ status: string; in_sample: boolean }>(
      `SELECT status, sealed.sample_bucket(external_id) < 0.25 * 4294967296 AS in_sample
         FROM sealed.conversations WHERE tenant_id = $1 AND ingested_at >= $2`,
      [stack.tenant.tenant.id, since],
    );
    expect(expected.rows).toHaveLength(80);
    const sampled = expected.rows.filter((row) => row.in_sample);
    expect(sampled.length).toBeGreaterThan(5);
    expect(sampled.length).toBeLessThan(40);
    for (const row of expected.rows)
      expect(row.status).toBe(row.in_sample ? 'tagged' : 'not_sampled');
    const counts = await statuses();
    expect(counts['not_sampled']).toBe(80 - sampled.length);
    expect(llm.chatRequestCount - before).toBe(sampled.length);
    const summary = await cost();
    expect(summary.sample_rate).toBe(0.25);
    expect(summary.not_sampled_conversations).toBe(80 - sampled.length);
    // Content outside the sample is deleted like tagged content (default retention).
    const kept = await stack.ownerDb.query<{ n: number }>(
      `SELECT count(*)::integer AS n FROM sealed.conversations
        WHERE tenant_id = $1 AND status = 'not_sampled' AND ciphertext IS NOT NULL`,
      [stack.tenant.tenant.id],
    );
    expect(kept.rows[0]!.n).toBe(0);
  });

  it('publishes sampled figures scaled to every conversation, with their intervals', async () => {
    await stack.queue.enqueue('cluster-tenant', { tenantId: stack.tenant.tenant.id });
    await stack.queue.waitUntilIdle(120_000);
    const overview = (await admin('/v1/insights/overview')).body;
    expect(overviewResponseSchema.parse(overview)).toEqual(overview);
    const counts = await statuses();
    const sampled = (counts['tagged'] ?? 0) + (counts['embedded'] ?? 0);
    const population = sampled + (counts['not_sampled'] ?? 0);
    expect(overview.sample).toMatchObject({ rate: 0.25, sampled, population });
    expect(overview.sample.factor).toBeCloseTo(population / sampled, 3);
    // The tenant's total is the whole population; a cell is its sample count times the factor.
    expect(overview.conversations).toBe(population);
    const minutes = overview.minutes_saved;
    expect(minutes.total_low).toBeLessThanOrEqual(minutes.total);
    expect(minutes.total_high).toBeGreaterThan(minutes.total);
    const clusters = (await admin('/v1/insights/clusters?level=0')).body.clusters;
    expect(clusters.length).toBeGreaterThan(0);
    const f = sampled / population;
    for (const summary of clusters) {
      const detail = (await admin(`/v1/insights/clusters/${summary.id}`)).body;
      expect(clusterDetailResponseSchema.parse(detail)).toEqual(detail);
      const interval = detail.metrics.sampling.conversations;
      const c = detail.conversations / overview.sample.factor;
      const half =
        1.645 * overview.sample.factor * Math.sqrt((1 - f) * c * Math.max(0, 1 - c / sampled));
      expect(interval.low).toBeCloseTo(Math.max(0, detail.conversations - half), -1);
      expect(interval.high).toBeCloseTo(detail.conversations + half, -1);
      expect(detail.metrics.sampling.minutes_saved.low).toBeLessThanOrEqual(detail.minutes_saved);
      expect(detail.metrics.sampling.minutes_saved.high).toBeGreaterThanOrEqual(
        detail.minutes_saved,
      );
    }
  });

  it('refuses bad settings with the field named', async () => {
    const bad = await admin('/v1/admin/cost', { method: 'PATCH', body: { sample_rate: 0 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('sample_rate');
    const negative = await admin('/v1/admin/cost', {
      method: 'PATCH',
      body: { llm_budget_usd_per_month: -1 },
    });
    expect(negative.body.error.field).toBe('llm_budget_usd_per_month');
    const reader = await call(stack, '/v1/admin/cost', {
      method: 'PATCH',
      key: stack.tenant.readKey,
      body: JSON.stringify({ sample_rate: 0.5 }),
    });
    expect(reader.status).toBe(403);
    expect((await call(stack, '/v1/cost', { key: stack.tenant.readKey })).status).toBe(403);
  });
});
