/**
 * Issue #13, item 2: the OTLP/HTTP receiver, fed by the real OpenTelemetry SDK
 * (`@opentelemetry/sdk-trace-node`) through the real exporters (`exporter-trace-otlp-http`, JSON;
 * `exporter-trace-otlp-proto`, protobuf configured only by the standard environment variables)
 * to the running API, in both storage modes. GenAI spans become sealed conversations that wait
 * for idleness and grow turn by turn; other spans are ignored; bad spans get an OTLP partial
 * success; bad requests a google.rpc.Status.
 */
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OTLPTraceExporter as OtlpHttpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import {
  BatchSpanProcessor,
  NodeTracerProvider,
  type ReadableSpan,
  type SpanExporter,
} from '@opentelemetry/sdk-trace-node';
import { context, trace, type Attributes } from '@opentelemetry/api';
import { everySchema, scanRedis, scanTables, scanText } from '../helpers/leak-scan';
import { redisUrl } from '../helpers/services';
import { offlineProviders } from '../helpers/providers';
import { call, startStack, type Stack } from '../helpers/stack';

const IDLE_S = 1;

/** Passes spans to the real exporter and keeps each export's result code (0 = success). */
class RecordingExporter implements SpanExporter {
  readonly results: number[] = [];
  constructor(private readonly inner: SpanExporter) {}
  export(spans: ReadableSpan[], done: Parameters<SpanExporter['export']>[1]): void {
    this.inner.export(spans, (result) => {
      this.results.push(result.code);
      done(result);
    });
  }
  shutdown(): Promise<void> {
    return this.inner.shutdown();
  }
}

const user = (content: string) => ({ role: 'user', parts: [{ type: 'text', content }] });
const assistant = (content: string) => ({
  role: 'assistant',
  parts: [{ type: 'text', content }],
  finish_reason: 'stop',
});

function tracerWith(exporter: SpanExporter) {
  const recording = new RecordingExporter(exporter);
  const provider = new NodeTracerProvider({
    // As in production: spans are batched, and a flush sends them in one export request.
    spanProcessors: [new BatchSpanProcessor(recording, { scheduledDelayMillis: 60_000 })],
  });
  return { provider, recording, tracer: provider.getTracer('assistant-under-test') };
}

function protoRoot(): protobuf.Root {
  const root = new protobuf.Root();
  const dir = fileURLToPath(new URL('../../libs/ingest/proto/', import.meta.url));
  root.resolvePath = (_origin, target) => `${dir}${target}`;
  root.loadSync('opentelemetry/proto/collector/trace/v1/trace_service.proto');
  return root;
}

