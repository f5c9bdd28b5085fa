/**
 * Spans that follow the OpenTelemetry GenAI semantic conventions -> canonical conversations.
 *
 * Messages, newest conventions first:
 *   - span attributes `gen_ai.system_instructions`, `gen_ai.input.messages` (the chat history
 *     sent to the model) and `gen_ai.output.messages` (its answer; the first choice is kept),
 *     structured or as JSON strings, messages as `{role, parts: [{type, content}]}`;
 *   - the same attributes on a `gen_ai.client.inference.operation.details` span event;
 *   - the older per-message span events (`gen_ai.system.message`, `gen_ai.user.message`,
 *     `gen_ai.assistant.message`, `gen_ai.tool.message`, `gen_ai.choice`), their content in a
 *     `content` attribute or a JSON `gen_ai.event.content` body;
 *   - the oldest `gen_ai.content.prompt` / `gen_ai.content.completion` events (`gen_ai.prompt`,
 *     `gen_ai.completion`: JSON lists of `{role, content}`);
 *   - OpenLLMetry's indexed attributes (`gen_ai.prompt.N.role`/`.content`, `gen_ai.completion.N.…`).
 * Grouping: `gen_ai.conversation.id`, else `session.id`, else the trace id; the user from
 * `user.id`, else `enduser.id`. Each is looked up on the span, then on the other spans of its
 * trace in the same request (a root span often carries them for its model-call children), then
 * on the resource. A conversation's spans are ordered by start time and their transcripts
 * merged: a span whose input repeats the history so far extends it, one that carries only new
 * turns is appended. When a conversation has both agent spans (`invoke_agent`…) and model-call
 * spans with messages, the model calls are read (they hold the same turns, tool calls included).
 *
 * Spans without GenAI message content (HTTP, database, embeddings…) are counted and ignored.
 */
import { mergeTranscripts, type TranscriptMessage } from '../transcripts';
import type { AttributeValue, OtlpSpan } from './otlp-request.decoder';

export type SpanMessage = TranscriptMessage;

export interface GenAiConversation {
  /** `gen_ai.conversation.id`, `session.id`, or `trace:<trace id>`. */
  id: string;
  /** Undefined when no span of it (or of its traces) names the user. */
  userId: string | undefined;
  startedAt: string | undefined;
  messages: SpanMessage[];
  model: string | undefined;
  spans: number;
}

export interface GenAiMapping {
  conversations: GenAiConversation[];
  /** Spans without GenAI message content: counted, ignored. */
  ignoredSpans: number;
}

const CONVERSATION_KEYS = ['gen_ai.conversation.id', 'session.id'] as const;
const USER_KEYS = ['user.id', 'enduser.id'] as const;
const DETAILS_EVENT = 'gen_ai.client.inference.operation.details';
const MESSAGE_EVENTS: Record<string, string> = {
  'gen_ai.system.message': 'system',
  'gen_ai.user.message': 'user',
  'gen_ai.assistant.message': 'assistant',
  'gen_ai.tool.message': 'tool',
  'gen_ai.choice': 'assistant',
};

/** Operations above the model calls (`gen_ai.operation.name`); spans without one are calls. */
const AGENT_OPERATIONS = new Set([
  'invoke_agent',
  'create_agent',
  'execute_tool',
  'invoke_workflow',
]);

function isAgentLevel(span: OtlpSpan): boolean {
  const operation = span.attributes.get('gen_ai.operation.name');
  return typeof operation === 'string' && AGENT_OPERATIONS.has(operation);
}

/** A JSON string attribute becomes its value; anything else is used as it is. */
function structured(value: AttributeValue | undefined): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  if (!trimmed.startsWith('[') && !trimmed.startsWith('{')) return value;
  try {
    return JSON.parse(trimmed) as unknown;
  } catch {
    return value;
  }
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value === null || value === undefined) return '';
  return JSON.stringify(value);
}

/** The text of a message's parts: text and tool results; tool calls and binary parts carry none. */
function partsText(parts: unknown): string {
  if (typeof parts === 'string') return parts;
  if (!Array.isArray(parts)) return '';
  const texts: string[] = [];
  for (const part of parts) {
    if (typeof part === 'string') texts.push(part);
    else if (part && typeof part === 'object') {
      const p = part as Record<string, unknown>;
      if (p.type === 'text' && typeof p.content === 'string') texts.push(p.content);
      else if (p.type === 'tool_call_response') texts.push(text(p.result ?? p.response));
    }
  }
  return texts.join('\n');
}

