import { describe, expect, it } from 'vitest';
import { parseQuestion, type ParserVocabulary } from './question-parser';

const vocabulary: ParserVocabulary = {
  facets: ['department', 'domain', 'language', 'outcome', 'task_type', 'team'],
  clusters: [
    { id: 'c1', name: 'Booking restaurant tables', level: 0 },
    { id: 'c2', name: 'Flight search', level: 1 },
  ],
  values: [
    { facet: 'team', value: 'sales' },
    { facet: 'domain', value: 'travel' },
    { facet: 'team', value: '(not set)' },
    { facet: 'language', value: 'en' },
  ],
  latestWeek: '2026-W49',
  levels: 3,
};
const parse = (q: string) => parseQuestion(q, vocabulary);

describe('parseQuestion', () => {
  it('reads totals and periods of whole weeks', () => {
    expect(parse('How many conversations were there in the last 4 weeks?')).toEqual({
      shape: 'total',
      metric: 'conversations',
      period: { last_weeks: 4 },
      hours: false,
    });
    expect(parse('How much time did it save in 2026-W41?')).toMatchObject({
      metric: 'minutes_saved',
      period: { from_week: '2026-W41', to_week: '2026-W41' },
    });
    expect(parse('How many hours did it save in October 2026?')).toMatchObject({
      period: { month: '2026-10' },
      hours: true,
    });
    expect(parse('What is the failure rate?')).toMatchObject({
      shape: 'total',
      metric: 'failure_rate',
    });
  });

  it('reads rankings of clusters and facet values', () => {
    expect(parse('Top 3 clusters by minutes saved at level 1')).toEqual({
      shape: 'rank',
      subject: { kind: 'cluster', level: 1 },
      metric: 'minutes_saved',
      order: 'desc',
      n: 3,
      hours: false,
    });
    expect(parse('Which team has the fewest users?')).toMatchObject({
      subject: { kind: 'facet', facet: 'team' },
      metric: 'distinct_users',
      order: 'asc',
      n: 1,
    });
    // "en" (a language) is not found inside "department" or "minutes".
    expect(parse('Which department saved the most minutes?')).toMatchObject({
      subject: { kind: 'facet', facet: 'department' },
      metric: 'minutes_saved',
    });
    expect(parse('Bottom 2 task types by conversations')).toMatchObject({
      subject: { kind: 'facet', facet: 'task_type' },
      order: 'asc',
      n: 2,
    });
  });

  it('reads one cluster or value, trends and comparisons', () => {
    expect(parse('What is the failure rate of Booking restaurant tables?')).toMatchObject({
      shape: 'entity',
      entity: { kind: 'cluster', id: 'c1' },
      metric: 'failure_rate',
    });
    expect(parse('Is travel growing?')).toMatchObject({
      shape: 'trend',
      entity: { kind: 'value', facet: 'domain', name: 'travel' },
    });
    expect(parse('Compare the last 4 weeks with the 4 weeks before')).toEqual({
      shape: 'compare',
      current: { last_weeks: 4 },
      metric: 'conversations',
    });
    expect(parse('Compare 2026-W40 with 2026-W44')).toMatchObject({
      current: { from_week: '2026-W44' },
      previous: { from_week: '2026-W40' },
    });
  });

  it('abstains, saying why, on anything it did not fully understand', () => {
    expect(parse('How many conversations by country?')).toMatchObject({
      shape: 'abstain',
      reason: expect.stringMatching(/no breakdown by "country"/),
    });
    expect(parse('How many conversations about quantum physics?')).toMatchObject({
      shape: 'abstain',
    });
    expect(parse('How many conversations yesterday?')).toMatchObject({
      reason: expect.stringMatching(/per ISO week, never per day/),
    });
    expect(parse('Which team has the highest failure rate?')).toMatchObject({
      reason: expect.stringMatching(/not per team/),
    });
    expect(parse('How many users in the last 4 weeks?')).toMatchObject({
      reason: expect.stringMatching(/cannot be added across weeks/),
    });
    expect(parse('What is the meaning of life?')).toMatchObject({ shape: 'abstain' });
  });
});
