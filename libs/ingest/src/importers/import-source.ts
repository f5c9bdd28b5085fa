/**
 * What the importers share: reading an export file (a JSON document or JSON lines) into items
 * with their position in the file, and the result they hand to ingest: canonical records placed
 * at the position of their first source item, plus the problems found before ingest.
 */
import type { RejectedRecord } from '@silhouette/contracts';
import type { z } from 'zod';
import { describeJsonError, type RawRecord } from '../parse-body';
import { mergeTranscripts, type TranscriptMessage } from '../transcripts';

export interface SourceItem {
  /** 1-based line (JSON lines) or 0-based index of the item in file order (JSON). */
  position: { line: number } | { index: number };
  value: unknown;
}

export interface ImportPlan {
  /** Canonical records for ingest (`IngestService.ingestRecords`). */
  records: RawRecord[];
  /** Items refused before ingest (unreadable lines, items without the fields a record needs). */
  rejected: RejectedRecord[];
  /** Items read (traces or runs). */
  items: number;
  /** Conversations assembled from them. */
  conversations: number;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The items of an export: a JSON document (one item, an array of items, a `{data: [...]}` page
 * or an array of pages) or JSON lines (each line an item or a page). `pageKey` names the list a
 * page holds (`data` for Langfuse's `GET /api/public/traces`).
 */
export function readExport(
  text: string,
  pageKey: string,
): { items: SourceItem[]; rejected: RejectedRecord[] } {
  const items: SourceItem[] = [];
  const rejected: RejectedRecord[] = [];
  const unpage = (value: unknown): unknown[] =>
    isObject(value) && Array.isArray(value[pageKey]) ? (value[pageKey] as unknown[]) : [value];
  const trimmed = text.trim();
  if (trimmed.startsWith('[') || (trimmed.startsWith('{') && !trimmed.includes('\n{'))) {
    try {
      const document = JSON.parse(trimmed) as unknown;
      const values = Array.isArray(document) ? document.flatMap(unpage) : unpage(document);
      values.forEach((value, index) => items.push({ position: { index }, value }));
      return { items, rejected };
    } catch (error) {
      if (trimmed.startsWith('[')) {
        rejected.push({ index: 0, field: '(file)', message: describeJsonError(error) });
        return { items, rejected };
      }
      // otherwise: JSON lines whose first line spans the file; read line by line below
    }
  }
  text.split('\n').forEach((line, index) => {
    if (line.trim().length === 0) return;
    try {
      for (const value of unpage(JSON.parse(line) as unknown))
        items.push({ position: { line: index + 1 }, value });
    } catch (error) {
      rejected.push({ line: index + 1, field: '(record)', message: describeJsonError(error) });
    }
  });
  return { items, rejected };
}

/** Epoch milliseconds of an ISO date-time (or epoch number), or undefined. */
export function timeOf(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value !== 'string' || value.trim().length === 0) return undefined;
  // LangSmith writes naive UTC times ("2024-05-01T10:00:00.123456"): read them as UTC.
  const normalized = /[zZ]|[+-]\d{2}:?\d{2}$/.test(value) ? value : `${value}Z`;
  const ms = Date.parse(normalized);
  return Number.isNaN(ms) ? undefined : ms;
}

export function stringOf(value: unknown): string | undefined {
  if (typeof value === 'string' && value.trim().length > 0) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
}

/**
 * Items checked with `schema`; one that fails is refused with the field of its first issue (or
 * `(record)` with `what` it should have been, when it is not an object at all).
 */
export function parseItems<T>(
  items: SourceItem[],
  schema: z.ZodType<T>,
  what: string,
  refused: RejectedRecord[],
): { item: SourceItem; value: T }[] {
  const parsed: { item: SourceItem; value: T }[] = [];
  for (const item of items) {
    const result = schema.safeParse(item.value);
    if (result.success) {
      parsed.push({ item, value: result.data });
      continue;
    }
    const issue = result.error.issues[0]!;
    refused.push({
      ...item.position,
      field: issue.path.length ? issue.path.join('.') : '(record)',
      message: issue.path.length ? issue.message : `must be ${what}`,
    });
  }
  return parsed;
}

/** Appends `value` to the list under `key`. */
export function addTo<K, V>(groups: Map<K, V[]>, key: K, value: V): void {
  const list = groups.get(key);
  if (list) list.push(value);
  else groups.set(key, [value]);
}

/** One turn of a conversation (a trace): what it said, and what it tells about the rest. */
export interface ImportedTurn {
  messages: TranscriptMessage[];
  model?: string;
  metadata?: Record<string, unknown>;
}

/**
 * A conversation from its turns, in time order: their messages merged, their metadata merged
 * (later turns win), the latest model as `metadata.model`. Refused (and undefined) unless exactly
 * one user id names it: conversations are counted per person.
 */
export function conversationRecord(
  conversation: {
    id: string;
    position: SourceItem['position'];
    users: (string | undefined)[];
    userField: string;
    scope: string;
    startedAt: number;
    turns: ImportedTurn[];
  },
  refused: RejectedRecord[],
): RawRecord | undefined {
  const users = new Set(conversation.users.filter((user): user is string => Boolean(user)));
  const [userId] = users;
  if (users.size !== 1 || !userId) {
    refused.push({
      ...conversation.position,
      field: conversation.userField,
      message:
        users.size > 1
          ? `differs between the traces of this ${conversation.scope}`
          : 'is required: conversations are counted per person',
    });
    return undefined;
  }
  let messages: TranscriptMessage[] = [];
  let model: string | undefined;
  const metadata: Record<string, unknown> = {};
  for (const turn of conversation.turns) {
    messages = mergeTranscripts(messages, turn.messages);
    model = turn.model ?? model;
    Object.assign(metadata, turn.metadata);
  }
  if (model && metadata.model === undefined) metadata.model = model.slice(0, 100);
  return {
    position: conversation.position,
    value: {
      id: conversation.id,
      user_id: userId,
      started_at: new Date(conversation.startedAt).toISOString(),
      messages,
      ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
    },
  };
}

/** Rejections in file order. */
export function inFileOrder(rejected: RejectedRecord[]): RejectedRecord[] {
  return rejected.sort((a, b) => (a.line ?? a.index ?? 0) - (b.line ?? b.index ?? 0));
}

export { isObject };