function chatMessages(value: unknown): SpanMessage[] {
  if (!Array.isArray(value)) return [];
  const messages: SpanMessage[] = [];
  for (const item of value) {
    if (!item || typeof item !== 'object') continue;
    const m = item as Record<string, unknown>;
    // Newest: {role, parts}; older and vendor variants: {role, content} or a choice's {message}.
    const message =
      m.message && typeof m.message === 'object' ? (m.message as Record<string, unknown>) : m;
    const role = typeof message.role === 'string' ? message.role : 'assistant';
    const content = 'parts' in message ? partsText(message.parts) : partsText(message.content);
    messages.push({ role, content });
  }
  return messages;
}

function fromAttributes(attributes: Map<string, AttributeValue>): SpanMessage[] | undefined {
  const system = structured(attributes.get('gen_ai.system_instructions'));
  const input = structured(attributes.get('gen_ai.input.messages'));
  const output = structured(attributes.get('gen_ai.output.messages'));
  if (system === undefined && input === undefined && output === undefined) return undefined;
  const messages: SpanMessage[] = [];
  const systemText = partsText(system);
  if (systemText) messages.push({ role: 'system', content: systemText });
  messages.push(...chatMessages(input));
  // One message per choice: the first choice is the answer the conversation went on with.
  messages.push(...chatMessages(output).slice(0, 1));
  return messages;
}

function fromEvents(span: OtlpSpan): SpanMessage[] | undefined {
  const details = span.events.find((event) => event.name === DETAILS_EVENT);
  if (details) return fromAttributes(details.attributes);
  const messages: SpanMessage[] = [];
  let found = false;
  for (const event of span.events) {
    const role = MESSAGE_EVENTS[event.name];
    if (role) {
      found = true;
      const body = structured(event.attributes.get('gen_ai.event.content'));
      const fields =
        body && typeof body === 'object' && !Array.isArray(body)
          ? (body as Record<string, unknown>)
          : {};
      const message =
        fields.message && typeof fields.message === 'object'
          ? (fields.message as Record<string, unknown>)
          : fields;
      const content = event.attributes.get('content') ?? message.content;
      // A choice is only the first candidate's answer.
      if (event.name === 'gen_ai.choice' && Number(fields.index ?? 0) !== 0) continue;
      messages.push({ role, content: partsText(structured(content as AttributeValue)) });
    } else if (
      event.name === 'gen_ai.content.prompt' ||
      event.name === 'gen_ai.content.completion'
    ) {
      found = true;
      const key = event.name === 'gen_ai.content.prompt' ? 'gen_ai.prompt' : 'gen_ai.completion';
      const listed = chatMessages(structured(event.attributes.get(key)));
      messages.push(...(event.name === 'gen_ai.content.completion' ? listed.slice(0, 1) : listed));
    }
  }
  return found ? messages : undefined;
}

/** The span's own transcript (what it sent and received), or undefined without GenAI content. */
const INDEXED = /^gen_ai\.(prompt|completion)\.(\d+)\.(role|content)$/;

/**
 * OpenLLMetry's indexed attributes (`gen_ai.prompt.0.role`, `gen_ai.prompt.0.content`,
 * `gen_ai.completion.0.content`…), not in the conventions but widely emitted.
 */
function fromIndexedAttributes(attributes: Map<string, AttributeValue>): SpanMessage[] | undefined {
  const prompt = new Map<number, { role?: string; content?: string }>();
  const completion = new Map<number, { role?: string; content?: string }>();
  for (const [key, value] of attributes) {
    const match = INDEXED.exec(key);
    if (!match) continue;
    const list = match[1] === 'prompt' ? prompt : completion;
    const index = Number(match[2]);
    const entry = list.get(index) ?? {};
    if (match[3] === 'role' && typeof value === 'string') entry.role = value;
    if (match[3] === 'content') entry.content = partsText(structured(value));
    list.set(index, entry);
  }
  if (prompt.size === 0 && completion.size === 0) return undefined;
  const ordered = (list: typeof prompt, role: string) =>
    [...list.entries()]
      .sort(([a], [b]) => a - b)
      .map(([, entry]) => ({ role: entry.role ?? role, content: entry.content ?? '' }));
  return [...ordered(prompt, 'user'), ...ordered(completion, 'assistant').slice(0, 1)];
}

