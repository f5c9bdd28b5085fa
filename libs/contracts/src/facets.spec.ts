import { describe, expect, it } from 'vitest';
import { facetAnswerSchema, minutesSaved } from './facets';

describe('minutesSaved', () => {
  it('is the difference for successful outcomes and never negative', () => {
    expect(minutesSaved({ minutes_without_ai: 30, minutes_with_ai: 5, outcome: 'resolved' })).toBe(
      25,
    );
    expect(minutesSaved({ minutes_without_ai: 5, minutes_with_ai: 30, outcome: 'resolved' })).toBe(
      0,
    );
  });

  it('is zero for unresolved, abandoned and refused conversations', () => {
    for (const outcome of ['unresolved', 'abandoned', 'refused'] as const) {
      expect(minutesSaved({ minutes_without_ai: 60, minutes_with_ai: 5, outcome })).toBe(0);
    }
  });
});

describe('facetAnswerSchema', () => {
  it('rejects a goal summary longer than 25 words and names the field', () => {
    const result = facetAnswerSchema.safeParse({
      domain: 'finance',
      task_type: 'analysis',
      use_case: 'checking a budget',
      goal_summary: Array.from({ length: 30 }, () => 'word').join(' '),
      minutes_without_ai: 10,
      minutes_with_ai: 2,
      outcome: 'resolved',
      failure_reasons: [],
      user_frustration: 1,
      language: 'en',
      confidence: 0.8,
    });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.path).toEqual(['goal_summary']);
  });
});
