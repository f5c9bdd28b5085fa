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

/**
 * The customer's own metadata: without the keys this mapping consumed and LangSmith's `ls_*`
 * bookkeeping, which are neither kept nor listed as unknown fields.
 */
function customerMetadata(metadata: Record<string, unknown>): Record<string, unknown> {
  const consumed: readonly string[] = [...THREAD_KEYS, ...USER_KEYS];
  return Object.fromEntries(
    Object.entries(metadata).filter(([key]) => !key.startsWith('ls_') && !consumed.includes(key)),
  );
}

function traceTurn(runs: ParsedRun[]): ImportedTurn {
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
  for (const { item, value: run } of parseItems(
    items,
    runSchema,
    'a LangSmith run object',
    refused,
  ))
    addTo(traces, stringOf(run.trace_id) ?? run.id, { item, run, at: timeOf(run.start_time)! });

  // Runs in time order, the root first; then traces into threads.
  const threads = new Map<string, ParsedRun[][]>();
  for (const [traceId, runs] of traces) {
    runs.sort(
      (a, b) => Number(!!a.run.parent_run_id) - Number(!!b.run.parent_run_id) || a.at - b.at,
    );
    addTo(threads, firstMetadata(runs, THREAD_KEYS) ?? traceId, runs);
  }

  const records: ImportPlan['records'] = [];
  for (const [id, threadTraces] of threads) {
    const start = (runs: ParsedRun[]) => Math.min(...runs.map((r) => r.at));
    threadTraces.sort((a, b) => start(a) - start(b));
    const record = conversationRecord(
      {
        id,
        position: threadTraces[0]![0]!.item.position,
        users: threadTraces.map((runs) => firstMetadata(runs, USER_KEYS)),
        userField: 'extra.metadata.user_id',
        scope: 'thread',
        startedAt: start(threadTraces[0]!),
        turns: threadTraces.map((runs) => ({
          ...traceTurn(runs),
          metadata: customerMetadata(metadataOf(runs[0]!.run)),
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
    conversations: threads.size,
  };
}