export function spanTranscript(span: OtlpSpan): SpanMessage[] | undefined {
  const messages =
    fromAttributes(span.attributes) ?? fromIndexedAttributes(span.attributes) ?? fromEvents(span);
  return messages && messages.length > 0 ? messages : undefined;
}

function stringAttribute(value: AttributeValue | undefined): string | undefined {
  if (typeof value === 'string' && value.trim().length > 0) return value;
  if (typeof value === 'number' && Number.isSafeInteger(value)) return String(value);
  return undefined;
}

function lookup(
  span: OtlpSpan,
  keys: readonly string[],
  trace: Map<string, string | undefined>,
): string | undefined {
  for (const key of keys) {
    const own = stringAttribute(span.attributes.get(key));
    if (own) return own;
    const traced = trace.get(key);
    if (traced) return traced;
    const resource = stringAttribute(span.resource.get(key));
    if (resource) return resource;
  }
  return undefined;
}

/** Per trace, the first value each key has on any of its spans (root spans often hold them). */
function traceAttributes(spans: OtlpSpan[]): Map<string, Map<string, string | undefined>> {
  const byTrace = new Map<string, Map<string, string | undefined>>();
  for (const span of spans) {
    let values = byTrace.get(span.traceId);
    if (!values) byTrace.set(span.traceId, (values = new Map()));
    for (const key of [...CONVERSATION_KEYS, ...USER_KEYS]) {
      if (!values.get(key)) values.set(key, stringAttribute(span.attributes.get(key)));
    }
  }
  return byTrace;
}

function isoFromNanos(nanos: bigint): string | undefined {
  if (nanos <= 0n) return undefined;
  const date = new Date(Number(nanos / 1_000_000n));
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

export function genAiConversations(spans: OtlpSpan[]): GenAiMapping {
  const traces = traceAttributes(spans);
  const byConversation = new Map<
    string,
    { span: OtlpSpan; transcript: SpanMessage[]; userId: string | undefined }[]
  >();
  let ignoredSpans = 0;
  for (const span of spans) {
    const transcript = spanTranscript(span);
    if (!transcript) {
      ignoredSpans += 1;
      continue;
    }
    const trace = traces.get(span.traceId) ?? new Map();
    const id = lookup(span, CONVERSATION_KEYS, trace) ?? `trace:${span.traceId}`;
    const entry = { span, transcript, userId: lookup(span, USER_KEYS, trace) };
    const list = byConversation.get(id);
    if (list) list.push(entry);
    else byConversation.set(id, [entry]);
  }
  const conversations: GenAiConversation[] = [];
  for (const [id, entries] of byConversation) {
    entries.sort((a, b) =>
      a.span.startNanos < b.span.startNanos ? -1 : a.span.startNanos > b.span.startNanos ? 1 : 0,
    );
    // Agent frameworks record the conversation on the agent span and again, turn by turn with
    // tool calls, on its model-call spans: read the model calls when there are any.
    const calls = entries.filter(({ span }) => !isAgentLevel(span));
    let messages: SpanMessage[] = [];
    for (const entry of calls.length > 0 ? calls : entries)
      messages = mergeTranscripts(messages, entry.transcript);
    const first = entries[0]!.span;
    // The model of the latest span that names one (tool spans often do not).
    const model = entries
      .map(
        ({ span }) =>
          stringAttribute(span.attributes.get('gen_ai.response.model')) ??
          stringAttribute(span.attributes.get('gen_ai.request.model')),
      )
      .filter((name): name is string => name !== undefined)
      .pop();
    conversations.push({
      id,
      userId: entries.find((entry) => entry.userId)?.userId,
      startedAt: isoFromNanos(first.startNanos),
      messages,
      model,
      spans: entries.length,
    });
  }
  return { conversations, ignoredSpans };
}
