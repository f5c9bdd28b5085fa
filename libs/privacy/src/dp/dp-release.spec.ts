import { describe, expect, it } from 'vitest';
import { clipPerPerson, selectPerPerson, UserKeyTally } from './contribution-bounds';
import { releaseCells, type FamilySpec } from './dp-release';
import { budgetPeriod, planRelease, rhoCap, slotsLeft, type BudgetCap } from './privacy-budget';
import { epsilonFromRho } from './zcdp-accountant';

const clusters: FamilySpec = {
  name: 'cluster/level-0',
  keys: 'public',
  figures: [
    { name: 'conversations', l2: 4, weight: 1 },
    { name: 'users', l2: 2, weight: 1 },
  ],
};
const teams: FamilySpec = {
  name: 'team',
  keys: 'data',
  selectBy: 'users',
  maxKeysPerPerson: 1,
  figures: [
    { name: 'conversations', l2: 4, weight: 1 },
    { name: 'users', l2: 1, weight: 1 },
  ],
};

describe('releaseCells', () => {
  it('spends at most the budget, split by weight, with σ = Δ/√(2ρᵢ)', () => {
    const result = releaseCells({
      families: [clusters, teams],
      cells: [{ family: 'cluster/level-0', key: 'a', values: { conversations: 40, users: 12 } }],
      publicKeys: { 'cluster/level-0': ['a', 'b'] },
      rho: 0.2,
      delta: 1e-7,
      minThreshold: 5,
    });
    expect(result.rho).toBeLessThanOrEqual(0.2);
    expect(result.rho).toBeGreaterThan(0.2 * 0.999);
    for (const parameter of result.parameters) {
      expect(parameter.rho).toBeCloseTo(0.05, 4);
      expect(parameter.sigma).toBeCloseTo(parameter.l2 / Math.sqrt(0.1), 3);
    }
    // Public keys are released with or without data; integers, noise around the exact value.
    const keys = result.cells.map((cell) => cell.key).sort();
    expect(keys).toEqual(['a', 'b']);
    for (const cell of result.cells)
      for (const value of Object.values(cell.values)) expect(Number.isInteger(value)).toBe(true);
    expect(result.delta).toBeCloseTo(1e-7, 15);
    expect(result.thresholds.team).toBeGreaterThanOrEqual(5);
  });

  it('a data key held by one person stays hidden; one held by many is released', () => {
    let hiddenOnePerson = 0;
    let shownCrowd = 0;
    for (let i = 0; i < 200; i++) {
      const result = releaseCells({
        families: [teams],
        cells: [
          { family: 'team', key: 'legal', values: { conversations: 4, users: 1 } },
          { family: 'team', key: 'sales', values: { conversations: 400, users: 120 } },
        ],
        rho: 0.5,
        delta: 1e-6,
        minThreshold: 5,
      });
      if (!result.cells.some((cell) => cell.key === 'legal')) hiddenOnePerson++;
      if (result.cells.some((cell) => cell.key === 'sales')) shownCrowd++;
    }
    expect(hiddenOnePerson).toBe(200);
    expect(shownCrowd).toBe(200);
  });

  // Regression: a team seen in a week's data but never selected was released with the week's
  // public figures (a two-person team appeared in the embedded export).
  it('a public family releases exactly its listed keys, never a key only the data names', () => {
    for (let i = 0; i < 50; i++) {
      const result = releaseCells({
        families: [clusters],
        cells: [
          { family: 'cluster/level-0', key: 'a', values: { conversations: 40, users: 12 } },
          { family: 'cluster/level-0', key: 'legal', values: { conversations: 400, users: 200 } },
        ],
        publicKeys: { 'cluster/level-0': ['a', 'b'] },
        rho: 0.5,
        delta: 1e-6,
        minThreshold: 5,
      });
      expect(result.cells.map((cell) => cell.key).sort()).toEqual(['a', 'b']);
    }
  });

  it('noise is centred on the exact value with the stated spread', () => {
    const draws: number[] = [];
    let sigma = 0;
    for (let i = 0; i < 400; i++) {
      const result = releaseCells({
        families: [clusters],
        cells: [
          { family: 'cluster/level-0', key: 'a', values: { conversations: 1000, users: 300 } },
        ],
        publicKeys: { 'cluster/level-0': ['a'] },
        rho: 0.05,
        delta: 1e-6,
        minThreshold: 5,
      });
      draws.push(result.cells[0]!.values.conversations! - 1000);
      sigma = result.cells[0]!.sigma.conversations!;
    }
    const mean = draws.reduce((a, b) => a + b, 0) / draws.length;
    const sd = Math.sqrt(draws.reduce((a, b) => a + (b - mean) ** 2, 0) / draws.length);
    expect(Math.abs(mean)).toBeLessThan((4 * sigma) / Math.sqrt(draws.length));
    expect(sd / sigma).toBeGreaterThan(0.85);
    expect(sd / sigma).toBeLessThan(1.15);
  });

  it('refuses inputs that would void the guarantee', () => {
    const base = { rho: 0.1, delta: 1e-6, minThreshold: 5 };
    expect(() => releaseCells({ ...base, families: [clusters], cells: [], rho: 0 })).toThrow(/rho/);
    expect(() =>
      releaseCells({
        ...base,
        families: [clusters],
        cells: [{ family: 'cluster/level-0', key: 'a', values: { conversations: 2.5 } }],
        publicKeys: { 'cluster/level-0': ['a'] },
      }),
    ).toThrow(/integers/);
    expect(() => releaseCells({ ...base, families: [clusters], cells: [] })).toThrow(
      /cluster\/level-0: a public family needs its keys/,
    );
    expect(() =>
      releaseCells({ ...base, families: [{ ...teams, selectBy: undefined }], cells: [] }),
    ).toThrow(/selectBy/);
    expect(() => releaseCells({ ...base, delta: 0, families: [teams], cells: [] })).toThrow(
      /delta/,
    );
  });
});

