/**
 * `npm run bench -- estimate [--conversations N]`
 *
 * The cost estimate (`GET /v1/admin/estimate`, `silhouette estimate`) against what tagging then
 * really sends. Server mode with the real worker; the tagger talks to the scripted
 * OpenAI-compatible server. The tenant's budget is 0 while the backlog is ingested (nothing is
 * sent, everything waits as `paused_budget`), the estimate is taken, then the budget is raised and
 * the backlog tagged. Two counts of what was sent:
 *  - the scripted server's own usage (≈ 4 characters per token, as our estimate), and
 *  - a real BPE tokenizer (o200k_base, gpt-4o-mini's, from the `gpt-tokenizer` package) over the
 *    exact request bodies the server received: message contents, 3 tokens of chat framing per
 *    message plus 3 for the reply (OpenAI's published rule), and the `response_format` JSON.
 * Embeddings: the estimate's line before tagging (the backlog at a typical text length) against
 * the facet texts a full clustering run then embeds, sent to the scripted server's
 * `/v1/embeddings` (its usage is the count) and counted with o200k_base (text-embedding-3's
 * tokenizer is cl100k_base; o200k_base is close on English and is what is installed).
 * Data: real oasst1 threads (multilingual, some long) and SGD dialogues from ../shared/data.
 */
import { readFileSync } from 'node:fs';
import { countTokens } from 'gpt-tokenizer/encoding/o200k_base';
import { backlogEstimate } from '@silhouette/api';
import { CostControlRepository } from '@silhouette/db';
import { facetText } from '@silhouette/worker';
import OpenAI from 'openai';
import { sgdRecords } from '../../test/helpers/datasets';
import { ScriptedLlmServer } from '../../test/helpers/scripted-llm-server';
import { scriptedTaggerProviders } from '../../test/helpers/scripted-providers';
import { startStack, type Stack } from '../../test/helpers/stack';
import { IngestService, Pseudonymizer, splitRecords } from '@silhouette/ingest';
import { flag, machine } from './common';

const OASST = new URL('../../../shared/data/oasst1-dev/conversations.jsonl', import.meta.url);

