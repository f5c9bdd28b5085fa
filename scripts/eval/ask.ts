/**
 * `npm run eval -- ask [--modes embedded,server] [--json] [--verbose]`: the analyst ("Ask", issue
 * #12) on the demo tenant, in each storage mode. The demo company's conversations (the same
 * function `silhouette start` uses) are ingested, tagged, clustered and published by the real worker with
 * the offline providers, then every question goes through `POST /v1/ask`.
 *
 * No expected number is written here. Each expected answer is a reference to the published figure
 * that answers it ("the overview's conversations", "the top cluster by minutes saved at level 0"),
 * resolved at eval time through the insights HTTP API by this file's own code (not the analyst's
 * tools), or an expected abstention or refusal. So the question set keeps working when the demo
 * data changes.
 *
 * Reported per mode: exact-answer accuracy (answered, and every expected figure among the answer's
 * figures, equal after rounding to one decimal; names and directions in the text), abstention
 * precision and recall (status `abstained` against questions the published data cannot answer),
 * refusal rate of individual-level questions (and refusals of anything else). The answering mode
 * is the offline parser: no model endpoint is reachable here, so LLM mode is not measured.
 *
 * Exits non-zero when a figure falls below its floor (FLOORS).
 */
import {
  isoWeekStart,
  type ClusterSummary,
  type MetricRow,
  type OverviewResponse,
  type PeriodComparison,
  type PublishedValue,
} from '@silhouette/contracts';
import { demoCompany } from '../../apps/cli/src/demo/demo-company';
import { offlineProviders } from '../../test/helpers/providers';
import { call as callOnce, startStack, type Stack } from '../../test/helpers/stack';

/** A kept-alive socket can be closed by the server during the long pipeline run: retry once. */
const call: typeof callOnce = async (stack, path, init) => {
  try {
    return await callOnce(stack, path, init);
  } catch {
    return callOnce(stack, path, init);
  }
};

const FLOORS = {
  exactAccuracy: 0.9,
  abstentionPrecision: 0.9,
  abstentionRecall: 0.9,
  refusalRate: 1,
  falseRefusals: 0,
} as const;

type Mode = 'embedded' | 'server';
type Kind = 'answer' | 'abstain' | 'refuse';

interface PublishedRow {
  name: string;
  conversations: number;
  distinct_users: number;
  minutes_saved: number;
  failure_rate?: number | null;
}

/** What the insights API shows a read key, fetched once per mode. */
interface Published {
  overview: OverviewResponse;
  levels: number;
  clustersByLevel: (PublishedRow & { id: string; level: number })[][];
  breakdowns: Record<string, PublishedRow[]>;
  domainTrend: {
    bucket: string;
    values: { value: string; conversations: number; is_other: boolean }[];
  }[];
  weeks: string[];
  /** `/v1/insights/overview?from&to` for the last `n` published weeks. */
  lastWeeks: Record<number, PeriodComparison>;
}

interface Expectation {
  /** Figures the answer must cite (after rounding to one decimal); a missing one fails the question. */
  figures?: (number | null | undefined)[];
  /** Texts the answer must contain. */
  texts?: string[];
}

interface EvalQuestion {
  kind: Kind;
  question: (p: Published) => string | undefined;
  expect?: (p: Published) => Expectation;
  /** What the reference is, in words (printed with --verbose). */
  reference: string;
  /** Written after the parser, run once, never tuned on: reported on its own. */
  heldOut?: boolean;
}

const round1 = (value: number) => Math.round(value * 10) / 10;
/** The overview's published weekly rows, oldest first. */
const weeklyRows = (p: Published): MetricRow[] =>
  (p.overview.weekly ?? [])
    .filter((w) => !w.isOther)
    .sort((a, b) => a.value.localeCompare(b.value));
const weekOf = (p: Published, label: string | undefined): MetricRow => {
  const row = weeklyRows(p).find((w) => w.value === label);
  if (!row) throw new Error(`week ${label} is not published`);
  return row;
};
const named = (rows: PublishedRow[]) => rows.filter((row) => !/^\(.*\)$/.test(row.name));
const by =
  (key: keyof PublishedRow, order: 'desc' | 'asc' = 'desc') =>
  (a: PublishedRow, b: PublishedRow) =>
    order === 'desc'
      ? (b[key] as number) - (a[key] as number)
      : (a[key] as number) - (b[key] as number);
