/**
 * Langfuse traces -> canonical conversations, for `silhouette import langfuse FILE`.
 *
 * The file holds traces as Langfuse's public API returns them: pages of
 * `GET /api/public/traces` (`{data: [trace…], meta}`) saved as JSON or JSON lines, or traces
 * one per line (`GET /api/public/traces/{id}`, whose `observations` are full objects rather
 * than ids). Mapping (README, "Connect your assistant"):
 *   - a session (`sessionId`) is a conversation; a trace without one is a conversation of its own;
 *   - the user is `userId` (the same on every trace of a session);
 *   - each trace's turn is read from its GENERATION observations when they are included (their
 *     `input` messages and `output`, merged in `startTime` order), else from the trace's own
 *     `input` and `output`; the turns of a session are merged in `timestamp` order;
 *   - `started_at` is the session's first `timestamp`; the last generation's `model` is
 *     `metadata.model`; the traces' `metadata` objects are merged and go through the ingest
 *     rules (allow-listed fields kept, the rest dropped and listed in `ignored_fields`).
 */
import type { RejectedRecord } from '@silhouette/contracts';
import { z } from 'zod';
import { mergeTranscripts, type TranscriptMessage } from '../transcripts';
import { callTranscript } from './chat-content';
import {
  addTo,
  conversationRecord,
  inFileOrder,
  isObject,
  parseItems,
  readExport,
  stringOf,
  timeOf,
  type ImportedTurn,
  type ImportPlan,
  type SourceItem,
} from './import-source';

const observationSchema = z.looseObject({
  type: z.string(),
  startTime: z.string().nullish(),
  input: z.unknown().optional(),
  output: z.unknown().optional(),
  model: z.string().nullish(),
});

const traceSchema = z.looseObject({
  id: z.string().min(1),
  timestamp: z.string().refine((value) => timeOf(value) !== undefined, 'must be an ISO date-time'),
  sessionId: z.string().nullish(),
  userId: z.string().nullish(),
  input: z.unknown().optional(),
  output: z.unknown().optional(),
  metadata: z.unknown().optional(),
  observations: z.array(z.union([z.string(), observationSchema])).nullish(),
});
type LangfuseTrace = z.infer<typeof traceSchema>;

function traceTurn(trace: LangfuseTrace): ImportedTurn {
  const generations = (trace.observations ?? [])
    .filter((o): o is z.infer<typeof observationSchema> => typeof o === 'object')
    .filter((o) => o.type === 'GENERATION')
    .sort((a, b) => (timeOf(a.startTime) ?? 0) - (timeOf(b.startTime) ?? 0));
  let messages: TranscriptMessage[] = [];
  let model: string | undefined;
  for (const generation of generations) {
    const transcript = callTranscript(generation.input, generation.output);
    if (transcript) messages = mergeTranscripts(messages, transcript);
    model = stringOf(generation.model) ?? model;
  }
  if (messages.length === 0) messages = callTranscript(trace.input, trace.output) ?? [];
  return { messages, ...(model ? { model } : {}) };
}

export function planLangfuseImport(text: string): ImportPlan {
  const { items, rejected } = readExport(text, 'data');
  const refused: RejectedRecord[] = [...rejected];
  const sessions = new Map<string, { item: SourceItem; trace: LangfuseTrace; at: number }[]>();
  for (const { item, value: trace } of parseItems(
    items,
    traceSchema,
    'a Langfuse trace object',
    refused,
  ))
    addTo(sessions, stringOf(trace.sessionId) ?? trace.id, {
      item,
      trace,
      at: timeOf(trace.timestamp)!,
    });

  const records: ImportPlan['records'] = [];
  for (const [id, traces] of sessions) {
    traces.sort((a, b) => a.at - b.at);
    const record = conversationRecord(
      {
        id,
        position: traces[0]!.item.position,
        users: traces.map(({ trace }) => stringOf(trace.userId)),
        userField: 'userId',
        scope: 'session',
        startedAt: traces[0]!.at,
        turns: traces.map(({ trace }) => ({
          ...traceTurn(trace),
          ...(isObject(trace.metadata) ? { metadata: trace.metadata } : {}),
        })),
      },
      refused,
    );
    if (record) records.push(record);
  }
  return {
    records,
    rejected: inFileOrder(refused),
    items: items.length,
    conversations: sessions.size,
  };
}
