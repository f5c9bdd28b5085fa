/**
 * A week's exact figures before noise: people counted per key (at most L keys a person, their
 * most used, ties by key) and new people (not counted in that key by an earlier week, released
 * now or before). Read through a noise source that adds nothing, so the figures are exact.
 */
import { describe, expect, it } from 'vitest';
import { isoWeekLabel } from '@silhouette/contracts';
import type { DiscreteGaussianNoise } from '@silhouette/privacy';
import type { FacetRow } from '@silhouette/sealed';
import type { ClusterNode } from '../../clustering/run-clustering';
import type { DpBounds } from './dp-families';
import { releaseDpWeeks } from './release-dp-weeks';

const DAY = 86_400_000;
const now = new Date('2026-06-10T12:00:00Z');
const weekA = new Date(now.getTime() - 14 * DAY);
const weekB = new Date(now.getTime() - 7 * DAY);
const bounds: DpBounds = {
  maxConversations: 4,
  maxMinutesPerConversation: 60,
  maxMinutesPerPerson: 120,
  maxReasons: 3,
};
const noNoise = {
  add: (value: number) => value,
  sample: () => 0,
} as unknown as DiscreteGaussianNoise;

const clusters = ['c0', 'c1', 'c2', 'c3', 'c4'];
/** (person, cluster, week) of each conversation. */
const uses: [string, string, Date][] = [
  ['p1', 'c0', weekA],
  ['p1', 'c0', weekB],
  ['p1', 'c1', weekB],
  // Four clusters in one week: counted as a user in three (L), the first three by key.
  ['p2', 'c1', weekB],
  ['p2', 'c2', weekB],
  ['p2', 'c3', weekB],
  ['p2', 'c4', weekB],
];
const rows: FacetRow[] = uses.map(([user, , at], i) => ({
  conversationId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
  user,
  at,
  domain: 'software',
  taskType: 'drafting',
  useCase: 'x',
  goalSummary: 'write a report',
  outcome: 'resolved',
  failureReasons: [],
  minutesSaved: 10,
  minutesWithoutAi: 20,
  frustration: 1,
  language: 'en',
  confidence: 0.9,
  team: 'team-a',
  department: 'dept-a',
  frozenWeek: null,
}));
const levels = [
  clusters.map(
    (id) =>
      ({
        id,
        level: 0,
        parentId: null,
        members: uses.flatMap(([, cluster], i) => (cluster === id ? [i] : [])),
        centroid: Float32Array.from([1, 0, 0]),
        name: id,
        description: '',
        lineage: 'new',
        lineageSources: [],
        keywords: [],
      }) as ClusterNode,
  ),
];

function release(finalWeeks: Set<string>, data = { rows, levels }) {
  return releaseDpWeeks({
    // A released week's conversations carry its label (a late arrival moves to the current week).
    rows: data.rows.map((row) => {
      const week = isoWeekLabel(row.at);
      return finalWeeks.has(week) ? { ...row, frozenWeek: week } : row;
    }),
    levels: data.levels,
    bounds,
    finalWeeks,
    releasedDataKeys: new Map(),
    plan: { rhoPerClosedWeek: 0.1, rhoCurrentWeek: 0.01 },
    deltaOf: () => 1e-8,
    kUsers: 5,
    backfillWeeks: 3,
    now,
    noise: noNoise,
  });
}

/** Week B's figures per cluster. */
function weekBFigures(cells: ReturnType<typeof release>['cells']) {
  const out: Record<string, Record<string, number>> = {};
  for (const cell of cells)
    if (cell.bucket === isoWeekLabel(weekB) && cell.family === 'cluster/level-0')
      out[cell.key] = {
        conversations: cell.figures['conversations']!,
        users: cell.figures['users']!,
        new_users: cell.figures['new_users']!,
      };
  return out;
}

describe('releaseDpWeeks: people per key and new people', () => {
  const expected = {
    c0: { conversations: 1, users: 1, new_users: 0 }, // p1 was counted in c0 in week A
    c1: { conversations: 2, users: 2, new_users: 2 },
    c2: { conversations: 1, users: 1, new_users: 1 },
    c3: { conversations: 1, users: 1, new_users: 1 },
    c4: { conversations: 1, users: 0, new_users: 0 }, // p2's fourth key: over L = 3
  };

  it('counts each person in at most L keys and as new only where no earlier week counted them', () => {
    const first = release(new Set());
    expect(first.weeks.filter((week) => week.final).map((week) => week.bucket)).toContain(
      isoWeekLabel(weekA),
    );
    expect(weekBFigures(first.cells)).toEqual(expected);
  });

  it('remembers who a week released before counted (week A final, week B released now)', () => {
    const later = release(new Set([isoWeekLabel(weekA)]));
    expect(later.cells.some((cell) => cell.bucket === isoWeekLabel(weekA))).toBe(false);
    expect(weekBFigures(later.cells)).toEqual(expected);
  });
});

describe('releaseDpWeeks: the week total and its calibration count', () => {
  it('counts at most C conversations a person, and C × 8 in the calibration count', () => {
    // p3 has 40 conversations in week B: 4 count (C), and 32 in the calibration (C × 8).
    const heavy: FacetRow[] = Array.from({ length: 40 }, (_, i) => ({
      ...rows[0]!,
      conversationId: `00000000-0000-4000-9000-${String(i).padStart(12, '0')}`,
      user: 'p3',
      at: weekB,
    }));
    const result = release(new Set(), {
      rows: [...rows, ...heavy],
      levels: [
        levels[0]!.map((node) =>
          node.id === 'c0'
            ? { ...node, members: [...node.members, ...heavy.map((_, i) => rows.length + i)] }
            : node,
        ),
      ],
    });
    const total = result.cells.find(
      (cell) => cell.bucket === isoWeekLabel(weekB) && cell.family === 'total',
    )!;
    // Week B: p1 2, p2 4, p3 40 (4 counted, 32 calibrated).
    expect(total.figures).toMatchObject({
      conversations: 2 + 4 + 4,
      users: 3,
      calibration: 2 + 4 + 32,
    });
  });
});
