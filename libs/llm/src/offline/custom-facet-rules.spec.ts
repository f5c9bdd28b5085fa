import type { CustomFacetDefinition } from '@silhouette/contracts';
import { describe, expect, it } from 'vitest';
import { OfflineTagger, offlinePromptVersion } from './offline-tagger';

const AREA: CustomFacetDefinition = {
  key: 'area',
  slot: 1,
  question: 'Which product area?',
  type: 'enum',
  values: ['billing', 'security'],
  rules: { billing: ['invoice', 'credit note'], security: ['password'] },
};
const COMPETITOR: CustomFacetDefinition = {
  key: 'competitor',
  slot: 2,
  question: 'Mentions a competitor?',
  type: 'boolean',
  rules: { true: ['competitor'], false: ['our product'] },
};
const STEPS: CustomFacetDefinition = {
  key: 'steps',
  slot: 3,
  question: 'How many steps?',
  type: 'number',
  min: 0,
  max: 10,
};
const BLOCKER: CustomFacetDefinition = {
  key: 'blocker',
  slot: 4,
  question: 'What blocked the user?',
  type: 'short_text',
};
const ALL = [AREA, COMPETITOR, STEPS, BLOCKER];

const tag = (text: string, reply = 'Sure, here is how.') =>
  new OfflineTagger().explain({
    conversationId: 'c',
    customFacets: ALL,
    messages: [
      { role: 'user', content: text },
      { role: 'assistant', content: reply },
    ],
  }).custom;

describe('offline custom facets', () => {
  it('answers enum and boolean facets where a keyword matches, by word stems', () => {
    expect(tag('Two of my invoices are wrong, a competitor does better')).toMatchObject({
      area: 'billing',
      competitor: true,
    });
    expect(tag('I need a credit note and a new password')).toMatchObject({ area: 'billing' });
    expect(tag('Reset my password please, our product is slow')).toMatchObject({
      area: 'security',
      competitor: false,
    });
  });

  it('leaves everything else unanswered: no rule matched, numbers and short text', () => {
    expect(tag('What is the weather tomorrow?')).toEqual({
      area: null,
      competitor: null,
      steps: null,
      blocker: null,
    });
  });

  it('matches whole words only ("passwords" yes, "passwordless" no)', () => {
    expect(tag('my passwords expired').area).toBe('security');
    expect(tag('we went passwordless').area).toBeNull();
  });

  it('has a prompt version that follows the rules and the definitions', () => {
    const base = offlinePromptVersion([]);
    const version = offlinePromptVersion(ALL);
    expect(version.startsWith(`${base}+r`)).toBe(true);
    expect(
      offlinePromptVersion([{ ...AREA, rules: { billing: ['invoice'] } }, COMPETITOR]),
    ).not.toBe(offlinePromptVersion([AREA, COMPETITOR]));
    expect(new OfflineTagger().promptVersionFor(ALL)).toBe(version);
  });
});
