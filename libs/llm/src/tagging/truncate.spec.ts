import type { CanonicalMessage } from '@silhouette/contracts';
import { describe, expect, it } from 'vitest';
import { renderConversation } from './prompt';
import {
  MIN_TRUNCATION_BUDGET,
  clipText,
  conversationTokens,
  estimateTokens,
  truncateConversation,
} from './truncate';

const user = (content: string): CanonicalMessage => ({ role: 'user', content });
const assistant = (content: string): CanonicalMessage => ({ role: 'assistant', content });

/** 2n messages, each ~`words` words, numbered so we can tell which survived. */
function longConversation(turns: number, words = 40): CanonicalMessage[] {
  const filler = (i: number) =>
    Array.from({ length: words }, (_, w) => `word${(i * 7 + w) % 13}`).join(' ');
  return Array.from({ length: turns }, (_, i) => [
    user(`question ${i}: ${filler(i)}`),
    assistant(`answer ${i}: ${filler(i + 1)}`),
  ]).flat();
}

describe('estimateTokens', () => {
  it('is chars/4 rounded up for Latin text and code', () => {
    expect(estimateTokens('')).toBe(0);
    expect(estimateTokens('abcd')).toBe(1);
    expect(estimateTokens('abcde')).toBe(2);
    expect(estimateTokens('x'.repeat(400))).toBe(100);
  });

  it('counts CJK characters and emoji one token each', () => {
    expect(estimateTokens('你好世界')).toBe(4);
    expect(estimateTokens('こんにちは')).toBe(5);
    expect(estimateTokens('😀😀')).toBe(2);
    expect(estimateTokens('ab你好')).toBe(3); // 2/4 + 2, rounded up
  });

  it('counts characters from U+3000 up outside the dense scripts as light, like the rest', () => {
    // The ideographic comma and full stop are above U+3000 but not in a dense range.
    expect(estimateTokens('\u3001\u3002\u3001\u3002')).toBe(1);
    expect(estimateTokens('café déjà vu ñ')).toBe(4);
    expect(estimateTokens('abc\u3001')).toBe(1);
  });
});

describe('truncateConversation', () => {
  it('returns a conversation that fits unchanged', () => {
    const messages = [user('hello'), assistant('hi')];
    const result = truncateConversation(messages, 1_000);
    expect(result).toMatchObject({ truncated: false, omittedMessages: 0, clippedMessages: 0 });
    expect(result.messages).toEqual(messages);
    expect(result.estimatedTokens).toBe(conversationTokens(messages));
  });

  it('keeps the first user turn and the last turns, marks the middle, and fits the budget', () => {
    const messages = longConversation(100);
    const budget = 1_000;
    expect(conversationTokens(messages)).toBeGreaterThan(budget * 5);

    const result = truncateConversation(messages, budget);
    expect(result.truncated).toBe(true);
    expect(result.messages[0]).toEqual(messages[0]);
    expect(result.messages[1]).toEqual({
      role: 'system',
      content: `[… ${result.omittedMessages} turns omitted …]`,
    });
    const tail = result.messages.slice(2);
    expect(tail.length).toBeGreaterThan(3);
    expect(tail).toEqual(messages.slice(messages.length - tail.length));
    expect(result.omittedMessages).toBe(messages.length - 1 - tail.length);
    expect(result.estimatedTokens).toBeLessThanOrEqual(budget);
    expect(conversationTokens(result.messages)).toBe(result.estimatedTokens);
    // The rendered transcript fits too (the per-message overhead covers "ASSISTANT: " and a newline).
    expect(estimateTokens(renderConversation(result.messages))).toBeLessThanOrEqual(budget);
  });

  it('is deterministic', () => {
    const messages = longConversation(60);
    expect(truncateConversation(messages, 700)).toEqual(truncateConversation(messages, 700));
  });

  it('clips a huge first user turn in its middle, keeping its start and end', () => {
    const request = `START of the request ${'lorem ipsum '.repeat(5_000)} END of the request`;
    const messages = [user(request), assistant('short answer'), user('thanks')];
    const result = truncateConversation(messages, 500);

    const head = result.messages[0]!;
    expect(head.role).toBe('user');
    expect(head.content.startsWith('START of the request')).toBe(true);
    expect(head.content.endsWith('END of the request')).toBe(true);
    expect(head.content).toContain('[…]');
    expect(result.clippedMessages).toBe(1);
    expect(result.messages.slice(-2)).toEqual(messages.slice(-2));
    expect(result.estimatedTokens).toBeLessThanOrEqual(500);
  });

  it('clips the last turn when not even that fits next to the request', () => {
    const messages = [
      user('please summarise this'),
      assistant('x'.repeat(2_000)),
      assistant(`final ${'y'.repeat(40_000)} verdict`),
    ];
    const result = truncateConversation(messages, 300);
    expect(result.messages[0]).toEqual(messages[0]);
    const last = result.messages[result.messages.length - 1]!;
    expect(last.content.startsWith('final')).toBe(true);
    expect(last.content.endsWith('verdict')).toBe(true);
    expect(result.omittedMessages).toBe(1);
    expect(result.estimatedTokens).toBeLessThanOrEqual(300);
  });

  it('counts messages before the first user turn as omitted', () => {
    const messages = [assistant(`Welcome! ${'z'.repeat(4_000)}`), ...longConversation(20)];
    const result = truncateConversation(messages, 400);
    expect(result.messages[0]).toEqual(messages[1]);
    const kept = result.messages.length - 1; // minus the marker
    expect(result.omittedMessages).toBe(messages.length - kept);
  });

  it('always fits, whatever the shape (seeded sweep)', () => {
    let seed = 42;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let run = 0; run < 200; run++) {
      const length = 1 + Math.floor(random() * 30);
      const messages = Array.from({ length }, (_, i): CanonicalMessage => ({
        role: (['user', 'assistant', 'tool', 'system'] as const)[
          Math.floor(random() * (i === 0 ? 4 : 2))
        ]!,
        content: 'a b 你 😀 '.repeat(Math.floor(random() * 800)),
      }));
      const budget = MIN_TRUNCATION_BUDGET + Math.floor(random() * 2_000);
      const result = truncateConversation(messages, budget);
      expect(result.estimatedTokens).toBeLessThanOrEqual(budget);
      expect(result.messages.length).toBeGreaterThan(0);
    }
  });

  it('refuses budgets too small to hold a request and a marker', () => {
    expect(() => truncateConversation([user('hi')], MIN_TRUNCATION_BUDGET - 1)).toThrow(RangeError);
  });
});

describe('clipText', () => {
  it('never splits a surrogate pair', () => {
    const clipped = clipText('😀'.repeat(500), 50);
    expect(estimateTokens(clipped)).toBeLessThanOrEqual(50);
    expect(clipped).not.toMatch(
      /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/,
    );
  });

  it('returns text that fits unchanged', () => {
    expect(clipText('short', 10)).toBe('short');
  });
});
