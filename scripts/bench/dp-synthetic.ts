/**
 * Synthetic tenants for the dp benchmark: conversations with users, weeks, teams, departments,
 * languages, domains, task types, outcomes and minutes, and a three-level cluster tree over them
 * (topic preferences per person, Zipf-like sizes), generated from a fixed seed. Nothing here is
 * real data; the shapes are chosen to look like an enterprise deployment (README "Privacy").
 */
import { isoWeekLabel, isoWeekStart } from '@silhouette/contracts';
import { seededRandom } from '@silhouette/clustering';
import type { FacetRow } from '@silhouette/sealed';
import type { ClusterNode } from '../../apps/worker/src/clustering/run-clustering';

export interface SyntheticTenant {
  rows: FacetRow[];
  levels: ClusterNode[][];
}

export interface SyntheticOptions {
  conversations: number;
  users: number;
  /** Closed weeks of history before `now`'s week (the current week gets a partial share). */
  weeks: number;
  now: Date;
  seed?: number;
  shape?: readonly number[];
}

const OUTCOMES = [
  ['resolved', 0.55],
  ['partially_resolved', 0.2],
  ['unresolved', 0.12],
  ['abandoned', 0.08],
  ['refused', 0.05],
] as const;
const REASONS = [
  'misunderstood_request',
  'incorrect_answer',
  'refused',
  'incomplete',
  'tool_error',
];
const LANGUAGES = [
  ['en', 0.86],
  ['de', 0.06],
  ['fr', 0.04],
  ['es', 0.03],
  ['ja', 0.01],
] as const;

function pick<T>(random: () => number, items: readonly (readonly [T, number])[]): T {
  let u = random();
  for (const [item, weight] of items) {
    if (u < weight) return item;
    u -= weight;
  }
  return items[items.length - 1]![0];
}

/** Zipf-like weights 1/(i+1)^s, normalised. */
function zipf(n: number, s = 0.9): number[] {
  const raw = Array.from({ length: n }, (_, i) => 1 / (i + 1) ** s);
  const total = raw.reduce((a, b) => a + b, 0);
  return raw.map((w) => w / total);
}

