import { describe, expect, it } from 'vitest';
import { createSeededRandom, type SeededRandom } from '../stats/seeded-random';
import {
  publishBreakdown,
  publishSeries,
  type BreakdownPublication,
  type PublishedPart,
  type SeriesPoint,
} from './breakdown';
import { passes, type Cell, type Thresholds } from './thresholds';

const T: Thresholds = { kUsers: 5, minConversations: 10 };

/** A part with `users` distinct ids `uid:<key>:<i>` (disjoint across keys by construction). */
function part(key: string, conversations: number, users: number): Cell {
  return {
    key,
    conversations,
    users: Array.from({ length: users }, (_, i) => `uid:${key}:${i}`),
  };
}

const sum = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0);
const keys = (parts: readonly { key: string }[]) => parts.map((p) => p.key);

function unionSize(cells: readonly Cell[]): number {
  const all = new Set<string>();
  for (const c of cells) for (const u of c.users) all.add(u);
  return all.size;
}

/** Every number an observer can form as total ± subset sums of the published figures. */
function derivableConversations(pub: BreakdownPublication): Set<number> {
  const figures = [...pub.published.map((p) => p.conversations)];
  if (pub.other) figures.push(pub.other.conversations);
  const sums = new Set<number>([0]);
  for (const f of figures) for (const s of [...sums]) sums.add(s + f);
  const out = new Set(sums);
  if (pub.total) for (const s of sums) out.add(pub.total.conversations - s);
  return out;
}

