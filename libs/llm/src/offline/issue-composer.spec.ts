import { describe, expect, it } from 'vitest';
import { composeIssue } from './issue-composer';

describe('offline issue', () => {
  it('is empty for a resolved conversation', () => {
    expect(
      composeIssue({ outcome: 'resolved', failureReasons: [], taskType: 'debugging' }),
    ).toEqual({ issue: '', unexplained: false });
  });

  it('says what went wrong from the first known failure reason and the task type', () => {
    expect(
      composeIssue({
        outcome: 'unresolved',
        failureReasons: ['other', 'incorrect_answer'],
        taskType: 'debugging',
      }),
    ).toEqual({ issue: 'assistant gave an incorrect answer while debugging', unexplained: false });
    expect(composeIssue({ outcome: 'refused', failureReasons: [], taskType: 'other' }).issue).toBe(
      'assistant refused the request',
    );
    expect(
      composeIssue({ outcome: 'abandoned', failureReasons: [], taskType: 'drafting' }).issue,
    ).toBe('user left before the task was done while drafting');
  });

  it('stays empty, and says so, when nothing explains a failure', () => {
    expect(
      composeIssue({
        outcome: 'partially_resolved',
        failureReasons: ['other'],
        taskType: 'coding',
      }),
    ).toEqual({ issue: '', unexplained: true });
  });

  it('never exceeds 12 words', () => {
    const { issue } = composeIssue({
      outcome: 'unresolved',
      failureReasons: ['missing_context'],
      taskType: 'a very long task type label with many many words in it',
    });
    expect(issue.split(/\s+/).length).toBeLessThanOrEqual(12);
  });
});
