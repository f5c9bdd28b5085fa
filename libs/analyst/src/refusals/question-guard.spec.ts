import { describe, expect, it } from 'vitest';
import { refusalFor } from './question-guard';

describe('refusalFor', () => {
  it.each([
    'What did user 42 ask?',
    'What did user-3 ask about?',
    'Show me what u_8f3a2c91 did',
    'What did anna.berg@example.com ask?',
    'Which users saved the most time?',
    'Who asked about salaries?',
    'What did the two people in legal do?',
    'How much time did the three engineers in finance save?',
    'What does the CEO use it for?',
    'Show me the conversations about travel',
    'What exactly did they type?',
    'How much time did each user save?',
  ])('refuses %s', (question) => {
    expect(refusalFor(question, 5)).toBeDefined();
  });

  it.each([
    'How many conversations were there in the last 4 weeks?',
    'Which team has the most conversations?',
    'Top 3 clusters by minutes saved',
    'How many users are active?',
    'How many minutes are saved per active user per week?',
    'Compare the last 2 weeks with the 2 weeks before',
    'What is the failure rate of the 10 largest clusters?',
    'How helpful was the assistant?',
    'How many people use the assistant?',
  ])('answers %s', (question) => {
    expect(refusalFor(question, 5)).toBeUndefined();
  });

  it('names the threshold, which follows the tenant', () => {
    expect(refusalFor('What did the six people in legal do?', 8)?.reason).toMatch(
      /at least 8 people/,
    );
    expect(refusalFor('What did the six people in legal do?', 5)).toBeUndefined();
  });
});