describe('publishBreakdown: the basic rule', () => {
  it('publishes every part when all pass, with the total and no other', () => {
    const parts = [part('a', 20, 6), part('b', 30, 9)];
    const pub = publishBreakdown(parts, T);
    expect(pub).toEqual({
      withheld: false,
      total: { conversations: 50, users: 15 },
      published: [
        { key: 'a', conversations: 20, users: 6 },
        { key: 'b', conversations: 30, users: 9 },
      ],
      suppressed: [],
    });
  });

  it('merges small parts into other when their union passes', () => {
    const parts = [part('big', 50, 20), part('s1', 6, 3), part('s2', 6, 3)];
    const pub = publishBreakdown(parts, T);
    expect(keys(pub.published)).toEqual(['big']);
    expect(pub.other).toEqual({ key: 'other', conversations: 12, users: 6, members: 2 });
    expect(pub.suppressed).toEqual([
      { key: 's1', reason: 'too_few_users' },
      { key: 's2', reason: 'too_few_users' },
    ]);
  });

  it('takes the union of users in other, never the sum', () => {
    const shared = ['x1', 'x2', 'x3'];
    const parts: Cell[] = [
      part('big', 50, 20),
      { key: 's1', conversations: 6, users: shared },
      { key: 's2', conversations: 6, users: [...shared, 'x4'] },
    ];
    const pub = publishBreakdown(parts, T);
    // 4 distinct users < 5: other fails on its own, so "big" must join it.
    expect(pub.other?.users).toBe(24);
    expect(pub.published).toEqual([]);
    expect(pub.suppressed.find((s) => s.key === 'big')?.reason).toBe('complementary');
  });

  it('adds the smallest published part when a single small part would be alone in other', () => {
    const parts = [part('c', 50, 15), part('a', 12, 6), part('b', 12, 7), part('tiny', 2, 1)];
    const pub = publishBreakdown(parts, T);
    // a and b tie on conversations; a has fewer users, so a goes.
    expect(keys(pub.published)).toEqual(['c', 'b']);
    expect(pub.other).toMatchObject({ conversations: 14, users: 7, members: 2 });
    expect(pub.suppressed).toEqual([
      { key: 'a', reason: 'complementary' },
      { key: 'tiny', reason: 'too_few_users' },
    ]);
  });

  it('breaks complete ties by key, whatever the input order', () => {
    const parts = [part('zeta', 12, 6), part('alpha', 12, 6), part('mid', 40, 10), part('t', 1, 1)];
    for (const order of [parts, [...parts].reverse()]) {
      const pub = publishBreakdown(order, T);
      expect(pub.suppressed.find((s) => s.reason === 'complementary')?.key).toBe('alpha');
    }
  });

  it('moves as many parts as it takes, one at a time', () => {
    // Other needs 10 conversations: tiny (1) + 4 + 4 + 4 = 13 after three moves.
    const parts = [part('tiny', 1, 1), part('p4a', 4, 4), part('p4b', 4, 4), part('p4c', 4, 4)];
    const th = { kUsers: 3, minConversations: 4 };
    const pub = publishBreakdown(parts, th);
    expect(pub.withheld).toBe(false);
    // tiny alone fails; tiny + p4a = 5 conv, 5 users: passes. Exactly one move.
    expect(pub.published.map((p) => p.key)).toEqual(['p4b', 'p4c']);
    expect(pub.other).toMatchObject({ conversations: 5, users: 5, members: 2 });
  });

  it('publishes other as the whole total when nothing else can stand alone', () => {
    const parts = [part('a', 12, 5), part('b', 3, 2)];
    const pub = publishBreakdown(parts, T);
    expect(pub.published).toEqual([]);
    expect(pub.other).toMatchObject({ conversations: 15, users: 7, members: 2 });
    expect(pub.total).toEqual({ conversations: 15, users: 7 });
  });

  it('withholds everything when the total fails, with each part’s own reason', () => {
    const parts = [part('a', 4, 3), part('b', 4, 1)];
    const pub = publishBreakdown(parts, T);
    expect(pub).toEqual({
      withheld: true,
      published: [],
      suppressed: [
        { key: 'a', reason: 'too_few_users' },
        { key: 'b', reason: 'too_few_users' },
      ],
    });
    expect(publishBreakdown([part('a', 9, 9)], T).suppressed).toEqual([
      { key: 'a', reason: 'too_few_conversations' },
    ]);
  });

  it('withholds an empty breakdown', () => {
    expect(publishBreakdown([], T)).toEqual({ withheld: true, published: [], suppressed: [] });
  });

  it('pools a part the text gate refused, however large, and tops "other" up around it', () => {
    const refused = new Map([['Ann Smith ann@example.com', 'pii_detected' as const]]);
    const parts = [part('Ann Smith ann@example.com', 40, 12), part('ops', 12, 6)];
    parts.push(part('sales', 30, 9));
    const result = publishBreakdown(parts, T, { pool: refused });
    expect(keys(result.published)).toEqual(['ops', 'sales']);
    expect(result.other).toMatchObject({ conversations: 40, users: 12, members: 1 });
    expect(result.suppressed).toEqual([
      { key: 'Ann Smith ann@example.com', reason: 'pii_detected' },
    ]);
    // Alone and small, it takes the smallest published part with it (rule 2).
    const small = publishBreakdown(
      [part('x@y.example', 3, 2), part('ops', 12, 6), part('sales', 30, 9)],
      T,
      {
        pool: new Map([['x@y.example', 'pii_detected' as const]]),
      },
    );
    expect(keys(small.published)).toEqual(['sales']);
    expect(small.other).toMatchObject({ conversations: 15, members: 2 });
  });

  it('keeps a refused part out of every bucket and of the roll-up of a series', () => {
    const refused = new Map([['Ann Smith', 'pii_detected' as const]]);
    const points: SeriesPoint[] = ['2025-W01', '2025-W02'].flatMap((bucket) => [
      { bucket, cell: part('Ann Smith', 20, 8) },
      { bucket, cell: part('sales', 20, 8) },
      { bucket, cell: part('ops', 20, 8) },
    ]);
    const series = publishSeries(points, T, { pool: refused });
    for (const bucket of series.buckets) expect(keys(bucket.published)).not.toContain('Ann Smith');
    expect(keys(series.rollup.published)).not.toContain('Ann Smith');
    expect(series.rollup.suppressed).toContainEqual({ key: 'Ann Smith', reason: 'pii_detected' });
  });

  it('uses a custom other key', () => {
    const parts = [part('a', 40, 10), part('b', 5, 3), part('c', 5, 3)];
    expect(publishBreakdown(parts, T, { otherKey: 'smaller teams' }).other?.key).toBe(
      'smaller teams',
    );
  });
});

