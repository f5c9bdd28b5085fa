import { describe, expect, it } from 'vitest';
import { mergeTranscripts } from '../transcripts';
import { genAiConversations } from './genai-conversations.mapper';
import type { AttributeValue, OtlpSpan } from './otlp-request.decoder';

let clock = 1_700_000_000_000_000_000n;
function span(
  attributes: Record<string, AttributeValue>,
  options: {
    traceId?: string;
    events?: { name: string; attributes: Record<string, AttributeValue> }[];
    resource?: Record<string, AttributeValue>;
  } = {},
): OtlpSpan {
  clock += 1_000_000_000n;
  return {
    traceId: options.traceId ?? 'a'.repeat(32),
    spanId: clock.toString(16).slice(-16),
    name: 'chat gpt-4o',
    startNanos: clock,
    attributes: new Map(Object.entries(attributes)),
    resource: new Map(Object.entries(options.resource ?? {})),
    events: (options.events ?? []).map((event) => ({
      name: event.name,
      attributes: new Map(Object.entries(event.attributes)),
    })),
  };
}

const user = (content: string) => ({ role: 'user', parts: [{ type: 'text', content }] });
const assistant = (content: string) => ({
  role: 'assistant',
  parts: [{ type: 'text', content }],
  finish_reason: 'stop',
});

describe('genAiConversations', () => {
  it('reads the current attributes (JSON strings or structured), keeps the first choice, merges full-history spans', () => {
    const first = span({
      'gen_ai.conversation.id': 'conv-1',
      'user.id': 'u-1',
      'gen_ai.request.model': 'gpt-4o',
      'gen_ai.system_instructions': JSON.stringify([{ type: 'text', content: 'Be brief.' }]),
      'gen_ai.input.messages': JSON.stringify([user('Hi')]),
      'gen_ai.output.messages': JSON.stringify([assistant('Hello!'), assistant('Other choice')]),
    });
    const second = span({
      'gen_ai.conversation.id': 'conv-1',
      'user.id': 'u-1',
      'gen_ai.response.model': 'gpt-4o-2024-08-06',
      'gen_ai.system_instructions': [{ type: 'text', content: 'Be brief.' }],
      'gen_ai.input.messages': [user('Hi'), assistant('Hello!'), user('Weather?')],
      'gen_ai.output.messages': [
        {
          role: 'assistant',
          parts: [{ type: 'tool_call', id: 'c1', name: 'get_weather', arguments: {} }],
        },
      ],
    });
    const tool = span({
      'gen_ai.conversation.id': 'conv-1',
      'gen_ai.input.messages': [
        user('Hi'),
        assistant('Hello!'),
        user('Weather?'),
        { role: 'assistant', parts: [{ type: 'tool_call', id: 'c1', name: 'get_weather' }] },
        { role: 'tool', parts: [{ type: 'tool_call_response', id: 'c1', result: { t: 14 } }] },
      ],
      'gen_ai.output.messages': [assistant('It is 14 degrees.')],
    });
    const http = span({ 'http.request.method': 'GET' });
    const { conversations, ignoredSpans } = genAiConversations([second, http, tool, first]);
    expect(ignoredSpans).toBe(1);
    expect(conversations).toEqual([
      {
        id: 'conv-1',
        userId: 'u-1',
        startedAt: new Date(Number(first.startNanos / 1_000_000n)).toISOString(),
        model: 'gpt-4o-2024-08-06',
        spans: 3,
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello!' },
          { role: 'user', content: 'Weather?' },
          { role: 'assistant', content: '' },
          { role: 'tool', content: '{"t":14}' },
          { role: 'assistant', content: 'It is 14 degrees.' },
        ],
      },
    ]);
  });

  it('groups by session.id, then by trace, and takes ids and users from other spans of the trace or the resource', () => {
    const root = span({ 'session.id': 'sess-9', 'enduser.id': 'u-9' }, { traceId: 'b'.repeat(32) });
    const child = span(
      { 'gen_ai.input.messages': [user('From a child span')] },
      { traceId: 'b'.repeat(32) },
    );
    const lone = span(
      { 'gen_ai.input.messages': [user('No session at all')] },
      { traceId: 'c'.repeat(32), resource: { 'user.id': 'u-r' } },
    );
    const anonymous = span(
      { 'gen_ai.input.messages': [user('Nobody')] },
      { traceId: 'd'.repeat(32) },
    );
    const { conversations, ignoredSpans } = genAiConversations([root, child, lone, anonymous]);
    expect(ignoredSpans).toBe(1);
    expect(conversations.map((c) => [c.id, c.userId, c.spans])).toEqual([
      ['sess-9', 'u-9', 1],
      [`trace:${'c'.repeat(32)}`, 'u-r', 1],
      [`trace:${'d'.repeat(32)}`, undefined, 1],
    ]);
  });

  it('reads the older per-message events, the details event and indexed attributes', () => {
    const old = span(
      { 'gen_ai.conversation.id': 'old', 'user.id': 'u' },
      {
        events: [
          { name: 'gen_ai.system.message', attributes: { content: 'Be kind.' } },
          {
            name: 'gen_ai.user.message',
            attributes: { 'gen_ai.event.content': JSON.stringify({ content: 'Hello there' }) },
          },
          {
            name: 'gen_ai.choice',
            attributes: {
              'gen_ai.event.content': JSON.stringify({
                index: 0,
                message: { role: 'assistant', content: 'Hi!' },
              }),
            },
          },
          {
            name: 'gen_ai.choice',
            attributes: {
              'gen_ai.event.content': JSON.stringify({ index: 1, message: { content: 'No' } }),
            },
          },
        ],
      },
    );
    const details = span(
      { 'gen_ai.conversation.id': 'details', 'user.id': 'u' },
      {
        events: [
          {
            name: 'gen_ai.client.inference.operation.details',
            attributes: {
              'gen_ai.input.messages': JSON.stringify([user('Q')]),
              'gen_ai.output.messages': JSON.stringify([assistant('A')]),
            },
          },
        ],
      },
    );
    const oldest = span(
      { 'gen_ai.conversation.id': 'oldest', 'user.id': 'u' },
      {
        events: [
          {
            name: 'gen_ai.content.prompt',
            attributes: { 'gen_ai.prompt': JSON.stringify([{ role: 'user', content: 'P' }]) },
          },
          {
            name: 'gen_ai.content.completion',
            attributes: {
              'gen_ai.completion': JSON.stringify([{ role: 'assistant', content: 'C' }]),
            },
          },
        ],
      },
    );
    const indexed = span({
      'gen_ai.conversation.id': 'indexed',
      'user.id': 'u',
      'gen_ai.prompt.1.role': 'user',
      'gen_ai.prompt.1.content': 'Second',
      'gen_ai.prompt.0.role': 'system',
      'gen_ai.prompt.0.content': 'First',
      'gen_ai.completion.0.role': 'assistant',
      'gen_ai.completion.0.content': 'Answer',
    });
    const byId = Object.fromEntries(
      genAiConversations([old, details, oldest, indexed]).conversations.map((c) => [
        c.id,
        c.messages,
      ]),
    );
    expect(byId).toEqual({
      old: [
        { role: 'system', content: 'Be kind.' },
        { role: 'user', content: 'Hello there' },
        { role: 'assistant', content: 'Hi!' },
      ],
      details: [
        { role: 'user', content: 'Q' },
        { role: 'assistant', content: 'A' },
      ],
      oldest: [
        { role: 'user', content: 'P' },
        { role: 'assistant', content: 'C' },
      ],
      indexed: [
        { role: 'system', content: 'First' },
        { role: 'user', content: 'Second' },
        { role: 'assistant', content: 'Answer' },
      ],
    });
  });
});

