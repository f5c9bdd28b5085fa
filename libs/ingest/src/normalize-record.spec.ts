import { describe, expect, it } from 'vitest';
import { detectFormat } from './formats';
import { normalizeRecord } from './normalize-record';
import { decodeUtf8, splitRecords } from './parse-body';

const options = { format: 'auto' as const, maxMessageBytes: 1000 };

describe('format detection', () => {
  it('tells the three formats apart per record', () => {
    expect(detectFormat({ messages: [{ role: 'user', content: 'hi' }] })).toBe('openai');
    expect(detectFormat({ system: 'x', messages: [] })).toBe('anthropic');
    expect(
      detectFormat({
        messages: [
          { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'n', input: {} }] },
        ],
      }),
    ).toBe('anthropic');
    expect(detectFormat({ conversations: [] })).toBe('sharegpt');
  });
});

describe('normalizeRecord', () => {
  it('maps OpenAI content parts, developer and function roles onto the canonical record', () => {
    const result = normalizeRecord(
      {
        id: 7,
        user: 'u-1',
        started_at: '2025-03-01T10:00:00+02:00',
        messages: [
          { role: 'developer', content: 'Be brief.' },
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Plot this' },
              { type: 'image_url', image_url: { url: 'x' } },
            ],
          },
          { role: 'assistant', content: null, tool_calls: [{ id: 'c' }] },
          { role: 'function', content: '{"ok":true}' },
        ],
        metadata: { team: 'data' },
      },
      options,
    );
    expect(result).toEqual({
      ok: true,
      contentBytes: 'Be brief.'.length + 'Plot this'.length + '{"ok":true}'.length,
      ignoredFields: [],
      conversation: {
        id: '7',
        user_id: 'u-1',
        started_at: '2025-03-01T08:00:00.000Z',
        metadata: { team: 'data' },
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'Plot this' },
          { role: 'assistant', content: '' },
          { role: 'tool', content: '{"ok":true}' },
        ],
      },
    });
  });

  it('maps Anthropic system blocks and tool results, and ShareGPT speakers', () => {
    const anthropic = normalizeRecord(
      {
        id: 'a',
        user_id: 'u',
        system: [{ type: 'text', text: 'sys' }],
        messages: [
          { role: 'user', content: [{ type: 'text', text: 'q' }] },
          { role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'n', input: {} }] },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: 't', content: [{ type: 'text', text: 'r' }] },
            ],
          },
        ],
      },
      options,
    );
    expect(anthropic.ok && anthropic.conversation.messages).toEqual([
      { role: 'system', content: 'sys' },
      { role: 'user', content: 'q' },
      { role: 'assistant', content: '' },
      { role: 'user', content: 'r' },
    ]);
    const sharegpt = normalizeRecord(
      {
        id: 's',
        user_id: 'u',
        conversations: [
          { from: 'human', value: 'q' },
          { from: 'gpt', value: 'a' },
        ],
      },
      options,
    );
    expect(sharegpt.ok && sharegpt.conversation.messages).toEqual([
      { role: 'user', content: 'q' },
      { role: 'assistant', content: 'a' },
    ]);
  });

  it('names the field of the first problem, including nested paths', () => {
    const cases: [unknown, string][] = [
      [
        {
          id: 'x',
          user_id: 'u',
          messages: [{ role: 'user', content: [{ type: 'text', text: 1 }] }],
        },
        'messages[0].content[0].text',
      ],
      [
        {
          id: 'x',
          user_id: 'u',
          system: 's',
          messages: [
            { role: 'user', content: 'q' },
            { role: 'tool', content: 'r' },
          ],
        },
        'messages[1].role',
      ],
      [
        {
          id: 'x',
          user_id: 'u',
          messages: [{ role: 'user', content: 'q' }],
          metadata: { team: 7, secret: 1 },
        },
        'metadata.team',
      ],
    ];
    for (const [record, field] of cases) {
      const result = normalizeRecord(record, options);
      expect(result.ok ? 'ok' : result.error.field).toBe(field);
    }
  });

  it('drops unknown metadata fields and names them, keeping the allow-listed ones', () => {
    const result = normalizeRecord(
      {
        id: 'x',
        user_id: 'u',
        messages: [{ role: 'user', content: 'q' }],
        metadata: { team: 'data', session_id: 's-1', ['a\u0001b' + 'x'.repeat(80)]: 1 },
      },
      options,
    );
    expect(result).toMatchObject({ ok: true, conversation: { metadata: { team: 'data' } } });
    if (!result.ok) return;
    expect(result.ignoredFields).toEqual([`metadata.session_id`, `metadata.a?b${'x'.repeat(61)}…`]);
    const onlyUnknown = normalizeRecord(
      { id: 'x', user_id: 'u', messages: [{ role: 'user', content: 'q' }], metadata: { a: 1 } },
      options,
    );
    expect(onlyUnknown).toMatchObject({ ok: true, ignoredFields: ['metadata.a'] });
    expect(onlyUnknown.ok && onlyUnknown.conversation.metadata).toBeUndefined();
  });

  it('flags an oversized message as too large, with its position', () => {
    const result = normalizeRecord(
      { id: 'x', user_id: 'u', messages: [{ role: 'user', content: 'é'.repeat(600) }] },
      options,
    );
    expect(result).toMatchObject({ ok: false, tooLarge: true, error: { field: 'messages[0]' } });
  });
});

describe('splitRecords and decodeUtf8', () => {
  it('reads JSON arrays, a single pretty-printed object and JSON lines with blank lines', () => {
    expect(splitRecords('[{"a":1},{"a":2}]').map((r) => r.position)).toEqual([
      { index: 0 },
      { index: 1 },
    ]);
    expect(splitRecords('{\n  "a": 1\n}\n')).toEqual([{ position: { line: 1 }, value: { a: 1 } }]);
    const lines = splitRecords('{"a":1}\n\n{"a":\n{"a":3}');
    expect(lines.map((r) => [r.position, r.parseError === undefined])).toEqual([
      [{ line: 1 }, true],
      [{ line: 3 }, false],
      [{ line: 4 }, true],
    ]);
  });

  it('never quotes the input in a JSON error', () => {
    const [bad] = splitRecords('{"a": SECRET-CONTENT}\n{"b":1}');
    expect(bad!.parseError).toMatch(/^is not valid JSON/);
    expect(bad!.parseError).not.toContain('SECRET');
  });

  it('refuses invalid UTF-8 and says where', () => {
    expect(() => decodeUtf8(Buffer.from([0x7b, 0x22, 0xc3, 0x28]))).toThrow(/offset 2/);
    expect(decodeUtf8(Buffer.from('héllo'))).toBe('héllo');
  });
});
