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
  inFileOrder,
  isObject,
  readExport,
  stringOf,
  timeOf,
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

interface ParsedTrace {
  item: SourceItem;
  trace: LangfuseTrace;
  at: number;
}

function traceTurn(trace: LangfuseTrace): { messages: TranscriptMessage[]; model?: string } {
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
  const sessions = new Map<string, ParsedTrace[]>();
  for (const item of items) {
    const parsed = traceSchema.safeParse(item.value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      refused.push({
        ...item.position,
        field: issue.path.length ? issue.path.join('.') : '(record)',
        message: issue.path.length ? issue.message : 'must be a Langfuse trace object',
      });
      continue;
    }
    const trace = parsed.data;
    const key = stringOf(trace.sessionId) ?? trace.id;
    const entry = { item, trace, at: timeOf(trace.timestamp)! };
    const list = sessions.get(key);
    if (list) list.push(entry);
    else sessions.set(key, [entry]);
  }

  const records: ImportPlan['records'] = [];
  for (const [id, traces] of sessions) {
    traces.sort((a, b) => a.at - b.at);
    const position = traces[0]!.item.position;
    const users = new Set(traces.map((t) => stringOf(t.trace.userId)).filter(Boolean));
    if (users.size > 1) {
      refused.push({
        ...position,
        field: 'userId',
        message: 'differs between the traces of this session',
      });
      continue;
    }
    const [userId] = users;
    if (!userId) {
      refused.push({
        ...position,
        field: 'userId',
        message: 'is required: conversations are counted per person',
      });
      continue;
    }
    let messages: TranscriptMessage[] = [];
    let model: string | undefined;
    const metadata: Record<string, unknown> = {};
    for (const { trace } of traces) {
      const turn = traceTurn(trace);
      messages = mergeTranscripts(messages, turn.messages);
      model = turn.model ?? model;
      if (isObject(trace.metadata)) Object.assign(metadata, trace.metadata);
    }
    if (model && metadata.model === undefined) metadata.model = model.slice(0, 100);
    records.push({
      position,
      value: {
        id,
        user_id: userId,
        started_at: new Date(traces[0]!.at).toISOString(),
        messages,
        ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
      },
    });
  }
  return {
    records,
    rejected: inFileOrder(refused),
    items: items.length,
    conversations: sessions.size,
  };
}