describe('agent spans', () => {
  it('reads the model calls, not the agent span that sums the same turns up', () => {
    const toolCall = {
      role: 'assistant',
      parts: [{ type: 'tool_call', id: 'c1', name: 'weather', arguments: { city: 'Oslo' } }],
    };
    const toolResult = {
      role: 'tool',
      parts: [{ type: 'tool_call_response', id: 'c1', result: 'cold, 2 degrees' }],
    };
    const agent = span({
      'gen_ai.operation.name': 'invoke_agent',
      'gen_ai.conversation.id': 'agent-1',
      'user.id': 'u',
      'gen_ai.input.messages': [user('Weather in Oslo?')],
      'gen_ai.output.messages': [assistant('Cold, 2 degrees.')],
    });
    const firstCall = span({
      'gen_ai.operation.name': 'chat',
      'gen_ai.conversation.id': 'agent-1',
      'gen_ai.input.messages': [user('Weather in Oslo?')],
      'gen_ai.output.messages': [toolCall],
    });
    const tool = span({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.conversation.id': 'agent-1',
    });
    const secondCall = span({
      'gen_ai.operation.name': 'chat',
      'gen_ai.conversation.id': 'agent-1',
      'gen_ai.input.messages': [user('Weather in Oslo?'), toolCall, toolResult],
      'gen_ai.output.messages': [assistant('Cold, 2 degrees.')],
    });
    const { conversations, ignoredSpans } = genAiConversations([
      agent,
      firstCall,
      tool,
      secondCall,
    ]);
    expect(ignoredSpans).toBe(1);
    expect(conversations[0]!.spans).toBe(3);
    expect(conversations[0]!.messages).toEqual([
      { role: 'user', content: 'Weather in Oslo?' },
      { role: 'assistant', content: '' },
      { role: 'tool', content: 'cold, 2 degrees' },
      { role: 'assistant', content: 'Cold, 2 degrees.' },
    ]);
  });
});

describe('mergeTranscripts', () => {
  const m = (content: string, role = 'user') => ({ role, content });
  it('extends by a full history, appends incremental turns, and never repeats an overlap', () => {
    expect(
      mergeTranscripts([m('a'), m('b', 'assistant')], [m('a'), m('b', 'assistant'), m('c')]),
    ).toEqual([m('a'), m('b', 'assistant'), m('c')]);
    expect(mergeTranscripts([m('a'), m('b', 'assistant')], [m('c'), m('d', 'assistant')])).toEqual([
      m('a'),
      m('b', 'assistant'),
      m('c'),
      m('d', 'assistant'),
    ]);
    expect(mergeTranscripts([], [m('a')])).toEqual([m('a')]);
  });
});