describe('contribution bounds', () => {
  it('keeps at most C items per person, chosen by id hash, whatever the input order', () => {
    const rows = Array.from({ length: 30 }, (_, i) => ({
      person: i < 20 ? 'heavy' : `p${i}`,
      id: `c${i}`,
    }));
    const kept = selectPerPerson(
      rows,
      (r) => r.person,
      (r) => r.id,
      4,
    );
    expect(kept.filter((r) => r.person === 'heavy')).toHaveLength(4);
    expect(kept).toHaveLength(14);
    const again = selectPerPerson(
      [...rows].reverse(),
      (r) => r.person,
      (r) => r.id,
      4,
    );
    expect(new Set(again.map((r) => r.id))).toEqual(new Set(kept.map((r) => r.id)));
  });

  it('clips minutes per item and per person, never above the caps', () => {
    const rows = [
      { person: 'a', minutes: 500 },
      { person: 'a', minutes: 50 },
      { person: 'a', minutes: 50 },
      { person: 'b', minutes: 12.7 },
      { person: 'b', minutes: -3 },
    ];
    const clipped = clipPerPerson(
      rows,
      (r) => r.person,
      (r) => r.minutes,
      60,
      100,
    );
    const a = rows.filter((r) => r.person === 'a').reduce((s, r) => s + clipped.get(r)!, 0);
    expect(a).toBeLessThanOrEqual(100);
    expect(clipped.get(rows[0]!)).toBeLessThanOrEqual(60);
    expect(clipped.get(rows[3]!)).toBe(12);
    expect(clipped.get(rows[4]!)).toBe(0);
  });

  it('counts a person as a user in at most L keys, the ones they use most, ties by key', () => {
    const tally = new UserKeyTally();
    for (const key of ['z', 'y', 'y', 'x']) tally.add('a', key);
    tally.add('b', 'w');
    expect([...tally.chosen(2)].sort()).toEqual([
      ['a', 'x'],
      ['a', 'y'],
      ['b', 'w'],
    ]);
  });
});

describe('monthly budget planner', () => {
  const cap: BudgetCap = { epsilon: 4, delta: 1e-6 };

  it('a month of daily releases, extra operator requests and a backfill never exceeds the cap', () => {
    let closed = 0;
    let current = 0;
    const start = new Date('2026-03-01T00:30:00Z');
    const daysServed = new Set<number>();
    for (let hour = 0; hour < 31 * 24; hour += 6) {
      const now = new Date(start.getTime() + hour * 3_600_000);
      // Day 1 is a backfill of 9 closed weeks; each Monday closes one more; every 6 h the
      // operator also asks for a release.
      const pending = hour === 0 ? 9 : now.getUTCDay() === 1 && now.getUTCHours() < 6 ? 1 : 0;
      const plan = planRelease({
        cap,
        spent: { rhoClosedWeeks: closed, rhoCurrentWeek: current },
        now,
        cadence: 'daily',
        pendingClosedWeeks: pending,
        currentWeek: true,
      });
      closed += plan.rhoPerClosedWeek * (plan.rhoPerClosedWeek > 0 ? pending : 0);
      current += plan.rhoCurrentWeek;
      if (plan.rhoCurrentWeek > 0) daysServed.add(now.getUTCDate());
    }
    expect(closed + current).toBeLessThanOrEqual(rhoCap(cap) * (1 + 1e-12));
    expect(epsilonFromRho(closed + current, cap.delta / 2)).toBeLessThanOrEqual(cap.epsilon);
    // Extra requests shrink later shares but every day still gets its release.
    expect(daysServed.size).toBe(31);
  });

  it('refuses once the month is spent and says when publishing resumes', () => {
    const now = new Date('2026-03-20T10:00:00Z');
    const plan = planRelease({
      cap,
      spent: { rhoClosedWeeks: rhoCap(cap) * 0.8, rhoCurrentWeek: rhoCap(cap) * 0.2 },
      now,
      cadence: 'daily',
      pendingClosedWeeks: 1,
      currentWeek: true,
    });
    expect(plan.rhoPerClosedWeek).toBe(0);
    expect(plan.rhoCurrentWeek).toBe(0);
    expect(plan.refused?.resumesAt.toISOString()).toBe('2026-04-01T00:00:00.000Z');
  });

  it('counts cadence slots and periods in UTC', () => {
    const now = new Date('2026-02-27T12:00:00Z');
    expect(budgetPeriod(now).end.toISOString()).toBe('2026-03-01T00:00:00.000Z');
    expect(slotsLeft('daily', now, budgetPeriod(now))).toBe(2);
    expect(slotsLeft('hourly', now, budgetPeriod(now))).toBe(36);
    // Mondays after Fri 27 Feb 2026 and before 1 March: none.
    expect(slotsLeft('weekly', now, budgetPeriod(now))).toBe(1);
  });
});
