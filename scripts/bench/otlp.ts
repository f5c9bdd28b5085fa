/**
 * `npm run bench -- otlp [--conversations N] [--turns 4] [--per-request 100] [--concurrency 4]`
 *
 * Spans per second through the OTLP/HTTP receiver (POST /otlp/v1/traces), protobuf and JSON, into
 * PostgreSQL (server mode) and PGlite (embedded mode). Each conversation is `--turns` model-call
 * spans, each re-sending the history so far as `gen_ai.input.messages` (as instrumentations do),
 * `--per-request` conversations per export request. A second pass exports one more turn of every
 * conversation (the growing-conversation path). The API runs in its own process
 * (`silhouette start --role api`); this process encodes and sends. Needs the test services.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import protobuf from 'protobufjs';
import { flag, machine, runCli, startServer, stopServer } from './common';
import { deleteRedisPrefix, servicesEnv } from './ingest';

interface Message {
  role: string;
  parts: { type: 'text'; content: string }[];
}

const text = (i: number, turn: number, who: string) =>
  `${who} turn ${turn} of conversation ${i}: please review the budget report and draft a short summary for the team meeting`;

/** The spans of conversations [from, to): turn t re-sends the history before it. */
function spans(from: number, to: number, turns: number, runId: string, firstTurn = 1) {
  const out: Record<string, unknown>[] = [];
  for (let i = from; i < to; i += 1) {
    const history: Message[] = [];
    for (let turn = 1; turn <= turns; turn += 1) {
      const user: Message = {
        role: 'user',
        parts: [{ type: 'text', content: text(i, turn, 'user') }],
      };
      const answer: Message = {
        role: 'assistant',
        parts: [{ type: 'text', content: text(i, turn, 'assistant') }],
      };
      if (turn >= firstTurn) {
        out.push({
          traceId: randomBytes(16).toString('hex'),
          spanId: randomBytes(8).toString('hex'),
          name: 'chat gpt-4o',
          startTimeUnixNano: String(
            BigInt(Date.UTC(2026, 9, 1) + i * 60_000 + turn * 1000) * 1_000_000n,
          ),
          attributes: [
            ['gen_ai.operation.name', 'chat'],
            ['gen_ai.conversation.id', `otlp-${runId}-${i}`],
            ['user.id', `user-${i % 60}`],
            ['gen_ai.request.model', 'gpt-4o'],
            ['gen_ai.input.messages', JSON.stringify([...history, user])],
            ['gen_ai.output.messages', JSON.stringify([answer])],
          ].map(([key, value]) => ({ key, value: { stringValue: value } })),
        });
      }
      history.push(user, answer);
    }
  }
  return out;
}

type Encoding = 'json' | 'protobuf';

function encoder(): (request: unknown, encoding: Encoding) => Uint8Array {
  const root = new protobuf.Root();
  const dir = fileURLToPath(new URL('../../libs/ingest/proto/', import.meta.url));
  root.resolvePath = (_origin, target) => `${dir}${target}`;
  root.loadSync('opentelemetry/proto/collector/trace/v1/trace_service.proto');
  const type = root.lookupType('opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest');
  return (request, encoding) => {
    if (encoding === 'json') return Buffer.from(JSON.stringify(request));
    const withBytes = JSON.parse(JSON.stringify(request), (key, value: unknown) =>
      (key === 'traceId' || key === 'spanId') && typeof value === 'string'
        ? Buffer.from(value, 'hex')
        : value,
    ) as Record<string, unknown>;
    return type.encode(type.fromObject(withBytes)).finish();
  };
}

async function exportAll(
  port: number,
  key: string,
  bodies: Uint8Array[],
  encoding: Encoding,
  concurrency: number,
): Promise<number> {
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < bodies.length) {
        const body = bodies[next++]!;
        const response = await fetch(`http://127.0.0.1:${port}/otlp/v1/traces`, {
          method: 'POST',
          headers: {
            Authorization: `Bearer ${key}`,
            'Content-Type': encoding === 'json' ? 'application/json' : 'application/x-protobuf',
          },
          body: new Uint8Array(body),
        });
        // Full success is an empty ExportTraceServiceResponse: `{}`, or zero bytes in protobuf.
        const answer = Buffer.from(await response.arrayBuffer());
        if (!response.ok || answer.length > (encoding === 'json' ? 2 : 0))
          throw new Error(`export answered ${response.status} (${answer.length} bytes)`);
      }
    }),
  );
  return (performance.now() - started) / 1000;
}

