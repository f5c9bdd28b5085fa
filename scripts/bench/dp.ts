/**
 * `npm run bench -- dp [--conversations 100000] [--users 3000] [--weeks 12] [--epsilon 1,4,8]
 *   [--tenants synthetic,demo] [--maps]`
 *
 * Utility of dp publishing at a monthly budget: the real release (contribution bounds, exact
 * discrete Gaussian noise, thresholds) and the real snapshot assembly, on a synthetic
 * 100k-conversation tenant and on the demo tenant, against the exact figures. Per tree level and
 * breakdown facet: the median relative error of published conversation and people counts over
 * cells with at least 50 people, and the share of cells (≥ k_users people and min_conversations
 * conversations, exactly) that the noisy threshold hid.
 *
 * Two publication scenarios: "steady" releases each closed week at its share of a month (0.8 of
 * the budget over 5 weeks) as a tenant running for a while does; "first" is a new tenant's first
 * publication, which backfills all closed weeks from the same monthly budget.
 *
 * `--maps` (issue #15) runs each scenario twice in the same run: as before, and with an issues
 * map (the failing conversations in two levels) and two custom facets (an enum and a number)
 * released beside the tree, so the table shows what the new families cost the existing figures
 * and what the map's own cells (`map-0`, `map-1`) look like.
 */
import { OUTCOMES, type CustomFacetDefinition } from '@silhouette/contracts';
import { budgetPeriod, planRelease, rhoCap, thresholdDelta } from '@silhouette/privacy';
import type { FacetRow } from '@silhouette/sealed';
import type { ClusterNode } from '../../apps/worker/src/clustering/run-clustering';
import { assembleDpSnapshot } from '../../apps/worker/src/publishing/dp/assemble-dp-snapshot';
import type { DpBounds } from '../../apps/worker/src/publishing/dp/dp-families';
import { label, releaseDpWeeks } from '../../apps/worker/src/publishing/dp/release-dp-weeks';
import { machine } from './common';
import { demoTenant } from './dp-demo';
import { syntheticTenant } from './dp-synthetic';

const K_USERS = 5;
const MIN_CONVERSATIONS = 10;
const LARGE = 50;
export const BENCH_BOUNDS: DpBounds = {
  maxConversations: 4,
  maxMinutesPerConversation: 60,
  maxMinutesPerPerson: 120,
  maxReasons: 3,
};

function flag(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(`--${name}`);
  return i >= 0 && args[i + 1] ? args[i + 1]! : fallback;
}

const median = (values: number[]) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

interface Exact {
  conversations: number;
  users: number;
}

/** Exact all-time figures per scope (`level-N`, `facet`) and key. */
function exactFigures(rows: readonly FacetRow[], levels: readonly ClusterNode[][]) {
  const scopes = new Map<string, Map<string, { c: number; u: Set<string> }>>();
  const add = (scope: string, key: string, row: FacetRow) => {
    const map = scopes.get(scope) ?? new Map();
    scopes.set(scope, map);
    const cell = map.get(key) ?? { c: 0, u: new Set<string>() };
    cell.c++;
    cell.u.add(row.user);
    map.set(key, cell);
  };
  levels.forEach((nodes, level) => {
    for (const node of nodes)
      for (const i of node.members) add(`level-${level}`, node.id, rows[i]!);
  });
  for (const row of rows) {
    add('domain', label(row.domain), row);
    add('task_type', label(row.taskType), row);
    add('outcome', row.outcome, row);
    add('language', row.language, row);
    add('team', row.team ?? '(not set)', row);
    add('department', row.department ?? '(not set)', row);
  }
  const out = new Map<string, Map<string, Exact>>();
  for (const [scope, map] of scopes)
    out.set(
      scope,
      new Map([...map].map(([key, cell]) => [key, { conversations: cell.c, users: cell.u.size }])),
    );
  return out;
}

interface Row {
  tenant: string;
  epsilon: number;
  scenario: string;
  scope: string;
  large: number;
  conversationsError: number;
  usersError: number;
  lost: number;
  eligible: number;
}

const BENCH_FACETS = [
  { key: 'area', question: 'Area?', type: 'enum', values: ['billing', 'access', 'data', 'other'] },
  { key: 'effort', question: 'Effort?', type: 'number', min: 0, max: 10 },
] as CustomFacetDefinition[];

/** A stable small hash of a conversation id (custom answers and map groups from it). */
const hashOf = (text: string) => {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
};

/**
 * Custom answers on every row, and an issues map over the failing rows: six root causes (by
 * the top topic cluster, so they correlate with topics as real issues do), each split by outcome.
 */