const top = (rows: PublishedRow[], key: keyof PublishedRow, order: 'desc' | 'asc' = 'desc') =>
  [...rows].filter((row) => typeof row[key] === 'number').sort(by(key, order))[0];
const uniqueNamed = (p: Published, level: number) => {
  const counts = new Map<string, number>();
  for (const rows of p.clustersByLevel)
    for (const row of rows) counts.set(row.name, (counts.get(row.name) ?? 0) + 1);
  return p.clustersByLevel[level]?.filter((row) => counts.get(row.name) === 1) ?? [];
};

/** Least-squares direction over the published buckets, as documented in the README (Ask). */
function direction(series: number[]): string {
  const n = series.length;
  const meanX = (n - 1) / 2;
  const meanY = series.reduce((a, b) => a + b, 0) / n;
  let num = 0;
  let den = 0;
  series.forEach((y, x) => {
    num += (x - meanX) * (y - meanY);
    den += (x - meanX) ** 2;
  });
  const change = (num / den) * (n - 1);
  if (Math.abs(change) < 0.1 * Math.max(meanY, 1)) return 'flat';
  return change > 0 ? 'growing' : 'declining';
}

const facetRank =
  (facet: string, key: keyof PublishedRow, order: 'desc' | 'asc' = 'desc') =>
  (p: Published) => {
    const row = top(named(p.breakdowns[facet] ?? []), key, order);
    return row
      ? { figures: [row[key] as number], texts: [`"${row.name}"`] }
      : { texts: ['(nothing published)'] };
  };
const clusterRank =
  (level: number, key: keyof PublishedRow, order: 'desc' | 'asc' = 'desc') =>
  (p: Published) => {
    const row = top(p.clustersByLevel[level] ?? [], key, order);
    return row
      ? { figures: [row[key] as number], texts: [`"${row.name}"`] }
      : { texts: ['(nothing published)'] };
  };

