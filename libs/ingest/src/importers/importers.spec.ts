import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { normalizeRecord } from '../normalize-record';
import { planLangfuseImport } from './langfuse.importer';
import { planLangsmithImport } from './langsmith.importer';

const fixture = (name: string) =>
  readFileSync(new URL(`../../../../test/fixtures/import/${name}`, import.meta.url), 'utf8');

describe('Langfuse import', () => {
  it('turns sessions of API pages into conversations, refusing what cannot be a record', () => {
    const plan = planLangfuseImport(fixture('langfuse-traces-pages.jsonl'));
    expect(plan.items).toBe(4);
    expect(plan.conversations).toBe(3);
    expect(plan.rejected).toEqual([
      { line: 2, field: '(record)', message: expect.stringMatching(/^is not valid JSON/) },
      { line: 3, field: 'userId', message: 'is required: conversations are counted per person' },
    ]);
    expect(plan.records.map((record) => [record.position, record.value])).toEqual([
      [
        { line: 1 },
        {
          id: 'lf-session-1',
          user_id: 'employee-17',
          started_at: '2025-11-03T09:00:00.000Z',
          messages: [
            { role: 'system', content: 'You are the HR assistant of Example Corp.' },
            { role: 'user', content: 'How many vacation days do I have left this year?' },
            { role: 'assistant', content: 'You have 12 vacation days left until 31 December.' },
            { role: 'user', content: 'Can I carry five of them over to next year?' },
            {
              role: 'assistant',
              content: 'Yes, up to five days carry over if your manager approves.',
            },
          ],
          metadata: { team: 'people-ops', app_version: '1.4.0', session_id: 'web-42' },
        },
      ],
      [
        { line: 1 },
        {
          id: 'lf-trace-3',
          user_id: 'employee-5',
          started_at: '2025-11-03T10:15:00.000Z',
          messages: [
            { role: 'user', content: "Translate 'good morning' into German." },
            { role: 'assistant', content: 'Guten Morgen.' },
          ],
        },
      ],
    ]);
    // Every record passes the ingest rules (the unknown metadata fields are dropped there).
    for (const record of plan.records) {
      expect(
        normalizeRecord(record.value, { format: 'openai', maxMessageBytes: 10_000 }),
      ).toMatchObject({ ok: true });
    }
  });

  it('reads a trace with full observations from its generations, tool turns included', () => {
    const plan = planLangfuseImport(fixture('langfuse-trace-full.json'));
    expect(plan.rejected).toEqual([]);
    expect(plan.records).toHaveLength(1);
    expect(plan.records[0]!.value).toEqual({
      id: 'lf-session-9',
      user_id: 'employee-8',
      started_at: '2025-11-04T08:00:00.000Z',
      messages: [
        { role: 'user', content: 'What is the weather in Lisbon tomorrow?' },
        { role: 'assistant', content: '' },
        { role: 'tool', content: '{"forecast":"sunny","celsius":21}' },
        { role: 'assistant', content: 'Sunny, 21 degrees.' },
      ],
      metadata: { team: 'travel', model: 'gpt-4o-mini-2024-07-18' },
    });
  });
});

describe('LangSmith import', () => {
  it('turns threads of runs into conversations from their llm runs, refusing what cannot be a record', () => {
    const plan = planLangsmithImport(fixture('langsmith-runs.jsonl'));
    expect(plan.items).toBe(7);
    expect(plan.conversations).toBe(3);
    expect(plan.rejected).toEqual([
      { line: 4, field: 'start_time', message: expect.any(String) },
      {
        line: 7,
        field: 'extra.metadata.user_id',
        message: 'is required: conversations are counted per person',
      },
      { line: 8, field: '(record)', message: expect.stringMatching(/^is not valid JSON/) },
    ]);
    expect(plan.records.map((record) => [record.position, record.value])).toEqual([
      [
        { line: 1 },
        {
          id: 'ls-thread-1',
          user_id: 'analyst-3',
          started_at: '2025-11-05T14:00:00.000Z',
          messages: [
            { role: 'system', content: "You are a finance analyst's assistant." },
            { role: 'user', content: 'Summarise the Q3 revenue variance in two sentences.' },
            {
              role: 'assistant',
              content: 'Revenue beat plan by 4% on stronger renewals; services lagged by 2%.',
            },
            { role: 'user', content: 'Which region drove the renewals?' },
            { role: 'assistant', content: 'Mostly EMEA, with a smaller lift in APAC.' },
          ],
          metadata: { team: 'finance', revision_id: 'abc123', model: 'gpt-4o' },
        },
      ],
      [
        { line: 6 },
        {
          id: 'ls-root-3',
          user_id: 'analyst-4',
          started_at: '2025-11-05T15:00:00.000Z',
          messages: [
            { role: 'user', content: 'Draft a two-line out-of-office reply.' },
            {
              role: 'assistant',
              content: 'I am away until Monday. For urgent matters, contact the team inbox.',
            },
          ],
          metadata: { app_version: '2.0', model: 'gpt-4o-mini' },
        },
      ],
    ]);
  });
});