function withExtras(tenant: { rows: FacetRow[]; levels: ClusterNode[][] }) {
  const rows = tenant.rows.map((row) => {
    const h = hashOf(row.conversationId);
    return {
      ...row,
      custom: { area: BENCH_FACETS[0]!.values![h % 4]!, effort: h % 11 },
    };
  });
  const topOf = new Map<number, number>();
  (tenant.levels[0] ?? []).forEach((node, i) => {
    for (const member of node.members) topOf.set(member, i);
  });
  const failing = rows.flatMap((row, index) =>
    row.outcome === 'resolved' ? [] : [{ row, index }],
  );
  const id = (level: number, i: number) =>
    `20000000-0000-4000-8000-${String(level * 1000 + i).padStart(12, '0')}`;
  const node = (nodeId: string, level: number, parentId: string | null, members: number[]) =>
    ({
      id: nodeId,
      level,
      parentId,
      members,
      centroid: Float32Array.from([level, members.length % 7, 1]),
      name: `Issue ${nodeId.slice(-4)}`,
      description: '',
      lineage: 'new',
      lineageSources: [],
      keywords: [],
    }) as ClusterNode;
  const top = Array.from({ length: 6 }, () => [] as number[]);
  failing.forEach(({ index }, i) => top[(topOf.get(index) ?? 0) % 6]!.push(i));
  const outcomes = OUTCOMES.filter((outcome) => outcome !== 'resolved');
  const levels: ClusterNode[][] = [
    top.map((members, i) => node(id(0, i), 0, null, members)),
    top.flatMap((members, i) =>
      outcomes.map((outcome, j) =>
        node(
          id(1, i * 10 + j),
          1,
          id(0, i),
          members.filter((m) => failing[m]!.row.outcome === outcome),
        ),
      ),
    ),
  ];
  return { rows, map: { map: 'issues', rows: failing.map(({ row }) => row), levels } };
}

function evaluate(
  tenantName: string,
  base: { rows: FacetRow[]; levels: ClusterNode[][] },
  epsilon: number,
  scenario: 'steady' | 'first',
  now: Date,
  weeks: number,
  extras = false,
): Row[] {
  const extra = extras ? withExtras(base) : undefined;
  const tenant = extra ? { rows: extra.rows, levels: base.levels } : base;
  const maps = extra ? [extra.map] : [];
  const customFacets = extra ? BENCH_FACETS : [];
  const cap = { epsilon, delta: 1e-6 };
  const capRho = rhoCap(cap);
  const plan =
    scenario === 'steady'
      ? { rhoPerClosedWeek: (0.8 * capRho) / 5, rhoCurrentWeek: (0.2 * capRho) / 31 }
      : planRelease({
          cap,
          spent: { rhoClosedWeeks: 0, rhoCurrentWeek: 0 },
          now,
          cadence: 'daily',
          pendingClosedWeeks: weeks,
          currentWeek: true,
        });
  const release = releaseDpWeeks({
    rows: tenant.rows,
    levels: tenant.levels,
    bounds: BENCH_BOUNDS,
    finalWeeks: new Set(),
    releasedDataKeys: new Map(),
    plan,
    deltaOf: (rho) => thresholdDelta(rho, cap),
    kUsers: K_USERS,
    backfillWeeks: weeks,
    now,
    customFacets,
    maps,
  });
  const draft = assembleDpSnapshot({
    tenantId: 'bench',
    run: {
      runId: 'bench',
      mode: 'full',
      rows: tenant.rows,
      levels: tenant.levels,
      embeddingModel: 'x',
      namer: 'x',
    },
    cells: release.cells,
    thresholds: { kUsers: K_USERS, minConversations: MIN_CONVERSATIONS },
    models: { tagger: 'x', taggerPromptVersion: 'x', embedder: 'x', namer: 'x' },
    privacy: {
      epsilonCap: epsilon,
      delta: 1e-6,
      period: budgetPeriod(now),
      epsilonSpent: 0,
      publication: { rho: 0, epsilon: 0, delta: 0, weeks: [], sigma: {} },
      bounds: { ...BENCH_BOUNDS },
      backfillWeeks: weeks,
    },
    horizon: release.horizon,
    now,
    customFacets,
    maps,
  });
  const exact = exactFigures(tenant.rows, tenant.levels);
  for (const map of maps)
    map.levels.forEach((nodes, level) => {
      const cells = new Map<string, Exact>();
      for (const node of nodes)
        cells.set(node.id, {
          conversations: node.members.length,
          users: new Set(node.members.map((i) => map.rows[i]!.user)).size,
        });
      exact.set(`map-${level}`, cells);
    });
  const published = new Map<string, Map<string, Exact>>();
  const put = (scope: string, key: string, figures: Exact) => {
    const map = published.get(scope) ?? new Map<string, Exact>();
    published.set(scope, map);
    map.set(key, figures);
  };
  for (const cluster of draft.clusters)
    if (!cluster.isOther)
      put(`level-${cluster.level}`, cluster.clusterId, {
        conversations: cluster.conversations,
        users: cluster.distinctUsers,
      });
  for (const cluster of draft.mapClusters ?? [])
    if (!cluster.isOther)
      put(`map-${cluster.level}`, cluster.clusterId, {
        conversations: cluster.conversations,
        users: cluster.distinctUsers,
      });
  for (const row of draft.breakdowns)
    if (!row.isOther)
      put(row.facet, row.value, { conversations: row.conversations, users: row.distinctUsers });
  const rows: Row[] = [];
  const scopes = [
    ...tenant.levels.map((_, level) => `level-${level}`),
    'domain',
    'task_type',
    'outcome',
    'language',
    'team',
    'department',
    ...maps.flatMap((map) => map.levels.map((_, level) => `map-${level}`)),
  ];
  for (const scope of scopes) {
    const truth = exact.get(scope) ?? new Map<string, Exact>();
    const shown = published.get(scope) ?? new Map<string, Exact>();
    const conversationErrors: number[] = [];
    const userErrors: number[] = [];
    let eligible = 0;
    let lost = 0;
    for (const [key, figures] of truth) {
      if (figures.users >= K_USERS && figures.conversations >= MIN_CONVERSATIONS) {
        eligible++;
        if (!shown.has(key)) lost++;
      }
      if (figures.users < LARGE) continue;
      const got = shown.get(key);
      // A large cell that was hidden counts as a 100% error.
      conversationErrors.push(
        got ? Math.abs(got.conversations - figures.conversations) / figures.conversations : 1,
      );
      userErrors.push(got ? Math.abs(got.users - figures.users) / figures.users : 1);
    }
    rows.push({
      tenant: tenantName,
      epsilon,
      scenario: extras ? `${scenario} + maps` : scenario,
      scope,
      large: conversationErrors.length,
      conversationsError: median(conversationErrors),
      usersError: median(userErrors),
      lost: eligible ? lost / eligible : 0,
      eligible,
    });
  }
  return rows;
}

