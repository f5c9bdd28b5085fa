import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  coerceOverlongStrings,
  cutAtWordBoundary,
  cutToWords,
  extractJsonText,
} from './output-coercion';

describe('cutting over-long text', () => {
  it('cuts at the last word boundary within the limit and drops dangling joiners', () => {
    expect(cutAtWordBoundary('software engineering and platform operations', 30)).toBe(
      'software engineering',
    );
    expect(cutAtWordBoundary('  short  ', 30)).toBe('short');
    // No boundary in the second half: a hard cut rather than a stub.
    expect(cutAtWordBoundary('supercalifragilisticexpialidocious words', 10)).toBe('supercalif');
    // Never half of a surrogate pair.
    expect(cutAtWordBoundary('ab😀cd', 3)).toBe('ab');
  });

  it('keeps the first n words', () => {
    expect(cutToWords('one two three four five', 3)).toBe('one two three');
    expect(cutToWords('planning a trip for the', 5)).toBe('planning a trip for the');
    expect(cutToWords('planning a trip for the team', 5)).toBe('planning a trip');
  });
});

describe('coerceOverlongStrings', () => {
  const schema = z.object({
    label: z.string().trim().min(1).max(20),
    summary: z.string().refine((s) => s.split(/\s+/).length <= 4, { params: { maxWords: 4 } }),
    tags: z.array(z.object({ name: z.string().max(8) })),
    count: z.number().int().max(5),
  });
  const issuesOf = (value: unknown) => {
    const result = schema.safeParse(value);
    if (result.success) throw new Error('expected issues');
    return result.error.issues;
  };

  it('repairs only length issues, nested ones included, without touching the input', () => {
    const value = {
      label: 'quarterly budget planning',
      summary: 'one two three four five six',
      tags: [{ name: 'ok' }, { name: 'too long name' }],
      count: 2,
    };
    const fixed = coerceOverlongStrings(value, issuesOf(value))!;
    expect(fixed.fields.map((f) => [f.path.join('.'), f.kind])).toEqual([
      ['label', 'max_chars'],
      ['summary', 'max_words'],
      ['tags.1.name', 'max_chars'],
    ]);
    expect(schema.parse(fixed.value)).toEqual({
      label: 'quarterly budget',
      summary: 'one two three four',
      tags: [{ name: 'ok' }, { name: 'too long' }],
      count: 2,
    });
    expect(value.label).toBe('quarterly budget planning');
  });

  it('gives up when any issue is not about length', () => {
    const value = { label: 'quarterly budget planning', summary: 'ok', tags: [], count: 9 };
    expect(coerceOverlongStrings(value, issuesOf(value))).toBeUndefined();
    const empty = { label: '', summary: 'ok', tags: [], count: 1 };
    expect(coerceOverlongStrings(empty, issuesOf(empty))).toBeUndefined();
  });
});

describe('extractJsonText', () => {
  it('finds the JSON in fences and prose', () => {
    expect(extractJsonText('{"a":1}')).toBe('{"a":1}');
    expect(extractJsonText('```json\n{"a":1}\n```')).toBe('{"a":1}');
    expect(extractJsonText('Sure! Here it is:\n```json\n{"a":1}\n```\nAnything else?')).toBe(
      '{"a":1}',
    );
    expect(extractJsonText('The answer is {"a": "}{", "b": {"c": 2}} as requested.')).toBe(
      '{"a": "}{", "b": {"c": 2}}',
    );
    expect(extractJsonText('no json here')).toBe('no json here');
  });
});