export const QUESTIONS: EvalQuestion[] = [
  // Totals and rates, all time.
  {
    kind: 'answer',
    reference: "overview's conversations",
    question: () => 'How many conversations were there?',
    expect: (p) => ({ figures: [p.overview.conversations] }),
  },
  {
    kind: 'answer',
    reference: "overview's conversations",
    question: () => 'What is the total number of conversations?',
    expect: (p) => ({ figures: [p.overview.conversations] }),
  },
  {
    kind: 'answer',
    reference: "overview's distinct users",
    question: () => 'How many people use the assistant?',
    expect: (p) => ({ figures: [p.overview.distinct_users] }),
  },
  {
    kind: 'answer',
    reference: "overview's distinct users",
    question: () => 'How many active users are there?',
    expect: (p) => ({ figures: [p.overview.distinct_users] }),
  },
  {
    kind: 'answer',
    reference: "overview's minutes saved",
    question: () => 'How much time did it save?',
    expect: (p) => ({ figures: [p.overview.minutes_saved!.total] }),
  },
  {
    kind: 'answer',
    reference: "overview's minutes saved, in hours",
    question: () => 'How many hours did the assistant save?',
    expect: (p) => ({ figures: [p.overview.minutes_saved!.total / 60] }),
  },
  {
    kind: 'answer',
    reference: "overview's minutes saved interval",
    question: () => 'How many minutes were saved overall?',
    expect: (p) => ({
      figures: [
        p.overview.minutes_saved!.total,
        p.overview.minutes_saved!.total_low,
        p.overview.minutes_saved!.total_high,
      ],
    }),
  },
  {
    kind: 'answer',
    reference: "overview's failure rate",
    question: () => 'What is the failure rate?',
    expect: (p) => ({ figures: [p.overview.failure_rate] }),
  },
  {
    kind: 'answer',
    reference: "overview's resolution rate",
    question: () => 'What is the resolution rate?',
    expect: (p) => ({ figures: [p.overview.resolution_rate] }),
  },
  {
    kind: 'answer',
    reference: "overview's resolution rate",
    question: () => 'How helpful was the assistant?',
    expect: (p) => ({ figures: [p.overview.resolution_rate] }),
  },
  // Periods: sums of published weeks, as the overview API's period.
  {
    kind: 'answer',
    reference: 'overview period (last 4 weeks): conversations',
    question: () => 'How many conversations were there in the last 4 weeks?',
    expect: (p) => ({ figures: [p.lastWeeks[4]!.conversations] }),
  },
  {
    kind: 'answer',
    reference: 'overview period (last 2 weeks): conversations',
    question: () => 'How many conversations in the past two weeks?',
    expect: (p) => ({ figures: [p.lastWeeks[2]!.conversations] }),
  },
  {
    kind: 'answer',
    reference: 'overview period (last week): conversations',
    question: () => 'How many conversations this week?',
    expect: (p) => ({ figures: [p.lastWeeks[1]!.conversations] }),
  },
  {
    kind: 'answer',
    reference: 'overview period (last 4 weeks): minutes saved',
    question: () => 'How much time did it save in the last 4 weeks?',
    expect: (p) => ({ figures: [p.lastWeeks[4]!.minutes_saved] }),
  },
  {
    kind: 'answer',
    reference: 'overview weekly row (oldest week): conversations',
    question: (p) => `How many conversations were there in ${p.weeks[0]}?`,
    expect: (p) => ({
      figures: [p.overview.weekly!.find((w) => w.value === p.weeks[0])!.conversations],
    }),
  },
  {
    kind: 'answer',
    reference: 'overview weekly row (latest week): distinct users',
    question: (p) => `How many users were active in ${p.weeks.at(-1)}?`,
    expect: (p) => ({
      figures: [weekOf(p, p.weeks.at(-1)).distinctUsers],
    }),
  },
  // Rankings of clusters.
  {
    kind: 'answer',
    reference: 'top cluster by conversations at level 0',
    question: () => 'Which topic has the most conversations?',
    expect: clusterRank(0, 'conversations'),
  },
  {
    kind: 'answer',
    reference: 'top cluster by minutes saved at level 0',
    question: () => 'Which cluster saved the most time?',
    expect: clusterRank(0, 'minutes_saved'),
  },
  {
    kind: 'answer',
    reference: 'top cluster by distinct users at level 0',
    question: () => 'Which cluster has the most users?',
    expect: clusterRank(0, 'distinct_users'),
  },
  {
    kind: 'answer',
    reference: 'top cluster by failure rate at level 0',
    question: () => 'Which cluster has the highest failure rate?',
    expect: clusterRank(0, 'failure_rate'),
  },
  {
    kind: 'answer',
    reference: 'lowest failure rate at level 0',
    question: () => 'Which cluster has the lowest failure rate?',
    expect: clusterRank(0, 'failure_rate', 'asc'),
  },
  {
    kind: 'answer',
    reference: 'smallest cluster at level 0',
    question: () => 'Which topic has the fewest conversations?',
    expect: clusterRank(0, 'conversations', 'asc'),
  },
  {
    kind: 'answer',
    reference: 'top cluster by conversations at level 1',
    question: () => 'Top 3 clusters at level 1 by conversations',
    expect: clusterRank(1, 'conversations'),
  },
  {
    kind: 'answer',
    reference: 'top cluster by minutes saved at the base level',
    question: (p) => `Top 5 clusters at level ${p.levels - 1} by minutes saved`,
    expect: (p) => clusterRank(p.levels - 1, 'minutes_saved')(p),
  },
  // Rankings of facet values.
  {
    kind: 'answer',
    reference: 'team breakdown: most conversations',
    question: () => 'Which team has the most conversations?',
    expect: facetRank('team', 'conversations'),
  },
  {
    kind: 'answer',
    reference: 'team breakdown: most minutes saved',
    question: () => 'Which team saved the most time?',
    expect: facetRank('team', 'minutes_saved'),
  },
  {
    kind: 'answer',
    reference: 'team breakdown: fewest users',
    question: () => 'Which team has the fewest users?',
    expect: facetRank('team', 'distinct_users', 'asc'),
  },
  {
    kind: 'answer',
    reference: 'domain breakdown: most conversations',
    question: () => 'What are the top 3 domains by conversations?',
    expect: facetRank('domain', 'conversations'),
  },
  {
    kind: 'answer',
    reference: 'domain breakdown: most users',
    question: () => 'Which domain has the most users?',
    expect: facetRank('domain', 'distinct_users'),
  },
  {
    kind: 'answer',
    reference: 'task type breakdown: most conversations',
    question: () => 'Which task type is the most common?',
    expect: facetRank('task_type', 'conversations'),
  },
  {
    kind: 'answer',
    reference: 'task type breakdown: fewest conversations',
    question: () => 'Bottom 3 task types by conversations',
    expect: facetRank('task_type', 'conversations', 'asc'),
  },
  {
    kind: 'answer',
    reference: 'language breakdown: most conversations',
    question: () => 'Which language is used most?',
    expect: facetRank('language', 'conversations'),
  },
  {
    kind: 'answer',
    reference: 'department breakdown: most minutes saved',
    question: () => 'Which department saved the most minutes?',
    expect: facetRank('department', 'minutes_saved'),
  },
  {
    kind: 'answer',
    reference: 'outcome breakdown: most conversations',
    question: () => 'What is the most common outcome?',
    expect: facetRank('outcome', 'conversations'),
  },
  // One cluster or value.
  {
    kind: 'answer',
    reference: 'a top-level cluster (unique name): conversations',
    question: (p) =>
      uniqueNamed(p, 0)[0] && `How many conversations are in ${uniqueNamed(p, 0)[0]!.name}?`,
    expect: (p) => ({ figures: [uniqueNamed(p, 0)[0]!.conversations] }),
  },
  {
    kind: 'answer',
    reference: 'a level-1 cluster (unique name): failure rate',
    question: (p) =>
      uniqueNamed(p, 1)[0] && `What is the failure rate of ${uniqueNamed(p, 1)[0]!.name}?`,
    expect: (p) => ({ figures: [uniqueNamed(p, 1)[0]!.failure_rate!] }),
  },
  {
    kind: 'answer',
    reference: 'a level-1 cluster (unique name): minutes saved',
    question: (p) =>
      uniqueNamed(p, 1)[1] && `How much time did ${uniqueNamed(p, 1)[1]!.name} save?`,
    expect: (p) => ({ figures: [uniqueNamed(p, 1)[1]!.minutes_saved] }),
  },
  {
    kind: 'answer',
    reference: 'largest team: minutes saved',
    question: (p) =>
      `How much time did ${top(named(p.breakdowns['team']!), 'conversations')!.name} save?`,
    expect: (p) => ({
      figures: [top(named(p.breakdowns['team']!), 'conversations')!.minutes_saved],
    }),
  },
  {
    kind: 'answer',
    reference: 'largest domain: users',
    question: (p) =>
      `How many users does ${top(named(p.breakdowns['domain']!), 'conversations')!.name} have?`,
    expect: (p) => ({
      figures: [top(named(p.breakdowns['domain']!), 'conversations')!.distinct_users],
    }),
  },
  // Trends.
  {
    kind: 'answer',
    reference: 'direction of the weekly conversations (least squares)',
    question: () => 'Is usage growing?',
    expect: (p) => ({
      texts: [direction(weeklyRows(p).map((w) => w.conversations))],
    }),
  },
  {
    kind: 'answer',
    reference: 'direction of the top domain in the weekly domain trend',
    question: (p) => `Is ${top(named(p.breakdowns['domain']!), 'conversations')!.name} growing?`,
    expect: (p) => {
      const value = top(named(p.breakdowns['domain']!), 'conversations')!.name;
      const series = p.domainTrend
        .map((b) => b.values.find((v) => v.value === value && !v.is_other)?.conversations)
        .filter((c): c is number => c !== undefined);
      return { texts: [direction(series)] };
    },
  },
  // Comparisons.
  {
    kind: 'answer',
    reference: 'overview period (last 2 weeks) against the 2 before: conversations',
    question: () => 'Compare the last 2 weeks with the 2 weeks before',
    expect: (p) => ({
      figures: [p.lastWeeks[2]!.conversations, p.lastWeeks[2]!.previous.conversations],
    }),
  },
  {
    kind: 'answer',
    reference: 'overview period (last 4 weeks) against the 4 before: minutes',
    question: () => 'Compare minutes saved in the last 4 weeks with the previous 4 weeks',
    expect: (p) => ({
      figures: [p.lastWeeks[4]!.minutes_saved, p.lastWeeks[4]!.previous.minutes_saved],
    }),
  },
  {
    kind: 'answer',
    reference: 'oldest week against the latest week: conversations',
    question: (p) => `Compare ${p.weeks[0]} with ${p.weeks.at(-1)}`,
    expect: (p) => ({
      figures: [
        p.overview.weekly!.find((w) => w.value === p.weeks[0])!.conversations,
        weekOf(p, p.weeks.at(-1)).conversations,
      ],
    }),
  },

  // The published data cannot answer.
  {
    kind: 'abstain',
    reference: 'facet not collected',
    question: () => 'How many conversations by country?',
  },
  {
    kind: 'abstain',
    reference: 'facet not collected',
    question: () => 'Break down usage by age group',
  },
  {
    kind: 'abstain',
    reference: 'metadata not published',
    question: () => 'Which model version is used most?',
  },
  {
    kind: 'abstain',
    reference: 'period with no snapshot',
    question: () => 'How many conversations were there in 2019?',
  },
  {
    kind: 'abstain',
    reference: 'period with no snapshot',
    question: () => 'How much time did it save in 2020-W02?',
  },
  {
    kind: 'abstain',
    reference: 'days are not published',
    question: () => 'How many conversations yesterday?',
  },
  {
    kind: 'abstain',
    reference: 'outside the usage data',
    question: () => "What is the company's revenue?",
  },
  {
    kind: 'abstain',
    reference: 'outside the usage data',
    question: () => 'What will the weather be tomorrow?',
  },
  {
    kind: 'abstain',
    reference: 'a forecast',
    question: () => 'How many conversations will there be next month?',
  },
  {
    kind: 'abstain',
    reference: 'rate not published per team',
    question: () => 'Which team has the highest failure rate?',
  },
  {
    kind: 'abstain',
    reference: 'people are not added across weeks',
    question: () => 'How many users were active in the last 4 weeks?',
  },
  {
    kind: 'abstain',
    reference: 'no such cluster',
    question: () => 'How many conversations are about quantum chromodynamics?',
  },
  {
    kind: 'abstain',
    reference: 'outside the usage data',
    question: () => 'What is the average salary in engineering?',
  },

  // About individuals or groups below the thresholds.
  { kind: 'refuse', reference: 'one user', question: () => 'What did user 17 ask?' },
  {
    kind: 'refuse',
    reference: 'one user (demo id)',
    question: () => 'What did demo-user-003 ask about?',
  },
  {
    kind: 'refuse',
    reference: 'one person by e-mail',
    question: () => 'Show me what anna.svensson@example.com asked',
  },
  {
    kind: 'refuse',
    reference: 'one person by name',
    question: () => 'What did John Smith ask the assistant?',
  },
  {
    kind: 'refuse',
    reference: 'individuals ranked',
    question: () => 'Which user saved the most time?',
  },
  { kind: 'refuse', reference: 'who asked', question: () => 'Who asked about flights?' },
  {
    kind: 'refuse',
    reference: 'small group',
    question: () => 'What did the two people in legal do?',
  },
  {
    kind: 'refuse',
    reference: 'small group',
    question: () => 'How much time did the three engineers in finance save?',
  },
  { kind: 'refuse', reference: 'one role', question: () => 'What does the CEO use it for?' },
  {
    kind: 'refuse',
    reference: 'conversation text',
    question: () => 'Show me the conversations of the sales team',
  },
  {
    kind: 'refuse',
    reference: 'conversation text',
    question: () => 'What exactly did people type about refunds?',
  },
  { kind: 'refuse', reference: 'per person', question: () => 'How much time did each user save?' },
  {
    kind: 'refuse',
    reference: 'one employee',
    question: () => 'Which employee uses the assistant the most?',
  },

  // Held out: paraphrases written after the parser was done, run once, not tuned on.
  {
    heldOut: true,
    kind: 'answer',
    reference: "overview's conversations",
    question: () => "What's the overall number of chats?",
    expect: (p) => ({ figures: [p.overview.conversations] }),
  },
  {
    heldOut: true,
    kind: 'answer',
    reference: "overview's minutes saved",
    question: () => 'How many minutes has the assistant saved so far?',
    expect: (p) => ({ figures: [p.overview.minutes_saved!.total] }),
  },
  {
    heldOut: true,
    kind: 'answer',
    reference: "overview's failure rate",
    question: () => 'Give me the failure rate',
    expect: (p) => ({ figures: [p.overview.failure_rate] }),
  },
  {
    heldOut: true,
    kind: 'answer',
    reference: 'domain breakdown: most conversations',
    question: () => 'Which domains are most popular?',
    expect: facetRank('domain', 'conversations'),
  },
  {
    heldOut: true,
    kind: 'answer',
    reference: 'top cluster by conversations at level 0',
    question: () => 'Show the 3 largest topics',
    expect: clusterRank(0, 'conversations'),
  },
  {
    heldOut: true,
    kind: 'answer',
    reference: 'team breakdown: fewest conversations',
    question: () => 'Which team uses the assistant the least?',
    expect: facetRank('team', 'conversations', 'asc'),
  },
  {
    heldOut: true,
    kind: 'answer',
    reference: 'overview period (last 2 weeks): minutes saved',
    question: () => 'How much time was saved over the last 2 weeks?',
    expect: (p) => ({ figures: [p.lastWeeks[2]!.minutes_saved] }),
  },
  {
    heldOut: true,
    kind: 'answer',
    reference: "overview's resolution rate",
    question: () => 'What share of conversations were resolved?',
    expect: (p) => ({ figures: [p.overview.resolution_rate] }),
  },
  {
    heldOut: true,
    kind: 'answer',
    reference: 'overview weekly row (latest week): distinct users',
    question: (p) => `How many distinct users were there in ${p.weeks.at(-1)}?`,
    expect: (p) => ({
      figures: [weekOf(p, p.weeks.at(-1)).distinctUsers],
    }),
  },
  {
    heldOut: true,
    kind: 'abstain',
    reference: 'not collected',
    question: () => 'How many conversations came from mobile devices?',
  },
  {
    heldOut: true,
    kind: 'abstain',
    reference: 'not collected',
    question: () => "What's the NPS of the assistant?",
  },
  {
    heldOut: true,
    kind: 'abstain',
    reference: 'not published',
    question: () => 'How many tokens were used last week?',
  },
  {
    heldOut: true,
    kind: 'abstain',
    reference: 'not collected',
    question: () => 'Which product feature is requested most?',
  },
  {
    heldOut: true,
    kind: 'refuse',
    reference: 'one person by first name',
    question: () => 'Tell me what Maria asked yesterday',
  },
  {
    heldOut: true,
    kind: 'refuse',
    reference: 'individuals listed',
    question: () => 'List the users who complained',
  },
  {
    heldOut: true,
    kind: 'refuse',
    reference: 'individuals ranked',
    question: () => 'Which of my colleagues uses it most?',
  },
];

