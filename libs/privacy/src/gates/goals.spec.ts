import { describe, expect, it } from 'vitest';
import { createSeededRandom } from '../stats/seeded-random';
import {
  goalTokens,
  jaccard,
  mergeGoals,
  mergeGoalsWithSuppressions,
  type GoalParseCache,
  type GoalStatement,
} from './goals';

/** `n` goals with the same text from users `${prefix}0..n-1`. */
function said(text: string, n: number, prefix = text): GoalStatement[] {
  return Array.from({ length: n }, (_, i) => ({ text, user: `${prefix}#${i}` }));
}

describe('goalTokens and jaccard', () => {
  it('lowercases, strips punctuation, stopwords and filler, folds plurals', () => {
    expect([...goalTokens('The user wants to write Python scripts!')].sort()).toEqual([
      'python',
      'script',
      'write',
    ]);
    expect([...goalTokens('Summarise quarterly sales reports.')].sort()).toEqual([
      'quarterly',
      'report',
      'sale',
      'summarise',
    ]);
    expect([...goalTokens('Analyse policies, process, status')].sort()).toEqual([
      'analyse',
      'policy',
      'process',
      'status',
    ]);
    expect(goalTokens('to help with it').size).toBe(0);
  });

  it('computes token-set Jaccard', () => {
    expect(jaccard(new Set(['a', 'b']), new Set(['a', 'b']))).toBe(1);
    expect(jaccard(new Set(['a', 'b', 'c']), new Set(['a', 'b', 'd']))).toBe(0.5);
    expect(jaccard(new Set(['a']), new Set(['b']))).toBe(0);
    expect(jaccard(new Set(), new Set())).toBe(0);
  });
});

