import {
  FAILURE_REASONS,
  OUTCOMES,
  facetAnswerSchema,
  type FacetAnswer,
} from '@silhouette/contracts';
import { describe, expect, it } from 'vitest';
import {
  CUSTOM_ANSWERS_KEY,
  FAILURE_REASON_WIRE,
  MAX_PROMPT_OVERHEAD_TOKENS,
  NUMBERS_KEY,
  OUTCOME_WIRE,
  TAG_PROMPT_VERSION,
  TAG_SYSTEM_PROMPT,
  WIRE_KEYS,
  buildTagUserMessage,
  facetAnswerToWire,
  renderConversation,
  tagPrompt,
  tagPromptOverheadTokens,
  tagResponseJsonSchema,
} from './prompt';
import { countPromptTokens } from './prompt-tokens';
import { TEN_FACETS } from './benchmark-custom-facets';
import { checkOutput } from '../openai/structured-client';

describe('facet prompt', () => {
  it('costs at most 400 o200k_base tokens beyond the conversation (system prompt + wrapper + schema + framing)', () => {
    const overhead = tagPromptOverheadTokens();
    expect(overhead).toBeLessThanOrEqual(MAX_PROMPT_OVERHEAD_TOKENS);

    // Counted independently: the full prompt minus the transcript, with the whole strict schema
    // (the shown schema drops only `required` and `additionalProperties`), plus framing ≤ 20.
    const transcript = renderConversation([{ role: 'user', content: 'lorem ipsum '.repeat(300) }]);
    const full =
      countPromptTokens(TAG_SYSTEM_PROMPT) +
      countPromptTokens(buildTagUserMessage(transcript)) +
      countPromptTokens(JSON.stringify(tagResponseJsonSchema()));
    const withoutTranscript = full - countPromptTokens(transcript);
    expect(withoutTranscript).toBeGreaterThan(overhead - 20);
    expect(withoutTranscript).toBeLessThan(overhead + 40);
  });

  it('fits ten custom facets within the budget with a margin, counted by o200k_base', () => {
    const prompt = tagPrompt(TEN_FACETS);
    expect(prompt.overheadTokens).toBeLessThanOrEqual(380);
    expect(prompt.overheadTokens).toBeGreaterThan(tagPromptOverheadTokens());
    // The characters/4 figure is kept beside it, and differs (the rule enforced is o200k_base).
    expect(prompt.overheadTokensByChars).not.toBe(prompt.overheadTokens);
    for (const facet of TEN_FACETS) expect(prompt.system).toContain(facet.question);
    expect(prompt.system).toContain('billing|onboarding|reporting|security');
    // One question per line after the `x:` line, in slot order.
    const lines = prompt.system.split('\n');
    const questions = lines.slice(lines.indexOf(`${CUSTOM_ANSWERS_KEY}: answers to:`) + 1);
    expect(
      questions.map((line) => TEN_FACETS.findIndex((f) => line.startsWith(f.question))),
    ).toEqual(TEN_FACETS.map((_, i) => i));
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
    const props = schema['properties'] as Record<
      string,
      { enum?: string[]; items?: { enum: string[] } }
    >;
    expect(Object.keys(props).sort()).toEqual([...Object.values(WIRE_KEYS), NUMBERS_KEY].sort());
    // One code per stored value, all distinct: the wire maps back without loss.
    expect(props[WIRE_KEYS.failure_reasons]!.items!.enum).toEqual(
      FAILURE_REASONS.map((reason) => FAILURE_REASON_WIRE[reason]),
    );
    expect(new Set(Object.values(FAILURE_REASON_WIRE)).size).toBe(FAILURE_REASONS.length);
    expect(props[WIRE_KEYS.outcome]!.enum).toEqual(OUTCOMES.map((o) => OUTCOME_WIRE[o]));
    expect(new Set(Object.values(OUTCOME_WIRE)).size).toBe(OUTCOMES.length);
    expect(JSON.stringify(schema)).not.toContain('description');
    expect(schema['required']).toEqual(Object.keys(props));
    const withCustom = tagResponseJsonSchema(TEN_FACETS)['properties'] as Record<string, unknown>;
    expect(withCustom[CUSTOM_ANSWERS_KEY]).toEqual({
      type: 'array',
      items: { type: ['string', 'number', 'boolean'] },
    });
  });

  it('explains every wire key and states the privacy rule, the bounds and the outcome definitions', () => {
    for (const key of [...Object.values(WIRE_KEYS), NUMBERS_KEY]) {
      expect(TAG_SYSTEM_PROMPT).toMatch(new RegExp(`(^|[\\s,;])${key}[ ,:]`, 'm'));
    }
    expect(TAG_SYSTEM_PROMPT).toMatch(
      /NEVER names, proper nouns, emails, numbers or personal details/,
    );
    expect(TAG_SYSTEM_PROMPT).toContain('≤480');
    // The numbers list names its four positions in order.
    expect(TAG_SYSTEM_PROMPT).toMatch(
      /n: \[task minutes without AI, with AI .*frustration.*confidence/,
    );
    expect(TAG_SYSTEM_PROMPT).toContain('lowercase');
    for (const outcome of ['unresolved=', 'abandoned=', 'refused='])
      expect(TAG_SYSTEM_PROMPT).toContain(outcome);
  });

  it('maps every outcome and failure reason to its wire code and back, stored values unchanged', () => {
    const schema = tagPrompt().schema;
    const base: FacetAnswer = {
      domain: 'software engineering',
      task_type: 'debugging',
      use_case: 'fixing a failing test',
      goal_summary: 'make the test suite pass',
      issue: '',
      minutes_without_ai: 30,
      minutes_with_ai: 10,
      outcome: 'resolved',
      failure_reasons: [],
      user_frustration: 2,
      language: 'pt-BR',
      confidence: 0.9,
    };
    for (const outcome of OUTCOMES) {
      const answer = { ...base, outcome, failure_reasons: [...FAILURE_REASONS] };
      expect(schema.parse(facetAnswerToWire(answer)).facet).toEqual(answer);
    }
    // A stored value is not a wire code (where they differ): the model must use the codes.
    expect(schema.safeParse({ ...facetAnswerToWire(base), o: 'partially_resolved' }).success).toBe(
      false,
    );
    // The numbers are checked by position, each by its facet's rule, and named.
    const numbers = schema.safeParse({ ...facetAnswerToWire(base), n: [30, 10, 9, 0.5] });
    expect(numbers.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['n.2']);
    expect(numbers.error?.issues[0]?.message).toContain('user_frustration');
    expect(schema.safeParse({ ...facetAnswerToWire(base), n: [30, 10, 2] }).success).toBe(false);
  });

  it('turns a wire answer back into the facet row and checks each custom answer by type', () => {
    const schema = tagPrompt(TEN_FACETS).schema;
    const wire = {
      d: 'software engineering',
      t: 'debugging',
      u: 'fixing a failing test',
      g: 'make the test suite pass',
      i: 'assistant suggested a function that does not exist',
      n: [30, 10, 3, 0.8],
      o: 'unresolved',
      f: ['wrong'],
      l: 'en',
      x: [true, 'billing', 'negative', 'no', 4, 'missing api access', false, true, 7, 'yes'],
    };
    const parsed = schema.parse(wire);
    expect(parsed.facet).toMatchObject({
      domain: 'software engineering',
      issue: 'assistant suggested a function that does not exist',
      minutes_without_ai: 30,
      minutes_with_ai: 10,
      user_frustration: 3,
      confidence: 0.8,
      outcome: 'unresolved',
      failure_reasons: ['incorrect_answer'],
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
      n: [30, 10, 3, 0.8],
      o: 'unresolved',
      f: ['wrong'],
      l: 'en',
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
