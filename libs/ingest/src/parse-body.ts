/**
 * Splits an ingest body into records: a JSON array, a single JSON object, or JSONL (one object
 * per line, blank lines ignored). Invalid UTF-8 is refused outright rather than silently
 * replaced, so no record is stored with corrupted text.
 */
export class BodyError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export interface RawRecord {
  /** 1-based line for JSONL input, 0-based index for a JSON array. */
  position: { line: number } | { index: number };
  value?: unknown;
  parseError?: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

export function decodeUtf8(body: Uint8Array): string {
  try {
    return utf8.decode(body);
  } catch {
    const offset = firstInvalidUtf8Offset(body);
    throw new BodyError('body', `is not valid UTF-8 (first invalid byte at offset ${offset})`);
  }
}

function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length;) {
    const byte = bytes[i]!;
    const length =
      byte < 0x80
        ? 1
        : byte >= 0xc2 && byte < 0xe0
          ? 2
          : byte >= 0xe0 && byte < 0xf0
            ? 3
            : byte >= 0xf0 && byte < 0xf5
              ? 4
              : 0;
    if (length === 0) return i;
    try {
      utf8.decode(bytes.subarray(i, i + length));
    } catch {
      return i;
    }
    i += length;
  }
  return bytes.length;
}

/** JSON.parse messages quote the input; keep only the position so no content reaches errors. */
export function describeJsonError(error: unknown): string {
  const match = /position (\d+)/.exec((error as Error).message);
  return match ? `is not valid JSON (at character ${match[1]})` : 'is not valid JSON';
}

export function splitRecords(text: string): RawRecord[] {
  const trimmed = text.trimStart();
  if (trimmed.length === 0)
    throw new BodyError('body', 'is empty: send a JSON array or JSON lines of conversations');
  if (trimmed.startsWith('[')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(trimmed);
    } catch (error) {
      throw new BodyError('body', describeJsonError(error));
    }
    if (!Array.isArray(parsed)) throw new BodyError('body', 'must be a JSON array or JSON lines');
    return parsed.map((value, index) => ({ position: { index }, value }));
  }
  if (!trimmed.startsWith('{'))
    throw new BodyError('body', 'must be a JSON array or JSON lines of objects');
  // A single (possibly pretty-printed) object is one record.
  if (!trimmed.includes('\n') || /^\{[\s\S]*\}\s*$/.test(trimmed)) {
    try {
      return [{ position: { line: 1 }, value: JSON.parse(trimmed) }];
    } catch {
      // fall through: it is JSONL with at least one bad line
    }
  }
  const records: RawRecord[] = [];
  const lines = text.split('\n');
  lines.forEach((line, index) => {
    if (line.trim().length === 0) return;
    try {
      records.push({ position: { line: index + 1 }, value: JSON.parse(line) });
    } catch (error) {
      records.push({ position: { line: index + 1 }, parseError: describeJsonError(error) });
    }
  });
  return records;
}
