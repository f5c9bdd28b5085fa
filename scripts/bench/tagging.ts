/**
 * `npm run bench -- tagging [--conversations N]`
 *
 * The tag pipeline in server mode (PostgreSQL + BullMQ, the real worker, processor and
 * repositories) with the OpenAI-compatible provider against the scripted server on loopback:
 *  1. zero-latency model: conversations/s the pipeline itself sustains (target ≥ 300/s);
 *  2. 500 ms model: throughput against `concurrency / latency` for two concurrency settings;
 *  3. prompt tokens per conversation beyond the conversation itself (target ≤ 400), without and
 *     with ten custom facets defined (issue #15): by o200k_base (the rule the API enforces) and by
 *     characters/4 as the model is shown the prompt, and as the scripted server counts what it
 *     receives (characters/4, the whole `response_format` included);
 * plus the offline provider for comparison. Needs the test services (`npm run services -- up`).
 */
import type { Env } from '@silhouette/config';
import { IngestService, Pseudonymizer, splitRecords } from '@silhouette/ingest';
import { CustomFacetRepository } from '@silhouette/db';
import {
  LlmTagger,
  StructuredLlmClient,
  estimateTokens,
  PROMPT_TOKENIZER,
  countPromptTokens,
  tagPrompt,
  truncateConversation,
} from '@silhouette/llm';
import { TEN_FACETS } from '../../libs/llm/src/tagging/benchmark-custom-facets';
import { renderConversation } from '../../libs/llm/src/tagging/prompt';
import { sgdRecords } from '../../test/helpers/datasets';
import { offlineProviders } from '../../test/helpers/providers';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { startStack, type Stack } from '../../test/helpers/stack';
import { scrubPii } from '@silhouette/privacy';
import { createLogger, Metrics } from '@silhouette/telemetry';
import { startWorker } from '@silhouette/worker';
import { flag, machine } from './common';

const scrub = (text: string) => {
  const result = scrubPii(text);
  return { text: result.text, redactions: result.redactions };
};

async function ingest(stack: Stack, records: Record<string, unknown>[]): Promise<void> {
  const service = new IngestService(
    stack.apiDb,
    stack.queue,
    new Pseudonymizer(Buffer.from(stack.env.SILHOUETTE_PSEUDONYM_SECRET!, 'hex')),
  );
  const raw = splitRecords(records.map((record) => JSON.stringify(record)).join('\n'));
  for (let i = 0; i < raw.length; i += 500) {
    await service.ingestRecords(stack.tenant.tenant, raw.slice(i, i + 500), {
      format: 'openai',
      limits: {
        maxRecords: 500,
        maxRequestBytes: Number.MAX_SAFE_INTEGER,
        maxMessageBytes: 1_000_000,
      },
      oversizedMessage: 'record',
    });
  }
}

async function taggedCount(stack: Stack): Promise<number> {
  const result = await stack.ownerDb.query<{ n: number }>(
    'SELECT count(*)::integer AS n FROM sealed.facets',
  );
  return Number(result.rows[0]!.n);
}

export interface ModelProcess {
  baseURL: string;
  child: ChildProcess;
  stats(): Promise<{ chatRequests: number; maxInFlight: number }>;
  stop(): Promise<void>;
}

