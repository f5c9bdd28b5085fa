/**
 * OTLP/HTTP trace export requests (ExportTraceServiceRequest), in either encoding, decoded into
 * plain spans: ids as lowercase hex, attribute values as plain JS values (strings, numbers,
 * booleans, arrays, objects). Binary protobuf is decoded with protobufjs from the official
 * opentelemetry-proto definitions vendored in `libs/ingest/proto` (Apache-2.0, licence beside
 * them); JSON follows the OTLP/JSON mapping (lowerCamelCase keys, hex ids, int64 as strings or
 * numbers) and is validated with zod. Why not `@opentelemetry/otlp-transformer`: it only
 * serialises requests (its writer is hand-written), it has no request decoder to reuse.
 *
 * Errors (`OtlpRequestError`) name the field at fault and never quote the payload.
 */
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import protobuf from 'protobufjs';
import { z } from 'zod';

export type OtlpEncoding = 'json' | 'protobuf';

export type AttributeValue =
  string | number | boolean | null | AttributeValue[] | { [key: string]: AttributeValue };

export interface OtlpSpanEvent {
  name: string;
  attributes: Map<string, AttributeValue>;
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  name: string;
  /** Start time in nanoseconds since the epoch (0 when absent). */
  startNanos: bigint;
  attributes: Map<string, AttributeValue>;
  /** The span's resource attributes (service.name, and sometimes user or session ids). */
  resource: Map<string, AttributeValue>;
  events: OtlpSpanEvent[];
}

export class OtlpRequestError extends Error {
  constructor(
    readonly status: 400 | 413 | 415,
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

const PROTO_ROOT = fileURLToPath(new URL('../../proto/', import.meta.url));
const REQUEST_TYPE = 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest';
const RESPONSE_TYPE = 'opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse';

let root: protobuf.Root | undefined;
/** The vendored .proto files, parsed once. */
function protoRoot(): protobuf.Root {
  if (!root) {
    const loaded = new protobuf.Root();
    loaded.resolvePath = (_origin, target) => `${PROTO_ROOT}${target}`;
    loaded.loadSync('opentelemetry/proto/collector/trace/v1/trace_service.proto');
    root = loaded;
  }
  return root;
}

// google.rpc.Status, the body of an OTLP error answer (only the fields we fill in).
const statusType = new protobuf.Type('Status')
  .add(new protobuf.Field('code', 1, 'int32'))
  .add(new protobuf.Field('message', 2, 'string'));

/** Which encoding a Content-Type names; undefined for anything OTLP/HTTP does not define. */
export function otlpEncodingOf(contentType: string | undefined): OtlpEncoding | undefined {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-protobuf' || type === 'application/protobuf') return 'protobuf';
  if (type === 'application/json') return 'json';
  return undefined;
}

/** Undoes `Content-Encoding: gzip`, never inflating past `maxBytes` (a zip bomb is a 413). */
export function decompressBody(
  body: Buffer,
  contentEncoding: string | undefined,
  maxBytes: number,
): Buffer {
  const encoding = (contentEncoding ?? 'identity').trim().toLowerCase();
  if (encoding === 'identity' || encoding === '') return body;
  if (encoding !== 'gzip')
    throw new OtlpRequestError(415, 'content-encoding', 'must be gzip or absent');
  try {
    return gunzipSync(body, { maxOutputLength: maxBytes });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE')
      throw new OtlpRequestError(413, 'body', `inflates past ${maxBytes} bytes`);
    throw new OtlpRequestError(400, 'body', 'is not valid gzip');
  }
}

// OTLP/JSON, the subset read here (unknown fields are ignored, as the spec requires).
const anyValueSchema: z.ZodType<unknown> = z.lazy(() =>
  z
    .object({
      stringValue: z.string().optional(),
      boolValue: z.boolean().optional(),
      intValue: z.union([z.string(), z.number()]).optional(),
      doubleValue: z.union([z.number(), z.string()]).optional(),
      arrayValue: z.object({ values: z.array(anyValueSchema).optional() }).optional(),
      kvlistValue: z.object({ values: z.array(keyValueSchema).optional() }).optional(),
      bytesValue: z.string().optional(),
    })
    .nullable(),
);
const keyValueSchema = z.object({ key: z.string(), value: anyValueSchema.optional() });
const attributesSchema = z.array(keyValueSchema).optional();
const idSchema = z.string().max(64);
const nanosSchema = z.union([z.string().regex(/^\d{1,20}$/), z.number().int().nonnegative()]);
const spanSchema = z.object({
  traceId: idSchema.optional(),
  spanId: idSchema.optional(),
  name: z.string().optional(),
  startTimeUnixNano: nanosSchema.optional(),
  attributes: attributesSchema,
  events: z
    .array(
      z.object({
        name: z.string().optional(),
        attributes: attributesSchema,
      }),
    )
    .optional(),
});
const requestSchema = z.object({
  resourceSpans: z
    .array(
      z.object({
        resource: z.object({ attributes: attributesSchema }).nullable().optional(),
        scopeSpans: z.array(z.object({ spans: z.array(spanSchema).optional() })).optional(),
      }),
    )
    .optional(),
});
type OtlpRequestJson = z.infer<typeof requestSchema>;
type KeyValueJson = z.infer<typeof keyValueSchema>;

function attributeValue(value: unknown): AttributeValue {
  if (value === null || value === undefined || typeof value !== 'object') return null;
  const v = value as Record<string, unknown>;
  if (typeof v.stringValue === 'string') return v.stringValue;
  if (typeof v.boolValue === 'boolean') return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return Number(v.doubleValue);
  if (v.arrayValue && typeof v.arrayValue === 'object') {
    const values = (v.arrayValue as { values?: unknown[] }).values ?? [];
    return values.map(attributeValue);
  }
  if (v.kvlistValue && typeof v.kvlistValue === 'object') {
    const values = (v.kvlistValue as { values?: KeyValueJson[] }).values ?? [];
    return Object.fromEntries(values.map((kv) => [kv.key, attributeValue(kv.value)]));
  }
  return null; // bytesValue and empty values carry no text we read
}

function attributeMap(attributes: KeyValueJson[] | undefined): Map<string, AttributeValue> {
  return new Map((attributes ?? []).map((kv) => [kv.key, attributeValue(kv.value)]));
}

function hexId(id: string | undefined, encoding: OtlpEncoding): string {
  if (!id) return '';
  return encoding === 'protobuf' ? Buffer.from(id, 'base64').toString('hex') : id.toLowerCase();
}

function spansOf(request: OtlpRequestJson, encoding: OtlpEncoding): OtlpSpan[] {
  const spans: OtlpSpan[] = [];
  for (const resourceSpans of request.resourceSpans ?? []) {
    const resource = attributeMap(resourceSpans.resource?.attributes);
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        spans.push({
          traceId: hexId(span.traceId, encoding),
          spanId: hexId(span.spanId, encoding),
          name: span.name ?? '',
          startNanos: BigInt(span.startTimeUnixNano ?? 0),
          attributes: attributeMap(span.attributes),
          resource,
          events: (span.events ?? []).map((event) => ({
            name: event.name ?? '',
            attributes: attributeMap(event.attributes),
          })),
        });
      }
    }
  }
  return spans;
}

