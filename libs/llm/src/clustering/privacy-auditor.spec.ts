/**
 * The LLM privacy auditor over real HTTP against a scripted model: score mapping, batching and
 * failing closed.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  fastRetryClient,
  ScriptedLlmServer,
  type ScriptedReply,
  type ScriptedRequest,
} from '../../../../test/helpers/scripted-llm-server';
import { LlmUnavailableError } from '../openai/errors';
import { AUDIT_BATCH_SIZE, AUDIT_SCHEMA_NAME, auditTexts } from './privacy-auditor';

type ChatBody = { messages: { role: string; content: string }[] };

let server: ScriptedLlmServer;

const client = () => fastRetryClient(server);

function auditedLines(userText: string): { index: number; text: string }[] {
  return [...userText.matchAll(/^\[(\d+)\] (.*)$/gm)].map((m) => ({
    index: Number(m[1]),
    text: m[2]!,
  }));
}

/** Emails and "Smith" identify someone; "wild" gets an out-of-range score; "skip" gets none. */
function auditorModel(request: ScriptedRequest): ScriptedReply | undefined {
  if (request.schemaName !== AUDIT_SCHEMA_NAME) return undefined;
  if (request.userText.includes('garbage batch')) return { content: '{"ratings": "many"}' };
  const ratings = auditedLines(request.userText)
    .filter((line) => !line.text.includes('skip'))
    .map(({ index, text }) => ({
      index,
      score: text.includes('wild') ? 9 : /@|Smith/.test(text) ? 1 : text.includes('team') ? 3 : 5,
      reason: 'scripted',
    }));
  return { content: JSON.stringify({ ratings }) };
}

function userMessages(): string[] {
  return server
    .requestsTo('chat')
    .map((r) => (r.body as ChatBody).messages.find((m) => m.role === 'user')!.content);
}

beforeEach(async () => {
  server = await ScriptedLlmServer.start({ respond: auditorModel });
});

afterEach(async () => {
  await server.close();
});

describe('auditTexts', () => {
  it('maps the model scores to keys', async () => {
    const result = await auditTexts(client(), 'scripted-auditor', [
      { key: 'name:1', text: 'Debugging data pipelines' },
      { key: 'name:2', text: 'Emails to jane@example.com' },
      { key: 'goal:1', text: 'Planning the small finance team offsite' },
    ]);

    expect(result.get('name:1')).toEqual({ score: 5, reason: 'scripted' });
    expect(result.get('name:2')?.score).toBe(1);
    expect(result.get('goal:1')?.score).toBe(3);
    expect(server.chatRequestCount).toBe(1);
  });

  it('fails closed on missing and out-of-range scores', async () => {
    const result = await auditTexts(client(), 'scripted-auditor', [
      { key: 'a', text: 'a wild answer' },
      { key: 'b', text: 'please skip me' },
      { key: 'c', text: 'Writing unit tests' },
    ]);

    expect(result.get('a')?.score).toBe(1);
    expect(result.get('b')?.score).toBe(1);
    expect(result.get('c')?.score).toBe(5);
  });

  it('fails closed for a whole batch the model keeps answering with garbage', async () => {
    const result = await auditTexts(client(), 'scripted-auditor', [
      { key: 'a', text: 'garbage batch' },
      { key: 'b', text: 'Writing unit tests' },
    ]);

    expect([...result.values()].map((v) => v.score)).toEqual([1, 1]);
    expect(server.chatRequestCount).toBe(2); // the answer and one repair
  });

  it('throws when the endpoint is unavailable instead of publishing nothing silently', async () => {
    server.setMode('server_error');
    server.respond = undefined;
    await expect(
      auditTexts(client(), 'scripted-auditor', [{ key: 'a', text: 'Writing unit tests' }]),
    ).rejects.toBeInstanceOf(LlmUnavailableError);
  });

  it('batches at most 50 texts per call, audits duplicates once and sends only the texts', async () => {
    const texts = Array.from({ length: 120 }, (_, i) => ({
      key: `tenant-b:cluster-${i}`,
      text: `General topic ${i % 110}`,
    }));
    const result = await auditTexts(client(), 'scripted-auditor', texts);

    expect(result.size).toBe(120);
    expect([...result.values()].every((v) => v.score === 5)).toBe(true);
    const prompts = userMessages();
    expect(prompts).toHaveLength(3); // 110 distinct texts
    for (const prompt of prompts) {
      const lines = prompt.split('\n');
      expect(lines.length).toBeLessThanOrEqual(AUDIT_BATCH_SIZE);
      // Nothing but the numbered texts: no keys, no ids.
      expect(lines.every((l) => /^\[\d+\] General topic \d+$/.test(l))).toBe(true);
    }
    expect(JSON.stringify(server.requests.map((r) => r.body))).not.toContain('tenant-b');
  });
});