function sampler(weights: readonly number[], random: () => number): () => number {
  const cumulative: number[] = [];
  let sum = 0;
  for (const w of weights) cumulative.push((sum += w));
  return () => {
    const u = random() * sum;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

const uuid = (prefix: number, i: number) =>
  `${prefix.toString(16).padStart(8, '0')}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

export function syntheticTenant(options: SyntheticOptions): SyntheticTenant {
  const random = seededRandom(options.seed ?? 17);
  const [tops, mids, bases] = options.shape ?? [
    7,
    Math.max(7, Math.round(options.conversations / 660)),
    Math.max(7, Math.round(options.conversations / 30)),
  ];
  // The tree: each base cluster under a mid one, each mid under a top one (Zipf sizes).
  const midTop = Array.from({ length: mids! }, (_, i) =>
    i < tops! ? i : Math.floor(random() * tops!),
  );
  const baseMid = Array.from({ length: bases! }, (_, i) =>
    i < mids! ? i : Math.floor(random() * mids!),
  );
  const topWeights = zipf(tops!, 0.6);
  const midsOfTop = Array.from({ length: tops! }, (_, t) =>
    midTop.flatMap((top, m) => (top === t ? [m] : [])),
  );
  const basesOfMid = Array.from({ length: mids! }, (_, m) =>
    baseMid.flatMap((mid, b) => (mid === m ? [b] : [])),
  );
  const midSamplers = midsOfTop.map((list) => sampler(zipf(list.length, 0.8), random));
  const baseSamplers = basesOfMid.map((list) => sampler(zipf(list.length, 0.7), random));

  // People: activity (log-normal), a team (Zipf over 30), a department per team, a language,
  // and a favourite top-level topic.
  const teams = 30;
  const teamOf = sampler(zipf(teams, 0.8), random);
  const people = Array.from({ length: options.users }, () => {
    const activity = Math.exp(1.0 * gaussian(random));
    const team = teamOf();
    return {
      activity,
      team: `team-${String(team).padStart(2, '0')}`,
      department: `dept-${team % 8}`,
      language: pick(random, LANGUAGES),
      favourite: sampler(topWeights, random)(),
      // Not everyone is active every week.
      presence: 0.3 + 0.7 * random(),
    };
  });
  const personOf = sampler(
    people.map((p) => p.activity),
    random,
  );
  const topOf = sampler(topWeights, random);
  const domains = Array.from({ length: 24 }, (_, i) => `domain ${i}`);
  const tasks = Array.from({ length: 20 }, (_, i) => `task ${i}`);
  const taskOf = sampler(zipf(tasks.length, 1), random);

  const currentStart = isoWeekStart(isoWeekLabel(options.now)).getTime();
  const historyStart = currentStart - options.weeks * 7 * 86_400_000;
  const span = options.now.getTime() - historyStart;
  const rows: FacetRow[] = [];
  const members = { top: [] as number[][], mid: [] as number[][], base: [] as number[][] };
  members.top = Array.from({ length: tops! }, () => []);
  members.mid = Array.from({ length: mids! }, () => []);
  members.base = Array.from({ length: bases! }, () => []);
  while (rows.length < options.conversations) {
    const p = personOf();
    const person = people[p]!;
    const at = historyStart + random() * span;
    // People skip some weeks entirely.
    const week = Math.floor((at - historyStart) / (7 * 86_400_000));
    if (hash01(p * 1000 + week) > person.presence) continue;
    const top = random() < 0.55 ? person.favourite : topOf();
    const midList = midsOfTop[top]!;
    const mid = midList.length ? midList[midSamplers[top]!()]! : 0;
    const baseList = basesOfMid[mid]!;
    const base = baseList.length ? baseList[baseSamplers[mid]!()]! : 0;
    const outcome = pick(random, OUTCOMES);
    const failed = outcome !== 'resolved';
    const index = rows.length;
    members.top[top]!.push(index);
    members.mid[mid]!.push(index);
    members.base[base]!.push(index);
    const without = Math.round(5 + 40 * random() ** 2 * 3);
    const withAi = Math.round(without * (0.2 + 0.5 * random()));
    rows.push({
      conversationId: uuid(0xc0, index),
      user: `u_${p}`,
      at: new Date(at),
      domain: domains[(top * 3 + Math.floor(random() * 4)) % domains.length]!,
      taskType: tasks[taskOf()]!,
      useCase: 'synthetic',
      goalSummary: 'synthetic goal',
      outcome,
      failureReasons:
        failed && random() < 0.8 ? [REASONS[Math.floor(random() * REASONS.length)]!] : [],
      minutesSaved: failed && outcome !== 'partially_resolved' ? 0 : Math.max(0, without - withAi),
      minutesWithoutAi: without,
      frustration: failed ? 3 + Math.floor(random() * 3) : 1 + Math.floor(random() * 2),
      language: person.language,
      confidence: 0.3 + 0.7 * random(),
      team: person.team,
      department: person.department,
      frozenWeek: null,
    });
  }
  const centroid = () => Float32Array.from({ length: 4 }, () => random() - 0.5);
  const node = (
    id: string,
    level: number,
    parentId: string | null,
    list: number[],
  ): ClusterNode => ({
    id,
    level,
    parentId,
    members: list,
    centroid: centroid(),
    name: `Group ${id.slice(-4)}`,
    description: '',
    lineage: 'new',
    lineageSources: [],
    keywords: [],
  });
  const levels: ClusterNode[][] = [
    members.top.map((list, t) => node(uuid(0x70, t), 0, null, list)),
    members.mid.map((list, m) => node(uuid(0x71, m), 1, uuid(0x70, midTop[m]!), list)),
    members.base.map((list, b) => node(uuid(0x72, b), 2, uuid(0x71, baseMid[b]!), list)),
  ];
  return { rows, levels };
}

function gaussian(random: () => number): number {
  const u = Math.max(1e-12, random());
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}

function hash01(n: number): number {
  let x = Math.imul(n ^ 0x9e3779b9, 0x85ebca6b);
  x ^= x >>> 13;
  x = Math.imul(x, 0xc2b2ae35);
  x ^= x >>> 16;
  return (x >>> 0) / 4294967296;
}