describe.each(['server', 'embedded'] as const)('OTLP receiver (%s)', (mode) => {
  let stack: Stack;
  const marker = `OTLP-MARKER-${mode}`;

  const conversations = async () =>
    (
      await stack.ownerDb.query<{ status: string; message_count: number; revision: number }>(
        `SELECT status, message_count, revision FROM sealed.conversations
          WHERE tenant_id = $1 ORDER BY ingested_at, id`,
        [stack.tenant.tenant.id],
      )
    ).rows;

  beforeAll(async () => {
    stack = await startStack({
      mode,
      worker: true,
      workerProviders: offlineProviders,
      env: { CONVERSATION_IDLE_S: String(IDLE_S) },
    });
  });
  afterAll(async () => stack?.close());

  it('JSON exporter: GenAI spans become one conversation that waits for idle, grows, and is tagged once', async () => {
    const { provider, recording, tracer } = tracerWith(
      new OtlpHttpJsonExporter({
        url: `${stack.baseUrl}/otlp/v1/traces`,
        headers: { Authorization: `Bearer ${stack.tenant.ingestKey}` },
      }),
    );
    const chat = (attributes: Attributes) => {
      const span = tracer.startSpan('chat gpt-4o', {
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.conversation.id': 'otlp-conversation-1',
          'user.id': 'alice@example.com',
          ...attributes,
        },
      });
      span.end();
    };
    chat({
      'gen_ai.input.messages': JSON.stringify([user(`${marker} How do I reverse a list?`)]),
      'gen_ai.output.messages': JSON.stringify([assistant('Use reversed(items).')]),
    });
    chat({
      'gen_ai.input.messages': JSON.stringify([
        user(`${marker} How do I reverse a list?`),
        assistant('Use reversed(items).'),
        user('And sort it?'),
      ]),
      'gen_ai.output.messages': JSON.stringify([assistant('items.sort()')]),
    });
    tracer.startSpan('GET /health', { attributes: { 'http.request.method': 'GET' } }).end();
    await provider.forceFlush();
    expect(recording.results).toEqual([0]);
    expect(await conversations()).toEqual([
      { status: 'waiting_for_idle', message_count: 4, revision: 1 },
    ]);

    // The next turn arrives in a later export: the stored conversation grows.
    chat({
      'gen_ai.input.messages': JSON.stringify([
        user(`${marker} How do I reverse a list?`),
        assistant('Use reversed(items).'),
        user('And sort it?'),
        assistant('items.sort()'),
        user('Descending?'),
      ]),
      'gen_ai.output.messages': JSON.stringify([assistant('items.sort(reverse=True)')]),
    });
    await provider.forceFlush();
    expect(recording.results).toEqual([0, 0]);
    expect(await conversations()).toEqual([
      { status: 'waiting_for_idle', message_count: 6, revision: 2 },
    ]);
    const status = await call(stack, '/v1/status', { key: stack.tenant.adminKey });
    expect(status.body).toMatchObject({ conversations: 1, waiting_for_idle: 1 });
    await provider.shutdown();

    await new Promise((resolve) => setTimeout(resolve, IDLE_S * 1000 + 200));
    await stack.worker!.reconcile();
    await stack.queue.waitUntilIdle(30_000);
    expect(await conversations()).toEqual([{ status: 'tagged', message_count: 6, revision: 2 }]);
    const facets = await stack.ownerDb.query<{ turns: number; metadata: unknown }>(
      'SELECT turns, metadata FROM sealed.facets WHERE tenant_id = $1',
      [stack.tenant.tenant.id],
    );
    expect(facets.rows).toEqual([{ turns: 3, metadata: { model: 'gpt-4o' } }]);
    expect(scanText('logs', stack.logs(), [marker, 'alice@example.com'])).toEqual([]);
  });

  it('protobuf exporter configured by the OTEL_EXPORTER_OTLP_* variables alone (gzip); older per-message events; session from the root span', async () => {
    const variables = {
      OTEL_EXPORTER_OTLP_ENDPOINT: `${stack.baseUrl}/otlp`,
      OTEL_EXPORTER_OTLP_HEADERS: `Authorization=Bearer ${stack.tenant.ingestKey}`,
      OTEL_EXPORTER_OTLP_COMPRESSION: 'gzip',
    };
    const saved = Object.fromEntries(Object.keys(variables).map((key) => [key, process.env[key]]));
    Object.assign(process.env, variables);
    let exporter: OtlpProtoExporter;
    try {
      exporter = new OtlpProtoExporter();
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
    const { provider, recording, tracer } = tracerWith(exporter);
    const before = (await conversations()).length;
    const root = tracer.startSpan('POST /chat', {
      attributes: { 'session.id': 'session-42', 'enduser.id': 'bob' },
    });
    // A model-call child span of the request span: it names neither session nor user itself.
    const llm = tracer.startSpan('chat llama3', {}, trace.setSpan(context.active(), root));
    llm.addEvent('gen_ai.system.message', { content: 'You are terse.' });
    llm.addEvent('gen_ai.user.message', {
      'gen_ai.event.content': JSON.stringify({ content: `${marker} Plan a team offsite.` }),
    });
    llm.addEvent('gen_ai.choice', {
      'gen_ai.event.content': JSON.stringify({
        index: 0,
        finish_reason: 'stop',
        message: { role: 'assistant', content: 'Pick a date first.' },
      }),
    });
    llm.end();
    root.end();
    await provider.forceFlush();
    await provider.shutdown();
    expect(recording.results).toEqual([0]);
    expect(stack.logs()).toMatch(/"encoding":"protobuf","gzip":true/);
    const rows = await conversations();
    expect(rows).toHaveLength(before + 1);
    expect(rows.at(-1)).toMatchObject({ status: 'waiting_for_idle', message_count: 3 });
  });

  it('answers partial success per the OTLP spec, in JSON and in protobuf', async () => {
    const traceId = (n: number) => n.toString(16).padStart(32, '0');
    const spanJson = (n: number, attributes: Record<string, string>) => ({
      traceId: traceId(n),
      spanId: n.toString(16).padStart(16, '0'),
      name: 'chat',
      startTimeUnixNano: String(1_700_000_000_000_000_000n + BigInt(n)),
      attributes: Object.entries(attributes).map(([key, value]) => ({
        key,
        value: { stringValue: value },
      })),
    });
    const input = (text: string) => JSON.stringify([user(text)]);
    const request = {
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: [
                spanJson(1, { 'user.id': 'carol', 'gen_ai.input.messages': input('Good one') }),
                spanJson(2, { 'gen_ai.input.messages': input('Nobody sent this') }),
                spanJson(3, { 'db.system': 'postgresql' }),
                // Different earlier messages under the id the first test grew.
                spanJson(4, {
                  'gen_ai.conversation.id': 'otlp-conversation-1',
                  'user.id': 'alice@example.com',
                  'gen_ai.input.messages': input('Something else entirely'),
                }),
              ],
            },
          ],
        },
      ],
    };
    const json = await call(stack, '/otlp/v1/traces', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: JSON.stringify(request),
    });
    expect(json.status).toBe(200);
    expect(json.headers.get('content-type')).toMatch(/^application\/json/);
    expect(json.body.partialSuccess.rejectedSpans).toBe('2');
    expect(json.body.partialSuccess.errorMessage).toBe(
      '2 of 4 spans rejected: user_id: is required (set the user.id or enduser.id attribute) (1 conversation); messages: conflicts with the stored conversation (1 conversation). 1 span without GenAI message content was ignored',
    );

    const root = protoRoot();
    const requestType = root.lookupType(
      'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
    );
    const responseType = root.lookupType(
      'opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse',
    );
    const protoRequest = {
      resourceSpans: [
        {
          scopeSpans: [
            {
              spans: request.resourceSpans[0]!.scopeSpans[0]!.spans.map((span) => ({
                ...span,
                traceId: Buffer.from(span.traceId, 'hex'),
                spanId: Buffer.from(span.spanId, 'hex'),
              })),
            },
          ],
        },
      ],
    };
    const proto = await fetch(`${stack.baseUrl}/otlp/v1/traces`, {
      method: 'POST',
      headers: {
        Authorization: `Bearer ${stack.tenant.ingestKey}`,
        'Content-Type': 'application/x-protobuf',
      },
      body: new Uint8Array(requestType.encode(requestType.fromObject(protoRequest)).finish()),
    });
    expect(proto.status).toBe(200);
    expect(proto.headers.get('content-type')).toMatch(/^application\/x-protobuf/);
    const answer = responseType.toObject(
      responseType.decode(new Uint8Array(await proto.arrayBuffer())),
      { longs: Number },
    ) as { partialSuccess: { rejectedSpans: number; errorMessage: string } };
    // The good span is a duplicate now (sent twice): still accepted, not rejected.
    expect(answer.partialSuccess.rejectedSpans).toBe(2);
    expect(answer.partialSuccess.errorMessage).toMatch(/^2 of 4 spans rejected/);
  });

  it('refuses bad requests with a google.rpc.Status, and keys without the ingest scope', async () => {
    const bad = await call(stack, '/otlp/v1/traces', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: '{"resourceSpans": [',
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toEqual({ code: 3, message: 'body: is not valid JSON' });
    const shape = await call(stack, '/otlp/v1/traces', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: JSON.stringify({ resourceSpans: [{ scopeSpans: [{ spans: [{ traceId: 7 }] }] }] }),
    });
    expect(shape.status).toBe(400);
    expect(shape.body.message).toMatch(/^resourceSpans\.0\.scopeSpans\.0\.spans\.0\.traceId: /);
    const type = await call(stack, '/otlp/v1/traces', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: '{}',
      headers: { 'Content-Type': 'text/plain' },
    });
    expect(type.status).toBe(415);
    expect((await call(stack, '/otlp/v1/traces', { method: 'POST', body: '{}' })).status).toBe(401);
    expect(
      (
        await call(stack, '/otlp/v1/traces', {
          method: 'POST',
          key: stack.tenant.readKey,
          body: '{}',
        })
      ).status,
    ).toBe(403);
    const empty = await call(stack, '/otlp/v1/traces', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: '{}',
    });
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({});
  });

  it('leaves no message, user id or conversation id in any table, in Redis or in the logs', async () => {
    const secrets = [marker, 'alice@example.com', 'otlp-conversation-1', 'session-42'];
    const schemas = await everySchema(stack.ownerDb);
    expect(schemas).toEqual(expect.arrayContaining(['app', 'intake', 'insights', 'sealed']));
    expect(await scanTables(stack.ownerDb, schemas, secrets)).toEqual([]);
    expect(scanText('logs', stack.logs(), secrets)).toEqual([]);
    if (mode === 'server') {
      const { keys, found } = await scanRedis(redisUrl(), stack.queuePrefix, secrets);
      expect(keys).toBeGreaterThan(0);
      expect(found).toEqual([]);
    }
  });
});
