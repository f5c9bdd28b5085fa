import { describe, expect, it } from 'vitest';
import {
  answerMessages,
  callTranscript,
  chatMessage,
  messageList,
  promptMessages,
} from './chat-content';

describe('chat message shapes', () => {
  it('reads OpenAI, LangChain (serialised and dict) and Anthropic-style messages', () => {
    expect(chatMessage({ role: 'developer', content: 'Be brief.' })).toEqual({
      role: 'system',
      content: 'Be brief.',
    });
    expect(
      chatMessage({
        lc: 1,
        type: 'constructor',
        id: ['langchain', 'schema', 'messages', 'AIMessageChunk'],
        kwargs: { content: [{ type: 'text', text: 'Hi' }] },
      }),
    ).toEqual({ role: 'assistant', content: 'Hi' });
    expect(chatMessage({ type: 'human', content: 'Hello' })).toEqual({
      role: 'user',
      content: 'Hello',
    });
    expect(chatMessage({ type: 'ai', data: { content: 'Sure' } })).toEqual({
      role: 'assistant',
      content: 'Sure',
    });
    expect(
      chatMessage({
        role: 'user',
        content: [{ type: 'tool_result', content: [{ type: 'text', text: '42' }] }],
      }),
    ).toEqual({ role: 'user', content: '42' });
    expect(chatMessage({ role: 'narrator', content: 'x' })).toBeUndefined();
    expect(chatMessage('just text')).toBeUndefined();
  });

  it('takes a list only when every item is a message, and the first list of a batch', () => {
    expect(
      messageList([[{ role: 'user', content: 'a' }], [{ role: 'user', content: 'b' }]]),
    ).toEqual([{ role: 'user', content: 'a' }]);
    expect(messageList({ messages: [{ role: 'user', content: 'a' }] })).toHaveLength(1);
    expect(messageList([{ role: 'user', content: 'a' }, { weird: true }])).toBeUndefined();
    expect(messageList([])).toBeUndefined();
  });

  it('reads prompts and answers in their common wrappers', () => {
    expect(promptMessages({ question: 'Why?' })).toEqual([{ role: 'user', content: 'Why?' }]);
    expect(promptMessages({ input: { messages: [{ role: 'user', content: 'Q' }] } })).toEqual([
      { role: 'user', content: 'Q' },
    ]);
    expect(promptMessages({ unrelated: 1 })).toBeUndefined();
    expect(answerMessages({ choices: [{ text: 'completion' }] })).toEqual([
      { role: 'assistant', content: 'completion' },
    ]);
    expect(answerMessages({ generations: [[{ text: 'gen' }]] })).toEqual([
      { role: 'assistant', content: 'gen' },
    ]);
    expect(answerMessages({ output: { content: 'nested', role: 'assistant' } })).toEqual([
      { role: 'assistant', content: 'nested' },
    ]);
    expect(answerMessages(42)).toBeUndefined();
  });

  it('takes an output that is the whole conversation as the transcript', () => {
    const history = [
      { role: 'user', content: 'Q1' },
      { role: 'assistant', content: 'A1' },
      { role: 'user', content: 'Q2' },
    ];
    expect(
      callTranscript(
        { messages: history },
        { messages: [...history, { role: 'ai', content: 'A2' }] },
      ),
    ).toEqual([...history, { role: 'assistant', content: 'A2' }]);
    expect(callTranscript(undefined, undefined)).toBeUndefined();
  });
});
