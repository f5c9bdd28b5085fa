import type { CanonicalMessage } from '@silhouette/contracts';
import { describe, expect, it } from 'vitest';
import { analyzeConversationSignals, SIGNAL_KINDS, type SignalKind } from './conversation-signals';
import { composeIssue } from './issue-composer';
import { prepareConversation } from './prepared-conversation';

const u = (content: string): CanonicalMessage => ({ role: 'user', content });
const a = (content: string): CanonicalMessage => ({ role: 'assistant', content });
const issueOf = (...messages: CanonicalMessage[]) =>
  composeIssue(analyzeConversationSignals(prepareConversation(messages)));

const LONG_ANSWER =
  'In Python, open the CSV file with the csv module, read it row by row, convert the value in the second column to a number and add it to a running sum, then print the sum once every row has been read.';

describe('offline issue', () => {
  it('is empty for a resolved conversation', () => {
    expect(
      issueOf(u('How do I sum a column of a CSV file?'), a(LONG_ANSWER), u('Thanks, perfect!')),
    ).toEqual({ issue: '', unexplained: false });
  });

  it('says what went wrong from the signal the outcome rests on, never the words', () => {
    const composed = issueOf(
      u('How do I sum the second column of a CSV file in Python for Jane Roe?'),
      a(LONG_ANSWER),
      u(
        "It still doesn't work:\n\nTraceback (most recent call last):\n  File \"sum.py\", line 4, in <module>\nValueError: could not convert string to float: 'amount'",
      ),
    );
    expect(composed.unexplained).toBe(false);
    expect(composed.issue).toBe('failing fix');
    expect(composed.issue).not.toMatch(/jane|csv|python|amount/i);
  });

  it('prefers the decisive signal, then the latest failure signal, then the reasons', () => {
    const base = { outcome: 'unresolved' as const, failureReasons: [], evidence: [] };
    const at = (kind: SignalKind, messageIndex: number) =>
      ({ kind, messageIndex, role: 'user' }) as const;
    expect(
      composeIssue({
        ...base,
        decidedBy: 'pasted_error',
        evidence: [at('user_rephrase', 2), at('pasted_error', 4)],
      }).issue,
    ).toBe('failing fix');
    expect(
      composeIssue({
        ...base,
        decidedBy: undefined,
        evidence: [at('user_rephrase', 2), at('user_frustrated', 4)],
      }).issue,
    ).toBe('misread intent');
    expect(
      composeIssue({
        ...base,
        decidedBy: undefined,
        failureReasons: ['other', 'incorrect_answer'],
      }).issue,
    ).toBe('wrong answer');
    expect(composeIssue({ ...base, outcome: 'abandoned', decidedBy: undefined }).issue).toBe(
      'abandoned task',
    );
  });

  it('stays empty, and says so, when nothing explains a failure', () => {
    expect(
      composeIssue({
        outcome: 'partially_resolved',
        failureReasons: ['other'],
        decidedBy: 'user_frustrated',
        evidence: [{ kind: 'user_frustrated', messageIndex: 2, role: 'user' }],
      }),
    ).toEqual({ issue: '', unexplained: true });
  });

  it('has a label of at most 12 words for every failure signal, and none for the others', () => {
    for (const [kind, reason] of Object.entries(SIGNAL_KINDS) as [SignalKind, string | null][]) {
      const { issue } = composeIssue({
        outcome: 'unresolved',
        failureReasons: [],
        decidedBy: kind,
        evidence: [{ kind, messageIndex: 1, role: 'user' }],
      });
      if (reason === null) expect(issue, kind).toBe('');
      else {
        expect(issue.length, kind).toBeGreaterThan(0);
        expect(issue.split(/\s+/).length, kind).toBeLessThanOrEqual(12);
      }
    }
  });
});