function parseRequest(value: unknown, encoding: OtlpEncoding): OtlpSpan[] {
  const parsed = requestSchema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new OtlpRequestError(400, issue.path.join('.') || 'body', issue.message);
  }
  return spansOf(parsed.data, encoding);
}

/** The spans of one export request, in the order they were sent. */
export function decodeTraceRequest(body: Buffer, encoding: OtlpEncoding): OtlpSpan[] {
  if (encoding === 'json') {
    let value: unknown;
    try {
      value = JSON.parse(body.toString('utf8'));
    } catch {
      throw new OtlpRequestError(400, 'body', 'is not valid JSON');
    }
    return parseRequest(value, 'json');
  }
  const type = protoRoot().lookupType(REQUEST_TYPE);
  let message: protobuf.Message;
  try {
    message = type.decode(body);
  } catch {
    throw new OtlpRequestError(400, 'body', 'is not a valid ExportTraceServiceRequest');
  }
  // Same shape as OTLP/JSON, except that bytes (ids) come out base64 and int64 as strings.
  return parseRequest(
    type.toObject(message, { longs: String, bytes: String, defaults: false }),
    'protobuf',
  );
}

/** The answer to an export: empty on full success, `partial_success` otherwise (OTLP spec). */
export function encodeTraceResponse(
  partialSuccess: { rejectedSpans: number; errorMessage: string } | undefined,
  encoding: OtlpEncoding,
): Buffer {
  if (encoding === 'json') {
    return Buffer.from(
      JSON.stringify(
        partialSuccess
          ? {
              partialSuccess: {
                rejectedSpans: String(partialSuccess.rejectedSpans),
                errorMessage: partialSuccess.errorMessage,
              },
            }
          : {},
      ),
    );
  }
  const type = protoRoot().lookupType(RESPONSE_TYPE);
  return Buffer.from(
    type.encode(type.fromObject(partialSuccess ? { partialSuccess } : {})).finish(),
  );
}

/** An OTLP error body (google.rpc.Status), in the request's encoding. */
export function encodeStatus(code: number, message: string, encoding: OtlpEncoding): Buffer {
  if (encoding === 'json') return Buffer.from(JSON.stringify({ code, message }));
  return Buffer.from(statusType.encode(statusType.fromObject({ code, message })).finish());
}
