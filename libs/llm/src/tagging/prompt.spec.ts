import { FAILURE_REASONS, facetAnswerSchema } from '@silhouette/contracts';
import { describe, expect, it } from 'vitest';
import {
  CUSTOM_ANSWERS_KEY,
  MAX_PROMPT_OVERHEAD_TOKENS,
  TAG_PROMPT_VERSION,
  TAG_SYSTEM_PROMPT,
  WIRE_KEYS,
  buildTagUserMessage,
  renderConversation,
  tagPrompt,
  tagPromptOverheadTokens,
  tagPromptOverheadTokensFullSchema,
  tagResponseJsonSchema,
} from './prompt';
import { TEN_FACETS } from './benchmark-custom-facets';
import { checkOutput } from '../openai/structured-client';
import { estimateTokens } from './truncate';

describe('facet prompt', () => {
  it('costs at most 400 tokens beyond the conversation (system prompt + wrapper + schema + framing)', () => {
    const overhead = tagPromptOverheadTokens();
    expect(overhead).toBeLessThanOrEqual(MAX_PROMPT_OVERHEAD_TOKENS);

    // Measured independently: the full prompt minus the transcript, with the whole strict schema
    // (the earlier, stricter rule) plus the framing allowance.
    const transcript = renderConversation([{ role: 'user', content: 'x'.repeat(4_000) }]);
    const full =
      estimateTokens(TAG_SYSTEM_PROMPT) +
      estimateTokens(buildTagUserMessage(transcript)) +
      estimateTokens(JSON.stringify(tagResponseJsonSchema()));
    expect(full - estimateTokens(transcript)).toBeLessThanOrEqual(
      tagPromptOverheadTokensFullSchema(),
    );
    // The shown schema drops only `required` and `additionalProperties`: the rest is counted.
    expect(tagPromptOverheadTokensFullSchema() - overhead).toBeLessThan(40);
  });

  it('leaves room for ten compact custom facets within the budget', () => {
    const overhead = tagPromptOverheadTokens(TEN_FACETS);
    expect(overhead).toBeLessThanOrEqual(MAX_PROMPT_OVERHEAD_TOKENS);
    expect(overhead).toBeGreaterThan(tagPromptOverheadTokens());
    const prompt = tagPrompt(TEN_FACETS);
    for (const facet of TEN_FACETS) expect(prompt.system).toContain(facet.question);
    expect(prompt.system).toContain('billing|onboarding|reporting|security');
  });

  it('is versioned, and the version changes with the custom facet definitions', () => {
    expect(TAG_PROMPT_VERSION).toMatch(/^tag-v\d+$/);
    expect(tagPrompt([]).promptVersion).toBe(TAG_PROMPT_VERSION);
    const version = tagPrompt(TEN_FACETS).promptVersion;
    expect(version).toMatch(/^tag-v\d+\+f[0-9a-f]{10}$/);
    const edited = TEN_FACETS.map((f) =>
      f.slot === 2 ? { ...f, values: [...f.values!, 'mobile'] } : f,
    );
    expect(tagPrompt(edited).promptVersion).not.toBe(version);
    // Offline keyword rules are not part of what the model is asked.
    const withRules = TEN_FACETS.map((f) =>
      f.slot === 1 ? { ...f, rules: { true: ['rival'] } } : f,
    );
    expect(tagPrompt(withRules).promptVersion).toBe(version);
  });

  it('sends the strict schema in short wire keys without descriptions (the prompt explains)', () => {
    const schema = tagResponseJsonSchema();
    const props = schema['properties'] as Record<string, { items?: { enum: string[] } }>;
    expect(Object.keys(props).sort()).toEqual(Object.values(WIRE_KEYS).sort());
    expect(props[WIRE_KEYS.failure_reasons]!.items!.enum).toEqual([...FAILURE_REASONS]);
    expect(JSON.stringify(schema)).not.toContain('description');
    expect(schema['required']).toEqual(Object.keys(props));
    const withCustom = tagResponseJsonSchema(TEN_FACETS)['properties'] as Record<string, unknown>;
    expect(withCustom[CUSTOM_ANSWERS_KEY]).toEqual({
      type: 'array',
      items: { type: ['string', 'number', 'boolean'] },
    });
  });

  it('explains every wire key and states the privacy rule, the bounds and the outcome definitions', () => {
    for (const key of Object.values(WIRE_KEYS)) {
      expect(TAG_SYSTEM_PROMPT).toMatch(new RegExp(`(^|[\\s,;])${key}[ ,:]`, 'm'));
    }
    expect(TAG_SYSTEM_PROMPT).toMatch(
      /NEVER names, proper nouns, emails, numbers or personal details/,
    );
    expect(TAG_SYSTEM_PROMPT).toContain('0-480');
    expect(TAG_SYSTEM_PROMPT).toContain('lowercase');
    for (const outcome of ['unresolved=', 'abandoned=', 'refused='])
      expect(TAG_SYSTEM_PROMPT).toContain(outcome);
  });

  it('turns a wire answer back into the facet row and checks each custom answer by type', () => {
    const schema = tagPrompt(TEN_FACETS).schema;
    const wire = {
      d: 'software engineering',
      t: 'debugging',
      u: 'fixing a failing test',
      g: 'make the test suite pass',
      i: 'assistant suggested a function that does not exist',
      m0: 30,
      m1: 10,
      o: 'unresolved',
      f: ['incorrect_answer'],
      uf: 3,
      l: 'en',
      c: 0.8,
      x: [true, 'billing', 'negative', 'no', 4, 'missing api access', false, true, 7, 'yes'],
    };
    const parsed = schema.parse(wire);
    expect(parsed.facet).toMatchObject({
      domain: 'software engineering',
      issue: 'assistant suggested a function that does not exist',
      outcome: 'unresolved',
    });
    expect(facetAnswerSchema.parse(parsed.facet)).toEqual(parsed.facet);
    expect(parsed.custom).toEqual({
      competitor: true,
      area: 'billing',
      sentiment: 'negative',
      needs_human: false,
      steps: 4,
      blocker: 'missing api access',
      sensitive: false,
      false_claim: true,
      satisfaction: 7,
      code: true,
    });
    // Wrong type, out of range, unknown option, too many words, wrong count: each named by position.
    const bad = (x: unknown[]) => schema.safeParse({ ...wire, x });
    const issues = (x: unknown[]) =>
      (bad(x).error?.issues ?? []).map((issue) => issue.path.join('.'));
    expect(issues([...wire.x.slice(0, 4), 99, ...wire.x.slice(5)])).toEqual(['x.4']);
    expect(issues(['maybe', ...wire.x.slice(1)])).toEqual(['x.0']);
    expect(issues([wire.x[0], 'mobile', ...wire.x.slice(2)])).toEqual(['x.1']);
    expect(
      issues([
        ...wire.x.slice(0, 5),
        'one two three four five six seven eight nine',
        ...wire.x.slice(6),
      ]),
    ).toEqual(['x.5']);
    expect(bad(wire.x.slice(1)).success).toBe(false);
  });

  it('lets the client cut an over-long issue or short-text answer instead of asking again', () => {
    const wire = {
      d: 'software engineering',
      t: 'debugging',
      u: 'fixing a failing test',
      g: 'make the test suite pass',
      i: 'the assistant kept suggesting a function that simply does not exist in this library at all',
      m0: 30,
      m1: 10,
      o: 'unresolved',
      f: ['incorrect_answer'],
      uf: 3,
      l: 'en',
      c: 0.8,
      x: [
        true,
        'billing',
        'negative',
        false,
        4,
        'the access token for the reporting api had expired long ago',
        false,
        true,
        7,
        true,
      ],
    };
    const checked = checkOutput(JSON.stringify(wire), tagPrompt(TEN_FACETS).schema, 'stop', null);
    expect(checked.ok).toBe(true);
    if (!checked.ok) return;
    const words = (text: unknown) => String(text).split(' ').length;
    expect(words(checked.value.facet.issue)).toBeLessThanOrEqual(12);
    expect(words(checked.value.facet.issue)).toBeGreaterThan(8);
    expect(words(checked.value.custom['blocker'])).toBeLessThanOrEqual(8);
    expect(words(checked.value.custom['blocker'])).toBeGreaterThan(4);
    expect(checked.coerced.map((field) => field.path.join('.')).sort()).toEqual(['i', 'x.5']);
  });

  it('renders the conversation compactly inside the wrapper', () => {
    const rendered = renderConversation([
      { role: 'user', content: 'fix my regex' },
      { role: 'assistant', content: 'use \\d+' },
      { role: 'tool', content: 'ok' },
    ]);
    expect(rendered).toBe('USER: fix my regex\nASSISTANT: use \\d+\nTOOL: ok');
    expect(buildTagUserMessage(rendered)).toBe(`<chat>\n${rendered}\n</chat>`);
  });
});