describe('mergeGoals', () => {
  it('merges near-duplicates and represents them by the statement most users wrote', () => {
    const goals = [
      ...said('Write Python scripts to clean CSV files', 4, 'a'),
      ...said('write python script to clean csv files', 2, 'b'),
      ...said('Writing Python scripts to clean CSV files.', 1, 'c'),
    ];
    expect(mergeGoals(goals, { kUsers: 5 })).toEqual([
      { text: 'Write Python scripts to clean CSV files', users: 7, conversations: 7 },
    ]);
  });

  it('never returns a statement supported by fewer than kUsers distinct users', () => {
    // 40 conversations, but only 4 people.
    const goals = Array.from({ length: 40 }, (_, i) => ({
      text: 'Plan a team offsite agenda',
      user: `u${i % 4}`,
    }));
    expect(mergeGoals(goals, { kUsers: 5 })).toEqual([]);
    expect(
      mergeGoals([...goals, { text: 'plan team offsite agenda', user: 'u9' }], { kUsers: 5 }),
    ).toEqual([{ text: 'Plan a team offsite agenda', users: 5, conversations: 41 }]);
  });

  it('drops a group whose representative contains PII', () => {
    const goals = [
      ...said('Prepare a performance review for Maria Garcia', 6),
      ...said('Draft a project status update', 6),
    ];
    const { goals: kept, suppressed } = mergeGoalsWithSuppressions(goals, { kUsers: 5 });
    expect(kept).toEqual([{ text: 'Draft a project status update', users: 6, conversations: 6 }]);
    expect(suppressed).toEqual([
      { key: 'goal-group-2', reason: 'pii_detected', users: 6, conversations: 6 },
    ]);
    expect(JSON.stringify(suppressed)).not.toMatch(/Maria/);
  });

  it('keeps unrelated goals apart and sorts by users', () => {
    const goals = [
      ...said('Debug failing unit tests', 6),
      ...said('Translate marketing copy into German', 9),
      ...said('Write SQL queries for monthly revenue', 7),
    ];
    expect(mergeGoals(goals, { kUsers: 5 }).map((g) => [g.text, g.users])).toEqual([
      ['Translate marketing copy into German', 9],
      ['Write SQL queries for monthly revenue', 7],
      ['Debug failing unit tests', 6],
    ]);
  });

  it('breaks representative ties by length, then code-unit order', () => {
    const goals = [
      ...said('Reconcile bank statements monthly', 3, 'x'),
      ...said('Reconcile monthly bank statements', 3, 'y'),
      ...said('Reconcile the bank statements monthly', 3, 'z'),
    ];
    // All three are one token set; equal users and counts; shortest two tie, "…bank…" sorts first.
    expect(mergeGoals(goals, { kUsers: 5 })[0]?.text).toBe('Reconcile bank statements monthly');
  });

  it('compares with a group’s seed, so chains do not merge unrelated goals', () => {
    // B is 4/6 from A and 4/6 from C, but C is only 3/7 from A: C must not join through B.
    const goals = [
      ...said('alpha beta gamma delta epsilon', 9),
      ...said('alpha beta gamma delta zeta', 8),
      ...said('beta gamma delta zeta eta', 7),
    ];
    const merged = mergeGoals(goals, { kUsers: 5, similarity: 0.6 });
    expect(merged.map((g) => [g.text, g.users])).toEqual([
      ['alpha beta gamma delta epsilon', 17],
      ['beta gamma delta zeta eta', 7],
    ]);
  });

  it('respects maxGoals after filtering and validates options', () => {
    const goals = Array.from({ length: 15 }, (_, i) =>
      said(`topic${i} analysis work`, 5 + i),
    ).flat();
    expect(mergeGoals(goals, { kUsers: 5 })).toHaveLength(10);
    expect(mergeGoals(goals, { kUsers: 5, maxGoals: 3 }).map((g) => g.users)).toEqual([19, 18, 17]);
    expect(mergeGoals(goals, { kUsers: 5, maxGoals: 0 })).toEqual([]);
    expect(() => mergeGoals(goals, { kUsers: 0 })).toThrow(RangeError);
    expect(() => mergeGoals(goals, { kUsers: 5, similarity: 0 })).toThrow(RangeError);
    expect(() => mergeGoals(goals, { kUsers: 5, maxGoals: -1 })).toThrow(RangeError);
  });

  it('ignores statements without content words', () => {
    expect(mergeGoals(said('to help with it', 20), { kUsers: 5 })).toEqual([]);
  });

  it('over random inputs: ≥ kUsers each, PII-free, order-independent', () => {
    const rng = createSeededRandom(99);
    const vocabulary =
      'draft email report python sql debug test budget plan translate summarise invoice chart deploy review'.split(
        ' ',
      );
    const cache: GoalParseCache = new Map();
    for (let round = 0; round < 100; round++) {
      const kUsers = 2 + rng.int(5);
      const goals: GoalStatement[] = [];
      const count = rng.int(120);
      for (let i = 0; i < count; i++) {
        const words = Array.from(
          { length: 2 + rng.int(3) },
          () => vocabulary[rng.int(vocabulary.length)],
        );
        if (rng.next() < 0.05) words.push('for', 'Maria', 'Garcia');
        goals.push({ text: words.join(' '), user: `u${rng.int(25)}` });
      }
      const merged = mergeGoals(goals, { kUsers, maxGoals: 50 });
      for (const goal of merged) {
        expect(goal.users).toBeGreaterThanOrEqual(kUsers);
        expect(goal.conversations).toBeGreaterThanOrEqual(goal.users);
        expect(goal.text).not.toMatch(/Maria/);
        // The representative is one of the inputs, verbatim.
        expect(goals.some((g) => g.text === goal.text)).toBe(true);
      }
      for (let i = 1; i < merged.length; i++) {
        expect(merged[i - 1]!.users).toBeGreaterThanOrEqual(merged[i]!.users);
      }
      expect(mergeGoals(rng.shuffle([...goals]), { kUsers, maxGoals: 50 })).toEqual(merged);
      // A parse cache shared across calls (as a snapshot shares one across levels) changes nothing.
      expect(mergeGoals(goals, { kUsers, maxGoals: 50, cache })).toEqual(merged);
    }
    expect(cache.size).toBeGreaterThan(0);
  });
});
