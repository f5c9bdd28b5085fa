/**
 * What the importers share: reading an export file (a JSON document or JSON lines) into items
 * with their position in the file, and the result they hand to ingest: canonical records placed
 * at the position of their first source item, plus the problems found before ingest.
 */
import type { RejectedRecord } from '@silhouette/contracts';
import { describeJsonError, type RawRecord } from '../parse-body';

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

/** Rejections in file order. */
export function inFileOrder(rejected: RejectedRecord[]): RejectedRecord[] {
  return rejected.sort((a, b) => (a.line ?? a.index ?? 0) - (b.line ?? b.index ?? 0));
}

export { isObject };
