/**
 * Ingest formats mapped onto the canonical record (BRIEF.md, "Interfaces"): OpenAI chat
 * (`messages`), Anthropic messages (`messages` with content blocks, top-level `system`) and
 * ShareGPT (`conversations: [{from, value}]`). Detected per record unless forced.
 */
import type { CanonicalMessage, MessageRole } from '@silhouette/contracts';

export const INGEST_FORMATS = ['auto', 'openai', 'anthropic', 'sharegpt'] as const;
export type IngestFormat = (typeof INGEST_FORMATS)[number];
export type ConcreteFormat = Exclude<IngestFormat, 'auto'>;

/** A problem with one field of one record; `field` is a path like `messages[2].content`. */
export interface FieldError {
  field: string;
  message: string;
}

export class RecordError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const ANTHROPIC_BLOCK_TYPES = new Set([
  'tool_use',
  'tool_result',
  'thinking',
  'redacted_thinking',
  'document',
]);

export function detectFormat(record: Record<string, unknown>): ConcreteFormat {
  if ('conversations' in record) return 'sharegpt';
  if (!('messages' in record)) {
    throw new RecordError(
      'messages',
      'unknown format: expected "messages" (OpenAI or Anthropic) or "conversations" (ShareGPT)',
    );
  }
  if ('system' in record) return 'anthropic';
  const messages = record.messages;
  if (Array.isArray(messages)) {
    for (const message of messages) {
      if (!isObject(message) || !Array.isArray(message.content)) continue;
      for (const block of message.content) {
        if (!isObject(block)) continue;
        if (typeof block.type === 'string' && ANTHROPIC_BLOCK_TYPES.has(block.type))
          return 'anthropic';
        if (block.type === 'image' && 'source' in block) return 'anthropic';
      }
    }
  }
  return 'openai';
}

const OPENAI_ROLES: Record<string, MessageRole> = {
  system: 'system',
  developer: 'system',
  user: 'user',
  assistant: 'assistant',
  tool: 'tool',
  function: 'tool',
};

const SHAREGPT_ROLES: Record<string, MessageRole> = {
  system: 'system',
  human: 'user',
  user: 'user',
  gpt: 'assistant',
  assistant: 'assistant',
  chatgpt: 'assistant',
  bing: 'assistant',
  bard: 'assistant',
  model: 'assistant',
  tool: 'tool',
  function_call: 'assistant',
  observation: 'tool',
  function_response: 'tool',
};

/** Text of an OpenAI content value: a string, null (tool calls only) or text parts. */
function openaiText(content: unknown, field: string): string {
  if (typeof content === 'string') return content;
  if (content === null || content === undefined) return '';
  if (!Array.isArray(content))
    throw new RecordError(field, 'must be a string, null or an array of content parts');
  return content
    .map((part, index) => {
      if (!isObject(part) || typeof part.type !== 'string') {
        throw new RecordError(`${field}[${index}]`, 'must be a content part object with a "type"');
      }
      if (part.type === 'text') {
        if (typeof part.text !== 'string')
          throw new RecordError(`${field}[${index}].text`, 'must be a string');
        return part.text;
      }
      return ''; // images, audio and files carry no text we analyse
    })
    .filter(Boolean)
    .join('\n');
}

/** Text of an Anthropic content value: a string or content blocks (text, tool_use, tool_result…). */
function anthropicText(content: unknown, field: string): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content))
    throw new RecordError(field, 'must be a string or an array of content blocks');
  return content
    .map((block, index) => {
      if (!isObject(block) || typeof block.type !== 'string') {
        throw new RecordError(`${field}[${index}]`, 'must be a content block object with a "type"');
      }
      if (block.type === 'text') {
        if (typeof block.text !== 'string')
          throw new RecordError(`${field}[${index}].text`, 'must be a string');
        return block.text;
      }
      if (block.type === 'tool_result')
        return anthropicText(block.content ?? '', `${field}[${index}].content`);
      return '';
    })
    .filter(Boolean)
    .join('\n');
}

function requireArray(record: Record<string, unknown>, key: string): unknown[] {
  const value = record[key];
  if (value === undefined) throw new RecordError(key, 'is required');
  if (!Array.isArray(value)) throw new RecordError(key, 'must be an array');
  if (value.length === 0) throw new RecordError(key, 'must contain at least one message');
  return value;
}

export function toCanonicalMessages(
  record: Record<string, unknown>,
  format: ConcreteFormat,
): CanonicalMessage[] {
  if (format === 'sharegpt') {
    return requireArray(record, 'conversations').map((turn, index) => {
      const field = `conversations[${index}]`;
      if (!isObject(turn))
        throw new RecordError(field, 'must be an object with "from" and "value"');
      const role =
        typeof turn.from === 'string' ? SHAREGPT_ROLES[turn.from.toLowerCase()] : undefined;
      if (!role)
        throw new RecordError(
          `${field}.from`,
          `must be one of ${Object.keys(SHAREGPT_ROLES).join(', ')}`,
        );
      if (typeof turn.value !== 'string')
        throw new RecordError(`${field}.value`, 'must be a string');
      return { role, content: turn.value };
    });
  }

  const messages: CanonicalMessage[] = [];
  if (format === 'anthropic' && record.system !== undefined) {
    messages.push({ role: 'system', content: anthropicText(record.system, 'system') });
  }
  requireArray(record, 'messages').forEach((message, index) => {
    const field = `messages[${index}]`;
    if (!isObject(message))
      throw new RecordError(field, 'must be an object with "role" and "content"');
    if (typeof message.role !== 'string')
      throw new RecordError(`${field}.role`, 'must be a string');
    if (format === 'anthropic') {
      if (message.role !== 'user' && message.role !== 'assistant') {
        throw new RecordError(
          `${field}.role`,
          'must be "user" or "assistant" (Anthropic format; use top-level "system")',
        );
      }
      if (!('content' in message)) throw new RecordError(`${field}.content`, 'is required');
      messages.push({
        role: message.role,
        content: anthropicText(message.content, `${field}.content`),
      });
      return;
    }
    const role = OPENAI_ROLES[message.role];
    if (!role)
      throw new RecordError(
        `${field}.role`,
        `must be one of ${Object.keys(OPENAI_ROLES).join(', ')}`,
      );
    if (!('content' in message) && !('tool_calls' in message))
      throw new RecordError(`${field}.content`, 'is required');
    messages.push({ role, content: openaiText(message.content, `${field}.content`) });
  });
  return messages;
}
