/**
 * Structured logs (pino). Conversation content must never be logged: callers log ids and counts,
 * and these redaction paths are a second line of defence for fields that could carry content,
 * personal data or credentials if someone logs a whole object by mistake.
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

export const REDACTED_PATHS = [
  'content',
  'messages',
  'text',
  'user_id',
  'userId',
  'email',
  'phone',
  'body',
  'apiKey',
  'api_key',
  'token',
  'password',
  'secret',
  'authorization',
  '*.content',
  '*.messages',
  '*.text',
  '*.user_id',
  '*.userId',
  '*.email',
  '*.phone',
  '*.body',
  '*.apiKey',
  '*.api_key',
  '*.token',
  '*.password',
  '*.secret',
  '*.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'headers.authorization',
  'headers.cookie',
];

export interface LoggerOptions {
  level?: string;
  name?: string;
  destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  return pino(
    {
      name: options.name ?? 'silhouette',
      level: options.level ?? 'info',
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
      // Errors are serialized without their `cause` chain, which could hold driver payloads.
      serializers: { err: serializeError },
      base: { pid: process.pid },
    },
    options.destination,
  );
}

/** Only the error's class, code and message: never driver payloads, parameters or rows. */
export function serializeError(error: unknown): Record<string, unknown> {
  if (!(error instanceof Error)) return { message: String(error) };
  const code = (error as { code?: unknown }).code;
  return {
    type: error.name,
    message: error.message,
    ...(code !== undefined ? { code } : {}),
    stack: error.stack?.split('\n').slice(0, 6).join('\n'),
  };
}
