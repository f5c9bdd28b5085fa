/**
 * One raw record -> a validated canonical conversation, or the first field error found.
 * Nothing here touches storage; the caller seals and stores only records that pass.
 */
import {
  conversationMetadataSchema,
  METADATA_FIELDS,
  type CanonicalConversation,
} from '@silhouette/contracts';
import {
  detectFormat,
  RecordError,
  toCanonicalMessages,
  type FieldError,
  type IngestFormat,
} from './formats';

export interface NormalizeOptions {
  format: IngestFormat;
  maxMessageBytes: number;
}

export type NormalizedRecord =
  | {
      ok: true;
      conversation: CanonicalConversation;
      contentBytes: number;
      /** Unknown metadata fields dropped from this record (`metadata.session_id`). */
      ignoredFields: string[];
    }
  | { ok: false; error: FieldError; tooLarge?: boolean };

const MAX_ID_LENGTH = 256;
// C0 controls make ids unprintable, and text columns reject NUL.
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS = /[\u0000-\u001f\u007f]/;
// eslint-disable-next-line no-control-regex
const CONTROL_CHARS_GLOBAL = /[\u0000-\u001f\u007f]/g;
const ISO_DATE_TIME =
  /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

class TooLargeError extends RecordError {}

function identifier(record: Record<string, unknown>, key: string, aliases: string[] = []): string {
  const present = [key, ...aliases].find(
    (name) => record[name] !== undefined && record[name] !== null,
  );
  if (!present) throw new RecordError(key, 'is required');
  const value = record[present];
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  if (typeof value !== 'string') throw new RecordError(present, 'must be a string');
  if (value.trim().length === 0) throw new RecordError(present, 'must not be empty');
  if (value.length > MAX_ID_LENGTH)
    throw new RecordError(present, `must be at most ${MAX_ID_LENGTH} characters`);
  if (CONTROL_CHARS.test(value) || !value.isWellFormed()) {
    throw new RecordError(present, 'must not contain control characters or unpaired surrogates');
  }
  return value;
}

function startedAt(record: Record<string, unknown>): string | undefined {
  const value = record.started_at;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !ISO_DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) {
    throw new RecordError(
      'started_at',
      'must be an ISO 8601 date-time such as 2025-01-31T09:30:00Z',
    );
  }
  const year = new Date(value).getUTCFullYear();
  if (year < 2000 || year > 2100)
    throw new RecordError('started_at', 'must be between the years 2000 and 2100');
  return new Date(value).toISOString();
}

/** Longest unknown field name echoed back in `ignored_fields` (names are the sender's own). */
const MAX_IGNORED_FIELD_NAME = 64;

/**
 * The allow-listed metadata fields, validated; unknown fields are dropped (real exports carry
 * `session_id`, `app_version`…) and their names returned so the batch can list them.
 */
function metadata(
  record: Record<string, unknown>,
  ignoredFields: string[],
): CanonicalConversation['metadata'] {
  const value = record.metadata;
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) {
    throw new RecordError('metadata', 'must be an object');
  }
  const known: Record<string, unknown> = {};
  for (const [key, field] of Object.entries(value)) {
    if ((METADATA_FIELDS as readonly string[]).includes(key)) known[key] = field;
    else ignoredFields.push(`metadata.${ignoredFieldName(key)}`);
  }
  const parsed = conversationMetadataSchema.safeParse(known);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const path = issue.path.length ? `.${issue.path.join('.')}` : '';
    throw new RecordError(`metadata${path}`, issue.message);
  }
  for (const [key, text] of Object.entries(parsed.data)) {
    if (typeof text === 'string' && (CONTROL_CHARS.test(text) || !text.isWellFormed())) {
      throw new RecordError(
        `metadata.${key}`,
        'must not contain control characters or unpaired surrogates',
      );
    }
  }
  return Object.keys(parsed.data).length > 0 ? parsed.data : undefined;
}

function ignoredFieldName(key: string): string {
  const printable = key.replace(CONTROL_CHARS_GLOBAL, '?');
  return printable.length > MAX_IGNORED_FIELD_NAME
    ? `${printable.slice(0, MAX_IGNORED_FIELD_NAME)}…`
    : printable;
}

export function normalizeRecord(raw: unknown, options: NormalizeOptions): NormalizedRecord {
  try {
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
      throw new RecordError('(record)', 'must be a JSON object');
    }
    const record = raw as Record<string, unknown>;
    const id = identifier(record, 'id');
    const userId = identifier(record, 'user_id', ['user']);
    const format = options.format === 'auto' ? detectFormat(record) : options.format;
    if (format === 'sharegpt' && !('conversations' in record)) {
      throw new RecordError('conversations', 'is required (ShareGPT format)');
    }
    if (format !== 'sharegpt' && !('messages' in record)) {
      throw new RecordError(
        'messages',
        `is required (${format === 'openai' ? 'OpenAI chat' : 'Anthropic'} format)`,
      );
    }
    const messages = toCanonicalMessages(record, format);
    const listField = format === 'sharegpt' ? 'conversations' : 'messages';
    let contentBytes = 0;
    const offset = messages.length - (record[listField] as unknown[]).length;
    messages.forEach((message, index) => {
      const field = index < offset ? 'system' : `${listField}[${index - offset}]`;
      if (!message.content.isWellFormed())
        throw new RecordError(field, 'contains an unpaired UTF-16 surrogate');
      if (message.content.includes('\u0000'))
        throw new RecordError(field, 'contains a NUL character');
      const bytes = Buffer.byteLength(message.content, 'utf8');
      if (bytes > options.maxMessageBytes) {
        throw new TooLargeError(
          field,
          `is ${bytes} bytes, over the max_message_bytes limit of ${options.maxMessageBytes}`,
        );
      }
      contentBytes += bytes;
    });
    if (!messages.some((message) => message.role === 'user' && message.content.trim().length > 0)) {
      throw new RecordError(listField, 'must contain at least one user message with text');
    }
    const conversation: CanonicalConversation = { id, user_id: userId, messages };
    const started = startedAt(record);
    if (started) conversation.started_at = started;
    const ignoredFields: string[] = [];
    const meta = metadata(record, ignoredFields);
    if (meta) conversation.metadata = meta;
    return { ok: true, conversation, contentBytes, ignoredFields };
  } catch (error) {
    if (error instanceof RecordError) {
      return {
        ok: false,
        error: { field: error.field, message: error.message },
        tooLarge: error instanceof TooLargeError,
      };
    }
    throw error;
  }
}