/** The scripted model in its own process (it must not share this process's CPU). */
export async function startModel(
  latencyMs: number,
  facets: 'rules' | 'offline' = 'rules',
): Promise<ModelProcess> {
  const script = fileURLToPath(new URL('./scripted-llm.process.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import', 'tsx', script, String(latencyMs), facets], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const baseURL = await new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      const match = /READY (\S+)/.exec(chunk.toString());
      if (match) resolve(match[1]!);
    });
    child.once('exit', (code) => reject(new Error(`scripted model exited with ${code}`)));
  });
  return {
    baseURL,
    child,
    stats: async () =>
      (await fetch(`${baseURL}/__stats`)).json() as Promise<{
        chatRequests: number;
        maxInFlight: number;
      }>,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

interface Run {
  label: string;
  conversations: number;
  seconds: number;
  perSecond: number;
  expected?: number;
  maxInFlight?: number;
}

/** Ingests first (untimed), then starts the worker and times until every conversation is tagged. */
async function run(
  label: string,
  records: Record<string, unknown>[],
  concurrency: number,
  providers: (env: Env) => ReturnType<typeof offlineProviders>,
  model?: ModelProcess,
  withCustomFacets = false,
): Promise<Run> {
  const stack = await startStack({
    mode: 'server',
    env: { TAG_CONCURRENCY: String(concurrency), LOG_LEVEL: 'warn' },
  });
  try {
    if (withCustomFacets) {
      const repository = new CustomFacetRepository(stack.ownerDb);
      for (const facet of TEN_FACETS) {
        const common = { key: facet.key, question: facet.question };
        const input =
          facet.type === 'enum'
            ? { ...common, type: 'enum' as const, values: [...facet.values!] }
            : facet.type === 'number'
              ? { ...common, type: 'number' as const, min: facet.min!, max: facet.max! }
              : { ...common, type: facet.type };
        await repository.create(stack.tenant.tenant.id, input);
      }
    }
    await ingest(stack, records);
    const started = performance.now();
    const worker = await startWorker({
      env: stack.env,
      db: stack.workerDb,
      queue: stack.queue,
      store: stack.store,
      logger: createLogger({ level: 'warn' }),
      metrics: new Metrics({ defaultMetrics: false }),
      ...providers(stack.env),
    });
    while ((await taggedCount(stack)) < records.length)
      await new Promise((resolve) => setTimeout(resolve, 50));
    const seconds = (performance.now() - started) / 1000;
    await worker.stop();
    return {
      label,
      conversations: records.length,
      seconds,
      perSecond: records.length / seconds,
      ...(model ? { maxInFlight: (await model.stats()).maxInFlight } : {}),
    };
  } finally {
    await stack.close();
  }
}

/** The last client built, for its token counters. */
let lastClient: StructuredLlmClient | undefined;

function llm(model: ModelProcess, concurrency: number) {
  return (env: Env) => ({
    tagger: new LlmTagger({
      client: (lastClient = new StructuredLlmClient({
        baseURL: model.baseURL,
        apiKey: 'bench',
        concurrency,
        maxAttempts: 2,
      })),
      model: env.TAG_MODEL,
    }),
    scrub,
    embedderFor: offlineProviders(env).embedderFor,
  });
}

export async function main(args: string[]): Promise<void> {
  const count = flag(args, 'conversations', 2000);
  const all = sgdRecords(Number.MAX_SAFE_INTEGER, 60);
  const records: Record<string, unknown>[] = Array.from({ length: count }, (_, i) => ({
    ...all[i % all.length]!,
    id: `bench-${i}`,
  }));
  const runs: Run[] = [];

  runs.push(await run('offline provider', records, 16, offlineProviders));
  const instant = await startModel(0);
  // Prompt tokens the scripted server counted per call, beyond the conversation as rendered.
  const rendered = new LlmTagger({
    client: { complete: () => Promise.reject(new Error()) },
    model: 'x',
  });
  // Repeated conversations are answered from the response cache: count each rendering once.
  const renderedTokens = [
    ...new Set(records.map((record) => rendered.prepare(record.messages as never).rendered)),
  ].map(estimateTokens);
  const counted: Record<string, number> = {};
  try {
    runs.push(
      await run('scripted LLM, 0 ms, concurrency 16', records, 16, llm(instant, 16), instant),
    );
    const plain = lastClient!.stats().totals;
    runs.push(
      await run(
        'scripted LLM, 0 ms, concurrency 16, 10 custom facets',
        records,
        16,
        llm(instant, 16),
        instant,
        true,
      ),
    );
    const custom = lastClient!.stats().totals;
    const conversations = renderedTokens.reduce((a, b) => a + b, 0);
    counted['none'] = (plain.promptTokens - conversations) / plain.requests;
    counted['ten'] = (custom.promptTokens - conversations) / custom.requests;
    counted['completionNone'] = plain.completionTokens / plain.requests;
    counted['completionTen'] = custom.completionTokens / custom.requests;
    counted['requestsPerConversation'] = custom.requests / renderedTokens.length;
  } finally {
    await instant.stop();
  }
  for (const concurrency of [8, 32]) {
    // A fresh model process per run, so its in-flight peak belongs to this run alone.
    const slow = await startModel(500);
    try {
      const sample = records.slice(0, concurrency * 20);
      const result = await run(
        `scripted LLM, 500 ms, concurrency ${concurrency}`,
        sample,
        concurrency,
        llm(slow, concurrency),
        slow,
      );
      runs.push({ ...result, expected: concurrency / 0.5 });
    } finally {
      await slow.stop();
    }
  }

  // Prompt overhead: what the tagger adds beyond the (truncated) conversation text.
  const plainPrompt = tagPrompt();
  const tenPrompt = tagPrompt(TEN_FACETS);
  const renderedSample = records.slice(0, 500).map((record) => {
    const messages = record.messages as { role: 'user' | 'assistant'; content: string }[];
    return renderConversation(truncateConversation(messages, 4000).messages);
  });
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
  const meanConversation = mean(renderedSample.map(estimateTokens));
  const meanConversationReal = mean(renderedSample.map(countPromptTokens));

  console.log(`machine: ${machine()}`);
  console.log(`command: npm run bench -- tagging --conversations ${count}`);
  console.log(
    '| run | conversations | seconds | conversations/s | expected (concurrency / latency) | max in flight at the model |',
  );
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of runs) {
    console.log(
      `| ${r.label} | ${r.conversations} | ${r.seconds.toFixed(2)} | ${r.perSecond.toFixed(1)} | ${r.expected ?? '—'} | ${r.maxInFlight ?? '—'} |`,
    );
  }
  console.log(
    `prompt overhead beyond the conversation (target ≤ 400 by ${PROMPT_TOKENIZER}): ${plainPrompt.overheadTokens} tokens, ${tenPrompt.overheadTokens} with 10 custom facets; mean conversation ${meanConversationReal.toFixed(0)} ${PROMPT_TOKENIZER} tokens (${meanConversation.toFixed(0)} by characters/4); model calls per conversation: 1`,
  );
  console.log(
    `| custom facets | overhead by ${PROMPT_TOKENIZER} (the rule enforced) | overhead by characters/4 | counted by the scripted server (characters/4, whole strict schema) | completion tokens per call |`,
  );
  console.log('|---|---:|---:|---:|---:|');
  console.log(
    `| none | ${plainPrompt.overheadTokens} | ${plainPrompt.overheadTokensByChars} | ${counted['none']!.toFixed(1)} | ${counted['completionNone']!.toFixed(1)} |`,
  );
  console.log(
    `| 10 (libs/llm/src/tagging/benchmark-custom-facets.ts) | ${tenPrompt.overheadTokens} | ${tenPrompt.overheadTokensByChars} | ${counted['ten']!.toFixed(1)} | ${counted['completionTen']!.toFixed(1)} |`,
  );
  console.log(
    `model requests per distinct conversation with 10 custom facets (repeats are cache hits): ${counted['requestsPerConversation']!.toFixed(3)}`,
  );
}
