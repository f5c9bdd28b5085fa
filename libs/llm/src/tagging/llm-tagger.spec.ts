/**
 * The LLM tagger end to end over real HTTP: truncation, prompt, structured client, scripted server.
 */
import { facetAnswerSchema, type CanonicalMessage } from '@silhouette/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ScriptedLlmServer } from '../../../../test/helpers/scripted-llm-server';
import { StructuredLlmClient } from '../openai/structured-client';
import { LlmTagger, applyMinutesOverrides } from './llm-tagger';
import {
  TAG_PROMPT_VERSION,
  TAG_SYSTEM_PROMPT,
  tagPromptOverheadTokens,
  tagResponseJsonSchema,
} from './prompt';
import { estimateTokens } from './truncate';

type ChatBody = {
  messages: { role: string; content: string }[];
  response_format: { json_schema: { schema: unknown } };
};

let server: ScriptedLlmServer;

function tagger(options: Partial<ConstructorParameters<typeof LlmTagger>[0]> = {}): LlmTagger {
  const client = new StructuredLlmClient({
    baseURL: server.baseURL,
    apiKey: 'k',
    baseDelayMs: 5,
    maxDelayMs: 20,
  });
  return new LlmTagger({ client, model: 'scripted-tagger', ...options });
}

const debugging: CanonicalMessage[] = [
  { role: 'system', content: 'You are the ACME internal assistant.' },
  {
    role: 'user',
    content:
      'My python script crashes with a KeyError exception in the traceback. How do I fix this bug?',
  },
  { role: 'assistant', content: 'Use dict.get() or check the key first.' },
  { role: 'user', content: 'Thanks, that fixed it!' },
];

beforeEach(async () => {
  server = await ScriptedLlmServer.start();
});

afterEach(async () => {
  await server.close();
});

describe('LlmTagger', () => {
  it('tags a conversation with one call and returns a validated facet with accounting', async () => {
    const result = await tagger().tag({ conversationId: 'c1', messages: debugging });

    expect(facetAnswerSchema.safeParse(result.facet).success).toBe(true);
    expect(result.facet).toMatchObject({
      domain: 'software engineering',
      task_type: 'debugging',
      outcome: 'resolved',
    });
    expect(result).toMatchObject({
      provider: 'openai-compatible',
      model: 'scripted-tagger',
      promptVersion: TAG_PROMPT_VERSION,
      cached: false,
    });
    expect(result.promptTokens).toBeGreaterThan(0);
    expect(result.completionTokens).toBeGreaterThan(0);

    expect(server.chatRequestCount).toBe(1);
    const body = server.requestsTo('chat')[0]!.body as ChatBody;
    expect(body.messages[0]).toEqual({ role: 'system', content: TAG_SYSTEM_PROMPT });
    expect(body.messages[1]!.content).toContain('USER: My python script crashes');
    expect(body.messages[1]!.content).toContain('SYSTEM: You are the ACME internal assistant.');
    expect(body.response_format.json_schema.schema).toEqual(tagResponseJsonSchema());
  });

  it('makes exactly one model call per conversation', async () => {
    const t = tagger();
    const conversations = Array.from({ length: 40 }, (_, i) => [
      {
        role: 'user' as const,
        content: `Invoice ${i}: please check the tax on this expense report`,
      },
      { role: 'assistant' as const, content: 'The tax line is correct.' },
    ]);
    const results = await Promise.all(
      conversations.map((messages, i) => t.tag({ conversationId: `c${i}`, messages })),
    );
    expect(results.every((r) => r.facet.domain === 'finance')).toBe(true);
    expect(server.chatRequestCount).toBe(40);
  });

  it('serves a re-tag of the same content from the cache', async () => {
    const t = tagger();
    const first = await t.tag({ conversationId: 'c1', messages: debugging });
    const second = await t.tag({ conversationId: 'c1-retry', messages: debugging });
    expect(second.cached).toBe(true);
    expect(second.facet).toEqual(first.facet);
    expect(server.chatRequestCount).toBe(1);
  });

  it('truncates a long conversation from the middle to the budget', async () => {
    const messages: CanonicalMessage[] = [
      {
        role: 'user',
        content: 'FIRST REQUEST: help me plan a marketing campaign for our newsletter',
      },
      ...Array.from({ length: 300 }, (_, i): CanonicalMessage => ({
        role: i % 2 === 0 ? 'assistant' : 'user',
        content: `turn ${i} ${'blah '.repeat(60)}`,
      })),
      { role: 'assistant', content: 'LAST ANSWER: here is the final plan' },
    ];
    await tagger({ maxConversationTokens: 2_000 }).tag({ conversationId: 'long', messages });

    const user = (server.requestsTo('chat')[0]!.body as ChatBody).messages[1]!.content;
    expect(user).toContain('USER: FIRST REQUEST');
    expect(user).toMatch(/SYSTEM: \[… \d+ turns omitted …\]/);
    expect(user).toContain('ASSISTANT: LAST ANSWER');
    // Prompt = conversation budget + fixed overhead.
    const prompt = estimateTokens(TAG_SYSTEM_PROMPT) + estimateTokens(user);
    expect(prompt).toBeLessThanOrEqual(2_000 + tagPromptOverheadTokens());
  });

  it('clips long tool output before truncating', async () => {
    const t = tagger({ maxAuxiliaryMessageTokens: 50 });
    const prepared = t.prepare([
      { role: 'user', content: 'run the query' },
      { role: 'tool', content: `ROWS ${'1,2,3\n'.repeat(5_000)} END` },
    ]);
    expect(prepared.rendered).toContain('TOOL: ROWS');
    expect(prepared.rendered).toContain('END');
    expect(prepared.estimatedTokens).toBeLessThan(80);
    expect(prepared.contentHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('passes leaked PII through when the model leaks it: the privacy gates must catch it, not the tagger', async () => {
    server.setMode('leak_pii');
    const result = await tagger().tag({
      conversationId: 'pii',
      messages: [
        {
          role: 'user',
          content:
            'Hi, I am Maria Garcia (maria.garcia@example.com, +1 415 555 0100). Please draft an email to a customer about a refund to card 4111 1111 1111 1111.',
        },
        { role: 'assistant', content: 'Here is a draft email.' },
      ],
    });
    expect(facetAnswerSchema.safeParse(result.facet).success).toBe(true);
    expect(result.facet.goal_summary).toContain('Maria Garcia');
    expect(result.facet.goal_summary).toContain('maria.garcia@example.com');
    expect(result.facet.goal_summary).toContain('4111111111111111');
    expect(result.facet.use_case).toContain('Maria Garcia');
  });

  it('applies the tenant minutes table after the model and the cache', async () => {
    const result = await tagger().tag({
      conversationId: 'c1',
      messages: debugging,
      minutesOverrides: { ' Debugging ': { manualMinutes: 45 } },
    });
    expect(result.facet.minutes_without_ai).toBe(45);
    const base = { ...result.facet, task_type: 'writing code', minutes_without_ai: 10 };
    expect(applyMinutesOverrides(base, { debugging: { manualMinutes: 45 } })).toBe(base);
    expect(
      applyMinutesOverrides(base, { 'writing code': { manualMinutes: 10_000 } }).minutes_without_ai,
    ).toBe(480);
  });

  it('refuses an empty conversation without calling the model', async () => {
    await expect(tagger().tag({ conversationId: 'empty', messages: [] })).rejects.toThrow(
      RangeError,
    );
    expect(server.chatRequestCount).toBe(0);
  });
});