describe('publishBreakdown: DIFFERENCING', () => {
  // Four teams of 10+ users and Legal with 2 users and 3 conversations; the total is shown.
  const teams = [
    part('engineering', 30, 10),
    part('sales', 40, 12),
    part('support', 50, 15),
    part('legal', 3, 2),
  ];
  const legal = teams[3] as Cell;

  it('a naive publisher (hide small teams, show the total) leaks Legal exactly', () => {
    const shown = teams.filter((c) => passes(c, T));
    const total = sum(teams.map((c) => c.conversations));
    expect(total - sum(shown.map((c) => c.conversations))).toBe(legal.conversations);
  });

  it('with the rule, neither Legal’s count nor total − visible parts reveals it', () => {
    const pub = publishBreakdown(teams, T);
    expect(pub.withheld).toBe(false);
    expect(keys(pub.published)).toEqual(['sales', 'support']);
    expect(pub.suppressed).toEqual([
      { key: 'engineering', reason: 'complementary' },
      { key: 'legal', reason: 'too_few_users' },
    ]);
    const total = pub.total!;
    expect(total).toEqual({ conversations: 123, users: 39 });

    // The leftover equals the "other" bucket, and that bucket meets the thresholds.
    const leftover = total.conversations - sum(pub.published.map((p) => p.conversations));
    expect(leftover).toBe(pub.other!.conversations);
    expect(pub.other).toMatchObject({ conversations: 33, users: 12, members: 2 });
    expect(pub.other!.users).toBeGreaterThanOrEqual(T.kUsers);
    expect(pub.other!.conversations).toBeGreaterThanOrEqual(T.minConversations);
    // Users too: with disjoint teams, total − Σ published users = the other bucket's users.
    expect(total.users - sum(pub.published.map((p) => p.users))).toBe(pub.other!.users);

    // No sum or difference of published figures gives Legal's 3 conversations.
    expect(derivableConversations(pub).has(legal.conversations)).toBe(false);
    // And no figure anywhere in the output is Legal's.
    expect(JSON.stringify(pub)).not.toMatch(/uid:/);
  });

  it('when the total is not shown, Legal is hidden without complementary suppression', () => {
    const pub = publishBreakdown(teams, T, { totalPublished: false });
    expect(keys(pub.published)).toEqual(['engineering', 'sales', 'support']);
    expect(pub.other).toBeUndefined();
    expect(pub.total).toBeUndefined();
    expect(derivableConversations(pub).has(3)).toBe(false);
  });

  it('two small teams whose union passes are published only as other', () => {
    const more = [...teams, part('audit', 8, 4)];
    const pub = publishBreakdown(more, T);
    expect(keys(pub.published)).toEqual(['engineering', 'sales', 'support']);
    expect(pub.other).toMatchObject({ conversations: 11, users: 6, members: 2 });
    expect(derivableConversations(pub).has(3)).toBe(false);
    expect(derivableConversations(pub).has(8)).toBe(false);
  });
});

describe('publishBreakdown: users who appear only in other', () => {
  it('moves more parts when fewer than k users would be derivable as only-in-other', () => {
    // Languages overlap in users. "de" has 2 users found nowhere else; "it" has 3 users who also
    // write in English. other = de + it passes (5 users, 10 conversations), but with disjoint
    // published parts, total users − Σ published users = 2 would expose the de-only users.
    const en = Array.from({ length: 20 }, (_, i) => `en${i}`);
    const fr = Array.from({ length: 10 }, (_, i) => `fr${i}`);
    const parts: Cell[] = [
      { key: 'en', conversations: 60, users: en },
      { key: 'fr', conversations: 30, users: fr },
      { key: 'de', conversations: 5, users: ['de0', 'de1'] },
      { key: 'it', conversations: 5, users: ['en0', 'en1', 'en2'] },
    ];
    const naiveOther = unionSize(parts.slice(2));
    expect(naiveOther).toBe(5);

    const pub = publishBreakdown(parts, T);
    const publishedUsers = unionSize(parts.filter((p) => keys(pub.published).includes(p.key)));
    const onlyInOther = pub.total!.users - publishedUsers;
    expect(onlyInOther === 0 || onlyInOther >= T.kUsers).toBe(true);
    expect(keys(pub.published)).toEqual(['en']);
    expect(pub.suppressed.find((s) => s.key === 'fr')?.reason).toBe('complementary');
    expect(pub.other).toMatchObject({ conversations: 40, users: 15, members: 3 });
  });
});