const pct = (value: number) => (Number.isNaN(value) ? '—' : `${(value * 100).toFixed(1)}%`);

export async function main(args: string[]): Promise<void> {
  const conversations = Number(flag(args, 'conversations', '100000'));
  const users = Number(flag(args, 'users', '3000'));
  const weeks = Number(flag(args, 'weeks', '12'));
  const epsilons = flag(args, 'epsilon', '1,4,8').split(',').map(Number);
  const tenants = flag(args, 'tenants', 'synthetic,demo').split(',');
  const scenarios = flag(args, 'scenarios', 'steady,first').split(',') as ('steady' | 'first')[];
  const variants = args.includes('--maps') ? [false, true] : [false];
  BENCH_BOUNDS.maxConversations = Number(
    flag(args, 'max-conversations', String(BENCH_BOUNDS.maxConversations)),
  );
  // A Monday early in a month: the first-publication scenario then shares the month with 3-4
  // more closed weeks.
  const now = new Date('2026-03-02T12:00:00Z');
  console.log(`machine: ${machine()}`);
  console.log(`command: npm run bench -- dp ${args.join(' ')}`.trim());
  console.log(
    `bounds: ${BENCH_BOUNDS.maxConversations} conversations, ${BENCH_BOUNDS.maxMinutesPerConversation} min per conversation, ${BENCH_BOUNDS.maxMinutesPerPerson} min per person and week; k_users ${K_USERS}, min_conversations ${MIN_CONVERSATIONS}; δ = 1e-6`,
  );
  const results: Row[] = [];
  for (const name of tenants) {
    const started = performance.now();
    const tenant =
      name === 'demo'
        ? await demoTenant(now)
        : syntheticTenant({ conversations, users, weeks, now });
    const history = name === 'demo' ? 10 : weeks;
    console.log(
      `${name}: ${tenant.rows.length} conversations, ${new Set(tenant.rows.map((r) => r.user)).size} people, ${tenant.levels.map((l) => l.length).join('/')} clusters (built in ${((performance.now() - started) / 1000).toFixed(1)} s)`,
    );
    for (const epsilon of epsilons)
      for (const scenario of scenarios)
        for (const extras of variants) {
          const t0 = performance.now();
          const rows = evaluate(name, tenant, epsilon, scenario, now, history, extras);
          results.push(...rows);
          console.log(
            `  ε=${epsilon} ${scenario}${extras ? ' + maps' : ''}: release + assembly ${((performance.now() - t0) / 1000).toFixed(1)} s`,
          );
        }
  }
  console.log('');
  console.log(
    '| tenant | ε/month | publication | level or facet | cells ≥ 50 people | median error, conversations | median error, people | cells lost to the threshold |',
  );
  console.log('| --- | --: | --- | --- | --: | --: | --: | --: |');
  for (const row of results)
    console.log(
      `| ${row.tenant} | ${row.epsilon} | ${row.scenario} | ${row.scope} | ${row.large} | ${pct(row.conversationsError)} | ${pct(row.usersError)} | ${pct(row.lost)} of ${row.eligible} |`,
    );
  void OUTCOMES;
}
