/**
 * The answer to an ingest batch (`POST /v1/conversations`, `silhouette ingest`, the importers and
 * the OTLP receiver's per-conversation step). Rejections name the record's position and field,
 * never its content; ignored fields are the sender's own field names, counted per batch.
 */
import { z } from 'zod';

export const rejectedRecordSchema = z.object({
  line: z.number().int().optional().describe('1-based line (JSON lines input)'),
  index: z.number().int().optional().describe('0-based index (JSON array input)'),
  field: z.string(),
  message: z.string(),
});
export type RejectedRecord = z.infer<typeof rejectedRecordSchema>;

export const ignoredFieldSchema = z.object({
  field: z.string().describe('e.g. "metadata.session_id": dropped, never stored'),
  count: z.number().int().positive().describe('records of this batch that carried it'),
});
export type IgnoredField = z.infer<typeof ignoredFieldSchema>;

export const ingestResultSchema = z.object({
  accepted: z.number().int().describe('new conversations stored'),
  updated: z
    .number()
    .int()
    .describe('stored conversations that grew: the same messages plus new ones'),
  duplicates: z.number().int().describe('already stored with the same messages (or more)'),
  rejected: z.array(rejectedRecordSchema),
  ignored_fields: z.array(ignoredFieldSchema),
});
export type IngestResult = z.infer<typeof ingestResultSchema>;
