import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import protobuf from 'protobufjs';
import { describe, expect, it } from 'vitest';
import {
  decodeTraceRequest,
  decompressBody,
  encodeTraceResponse,
  otlpEncodingOf,
  OtlpRequestError,
} from './otlp-request.decoder';

const traceIdHex = '5b8efff798038103d269b633813fc60c';
const spanIdHex = 'eee19b7ec3c1b174';

const jsonRequest = {
  resourceSpans: [
    {
      resource: { attributes: [{ key: 'service.name', value: { stringValue: 'assistant' } }] },
      scopeSpans: [
        {
          spans: [
            {
              traceId: traceIdHex.toUpperCase(),
              spanId: spanIdHex,
              name: 'chat',
              startTimeUnixNano: '1700000000000000000',
              attributes: [
                { key: 'user.id', value: { stringValue: 'u-1' } },
                { key: 'gen_ai.usage.input_tokens', value: { intValue: '12' } },
                { key: 'flag', value: { boolValue: true } },
                {
                  key: 'list',
                  value: {
                    arrayValue: {
                      values: [
                        {
                          kvlistValue: {
                            values: [{ key: 'role', value: { stringValue: 'user' } }],
                          },
                        },
                      ],
                    },
                  },
                },
              ],
              events: [{ name: 'gen_ai.user.message', attributes: [] }],
              kind: 3,
              unknownField: 'ignored',
            },
          ],
        },
      ],
    },
  ],
};

describe('decodeTraceRequest', () => {
  it('reads OTLP/JSON into plain spans, ids as lowercase hex', () => {
    const [span] = decodeTraceRequest(Buffer.from(JSON.stringify(jsonRequest)), 'json');
    expect(span).toMatchObject({
      traceId: traceIdHex,
      spanId: spanIdHex,
      name: 'chat',
      startNanos: 1_700_000_000_000_000_000n,
      events: [{ name: 'gen_ai.user.message' }],
    });
    expect(Object.fromEntries(span!.attributes)).toEqual({
      'user.id': 'u-1',
      'gen_ai.usage.input_tokens': 12,
      flag: true,
      list: [{ role: 'user' }],
    });
    expect(span!.resource.get('service.name')).toBe('assistant');
  });

  it('reads protobuf encoded from the same definitions into the same spans', () => {
    const root = new protobuf.Root();
    const dir = fileURLToPath(new URL('../../proto/', import.meta.url));
    root.resolvePath = (_origin, target) => `${dir}${target}`;
    root.loadSync('opentelemetry/proto/collector/trace/v1/trace_service.proto');
    const type = root.lookupType(
      'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest',
    );
    const message = type.fromObject({
      ...jsonRequest,
      resourceSpans: jsonRequest.resourceSpans.map((rs) => ({
        ...rs,
        scopeSpans: rs.scopeSpans.map((ss) => ({
          spans: ss.spans.map((s) => ({
            ...s,
            traceId: Buffer.from(traceIdHex, 'hex'),
            spanId: Buffer.from(spanIdHex, 'hex'),
          })),
        })),
      })),
    });
    const bytes = Buffer.from(type.encode(message).finish());
    const fromProto = decodeTraceRequest(bytes, 'protobuf');
    const fromJson = decodeTraceRequest(Buffer.from(JSON.stringify(jsonRequest)), 'json');
    expect(fromProto).toEqual(fromJson);
  });

  it('refuses what it cannot read, naming the field and quoting nothing', () => {
    const bad = (body: string) => () => decodeTraceRequest(Buffer.from(body), 'json');
    expect(bad('{"resourceSpans": SECRET}')).toThrow(/^body: is not valid JSON$/);
    expect(bad('{"resourceSpans": [{"scopeSpans": [{"spans": [{"traceId": 5}]}]}]}')).toThrow(
      /resourceSpans\.0\.scopeSpans\.0\.spans\.0\.traceId/,
    );
    expect(() => decodeTraceRequest(Buffer.from([0xff, 0xff, 0xff]), 'protobuf')).toThrow(
      OtlpRequestError,
    );
  });
});

describe('content types, compression, answers', () => {
  it('knows the two OTLP/HTTP encodings', () => {
    expect(otlpEncodingOf('application/x-protobuf')).toBe('protobuf');
    expect(otlpEncodingOf('application/json; charset=utf-8')).toBe('json');
    expect(otlpEncodingOf('text/plain')).toBeUndefined();
  });

  it('inflates gzip, but never past the limit', () => {
    const body = Buffer.from('x'.repeat(10_000));
    expect(decompressBody(gzipSync(body), 'gzip', 20_000)).toEqual(body);
    expect(() => decompressBody(gzipSync(body), 'gzip', 1000)).toThrow(/inflates past 1000/);
    expect(() => decompressBody(body, 'br', 20_000)).toThrow(/content-encoding/);
  });

  it('answers partial success in either encoding', () => {
    expect(JSON.parse(encodeTraceResponse(undefined, 'json').toString())).toEqual({});
    expect(
      JSON.parse(encodeTraceResponse({ rejectedSpans: 2, errorMessage: 'why' }, 'json').toString()),
    ).toEqual({ partialSuccess: { rejectedSpans: '2', errorMessage: 'why' } });
    expect(encodeTraceResponse(undefined, 'protobuf').length).toBe(0);
    expect(encodeTraceResponse({ rejectedSpans: 2, errorMessage: 'why' }, 'protobuf').length).toBe(
      9,
    );
  });
});
