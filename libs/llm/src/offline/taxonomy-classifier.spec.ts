import { describe, expect, it } from 'vitest';
import { NAME_LIKE_WORDS } from './background-vocabulary';
import { prepareConversation } from './prepared-conversation';
import { ABSTAIN_LABEL, MANUAL_MINUTES } from './tagging-tables';
import { DOMAIN_TAXONOMY, TASK_TYPE_TAXONOMY } from './taxonomy';
import { TaxonomyClassifier, decideLabel, parseTerms } from './taxonomy-classifier';
import { stem } from './text-normalizer';

const classifier = new TaxonomyClassifier({
  domain: DOMAIN_TAXONOMY,
  taskType: TASK_TYPE_TAXONOMY,
});
const classify = (text: string) =>
  classifier.classify(prepareConversation([{ role: 'user', content: text }]));

describe('taxonomy', () => {
  it('has unique, contract-sized labels and never uses the abstain label', () => {
    for (const taxonomy of [DOMAIN_TAXONOMY, TASK_TYPE_TAXONOMY]) {
      const labels = taxonomy.map((e) => e.label);
      expect(new Set(labels).size).toBe(labels.length);
      for (const label of labels) {
        expect(label).toBe(label.toLowerCase());
        expect(label.length).toBeLessThanOrEqual(60);
        expect(label).not.toBe(ABSTAIN_LABEL);
      }
    }
  });

  it('has a manual-minutes row for every task type and for the abstain label', () => {
    for (const e of TASK_TYPE_TAXONOMY) expect(MANUAL_MINUTES[e.label], e.label).toBeDefined();
    expect(MANUAL_MINUTES[ABSTAIN_LABEL]).toBeDefined();
  });

  it('parses weights, including counter-evidence', () => {
    expect(parseTerms('stack trace:3, bug, explain your answer:-2')).toEqual([
      { phrase: 'stack trace', weight: 3 },
      { phrase: 'bug', weight: 1 },
      { phrase: 'explain your answer', weight: -2 },
    ]);
  });

  it('keeps common given names out of the vocabulary except as ordinary lowercase words', () => {
    // Such words may appear in a use case only when written in lowercase (see use-case-composer).
    const overlap = [...classifier.vocabulary].filter((w) => NAME_LIKE_WORDS.has(w));
    expect(overlap.every((w) => /^[a-z]+$/.test(w))).toBe(true);
    expect(classifier.vocabulary.has('john')).toBe(false);
  });
});

describe('TaxonomyClassifier', () => {
  it('matches inflections and multi-word phrases', () => {
    expect(stem('booked')).toBe(stem('booking'));
    const x = classify('I booked flights and hotels for our trip.');
    expect(x.domain.label).toBe('travel & transportation');
  });

  it('counts the first user turn more than assistant turns', () => {
    const conversation = prepareConversation([
      { role: 'user', content: 'Recommend a good movie for tonight.' },
      { role: 'assistant', content: 'You could also cook pasta or order pizza from a restaurant.' },
    ]);
    expect(classifier.classify(conversation).domain.label).toBe('entertainment & media');
  });

  it('uses structural features: stack traces point to debugging', () => {
    const x = classify(
      'Traceback (most recent call last):\n  File "app.py", line 3, in <module>\nKeyError: \'id\'',
    );
    expect(x.taskType.label).toBe('debugging');
    expect(x.domain.label).toBe('software engineering');
  });

  it('does not let a long conversation win by repetition alone', () => {
    const once = classify('Plan my vacation.').domain.score;
    const many = classify('Plan my vacation. '.repeat(50)).domain.score;
    expect(many).toBeLessThan(once * 3);
  });
});

describe('decideLabel', () => {
  it('abstains below the minimum score and on a near tie', () => {
    expect(
      decideLabel(
        new Map([
          ['a', 1],
          ['b', 0],
        ]),
      ).label,
    ).toBe(ABSTAIN_LABEL);
    expect(
      decideLabel(
        new Map([
          ['a', 10],
          ['b', 9.5],
        ]),
      ).label,
    ).toBe(ABSTAIN_LABEL);
    expect(decideLabel(new Map()).label).toBe(ABSTAIN_LABEL);
  });

  it('reports more confidence for stronger and better separated evidence, never above 0.9', () => {
    const weak = decideLabel(
      new Map([
        ['a', 2],
        ['b', 0],
      ]),
    );
    const strong = decideLabel(
      new Map([
        ['a', 20],
        ['b', 0],
      ]),
    );
    const close = decideLabel(
      new Map([
        ['a', 20],
        ['b', 15],
      ]),
    );
    expect(weak.abstained || strong.abstained || close.abstained).toBe(false);
    expect(strong.confidence).toBeGreaterThan(weak.confidence);
    expect(strong.confidence).toBeGreaterThan(close.confidence);
    expect(strong.confidence).toBeLessThanOrEqual(0.9);
    expect(
      decideLabel(
        new Map([
          ['a', 2],
          ['b', 0],
        ]),
      ).confidence,
    ).toBe(weak.confidence);
  });
});
