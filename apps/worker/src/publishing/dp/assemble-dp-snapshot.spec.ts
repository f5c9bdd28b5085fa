import { describe, expect, it } from 'vitest';
import { isoWeekLabel, type CustomFacetDefinition } from '@silhouette/contracts';
import { budgetPeriod, rhoCap, thresholdDelta } from '@silhouette/privacy';
import type { FacetRow } from '@silhouette/sealed';
import type { ClusterNode } from '../../clustering/run-clustering';
import {
  assembleDpSnapshot,
  calibrationRatio,
  combineEstimates,
  consistentParts,
} from './assemble-dp-snapshot';
import type { DpBounds } from './dp-families';
import { releaseDpWeeks } from './release-dp-weeks';

describe('post-processing', () => {
  it('consistentParts: non-negative integers adding up to the parent, spread evenly', () => {
    expect(consistentParts(66, [10, 20, 30])).toEqual([12, 22, 32]);
    expect(consistentParts(20, [-5, 10, 20])).toEqual([0, 5, 15]);
    const parts = consistentParts(101, [33.3, 33.3, 33.4]);
    expect(parts.reduce((a, b) => a + b, 0)).toBe(101);
    expect(consistentParts(-4, [3, 1])).toEqual([0, 0]);
    expect(consistentParts(7, [])).toEqual([]);
  });

  it('combineEstimates: inverse-variance mix, ignoring what was not released', () => {
    const mixed = combineEstimates([
      { value: 100, sd: 10 },
      { value: 130, sd: 10 },
      { value: 999, sd: 0 },
    ]);
    expect(mixed.value).toBeCloseTo(115, 9);
    expect(mixed.sd).toBeCloseTo(10 / Math.SQRT2, 9);
    expect(
      combineEstimates([
        { value: 90, sd: 1 },
        { value: 190, sd: 100 },
      ]).value,
    ).toBeCloseTo(90.01, 2);
  });

  it('calibrationRatio: the high-cap total over the capped one, 1 when too noisy to tell', () => {
    const cell = (conversations: number, calibration: number, sigma: number) => ({
      bucket: '2026-W10',
      final: true,
      family: 'total',
      key: 'all',
      figures: { conversations, calibration },
      sigma: { conversations: sigma, calibration: sigma },
    });
    expect(calibrationRatio([cell(1000, 1500, 5), cell(1000, 1300, 5)])).toBeCloseTo(1.4, 9);
    expect(calibrationRatio([cell(20, 60, 50)])).toBe(1);
    expect(calibrationRatio([cell(1000, 900, 5)])).toBe(1);
  });
});