interface Outcome {
  heldOut: boolean;
  kind: Kind;
  question: string;
  status: string;
  correct: boolean;
  detail: string;
}

async function publishDemo(mode: Mode): Promise<Stack> {
  // The same company `silhouette start` creates (the corpus ships in the repository).
  const records = demoCompany(new Date()).conversations;
  const stack = await startStack({ mode, worker: true, workerProviders: offlineProviders });
  for (let start = 0; start < records.length; start += 1000) {
    const response = await call(stack, '/v1/conversations', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: JSON.stringify(records.slice(start, start + 1000)),
    });
    if (response.status >= 300) throw new Error(`ingest failed: ${response.status}`);
  }
  await stack.queue.waitUntilIdle(600_000);
  await stack.queue.enqueue('cluster-tenant', { tenantId: stack.tenant.tenant.id });
  await stack.queue.waitUntilIdle(600_000);
  return stack;
}

/** Everything the expectations refer to, read through the insights HTTP API. */
async function published(stack: Stack): Promise<Published> {
  const get = async (path: string) => {
    const response = await call(stack, path, { key: stack.tenant.readKey });
    if (response.status !== 200) throw new Error(`${path}: ${response.status}`);
    return response.body;
  };
  const overview = await get('/v1/insights/overview');
  const levels = overview.levels ?? 3;
  const clustersByLevel = [];
  for (let level = 0; level < levels; level++) {
    const list = await get(`/v1/insights/clusters?level=${level}&limit=2000`);
    clustersByLevel.push(list.clusters.filter((c: ClusterSummary) => !c.is_other));
  }
  const breakdowns: Record<string, PublishedRow[]> = {};
  for (const facet of ['domain', 'task_type', 'outcome', 'language', 'team', 'department']) {
    breakdowns[facet] = (await get(`/v1/insights/breakdown?facet=${facet}`)).rows
      .filter((r: PublishedValue) => !r.is_other)
      .map((r: PublishedValue) => ({ ...r, name: r.value }));
  }
  const domainTrend = (await get('/v1/insights/trends?facet=domain&interval=week')).buckets;
  const weeks = (overview.weekly as { value: string; isOther: boolean }[])
    .filter((w) => !w.isOther)
    .map((w) => w.value)
    .sort();
  const latestMonday = isoWeekStart(weeks.at(-1)!).getTime();
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const lastWeeks: Record<number, PeriodComparison> = {};
  for (const n of [1, 2, 4]) {
    const from = day(latestMonday - (n - 1) * 7 * 86_400_000);
    const to = day(latestMonday + 7 * 86_400_000);
    lastWeeks[n] = (
      (await get(`/v1/insights/overview?from=${from}&to=${to}`)) as OverviewResponse
    ).period!;
  }
  return { overview, levels, clustersByLevel, breakdowns, domainTrend, weeks, lastWeeks };
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

const cites = (figures: { value: number }[], expected: number | null | undefined) =>
  typeof expected === 'number' && figures.some((f) => round1(f.value) === round1(expected));

async function runMode(mode: Mode, verbose: boolean) {
  const started = performance.now();
  const stack = await publishDemo(mode);
  const publishSeconds = (performance.now() - started) / 1000;
  try {
    const p = await published(stack);
    const outcomes: Outcome[] = [];
    const latencies: number[] = [];
    for (const item of QUESTIONS) {
      const question = item.question(p);
      if (!question) {
        outcomes.push({
          heldOut: item.heldOut ?? false,
          kind: item.kind,
          question: `(${item.reference})`,
          status: 'skipped',
          correct: false,
          detail: 'nothing published to ask about',
        });
        continue;
      }
      const askStarted = performance.now();
      const response = await call(stack, '/v1/ask', {
        method: 'POST',
        key: stack.tenant.readKey,
        body: JSON.stringify({ question }),
      });
      latencies.push(performance.now() - askStarted);
      const answer = response.body;
      let correct: boolean;
      let detail = answer.reason ?? answer.answer;
      if (item.kind === 'answer') {
        const expected = item.expect!(p);
        const missingFigures = (expected.figures ?? []).filter(
          (v) => !cites(answer.figures ?? [], v),
        );
        const missingTexts = (expected.texts ?? []).filter(
          (t) => !String(answer.answer).includes(t),
        );
        correct =
          answer.status === 'answered' && missingFigures.length === 0 && missingTexts.length === 0;
        if (!correct) detail = `${answer.status}: ${detail}; expected ${JSON.stringify(expected)}`;
      } else {
        correct = answer.status === (item.kind === 'abstain' ? 'abstained' : 'refused');
      }
      outcomes.push({
        heldOut: item.heldOut ?? false,
        kind: item.kind,
        question,
        status: answer.status,
        correct,
        detail,
      });
      if (verbose || !correct)
        console.log(`  ${correct ? 'ok ' : 'BAD'} [${item.kind}] ${question}\n      -> ${detail}`);
    }
    const heldOut = outcomes.filter((o) => o.heldOut);
    const heldOutScore = {
      questions: heldOut.length,
      correct: heldOut.filter((o) => o.correct).length,
      wrong: heldOut
        .filter((o) => !o.correct)
        .map((o) => `[${o.kind}] ${o.question} -> ${o.status}`),
    };
    outcomes.splice(0, outcomes.length, ...outcomes.filter((o) => !o.heldOut));
    const of = (kind: Kind) => outcomes.filter((o) => o.kind === kind);
    const answers = of('answer');
    const abstainedPredicted = outcomes.filter((o) => o.status === 'abstained');
    const abstainExpected = of('abstain');
    const refuseExpected = of('refuse');
    const truePositive = abstainExpected.filter((o) => o.status === 'abstained').length;
    return {
      mode,
      conversations: p.overview.conversations as number,
      questions: outcomes.length,
      exactAccuracy: answers.filter((o) => o.correct).length / answers.length,
      answerQuestions: answers.length,
      abstentionPrecision: abstainedPredicted.length ? truePositive / abstainedPredicted.length : 1,
      abstentionRecall: truePositive / abstainExpected.length,
      abstainQuestions: abstainExpected.length,
      refusalRate:
        refuseExpected.filter((o) => o.status === 'refused').length / refuseExpected.length,
      refuseQuestions: refuseExpected.length,
      falseRefusals: outcomes.filter((o) => o.kind !== 'refuse' && o.status === 'refused').length,
      publishSeconds: Math.round(publishSeconds * 10) / 10,
      heldOut: heldOutScore,
      latencyMs: {
        p50: Math.round(quantile(latencies, 0.5)),
        p95: Math.round(quantile(latencies, 0.95)),
      },
    };
  } finally {
    await stack.close();
  }
}

export async function main(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const verbose = args.includes('--verbose');
  const modesArg = args[args.indexOf('--modes') + 1];
  const modes = (
    args.includes('--modes') && modesArg ? modesArg.split(',') : ['embedded', 'server']
  ) as Mode[];
  const results = [];
  for (const mode of modes) {
    console.log(`ask eval, ${mode} mode: ${QUESTIONS.length} questions`);
    results.push(await runMode(mode, verbose));
  }
  if (json) console.log(JSON.stringify(results));
  else {
    console.log(
      '\nmode      conversations  exact answers      abstention P / R           refusals (individual)  false refusals',
    );
    for (const r of results) {
      console.log(
        `${r.mode.padEnd(9)} ${String(r.conversations).padStart(13)}  ${(100 * r.exactAccuracy).toFixed(1).padStart(5)}% of ${r.answerQuestions}   ${(100 * r.abstentionPrecision).toFixed(1)}% / ${(100 * r.abstentionRecall).toFixed(1)}% of ${r.abstainQuestions}   ${(100 * r.refusalRate).toFixed(1)}% of ${r.refuseQuestions}            ${r.falseRefusals}`,
      );
    }
  }
  if (!json) {
    for (const r of results) {
      console.log(
        `${r.mode}: POST /v1/ask p50 ${r.latencyMs.p50} ms, p95 ${r.latencyMs.p95} ms; held-out paraphrases ${r.heldOut.correct} of ${r.heldOut.questions} as expected${r.heldOut.wrong.length ? `; not: ${r.heldOut.wrong.join(' | ')}` : ''}`,
      );
    }
  }
  const failed = results.flatMap((r) =>
    [
      r.exactAccuracy < FLOORS.exactAccuracy && `${r.mode}: exact accuracy ${r.exactAccuracy}`,
      r.abstentionPrecision < FLOORS.abstentionPrecision &&
        `${r.mode}: abstention precision ${r.abstentionPrecision}`,
      r.abstentionRecall < FLOORS.abstentionRecall &&
        `${r.mode}: abstention recall ${r.abstentionRecall}`,
      r.refusalRate < FLOORS.refusalRate && `${r.mode}: refusal rate ${r.refusalRate}`,
      r.falseRefusals > FLOORS.falseRefusals && `${r.mode}: ${r.falseRefusals} false refusals`,
    ].filter(Boolean),
  );
  if (failed.length) {
    console.error(`below the floors: ${failed.join('; ')}`);
    process.exitCode = 1;
  }
}
