/**
 * LangSmith runs -> canonical conversations, for `silhouette import langsmith FILE`.
 *
 * The file holds runs as LangSmith exports them (its run data format: `id`, `trace_id`,
 * `parent_run_id`, `run_type`, `start_time`, `inputs`, `outputs`, `extra.metadata`…), one per
 * line (or a JSON array). Mapping (README, "Connect your assistant"):
 *   - a thread is a conversation: the `session_id`, `thread_id` or `conversation_id` metadata key
 *     LangSmith groups threads by (on any run of a trace, the root's first); a trace outside any
 *     thread is a conversation of its own. (The run's own `session_id` field is the tracing
 *     project, not a thread, and is not used.)
 *   - the user is the `user_id` metadata key (`userId` and `user` are accepted too);
 *   - each trace's turn is read from its `llm` runs (their `inputs.messages` and the first
 *     generation or choice of `outputs`, merged in `start_time` order), else from the root
 *     run's `inputs` and `outputs`; the turns of a thread are merged in trace order;
 *   - `started_at` is the thread's first `start_time` (naive times are UTC); the model
 *     (`ls_model_name` metadata, or `invocation_params.model`) is `metadata.model`; LangSmith's
 *     own `ls_*` keys are left out, and the other metadata keys go through the ingest rules
 *     (allow-listed kept, the rest dropped and listed).
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

const THREAD_KEYS = ['session_id', 'thread_id', 'conversation_id'] as const;
const USER_KEYS = ['user_id', 'userId', 'user'] as const;
const MODEL_KEYS = ['ls_model_name'] as const;

const runSchema = z.looseObject({
  id: z.string().min(1),
  trace_id: z.string().nullish(),
  parent_run_id: z.string().nullish(),
  run_type: z.string(),
  start_time: z
    .union([z.string(), z.number()])
    .refine((value) => timeOf(value) !== undefined, 'must be an ISO date-time'),
  inputs: z.unknown().optional(),
  outputs: z.unknown().optional(),
  extra: z.unknown().optional(),
  metadata: z.unknown().optional(),
});
type LangsmithRun = z.infer<typeof runSchema>;

interface ParsedRun {
  item: SourceItem;
  run: LangsmithRun;
  at: number;
}

function metadataOf(run: LangsmithRun): Record<string, unknown> {
  const extra = isObject(run.extra) && isObject(run.extra.metadata) ? run.extra.metadata : {};
  return { ...(isObject(run.metadata) ? run.metadata : {}), ...extra };
}

function modelOf(run: LangsmithRun, metadata: Record<string, unknown>): string | undefined {
  for (const key of MODEL_KEYS) if (stringOf(metadata[key])) return stringOf(metadata[key]);
  const params =
    isObject(run.extra) && isObject(run.extra.invocation_params) ? run.extra.invocation_params : {};
  return stringOf(params.model) ?? stringOf(params.model_name);
}

/** The first value of `keys` on the trace's runs, root first. */
function firstMetadata(runs: ParsedRun[], keys: readonly string[]): string | undefined {
  for (const { run } of runs) {
    const metadata = metadataOf(run);
    for (const key of keys) if (stringOf(metadata[key])) return stringOf(metadata[key]);
  }
  return undefined;
}

function traceTurn(runs: ParsedRun[]): { messages: TranscriptMessage[]; model?: string } {
  let messages: TranscriptMessage[] = [];
  let model: string | undefined;
  for (const { run } of runs.filter(({ run }) => run.run_type === 'llm')) {
    const transcript = callTranscript(run.inputs, run.outputs);
    if (transcript) messages = mergeTranscripts(messages, transcript);
    model = modelOf(run, metadataOf(run)) ?? model;
  }
  if (messages.length === 0) {
    const root = runs[0]!.run;
    messages = callTranscript(root.inputs, root.outputs) ?? [];
  }
  return { messages, ...(model ? { model } : {}) };
}

export function planLangsmithImport(text: string): ImportPlan {
  const { items, rejected } = readExport(text, 'runs');
  const refused: RejectedRecord[] = [...rejected];
  const traces = new Map<string, ParsedRun[]>();
  for (const item of items) {
    const parsed = runSchema.safeParse(item.value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      refused.push({
        ...item.position,
        field: issue.path.length ? issue.path.join('.') : '(record)',
        message: issue.path.length ? issue.message : 'must be a LangSmith run object',
      });
      continue;
    }
    const run = parsed.data;
    const traceId = stringOf(run.trace_id) ?? run.id;
    const entry = { item, run, at: timeOf(run.start_time)! };
    const list = traces.get(traceId);
    if (list) list.push(entry);
    else traces.set(traceId, [entry]);
  }

  // Runs in time order, the root first; then traces into threads.
  const threads = new Map<string, { traceId: string; runs: ParsedRun[] }[]>();
  for (const [traceId, runs] of traces) {
    runs.sort((a, b) => {
      const rootA = !a.run.parent_run_id ? 0 : 1;
      const rootB = !b.run.parent_run_id ? 0 : 1;
      return rootA - rootB || a.at - b.at;
    });
    const threadId = firstMetadata(runs, THREAD_KEYS) ?? traceId;
    const list = threads.get(threadId);
    if (list) list.push({ traceId, runs });
    else threads.set(threadId, [{ traceId, runs }]);
  }

  const records: ImportPlan['records'] = [];
  for (const [id, threadTraces] of threads) {
    const start = (t: { runs: ParsedRun[] }) => Math.min(...t.runs.map((r) => r.at));
    threadTraces.sort((a, b) => start(a) - start(b));
    const position = threadTraces[0]!.runs[0]!.item.position;
    const users = new Set(
      threadTraces.map((t) => firstMetadata(t.runs, USER_KEYS)).filter(Boolean),
    );
    const [userId] = users;
    if (users.size > 1 || !userId) {
      refused.push({
        ...position,
        field: 'extra.metadata.user_id',
        message:
          users.size > 1
            ? 'differs between the traces of this thread'
            : 'is required: conversations are counted per person',
      });
      continue;
    }
    let messages: TranscriptMessage[] = [];
    let model: string | undefined;
    const metadata: Record<string, unknown> = {};
    for (const { runs } of threadTraces) {
      const turn = traceTurn(runs);
      messages = mergeTranscripts(messages, turn.messages);
      model = turn.model ?? model;
      Object.assign(metadata, metadataOf(runs[0]!.run));
    }
    // Keys this mapping consumed, and LangSmith's own `ls_*` bookkeeping, are not the
    // customer's metadata: they are neither kept nor listed as unknown fields.
    for (const key of Object.keys(metadata))
      if (key.startsWith('ls_') || (THREAD_KEYS as readonly string[]).includes(key))
        delete metadata[key];
    for (const key of USER_KEYS) delete metadata[key];
    if (model && metadata.model === undefined) metadata.model = model.slice(0, 100);
    records.push({
      position,
      value: {
        id,
        user_id: userId,
        started_at: new Date(start(threadTraces[0]!)).toISOString(),
        messages,
        ...(Object.keys(metadata).length > 0 ? { metadata } : {}),
      },
    });
  }
  return {
    records,
    rejected: inFileOrder(refused),
    items: items.length,
    conversations: threads.size,
  };
}