describe('publishBreakdown: extra numeric fields', () => {
  interface TeamCell extends Cell {
    minutesSaved: number;
    failures?: number;
    label: string;
  }
  const parts: TeamCell[] = [
    { ...part('a', 20, 6), minutesSaved: 100, failures: 2, label: 'secret-ish' },
    { ...part('b', 30, 9), minutesSaved: 250.5, label: 'x' },
    { ...part('c', 5, 3), minutesSaved: 7, failures: 1, label: 'y' },
    { ...part('d', 6, 3), minutesSaved: 8, label: 'z' },
  ];

  it('publishes numeric fields per part, sums them into other, drops the rest', () => {
    const pub = publishBreakdown(parts, T);
    const a: PublishedPart<TeamCell> | undefined = pub.published[0];
    expect(a).toEqual({ key: 'a', conversations: 20, users: 6, minutesSaved: 100, failures: 2 });
    expect(pub.published[1]).toEqual({
      key: 'b',
      conversations: 30,
      users: 9,
      minutesSaved: 250.5,
    });
    expect(pub.other).toEqual({
      key: 'other',
      conversations: 11,
      users: 6,
      members: 2,
      minutesSaved: 15,
      failures: 1,
    });
    expect(JSON.stringify(pub)).not.toMatch(/secret-ish|label/);
    // Additive metrics obey the same subtraction identity as conversations.
    const totalMinutes = sum(parts.map((p) => p.minutesSaved));
    expect(totalMinutes - sum(pub.published.map((p) => p.minutesSaved))).toBeCloseTo(
      pub.other!.minutesSaved,
    );
  });

  it('rejects non-finite metrics', () => {
    expect(() => publishBreakdown([{ ...part('a', 20, 6), minutesSaved: Number.NaN }], T)).toThrow(
      /minutesSaved/,
    );
  });
});

describe('publishBreakdown: input validation', () => {
  it('rejects duplicate keys, a key equal to otherKey and impossible cells', () => {
    expect(() => publishBreakdown([part('a', 20, 6), part('a', 20, 6)], T)).toThrow(/duplicate/);
    expect(() => publishBreakdown([part('other', 20, 6)], T)).toThrow(/otherKey/);
    expect(() => publishBreakdown([part('other', 20, 6)], T, { otherKey: 'rest' })).not.toThrow();
    expect(() => publishBreakdown([part('a', 2, 6)], T)).toThrow(RangeError);
    expect(() => publishBreakdown([part('a', 20, 6)], { kUsers: 0, minConversations: 1 })).toThrow(
      RangeError,
    );
    expect(() => publishBreakdown([part('a', 20, 6)], T, { otherKey: '' })).toThrow(RangeError);
  });
});

/** A random breakdown: parts drawing users from a shared pool (overlapping) or disjoint. */
function randomBreakdown(rng: SeededRandom): { parts: Cell[]; thresholds: Thresholds } {
  const overlapping = rng.next() < 0.5;
  const pool = 5 + rng.int(60);
  const count = 1 + rng.int(12);
  const parts: Cell[] = [];
  for (let i = 0; i < count; i++) {
    const size = rng.int(rng.next() < 0.4 ? 4 : 16);
    const users = new Set<string>();
    while (users.size < size) {
      users.add(overlapping ? `uid:${rng.int(pool)}` : `uid:${i}:${users.size}`);
      if (overlapping && users.size >= pool) break;
    }
    const conversations = users.size + rng.int(rng.next() < 0.4 ? 4 : 25);
    parts.push({ key: `k${i}`, conversations, users });
  }
  const thresholds = { kUsers: 1 + rng.int(6), minConversations: 1 + rng.int(15) };
  return { parts, thresholds };
}

