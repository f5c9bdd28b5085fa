/**
 * Reads a request body with a hard byte cap (no body parser is installed: each route decides its
 * own limit and gets every error through the same filter).
 */
import type { Request } from 'express';
import type { z } from 'zod';
import { decodeUtf8, describeJsonError, IngestLimitError } from '@silhouette/ingest';
import { badRequest } from './api-error';

export async function readRawBody(request: Request, maxBytes: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? NaN);
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(declared, maxBytes);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) {
      request.destroy();
      throw tooLarge(total, maxBytes);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, total);
}

function tooLarge(bytes: number, maxBytes: number): IngestLimitError {
  return new IngestLimitError(
    'max_request_bytes',
    maxBytes,
    'body',
    `request body is ${bytes} bytes or more, over the max_request_bytes limit of ${maxBytes}`,
  );
}

/** A small JSON body validated with `schema`; the first issue names its field. */
export async function readJsonBody<T>(
  request: Request,
  schema: z.ZodType<T>,
  maxBytes = 64 * 1024,
): Promise<T> {
  const raw = await readRawBody(request, maxBytes);
  let value: unknown = {};
  if (raw.length > 0) {
    const text = decodeUtf8(raw);
    try {
      value = JSON.parse(text);
    } catch (error) {
      throw badRequest('body', describeJsonError(error));
    }
  }
  return parseWith(schema, value, 'body');
}

export function parseWith<T>(schema: z.ZodType<T>, value: unknown, where: string): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  // An unknown field is named itself, not its parent object.
  const path =
    issue.code === 'unrecognized_keys' && issue.keys.length
      ? [...issue.path, issue.keys[0]!]
      : issue.path;
  const field = path.length ? path.join('.') : where;
  throw badRequest(field, issue.message);
}