/** 60 people, 4 teams (and a team of two), two top clusters of two children each, over six weeks before `now`. */
function tenant(now: Date) {
  const rows: FacetRow[] = [];
  const members: number[][] = [[], [], [], []];
  for (let i = 0; i < 1200; i++) {
    const person = i % 60;
    const leaf = (person + Math.floor(i / 60)) % 4;
    members[leaf]!.push(rows.length);
    rows.push({
      conversationId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`,
      user: `u_${person}`,
      at: new Date(now.getTime() - (Math.floor(i / 60) % 6) * 7 * 86_400_000 - 3_600_000),
      domain: ['finance', 'software'][leaf % 2]!,
      taskType: 'drafting',
      useCase: 'x',
      goalSummary: 'write a clear report',
      outcome: i % 5 === 0 ? 'unresolved' : 'resolved',
      failureReasons: i % 5 === 0 ? ['incomplete'] : [],
      minutesSaved: i % 5 === 0 ? 0 : 12,
      minutesWithoutAi: 20,
      frustration: 2,
      language: 'en',
      confidence: 0.9,
      // Two people form a team of their own: too few ever to be selected.
      team: person >= 58 ? 'legal' : `team-${person % 4}`,
      department: `dept-${person % 2}`,
      frozenWeek: null,
    });
  }
  const node = (id: string, level: number, parentId: string | null, list: number[]) =>
    ({
      id,
      level,
      parentId,
      members: list,
      centroid: Float32Array.from([level, list.length % 7, 1]),
      name: `Group ${id.slice(-1)}`,
      description: '',
      lineage: 'new',
      lineageSources: [],
      keywords: [],
    }) as ClusterNode;
  const id = (level: number, i: number) => `0000000${level}-0000-4000-8000-00000000000${i}`;
  const levels: ClusterNode[][] = [
    [
      node(id(0, 0), 0, null, [...members[0]!, ...members[1]!]),
      node(id(0, 1), 0, null, [...members[2]!, ...members[3]!]),
    ],
    members.map((list, i) => node(id(1, i), 1, id(0, Math.floor(i / 2)), list)),
  ];
  return { rows, levels };
}

describe('a dp publication, released and assembled', () => {
  const now = new Date('2026-06-10T12:00:00Z');
  const bounds: DpBounds = {
    maxConversations: 4,
    maxMinutesPerConversation: 60,
    maxMinutesPerPerson: 120,
    maxReasons: 3,
  };
  const cap = { epsilon: 100, delta: 1e-6 };
  const { rows, levels } = tenant(now);
  const release = releaseDpWeeks({
    rows,
    levels,
    bounds,
    finalWeeks: new Set(),
    releasedDataKeys: new Map(),
    plan: { rhoPerClosedWeek: rhoCap(cap) / 10, rhoCurrentWeek: rhoCap(cap) / 40 },
    deltaOf: (rho) => thresholdDelta(rho, cap),
    kUsers: 5,
    backfillWeeks: 6,
    now,
  });
  const assemble = (valueAuditScores?: ReadonlyMap<string, number>) =>
    assembleDpSnapshot({
      tenantId: 't',
      run: { runId: 'r', mode: 'full', rows, levels, embeddingModel: 'e', namer: 'n' },
      cells: release.cells,
      thresholds: { kUsers: 5, minConversations: 10 },
      models: { tagger: 't', taggerPromptVersion: 'p', embedder: 'e', namer: 'n' },
      privacy: {
        epsilonCap: 100,
        delta: 1e-6,
        period: budgetPeriod(now),
        epsilonSpent: 1,
        publication: { rho: 1, epsilon: 1, delta: 0, weeks: [], sigma: {} },
        bounds: { ...bounds },
        backfillWeeks: 6,
      },
      horizon: release.horizon,
      now,
      ...(valueAuditScores ? { valueAuditScores } : {}),
    });
  const draft = assemble();

  it('releases the closed weeks once and the current week provisionally, at the planned ρ', () => {
    const current = isoWeekLabel(now);
    expect(release.weeks.filter((week) => week.final)).toHaveLength(6);
    expect(release.weeks.filter((week) => !week.final).map((week) => week.bucket)).toEqual([
      current,
    ]);
    expect(release.rhoClosedWeeks + release.rhoCurrentWeek).toBeLessThanOrEqual(
      (rhoCap(cap) / 10) * 6 + rhoCap(cap) / 40 + 1e-9,
    );
    // The conversations each released closed week counts, for the late-arrival rule.
    // 960 of the 1,200 fall in closed weeks (240 are in the current one).
    expect([...release.finalConversations.values()].flat()).toHaveLength(960);
  });

  it('publishes figures near the truth, with intervals, consistent from the total down', () => {
    const overview = draft.overview as {
      published: boolean;
      conversations: number;
      distinct_users: number;
      noise: { conversations: { low: number; high: number } };
    };
    expect(overview.published).toBe(true);
    expect(Math.abs(overview.conversations - 1200)).toBeLessThan(120);
    expect(Math.abs(overview.distinct_users - 60)).toBeLessThan(16);
    expect(overview.noise.conversations.low).toBeLessThanOrEqual(overview.conversations);
    const top = draft.clusters.filter((cluster) => cluster.level === 0);
    expect(top.reduce((sum, cluster) => sum + cluster.conversations, 0)).toBe(
      overview.conversations,
    );
    for (const parent of top.filter((cluster) => !cluster.isOther)) {
      const children = draft.clusters.filter((cluster) => cluster.parentId === parent.clusterId);
      expect(children.reduce((sum, child) => sum + child.conversations, 0)).toBe(
        parent.conversations,
      );
      for (const child of children)
        expect(child.distinctUsers).toBeLessThanOrEqual(parent.distinctUsers);
    }
    // Every shown cell passes the thresholds on its noisy figures; teams were selected.
    for (const cluster of draft.clusters) expect(cluster.distinctUsers).toBeGreaterThanOrEqual(5);
    const teams = draft.breakdowns.filter((row) => row.facet === 'team' && !row.isOther);
    // Only values the vocabulary release selected are released at all (τ ≈ 14 people here, so
    // the 14-15-person teams may or may not pass); the two-person team never is, in any week.
    const releasedTeams = new Set(
      release.cells.filter((cell) => cell.family === 'facet/team').map((cell) => cell.key),
    );
    expect(release.vocabulary?.thresholds['vocabulary/team']).toBeGreaterThan(2);
    expect([...releasedTeams].every((team) => /^team-[0-3]$/.test(team))).toBe(true);
    for (const row of teams) expect(releasedTeams.has(row.value)).toBe(true);
    for (const row of draft.breakdowns) expect(row.distinctUsers).toBeGreaterThanOrEqual(5);
    // Goal texts without counts; the evidence names the mechanism.
    expect(draft.clusters[0]!.goals.every((goal) => goal.users === null)).toBe(true);
    expect(
      (draft.evidence as { differentialPrivacy: { mode: string } }).differentialPrivacy.mode,
    ).toBe('dp');
  });

  it('pools a value the LLM auditor refuses or did not score, as in threshold mode', () => {
    const shown = (scores?: ReadonlyMap<string, number>) =>
      assemble(scores)
        .breakdowns.filter((row) => row.facet === 'department' && !row.isOther)
        .map((row) => row.value);
    // Both departments (30 people each, τ ≈ 14) are released in this publication.
    expect(shown().sort()).toEqual(['dept-0', 'dept-1']);
    const refused = assemble(
      new Map([
        ['dept-0', 5],
        ['dept-1', 2],
      ]),
    );
    expect(
      refused.breakdowns.filter((row) => row.facet === 'department').map((row) => row.value),
    ).not.toContain('dept-1');
    expect(
      (refused.evidence as { textGate: { byReason: Record<string, number> } }).textGate.byReason
        .auditor_score,
    ).toBeGreaterThan(0);
    expect(shown(new Map([['dept-0', 5]]))).toEqual(['dept-0']);
  });
});

describe('custom facets in a dp publication (issue #15)', () => {
  const now = new Date('2026-06-10T12:00:00Z');
  const bounds: DpBounds = {
    maxConversations: 4,
    maxMinutesPerConversation: 60,
    maxMinutesPerPerson: 120,
    maxReasons: 3,
  };
  const cap = { epsilon: 100, delta: 1e-6 };
  const { rows: base, levels } = tenant(now);
  // "area": billing for 40 people, security for 16, two people answer "legal" and two a value
  // that is not in the definition ("hr", counted as not set). "urgent": yes for a third.
  const rows = base.map((row, i) => {
    const person = Number(row.user.slice(2));
    const area = person < 40 ? 'billing' : person < 56 ? 'security' : person < 58 ? 'legal' : 'hr';
    return { ...row, custom: { area, urgent: i % 3 === 0 } };
  });
  const customFacets: CustomFacetDefinition[] = [
    {
      key: 'area',
      question: 'Which area?',
      type: 'enum',
      values: ['billing', 'security', 'legal'],
    },
    {
      key: 'urgent',
      question: 'Urgent?',
      type: 'boolean',
    },
  ] as CustomFacetDefinition[];
  const release = releaseDpWeeks({
    rows,
    levels,
    bounds,
    finalWeeks: new Set(),
    releasedDataKeys: new Map(),
    plan: { rhoPerClosedWeek: rhoCap(cap) / 10, rhoCurrentWeek: rhoCap(cap) / 40 },
    deltaOf: (rho) => thresholdDelta(rho, cap),
    kUsers: 5,
    backfillWeeks: 6,
    now,
    customFacets,
  });
  const draft = assembleDpSnapshot({
    tenantId: 't',
    run: { runId: 'r', mode: 'full', rows, levels, embeddingModel: 'e', namer: 'n' },
    cells: release.cells,
    thresholds: { kUsers: 5, minConversations: 10 },
    models: { tagger: 't', taggerPromptVersion: 'p', embedder: 'e', namer: 'n' },
    privacy: {
      epsilonCap: 100,
      delta: 1e-6,
      period: budgetPeriod(now),
      epsilonSpent: 1,
      publication: { rho: 1, epsilon: 1, delta: 0, weeks: [], sigma: {} },
      bounds: { ...bounds },
      backfillWeeks: 6,
    },
    horizon: release.horizon,
    now,
    customFacets,
  });
  const overview = draft.overview as { conversations: number };

  it('releases only the keys the definition names, with noise, never an exact figure', () => {
    const keys = new Set(
      release.cells.filter((cell) => cell.family === 'facet/custom:area').map((cell) => cell.key),
    );
    // "hr" is not in the definition: it is never a key, whatever the data says.
    expect([...keys].sort()).toEqual(['(not set)', 'billing', 'legal', 'security']);
    const billing = release.cells.filter(
      (cell) => cell.family === 'facet/custom:area' && cell.key === 'billing',
    );
    expect(billing.length).toBeGreaterThan(0);
    expect(billing.every((cell) => cell.sigma['conversations']! > 0)).toBe(true);
  });

  it('publishes each facet as a breakdown of noisy parts within the total, near the truth', () => {
    for (const facet of ['custom:area', 'custom:urgent']) {
      const shown = draft.breakdowns.filter((row) => row.facet === facet);
      expect(shown.length).toBeGreaterThan(0);
      // Parts are made consistent with the noisy total; a hidden part is left out, not pooled
      // into view (in dp mode a subtraction only gives another noisy figure). A part is never
      // below its own noisy people count, which can lift the sum a little over the total (by
      // 11-12 conversations in 3 runs of 8).
      expect(shown.reduce((sum, row) => sum + row.conversations, 0)).toBeLessThanOrEqual(
        overview.conversations * 1.05,
      );
      for (const row of shown) {
        expect(row.distinctUsers).toBeGreaterThanOrEqual(5);
        expect(row.conversations).toBeGreaterThanOrEqual(10);
        if (!row.isOther) expect((row as { noise?: unknown }).noise).toBeDefined();
      }
    }
    const area = draft.breakdowns.filter((row) => row.facet === 'custom:area' && !row.isOther);
    const billing = area.find((row) => row.value === 'billing')!;
    expect(Math.abs(billing.conversations - 800)).toBeLessThan(120);
    expect(Math.abs(billing.distinctUsers - 40)).toBeLessThan(25);
    const urgent = draft.breakdowns.filter((row) => row.facet === 'custom:urgent');
    // "(not set)" holds nobody here, but its noisy count can pass the threshold in some runs.
    expect(
      urgent
        .map((row) => row.value)
        .filter((value) => value !== '(not set)')
        .sort(),
    ).toEqual(['no', 'yes']);
    expect(Math.abs(urgent.find((row) => row.value === 'yes')!.conversations - 400)).toBeLessThan(
      120,
    );
  });
});

describe('the issues map and per-cluster custom figures in a dp publication (issue #15)', () => {
  const now = new Date('2026-06-10T12:00:00Z');
  const bounds: DpBounds = {
    maxConversations: 4,
    maxMinutesPerConversation: 60,
    maxMinutesPerPerson: 120,
    maxReasons: 3,
  };
  // A large budget, so that the statistical bounds below are tight (σ is then mostly at its floor
  // of 1); what the default budget leaves of these figures is measured by `npm run bench -- dp`.
  const cap = { epsilon: 1000, delta: 1e-6 };
  const plan = { rhoPerClosedWeek: rhoCap(cap) / 10, rhoCurrentWeek: rhoCap(cap) / 40 };
  const { rows: base, levels } = tenant(now);
  // Everyone rates 8 out of 10; "area" is billing for 40 people, security for the others.
  const rows = base.map((row) => {
    const person = Number(row.user.slice(2));
    return { ...row, custom: { area: person < 40 ? 'billing' : 'security', rating: 8 } };
  });
  const customFacets = [
    { key: 'area', question: 'Which area?', type: 'enum', values: ['billing', 'security'] },
    { key: 'rating', question: 'How good?', type: 'number', min: 0, max: 10 },
  ] as CustomFacetDefinition[];
  // The issues map: A (the even people but 58: 29 people, two children), B (the odd people, 30)
  // and T (person 58 alone).
  const issueRows = rows.map((row, index) => ({ row, index, person: Number(row.user.slice(2)) }));
  const mapIndexes = (keep: (person: number) => boolean) =>
    issueRows.flatMap(({ person }, i) => (keep(person) ? [i] : []));
  const mapNode = (id: string, level: number, parentId: string | null, members: number[]) =>
    ({
      id,
      level,
      parentId,
      members,
      centroid: Float32Array.from([1, 2, 3]),
      name: `Issue ${id.slice(-2)}`,
      description: '',
      lineage: 'new',
      lineageSources: [],
      keywords: ['wrong answer'],
    }) as ClusterNode;
  const mid = (i: number) => `10000000-0000-4000-8000-0000000000${String(i).padStart(2, '0')}`;
  const mapLevels: ClusterNode[][] = [
    [
      mapNode(
        mid(1),
        0,
        null,
        mapIndexes((p) => p % 2 === 0 && p !== 58),
      ),
      mapNode(
        mid(2),
        0,
        null,
        mapIndexes((p) => p % 2 === 1),
      ),
      mapNode(
        mid(3),
        0,
        null,
        mapIndexes((p) => p === 58),
      ),
    ],
    [
      mapNode(
        mid(11),
        1,
        mid(1),
        mapIndexes((p) => p % 4 === 0),
      ),
      mapNode(
        mid(12),
        1,
        mid(1),
        mapIndexes((p) => p % 4 === 2 && p !== 58),
      ),
      mapNode(
        mid(21),
        1,
        mid(2),
        mapIndexes((p) => p % 2 === 1),
      ),
      mapNode(
        mid(31),
        1,
        mid(3),
        mapIndexes((p) => p === 58),
      ),
    ],
  ];
  const maps = [{ map: 'issues', rows: issueRows.map(({ row }) => row), levels: mapLevels }];
  const releaseWith = (withMaps: boolean, budget = cap) =>
    releaseDpWeeks({
      rows,
      levels,
      bounds,
      finalWeeks: new Set(),
      releasedDataKeys: new Map(),
      plan: { rhoPerClosedWeek: rhoCap(budget) / 10, rhoCurrentWeek: rhoCap(budget) / 40 },
      deltaOf: (rho) => thresholdDelta(rho, budget),
      kUsers: 5,
      backfillWeeks: 6,
      now,
      customFacets,
      ...(withMaps ? { maps } : {}),
    });
  const release = releaseWith(true);
  const draft = assembleDpSnapshot({
    tenantId: 't',
    run: { runId: 'r', mode: 'full', rows, levels, embeddingModel: 'e', namer: 'n' },
    cells: release.cells,
    thresholds: { kUsers: 5, minConversations: 10 },
    models: { tagger: 't', taggerPromptVersion: 'p', embedder: 'e', namer: 'n' },
    privacy: {
      epsilonCap: 100,
      delta: 1e-6,
      period: budgetPeriod(now),
      epsilonSpent: 1,
      publication: { rho: 1, epsilon: 1, delta: 0, weeks: [], sigma: {} },
      bounds: { ...bounds },
      backfillWeeks: 6,
    },
    horizon: release.horizon,
    now,
    customFacets,
    maps,
  });
  const sigmaOf = (family: string, figure: string) =>
    release.parameters.find((p) => p.family === family && p.figure === figure)!.sigma;
  const weeks = release.weeks.length;

  it('charges the new families inside the planned budget: every released figure is accounted', () => {
    const families = new Set(release.parameters.map((p) => p.family));
    for (const family of [
      'map/issues/level-0',
      'map/issues/level-1/outcome',
      'map/issues/level-0/topic',
      'cluster/level-0/custom:area',
      'cluster/level-1/number:rating',
    ])
      expect(families).toContain(family);
    // The ledger's charge is the sum of every figure's ρ, the new ones included, and stays
    // within the plan: the maps take their share from the same publication's ρ.
    const charged = release.rhoClosedWeeks + release.rhoCurrentWeek;
    const perFigure = release.parameters.reduce((sum, p) => sum + p.rho, 0);
    expect(perFigure).toBeCloseTo(charged, 9);
    expect(charged).toBeLessThanOrEqual(plan.rhoPerClosedWeek * 6 + plan.rhoCurrentWeek + 1e-9);
    // At the default budget (ε = 8) the maps' share makes the headline figures' noise grow by
    // the ratio of the weights (no σ at its floor there).
    const defaultCap = { epsilon: 8, delta: 1e-6 };
    const headline = (withMaps: boolean) =>
      releaseWith(withMaps, defaultCap).parameters.find(
        (p) => p.family === 'total' && p.figure === 'conversations',
      )!.sigma;
    const growth = headline(true) / headline(false);
    expect(growth).toBeGreaterThan(1);
    expect(growth).toBeLessThan(1.5);
    // Map node keys are the clustering's ids only; a (node, topic) pair names a top cluster.
    const topIds = new Set(levels[0]!.map((node) => node.id));
    for (const cell of release.cells.filter((c) => c.family === 'map/issues/level-0/topic'))
      expect(topIds.has(cell.key.split('|')[1]!)).toBe(true);
  });

  it('publishes the map from noisy cells: thresholds on noisy figures, intervals, topics', () => {
    const shown = draft.mapClusters!;
    expect(shown.filter((c) => c.level === 0 && !c.isOther).length).toBeGreaterThanOrEqual(1);
    for (const cluster of shown) {
      expect(cluster.map).toBe('issues');
      expect(cluster.distinctUsers).toBeGreaterThanOrEqual(5);
      expect(cluster.conversations).toBeGreaterThanOrEqual(10);
      const noise = cluster.metrics['noise'] as Record<string, { low: number; high: number }>;
      expect(noise['conversations']!.high).toBeGreaterThanOrEqual(noise['conversations']!.low);
    }
    // A (580 conversations of 29 people) is shown: its people figure is the sum of 7 weekly
    // releases, sd ≤ 4 (checked), so it falls under k = 5 with P(Z < -6) ≈ 1e-9. Its
    // conversations are within 6 sd of the truth (P(|Z| > 6) ≈ 2e-9), ±2 for rounding.
    const usersSd = Math.sqrt(weeks) * sigmaOf('map/issues/level-0', 'new_users');
    expect(usersSd).toBeLessThanOrEqual(4);
    const a = shown.find((c) => c.clusterId === mid(1));
    expect(a).toBeDefined();
    const sd = Math.sqrt(weeks) * sigmaOf('map/issues/level-0', 'conversations');
    expect(Math.abs(a!.conversations - 580)).toBeLessThan(6 * sd + 2);
    // Children add up to at most their parent (plus the lift to their people counts).
    const children = shown.filter((c) => c.parentId === mid(1));
    expect(children.reduce((s, c) => s + c.conversations, 0)).toBeLessThanOrEqual(
      a!.conversations + 10,
    );
    // Both topics hold ~290 of A's conversations from its 29 people: the pairs pass and are
    // named with the tree's names, each with its noise interval.
    const topics = a!.metrics['topics'] as {
      cluster_id: string;
      name: string;
      distinct_users: number;
      noise: unknown;
    }[];
    const treeNames = new Map(draft.clusters.map((c) => [c.clusterId, c.name]));
    expect(topics.length).toBeGreaterThan(0);
    for (const topic of topics) {
      expect(treeNames.get(topic.cluster_id)).toBe(topic.name);
      expect(topic.distinct_users).toBeGreaterThanOrEqual(5);
      expect(topic.noise).toBeDefined();
    }
    // Failure rate from the released outcome parts, within [0, 1].
    const rate = a!.metrics['failure_rate'] as number;
    expect(rate).toBeGreaterThanOrEqual(0);
    expect(rate).toBeLessThanOrEqual(1);
  });

  it('publishes per-cluster custom parts and number means from released sums, and custom trends', () => {
    const top = draft.clusters.filter((c) => c.level === 0 && !c.isOther);
    expect(top.length).toBeGreaterThan(0);
    const answered = 600; // each top cluster holds about half of the 1,200 conversations
    for (const cluster of top) {
      const custom = cluster.metrics['custom'] as Record<string, { distinctUsers: number }[]>;
      expect(custom['area']!.length).toBeGreaterThan(0);
      for (const row of custom['area']!) expect(row.distinctUsers).toBeGreaterThanOrEqual(5);
      // Mean = sum / answered of two noisy figures; 6 σ of the sum over 7 weeks, in answer units
      // (1/100 of the range), plus the answered count's relative noise.
      const mean = (cluster.metrics['custom_means'] as Record<string, number>)['rating']!;
      const sumSd = Math.sqrt(weeks) * sigmaOf('cluster/level-0/number:rating', 'sum');
      const countSd = Math.sqrt(weeks) * sigmaOf('cluster/level-0/number:rating', 'conversations');
      const bound = ((6 * sumSd) / answered) * 0.1 + (8 * 6 * countSd * 2) / answered;
      expect(Math.abs(mean - 8)).toBeLessThan(bound + 0.05);
    }
    const trend = draft.trends.filter((row) => row.facet === 'custom:area' && !row.isOther);
    expect(trend.length).toBeGreaterThan(0);
    for (const row of draft.trends.filter((r) => r.facet === 'custom:area'))
      expect(row.distinctUsers).toBeGreaterThanOrEqual(5);
  });
});
