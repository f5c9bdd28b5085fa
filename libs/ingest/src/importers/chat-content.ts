/**
 * Readers for the shapes chat messages take in observability exports (Langfuse inputs and
 * outputs, LangSmith run inputs and outputs): OpenAI messages (`{role, content}`, content a string
 * or parts), LangChain messages (serialised `{lc, type: "constructor", id: [..., "HumanMessage"],
 * kwargs}` or `{type: "human", content}` / `{type, data: {content}}`), Anthropic content blocks,
 * batches of message lists (`[[...]]`), `{messages: [...]}` wrappers, completions
 * (`choices`, `generations`) and plain strings. Roles come out as the canonical ones (system,
 * user, assistant, tool); a shape that is not recognised gives nothing rather than a guess.
 */
import type { TranscriptMessage } from '../transcripts';

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const ROLES: Record<string, string> = {
  system: 'system',
  developer: 'system',
  user: 'user',
  human: 'user',
  assistant: 'assistant',
  ai: 'assistant',
  model: 'assistant',
  tool: 'tool',
  function: 'tool',
  // LangChain message class names
  systemmessage: 'system',
  humanmessage: 'user',
  aimessage: 'assistant',
  aimessagechunk: 'assistant',
  toolmessage: 'tool',
  functionmessage: 'tool',
  chatmessage: 'user',
};

/** The text of a content value: a string, or the text of its parts/blocks. */
export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  const texts: string[] = [];
  for (const part of content) {
    if (typeof part === 'string') texts.push(part);
    else if (isObject(part)) {
      if (typeof part.text === 'string') texts.push(part.text);
      else if (part.type === 'tool_result') texts.push(contentText(part.content));
    }
  }
  return texts.join('\n');
}

/** One message in any of the shapes above, or undefined. */
export function chatMessage(value: unknown): TranscriptMessage | undefined {
  if (!isObject(value)) return undefined;
  // LangChain serialised: {lc: 1, type: "constructor", id: [..., "HumanMessage"], kwargs: {...}}
  if (value.type === 'constructor' && Array.isArray(value.id) && isObject(value.kwargs)) {
    const className = String(value.id[value.id.length - 1] ?? '').toLowerCase();
    const role = ROLES[className];
    return role ? { role, content: contentText(value.kwargs.content) } : undefined;
  }
  const data = isObject(value.data) ? value.data : undefined;
  const rawRole =
    typeof value.role === 'string'
      ? value.role
      : typeof value.type === 'string'
        ? value.type
        : typeof data?.type === 'string'
          ? data.type
          : undefined;
  if (!rawRole) return undefined;
  const role = ROLES[rawRole.toLowerCase()];
  if (!role) return undefined;
  const content = 'content' in value ? value.content : data?.content;
  return { role, content: contentText(content) };
}

/** A list of messages: `[...]`, a batch `[[...]]` (the first list), or `{messages: [...]}`. */
export function messageList(value: unknown): TranscriptMessage[] | undefined {
  let list: unknown = value;
  if (isObject(list) && Array.isArray(list.messages)) list = list.messages;
  if (!Array.isArray(list)) return undefined;
  if (list.length > 0 && Array.isArray(list[0])) list = list[0];
  const messages = (list as unknown[]).map(chatMessage);
  if (messages.length === 0 || messages.some((message) => message === undefined)) return undefined;
  return messages as TranscriptMessage[];
}

const PROMPT_KEYS = ['input', 'question', 'query', 'prompt', 'message', 'text'] as const;
const ANSWER_KEYS = ['output', 'answer', 'content', 'text', 'response', 'result'] as const;

/** What was sent: a message list, or a single prompt string (as the user's turn). */
export function promptMessages(value: unknown): TranscriptMessage[] | undefined {
  const list = messageList(value);
  if (list) return list;
  if (typeof value === 'string' && value.trim()) return [{ role: 'user', content: value }];
  if (isObject(value)) {
    for (const key of PROMPT_KEYS) {
      const inner: unknown = value[key];
      if (typeof inner === 'string' && inner.trim()) return [{ role: 'user', content: inner }];
      if (inner !== undefined && inner !== value) {
        const nested = messageList(inner);
        if (nested) return nested;
      }
    }
  }
  return undefined;
}

/** What came back: the first choice or generation, a message, or a plain answer string. */
export function answerMessages(value: unknown): TranscriptMessage[] | undefined {
  if (typeof value === 'string')
    return value.trim() ? [{ role: 'assistant', content: value }] : undefined;
  if (Array.isArray(value)) {
    const list = messageList(value);
    return list ? list.slice(-1) : undefined;
  }
  if (!isObject(value)) return undefined;
  if (Array.isArray(value.choices) && isObject(value.choices[0])) {
    const choice = value.choices[0];
    return answerMessages(choice.message ?? choice.text);
  }
  if (Array.isArray(value.generations)) {
    let first: unknown = value.generations[0];
    if (Array.isArray(first)) first = first[0];
    if (isObject(first)) return answerMessages(first.message ?? first.text);
  }
  const message = chatMessage(value);
  if (message) return [message];
  if (Array.isArray(value.messages)) {
    const list = messageList(value.messages);
    return list ? list.slice(-1) : undefined;
  }
  for (const key of ANSWER_KEYS) {
    const inner: unknown = value[key];
    if (inner !== undefined && inner !== value) {
      const nested = answerMessages(inner);
      if (nested) return nested;
    }
  }
  return undefined;
}

/**
 * One call's transcript: its prompt, then its answer. When the output is the whole message list
 * (agents often return the state they were given plus the reply), it is the transcript itself.
 */
export function callTranscript(input: unknown, output: unknown): TranscriptMessage[] | undefined {
  const outputList = isObject(output) ? messageList(output) : undefined;
  const prompt = promptMessages(input);
  if (outputList && prompt && outputList.length > prompt.length) return outputList;
  const answer = answerMessages(output);
  if (!prompt && !answer) return undefined;
  return [...(prompt ?? []), ...(answer ?? [])];
}
