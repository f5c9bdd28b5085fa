import type { CanonicalMessage } from '@silhouette/contracts';
import { describe, expect, it } from 'vitest';
import { BACKGROUND_BANDS, STOPWORDS } from './background-vocabulary';
import { prepareConversation } from './prepared-conversation';
import { DOMAIN_TAXONOMY, TASK_TYPE_TAXONOMY } from './taxonomy';
import { TaxonomyClassifier } from './taxonomy-classifier';
import { composeGoalSummary, composeUseCase, gerund } from './use-case-composer';

const classifier = new TaxonomyClassifier({
  domain: DOMAIN_TAXONOMY,
  taskType: TASK_TYPE_TAXONOMY,
});
const vocabulary = classifier.vocabulary;
const useCaseOf = (content: string, taskType = 'other', domain = 'other') =>
  composeUseCase(prepareConversation([{ role: 'user', content } satisfies CanonicalMessage]), {
    taskType,
    domain,
    taxonomyVocabulary: vocabulary,
    capitalisedAllowed: classifier.singleWordTerms,
  });

describe('composeUseCase', () => {
  it('uses the request verb and its object phrase', () => {
    expect(useCaseOf('Fix this TypeError in my Python function', 'debugging')).toBe(
      'fixing typeerror in python function',
    );
    expect(useCaseOf('Can you summarize the quarterly sales report?', 'summarization')).toBe(
      'summarizing quarterly sales report',
    );
  });

  it('falls back to the task gerund and the most distinctive phrase', () => {
    expect(useCaseOf('I need a rental car for the weekend.', 'booking')).toMatch(
      /^booking .*rental car/,
    );
  });

  it('never carries number words: a spelled-out phone number is not copied (issue #10)', () => {
    const NUMBER_WORDS =
      /\b(zero|oh|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|forty|fifty|hundred|thousand)\b/;
    for (const [text, task] of [
      ['Please call me back on five five five one two three four about my flight refund.', 'other'],
      [
        'Text nine one seven, two two two, eight eight four four when the booking is done',
        'booking',
      ],
      [
        'My number is four one five five five five zero one nine nine. Book a table for two.',
        'booking',
      ],
      ['five five five one two three four', 'other'],
      ['Find three hotels near the station and compare five reviews', 'search & lookup'],
    ] as const) {
      const useCase = useCaseOf(text, task);
      expect(useCase, text).not.toMatch(NUMBER_WORDS);
      expect(composeGoalSummary(useCase, { taskType: task, domain: 'other' })).not.toMatch(
        NUMBER_WORDS,
      );
    }
  });

  it('builds only from the closed vocabulary (no names, numbers or identifiers)', () => {
    const text =
      'Write a letter to Maria Gonzalez (maria.g@example.org, ID 88-1234) about invoice INV2024 for Zorblax Ltd.';
    const useCase = useCaseOf(text, 'drafting');
    const gerunds = useCase.split(' ').filter((w) => w.endsWith('ing'));
    for (const word of useCase.split(' ')) {
      const known =
        vocabulary.has(word) ||
        BACKGROUND_BANDS.has(word) ||
        STOPWORDS.has(word) ||
        gerunds.includes(word);
      expect(known, word).toBe(true);
    }
    expect(useCase).not.toMatch(/maria|gonzalez|example|zorblax|\d/);
  });

  it('drops runs of capitalised words (organisation and person names), keeps tech terms', () => {
    const useCase = useCaseOf(
      'Write a memo to Clean Power Finance about our Office Box rental',
      'drafting',
    );
    expect(useCase).not.toMatch(/clean|power|finance|office|box/);
    expect(useCaseOf('Fix the Python Flask route that returns a KeyError', 'debugging')).toMatch(
      /python flask/,
    );
  });

  it('drops a capitalised word that doubles as a given name, keeps it lowercase', () => {
    expect(useCaseOf('Plan a dinner party for Grace and her friends', 'planning')).not.toMatch(
      /grace/,
    );
    expect(useCaseOf('Tips to say grace before a family dinner', 'advice')).toMatch(
      /grace|family dinner|dinner/,
    );
  });

  it('never exceeds 12 words and always says something', () => {
    expect(
      useCaseOf(
        `Write ${'very long detailed technical documentation '.repeat(20)}`,
        'drafting',
      ).split(' ').length,
    ).toBeLessThanOrEqual(12);
    expect(useCaseOf('zzqx vrk', 'other')).toBe('unclassified request');
    expect(useCaseOf('zzqx vrk', 'booking', 'food & dining')).toBe('booking food & dining topics');
  });
});

describe('composeGoalSummary', () => {
  it('is a template over the facets, at most 25 words', () => {
    const goal = composeGoalSummary('booking restaurant reservation', {
      taskType: 'booking',
      domain: 'food & dining',
    });
    expect(goal).toBe(
      'Book or reserve something: booking restaurant reservation, in food & dining.',
    );
    expect(composeGoalSummary('unclassified request', { taskType: 'other', domain: 'other' })).toBe(
      'Get help: unclassified request.',
    );
  });
});

describe('gerund', () => {
  it.each([
    ['write', 'writing'],
    ['debug', 'debugging'],
    ['plan', 'planning'],
    ['book', 'booking'],
    ['tie', 'tying'],
    ['see', 'seeing'],
  ])('%s → %s', (verb, expected) => {
    expect(gerund(verb)).toBe(expected);
  });
});