function checkInvariants(parts: Cell[], thresholds: Thresholds, pub: BreakdownPublication): void {
  const byKey = new Map(parts.map((p) => [p.key, p]));
  const totalConversations = sum(parts.map((p) => p.conversations));
  const totalUsers = unionSize(parts);
  const publishedKeys = keys(pub.published);
  const suppressedKeys = keys(pub.suppressed);

  // Every part is accounted for exactly once.
  expect([...publishedKeys, ...suppressedKeys].sort()).toEqual(keys(parts).sort());
  // Published figures are the parts' true counts and each meets the thresholds.
  for (const p of pub.published) {
    const source = byKey.get(p.key)!;
    expect(p.conversations).toBe(source.conversations);
    expect(p.users).toBe(unionSize([source]));
    expect(passes(source, thresholds)).toBe(true);
  }
  // Reasons: complementary exactly for parts that would have passed alone.
  for (const s of pub.suppressed) {
    const alone = passes(byKey.get(s.key)!, thresholds);
    expect(s.reason === 'complementary').toBe(alone);
  }
  // No user id ever leaves.
  expect(JSON.stringify(pub)).not.toMatch(/uid:/);

  const totalPasses =
    totalUsers >= thresholds.kUsers && totalConversations >= thresholds.minConversations;
  expect(pub.withheld).toBe(!totalPasses);
  if (pub.withheld) {
    expect(pub.published).toEqual([]);
    expect(pub.other).toBeUndefined();
    expect(pub.total).toBeUndefined();
    return;
  }

  const members = pub.suppressed.map((s) => byKey.get(s.key)!);
  if (pub.other) {
    expect(pub.other.members).toBe(members.length);
    expect(pub.other.conversations).toBe(sum(members.map((m) => m.conversations)));
    expect(pub.other.users).toBe(unionSize(members));
    expect(pub.other.users).toBeGreaterThanOrEqual(thresholds.kUsers);
    expect(pub.other.conversations).toBeGreaterThanOrEqual(thresholds.minConversations);
  }

  if (pub.total) {
    expect(pub.total).toEqual({ conversations: totalConversations, users: totalUsers });
    // The anti-differencing identity: what is left over is exactly the published other.
    const leftover = totalConversations - sum(pub.published.map((p) => p.conversations));
    expect(leftover).toBe(pub.other?.conversations ?? 0);
    // With the total shown, other is hidden only together with everything (withheld).
    expect(pub.other !== undefined).toBe(members.length > 0);
    // Users found only in other: none, or at least k.
    const onlyInOther = totalUsers - unionSize(pub.published.map((p) => byKey.get(p.key)!));
    expect(onlyInOther === 0 || onlyInOther >= thresholds.kUsers).toBe(true);
    // A lone hidden part is never derivable: other always has at least two members.
    if (members.length > 0) expect(members.length).toBeGreaterThanOrEqual(2);
  } else {
    // Total not shown: no complementary suppression; other only if it passes.
    expect(pub.suppressed.every((s) => s.reason !== 'complementary')).toBe(true);
  }
}