function oasstRecords(count: number): Record<string, unknown>[] {
  return readFileSync(OASST, 'utf8')
    .split('\n')
    .filter(Boolean)
    .slice(0, count)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

async function ingest(stack: Stack, records: Record<string, unknown>[]): Promise<void> {
  const service = new IngestService(
    stack.apiDb,
    stack.queue,
    new Pseudonymizer(Buffer.from(stack.env.SILHOUETTE_PSEUDONYM_SECRET!, 'hex')),
  );
  const raw = splitRecords(records.map((record) => JSON.stringify(record)).join('\n'));
  for (let i = 0; i < raw.length; i += 500)
    await service.ingestRecords(stack.tenant.tenant, raw.slice(i, i + 500), {
      format: 'auto',
      limits: {
        maxRecords: 500,
        maxRequestBytes: Number.MAX_SAFE_INTEGER,
        maxMessageBytes: 1_000_000,
      },
      oversizedMessage: 'record',
    });
}

/** o200k_base tokens of one chat request as sent: contents, framing, response format. */
function bpeTokens(body: Record<string, unknown>): number {
  const messages = (body['messages'] as { content?: unknown }[] | undefined) ?? [];
  let tokens = 3;
  for (const message of messages)
    tokens += 3 + (typeof message.content === 'string' ? countTokens(message.content) : 0);
  if (body['response_format']) tokens += countTokens(JSON.stringify(body['response_format']));
  return tokens;
}

const embedRows: string[] = [];

const pct = (estimate: number, counted: number) =>
  `${(((estimate - counted) / counted) * 100).toFixed(1)}%`;

async function measure(name: string, records: Record<string, unknown>[]) {
  const llm = await ScriptedLlmServer.start();
  const stack = await startStack({
    mode: 'server',
    worker: true,
    workerProviders: scriptedTaggerProviders(llm),
    env: {
      TAG_MODEL: 'gpt-4o-mini',
      OPENAI_BASE_URL: llm.baseURL,
      TAG_CONCURRENCY: '16',
      LOG_LEVEL: 'warn',
    },
  });
  try {
    const tenantId = stack.tenant.tenant.id;
    const costs = new CostControlRepository(stack.ownerDb);
    await costs.updateSettings(tenantId, { budgetUsdPerMonth: 0 });
    await ingest(stack, records);
    await stack.queue.waitUntilIdle(600_000);
    const estimate = await backlogEstimate(stack.apiDb, stack.env, tenantId);
    const tag = estimate.lines.find((line) => line.task === 'tag')!;
    if (llm.chatRequestCount !== 0) throw new Error('the estimate must come before any call');
    await costs.updateSettings(tenantId, { budgetUsdPerMonth: null });
    await new Promise((resolve) => setTimeout(resolve, 1_100)); // settings cache
    while ((await stack.worker!.reconcile(0)) > 0) await stack.queue.waitUntilIdle(600_000);
    await stack.queue.waitUntilIdle(600_000);
    const counted = await stack.ownerDb.query<{ n: number; prompt: number; completion: number }>(
      `SELECT count(*)::integer AS n, sum(prompt_tokens)::integer AS prompt,
              sum(completion_tokens)::integer AS completion FROM sealed.facets WHERE tenant_id = $1`,
      [tenantId],
    );
    const row = counted.rows[0]!;
    const bodies = llm.requestsTo('chat').map((request) => request.body as Record<string, unknown>);
    const bpe = bodies.reduce((sum, body) => sum + bpeTokens(body), 0);
    const scriptedCompletion = row.completion;
    console.log(
      `| ${name} | ${records.length} | ${tag.calls} / ${row.n} | ${tag.prompt_tokens} | ${row.prompt} (${pct(tag.prompt_tokens, row.prompt)}) | ${bpe} (${pct(tag.prompt_tokens, bpe)}) | ${tag.completion_tokens} / ${scriptedCompletion} (${pct(tag.completion_tokens, scriptedCompletion)}) |`,
    );
    // Embeddings: the texts a full run embeds, sent as the embedder sends them.
    const facets = await stack.ownerDb.query<{
      taskType: string;
      useCase: string;
      goalSummary: string;
    }>(
      `SELECT task_type AS "taskType", use_case AS "useCase", goal_summary AS "goalSummary"
         FROM sealed.facets WHERE tenant_id = $1`,
      [tenantId],
    );
    const texts = facets.rows.map(facetText);
    const client = new OpenAI({ baseURL: llm.baseURL, apiKey: 'bench' });
    let scriptedEmbed = 0;
    for (let i = 0; i < texts.length; i += 256) {
      const sent = await client.embeddings.create({
        model: 'text-embedding-3-small',
        input: texts.slice(i, i + 256),
        encoding_format: 'float',
      });
      scriptedEmbed += sent.usage.prompt_tokens;
    }
    const bpeEmbed = texts.reduce((sum, text) => sum + countTokens(text), 0);
    const before = estimate.lines.find((line) => line.task === 'embed')!;
    const after = (await backlogEstimate(stack.apiDb, stack.env, tenantId)).lines.find(
      (line) => line.task === 'embed',
    )!;
    embedRows.push(
      `| ${name} | ${texts.length} | ${before.prompt_tokens} | ${after.prompt_tokens} | ${scriptedEmbed} (${pct(before.prompt_tokens, scriptedEmbed)}; ${pct(after.prompt_tokens, scriptedEmbed)}) | ${bpeEmbed} (${pct(before.prompt_tokens, bpeEmbed)}; ${pct(after.prompt_tokens, bpeEmbed)}) |`,
    );
  } finally {
    await stack.close();
    await llm.close();
  }
}

export async function main(args: string[]): Promise<void> {
  const count = flag(args, '--conversations', 1000);
  console.log(`Machine: ${machine()} (shared with other jobs)`);
  console.log(`Command: npm run bench -- estimate --conversations ${count}`);
  console.log(
    '| data | conversations | calls estimated / made | prompt tokens estimated | scripted server counted (error) | o200k_base counted (error) | completion estimated / counted (error) |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  await measure('oasst1-dev threads', oasstRecords(count));
  await measure('SGD dialogues', sgdRecords(count, 50));
  console.log('');
  console.log(
    '| data | texts | embedding tokens estimated before tagging | estimated once tagged | scripted server counted (error before; after) | o200k_base counted (error before; after) |',
  );
  console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
  for (const row of embedRows) console.log(row);
}