async function measure(
  label: string,
  env: Record<string, string>,
  options: { conversations: number; turns: number; perRequest: number; concurrency: number },
) {
  const encode = encoder();
  const tenant = JSON.parse(await runCli(['tenant', 'create', 'bench', '--json'], env)) as {
    ingest_key: string;
  };
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const server = await startServer(['--role', 'api', '--no-demo'], env, port);
  const rows = [];
  try {
    for (const encoding of ['protobuf', 'json'] as const) {
      const runId = `${encoding}-${randomBytes(3).toString('hex')}`;
      const requests = (turns: number, firstTurn: number) => {
        const bodies: Uint8Array[] = [];
        let count = 0;
        for (let from = 0; from < options.conversations; from += options.perRequest) {
          const batch = spans(
            from,
            Math.min(from + options.perRequest, options.conversations),
            turns,
            runId,
            firstTurn,
          );
          count += batch.length;
          bodies.push(encode({ resourceSpans: [{ scopeSpans: [{ spans: batch }] }] }, encoding));
        }
        return { bodies, count };
      };
      // Warm-up: the first protobuf request loads the .proto definitions; both warm the JIT.
      const warm = spans(0, 20, 2, `warm-${runId}`);
      await exportAll(
        port,
        tenant.ingest_key,
        [encode({ resourceSpans: [{ scopeSpans: [{ spans: warm }] }] }, encoding)],
        encoding,
        1,
      );
      const first = requests(options.turns, 1);
      const seconds = await exportAll(
        port,
        tenant.ingest_key,
        first.bodies,
        encoding,
        options.concurrency,
      );
      rows.push({ label: `${label}, ${encoding}`, spans: first.count, seconds });
      const growth = requests(options.turns + 1, options.turns + 1);
      const growthSeconds = await exportAll(
        port,
        tenant.ingest_key,
        growth.bodies,
        encoding,
        options.concurrency,
      );
      rows.push({
        label: `${label}, ${encoding}, one more turn (growth)`,
        spans: growth.count,
        seconds: growthSeconds,
      });
    }
  } finally {
    await stopServer(server);
  }
  return rows;
}

export async function main(args: string[]): Promise<void> {
  const options = {
    conversations: flag(args, 'conversations', 2000),
    turns: flag(args, 'turns', 4),
    perRequest: flag(args, 'per-request', 100),
    concurrency: flag(args, 'concurrency', 4),
  };
  const services = servicesEnv();
  const secrets = {
    SILHOUETTE_MASTER_KEY: randomBytes(32).toString('hex'),
    SILHOUETTE_PSEUDONYM_SECRET: randomBytes(32).toString('hex'),
    RATE_LIMIT_PER_MINUTE: '100000',
  };
  const results = [];
  const dbName = `silhouette_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: services.DATABASE_ADMIN_URL });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${dbName}`);
  const url = new URL(services.DATABASE_ADMIN_URL!);
  url.pathname = `/${dbName}`;
  try {
    const env = {
      ...secrets,
      DATABASE_URL: url.toString(),
      REDIS_URL: services.REDIS_URL!,
      QUEUE_PREFIX: dbName,
    };
    await runCli(['migrate'], env);
    results.push(...(await measure('PostgreSQL 15 (server mode)', env, options)));
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.end();
    await deleteRedisPrefix(services.REDIS_URL!, dbName);
  }
  const dataDir = mkdtempSync(join(tmpdir(), 'silhouette-bench-'));
  try {
    const env = { ...secrets, SILHOUETTE_DATA_DIR: dataDir };
    await runCli(['migrate'], env);
    results.push(...(await measure('PGlite (embedded mode)', env, options)));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }

  console.log(`machine: ${machine()}`);
  console.log(
    `command: npm run bench -- otlp --conversations ${options.conversations} --turns ${options.turns} --per-request ${options.perRequest} --concurrency ${options.concurrency}`,
  );
  console.log('| run | spans | seconds | spans/s |');
  console.log('|---|---:|---:|---:|');
  for (const r of results)
    console.log(
      `| ${r.label} | ${r.spans} | ${r.seconds.toFixed(2)} | ${Math.round(r.spans / r.seconds)} |`,
    );
}