describe('publishBreakdown: properties over 1,000 random breakdowns', () => {
  it('every published figure and every other passes; leftover = other or all withheld', () => {
    const rng = createSeededRandom(20240601);
    let withOther = 0;
    let complementary = 0;
    let withheld = 0;
    for (let i = 0; i < 1000; i++) {
      const { parts, thresholds } = randomBreakdown(rng);
      const pub = publishBreakdown(parts, thresholds);
      checkInvariants(parts, thresholds, pub);
      if (pub.other) withOther++;
      if (pub.suppressed.some((s) => s.reason === 'complementary')) complementary++;
      if (pub.withheld) withheld++;

      // Deterministic and independent of the input order.
      const shuffled = rng.shuffle([...parts]);
      const again = publishBreakdown(shuffled, thresholds);
      expect(keys(again.published).sort()).toEqual(keys(pub.published).sort());
      expect(again.other).toEqual(pub.other);
      expect(again.total).toEqual(pub.total);

      const hiddenTotal = publishBreakdown(parts, thresholds, { totalPublished: false });
      checkInvariants(parts, thresholds, hiddenTotal);
    }
    // The generator exercises every branch.
    expect(withOther).toBeGreaterThan(100);
    expect(complementary).toBeGreaterThan(50);
    expect(withheld).toBeGreaterThan(20);
  });
});

describe('publishSeries: per bucket', () => {
  it('applies the breakdown rule independently to each bucket, buckets in label order', () => {
    const points: SeriesPoint[] = [
      { bucket: '2025-W02', cell: part('a', 20, 6) },
      { bucket: '2025-W01', cell: part('a', 30, 8) },
      { bucket: '2025-W01', cell: part('b', 4, 2) },
      { bucket: '2025-W01', cell: part('c', 12, 6) },
    ];
    const series = publishSeries(points, T);
    expect(series.buckets.map((b) => b.bucket)).toEqual(['2025-W01', '2025-W02']);
    const [w1, w2] = series.buckets;
    expect(keys(w1!.published)).toEqual(['a']);
    expect(w1!.other).toMatchObject({ conversations: 16, members: 2 });
    expect(keys(w2!.published)).toEqual(['a']);
  });

  it('rejects duplicate keys within a bucket and empty labels', () => {
    expect(() =>
      publishSeries(
        [
          { bucket: 'w1', cell: part('a', 20, 6) },
          { bucket: 'w1', cell: part('a', 20, 6) },
        ],
        T,
      ),
    ).toThrow(/duplicate/);
    expect(() => publishSeries([{ bucket: '', cell: part('a', 20, 6) }], T)).toThrow(/bucket/);
  });

  it('withholds an empty series', () => {
    expect(publishSeries([], T)).toEqual({
      buckets: [],
      rollup: { withheld: true, published: [], suppressed: [] },
    });
  });
});

describe('publishSeries: DIFFERENCING across periods', () => {
  // Legal passes in weeks 1, 2 and 4 but is small in week 3.
  const weeks = ['2025-W01', '2025-W02', '2025-W03', '2025-W04'];
  const points: SeriesPoint[] = weeks.flatMap((bucket) => [
    { bucket, cell: part('sales', 40, 12) },
    { bucket, cell: part('support', 50, 15) },
    { bucket, cell: part('engineering', 30, 10) },
    { bucket, cell: bucket === '2025-W03' ? part('legal', 3, 2) : part('legal', 12, 6) },
  ]);

  it('a roll-up published for Legal would reveal its small week', () => {
    const series = publishSeries(points, T);
    const legalWeeks = series.buckets.flatMap((b) => b.published.filter((p) => p.key === 'legal'));
    expect(legalWeeks.map((p) => p.conversations)).toEqual([12, 12, 12]);
    const legalMonth = 12 * 3 + 3;
    // This is the subtraction rule 6 prevents.
    expect(legalMonth - sum(legalWeeks.map((p) => p.conversations))).toBe(3);
  });

  it('the roll-up hides Legal and every roll-up figure is a sum of published weekly figures', () => {
    const series = publishSeries(points, T);
    const { rollup } = series;
    expect(keys(rollup.published)).not.toContain('legal');
    expect(rollup.suppressed.find((s) => s.key === 'legal')?.reason).toBe('complementary');
    // Week 3 had to hide engineering too (complementary), so it cannot be rolled up either.
    expect(keys(rollup.published)).toEqual(['sales', 'support']);
    expect(rollup.total).toEqual({ conversations: 4 * 120 + 3 + 3 * 12, users: 39 + 6 - 2 });
    expect(rollup.other!.conversations).toBe(
      sum(series.buckets.map((b) => b.other?.conversations ?? 0)) +
        sum(
          series.buckets.flatMap((b) =>
            b.published
              .filter((p) => !keys(rollup.published).includes(p.key))
              .map((p) => p.conversations),
          ),
        ),
    );
    expect(JSON.stringify(series)).not.toMatch(/uid:/);
  });

  it('a withheld week hides the roll-up total and other, keeps fully published parts', () => {
    const withTinyWeek: SeriesPoint[] = [
      ...points,
      { bucket: '2025-W05', cell: part('legal', 2, 1) },
      { bucket: '2025-W05', cell: part('engineering', 2, 2) },
    ];
    const series = publishSeries(withTinyWeek, T);
    expect(series.buckets.at(-1)!.withheld).toBe(true);
    expect(series.rollup.total).toBeUndefined();
    expect(series.rollup.other).toBeUndefined();
    expect(keys(series.rollup.published)).toEqual(['sales', 'support']);
    expect(series.rollup.published[0]).toMatchObject({ conversations: 160, users: 12 });
  });
});

describe('publishSeries: properties over 300 random series', () => {
  it('every roll-up figure is derivable from the per-bucket publications', () => {
    const rng = createSeededRandom(77);
    for (let i = 0; i < 300; i++) {
      const bucketCount = 1 + rng.int(5);
      const thresholds = { kUsers: 1 + rng.int(5), minConversations: 1 + rng.int(12) };
      const points: SeriesPoint[] = [];
      for (let b = 0; b < bucketCount; b++) {
        const { parts } = randomBreakdown(rng);
        for (const cell of parts) if (rng.next() < 0.8) points.push({ bucket: `b${b}`, cell });
      }
      const totalPublished = rng.next() < 0.7;
      const series = publishSeries(points, thresholds, { totalPublished });
      const { rollup } = series;

      for (const bucket of series.buckets) {
        const parts = points.filter((p) => p.bucket === bucket.bucket).map((p) => p.cell);
        checkInvariants(parts, thresholds, bucket);
      }
      expect(JSON.stringify(series)).not.toMatch(/uid:/);

      const publishedAtoms = (key: string) =>
        series.buckets.flatMap((b) => b.published.filter((p) => p.key === key));
      for (const p of rollup.published) {
        // Published as itself in every bucket that has it, and equal to the sum.
        const present = series.buckets.filter((b) =>
          points.some((pt) => pt.bucket === b.bucket && pt.cell.key === p.key),
        );
        expect(publishedAtoms(p.key)).toHaveLength(present.length);
        expect(p.conversations).toBe(sum(publishedAtoms(p.key).map((a) => a.conversations)));
        expect(p.users).toBeGreaterThanOrEqual(thresholds.kUsers);
      }
      if (rollup.total) {
        expect(totalPublished).toBe(true);
        expect(series.buckets.every((b) => b.total)).toBe(true);
        expect(rollup.total.conversations).toBe(
          sum(series.buckets.map((b) => b.total!.conversations)),
        );
      }
      if (rollup.other) {
        const rolledUp = new Set(keys(rollup.published));
        const derivable =
          sum(series.buckets.map((b) => b.other?.conversations ?? 0)) +
          sum(
            series.buckets.flatMap((b) =>
              b.published.filter((p) => !rolledUp.has(p.key)).map((p) => p.conversations),
            ),
          );
        expect(rollup.other.conversations).toBe(derivable);
        expect(rollup.other.users).toBeGreaterThanOrEqual(thresholds.kUsers);
        expect(rollup.other.conversations).toBeGreaterThanOrEqual(thresholds.minConversations);
        // Every bucket's hidden parts were published as that bucket's other.
        expect(series.buckets.every((b) => b.suppressed.length === 0 || b.other)).toBe(true);
      }
      if (rollup.total) {
        const leftover =
          rollup.total.conversations - sum(rollup.published.map((p) => p.conversations));
        expect(leftover).toBe(rollup.other?.conversations ?? 0);
      }
    }
  });
});
