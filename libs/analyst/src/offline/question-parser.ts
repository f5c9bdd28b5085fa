/**
 * The offline question parser: deterministic, for a fixed set of question shapes (listed in
 * `QUESTION_SHAPES`, which every abstention repeats). It answers only when it understood every
 * content word of the question; anything else is an abstention, never a guess.
 */
import type { Period } from '../tools/periods';
import { NUMBER_WORDS, numberOf } from './number-words';
import { nameTokens } from '../tools/analyst-tools';

export const QUESTION_SHAPES = [
  'totals and rates, overall or for whole weeks: "How many conversations were there in the last 4 weeks?", "What is the failure rate?", "How much time did it save last month?"',
  'top or bottom N clusters or facet values by conversations, users, minutes saved or failure rate: "Top 5 clusters by minutes saved", "Which team has the most conversations?", "Bottom 3 domains by users"',
  'one cluster\'s or facet value\'s figures: "How many conversations are in <cluster name>?", "What is the failure rate of <cluster name>?"',
  'trend direction of a cluster or facet value, or of all conversations: "Is <cluster or domain> growing?"',
  'comparison of two periods: "Compare the last 4 weeks with the 4 weeks before", "Compare 2026-W40 with 2026-W44"',
] as const;

export type Metric =
  'conversations' | 'distinct_users' | 'minutes_saved' | 'failure_rate' | 'resolution_rate';

export interface Entity {
  kind: 'cluster' | 'value';
  /** Cluster id, or the facet value. */
  id: string;
  name: string;
  facet?: string;
}

/** What the parser needs to know about the published data (names to match against). */
export interface ParserVocabulary {
  facets: string[];
  clusters: { id: string; name: string; level: number }[];
  values: { facet: string; value: string }[];
  /** The month of the latest published week (for "this month", "week 41"). */
  latestWeek?: string;
  levels: number;
}

export type ParsedQuestion =
  | { shape: 'total'; metric: Metric | 'all'; period?: Period; hours: boolean }
  | {
      shape: 'rank';
      subject: { kind: 'cluster'; level: number } | { kind: 'facet'; facet: string };
      metric: Metric;
      order: 'desc' | 'asc';
      n: number;
      hours: boolean;
    }
  | { shape: 'entity'; entity: Entity; metric: Metric | 'all'; hours: boolean }
  | { shape: 'trend'; entity?: Entity }
  | {
      shape: 'compare';
      current: Period;
      previous?: Period;
      metric: 'conversations' | 'minutes_saved';
    }
  | { shape: 'abstain'; reason: string };

const NUMBERS = NUMBER_WORDS;
const NUM = `(\\d+|${Object.keys(NUMBERS).join('|')})`;
const toNumber = numberOf;

const MONTHS = [
  'january',
  'february',
  'march',
  'april',
  'may',
  'june',
  'july',
  'august',
  'september',
  'october',
  'november',
  'december',
];

/** Words the parser understands; a question with any other content word is not answered. */
const KNOWN = new Set(
  `how many much what whats which is are was were the a an of in on for by per to from with and or at
  did does do there has have had been it its total totals overall all time ever so far since start
  number count conversations conversation chats chat usage used use uses using assistant ai
  people users user active distinct unique minutes minute hours hour time saved save saves saving
  savings rate rates failure failures fail fails failed failing resolution resolved resolve success
  successful helpful solved unresolved share percentage percent top bottom most least highest
  lowest largest smallest biggest best worst fewest more less level levels cluster clusters topic
  topics case cases group groups category categories theme themes weeks week last past this
  previous prior before latest recent month months compare compared comparison versus vs against
  than change changed changes growing grow grows growth declining decline declines trend trends
  trending increasing increase decreasing decrease rising rise falling fall shrinking going up down
  over show me tell give list rank ranked ranking ranks popular common frequently often get got
  be being value values figures figure numbers stats statistics current currently so far period
  periods same length weeks just between versus doing much well did lot lots about whole
  each please can could you would like know an into across within during recently now
  top-level base finest coarsest highest-level size big small large`.split(/\s+/),
);

const CLUSTER_WORDS = /\b(clusters?|topics?|use cases?|groups?|categor(?:y|ies)|themes?)\b/;

/** Facet aliases: the key, its words, plurals ("task types", "tasks" for task_type). */
function facetAliases(facet: string): string[] {
  const words = facet.replace(/_/g, ' ');
  const aliases = [words, `${words}s`, facet, `${facet}s`];
  const head = words.split(' ')[0]!;
  if (head !== words) aliases.push(head, `${head}s`);
  if (words.endsWith('y')) aliases.push(`${words.slice(0, -1)}ies`);
  return aliases;
}

function detectMetric(q: string): Metric | undefined {
  if (
    /\b(time|minutes?|hours?)\b[^?]{0,20}\bsav|\bsav(?:e|ed|es|ing|ings)\b|\bhow much time\b/.test(
      q,
    )
  )
    return 'minutes_saved';
  if (/\bfail(?:s|ed|ing|ure|ures)?\b|\bunresolved\b|\bwent wrong\b/.test(q)) return 'failure_rate';
  if (/\bresol(?:ved|ution|ve)\b|\bsuccess(?:ful)?\b|\bhelpful\b|\bsolved\b/.test(q))
    return 'resolution_rate';
  if (/\b(users?|people|adopt\w*|active)\b/.test(q)) return 'distinct_users';
  if (/\b(conversations?|chats?|usage|used|use|uses|popular|common|often|volume)\b/.test(q))
    return 'conversations';
  return undefined;
}

function detectPeriods(q: string, latestWeek: string | undefined): Period[] | { abstain: string } {
  if (
    /\b(yesterday|today|tonight|this morning|hour by hour|per day|daily|each day|on (?:monday|tuesday|wednesday|thursday|friday|saturday|sunday))\b/.test(
      q,
    )
  ) {
    return {
      abstain: 'the published data does not say: figures are published per ISO week, never per day',
    };
  }
  const periods: Period[] = [];
  const latestYear = latestWeek?.slice(0, 4);
  // Explicit ISO weeks: one is a period, two are a range (or two periods when compared).
  const weeks = [...q.matchAll(/\b(\d{4})-w(\d{2})\b/g)].map((m) => `${m[1]}-W${m[2]}`);
  const shortWeeks = latestYear
    ? [...q.matchAll(/\bweek (\d{1,2})\b/g)].map((m) => `${latestYear}-W${m[1]!.padStart(2, '0')}`)
    : [];
  for (const week of [...weeks, ...shortWeeks]) periods.push({ from_week: week, to_week: week });
  for (const m of q.matchAll(/\b(\d{4})-(\d{2})\b(?!-)/g))
    periods.push({ month: `${m[1]}-${m[2]}` });
  for (const m of q.matchAll(new RegExp(`\\b(${MONTHS.join('|')})(?:\\s+(\\d{4}))?\\b`, 'g'))) {
    const year = m[2] ?? latestYear;
    if (!year) continue;
    periods.push({ month: `${year}-${String(MONTHS.indexOf(m[1]!) + 1).padStart(2, '0')}` });
  }
  const lastN = new RegExp(`\\b(?:last|past|previous|latest|recent)\\s+${NUM}\\s+weeks?\\b`, 'g');
  for (const m of q.matchAll(lastN)) periods.push({ last_weeks: toNumber(m[1]!) });
  if (/\b(?:last|this|past|latest|current)\s+week\b/.test(q) && !/\bweek\s+\d/.test(q))
    periods.push({ last_weeks: 1 });
  if (latestWeek && /\b(?:last|this|past|current|previous)\s+month\b/.test(q)) {
    const [year, week] = latestWeek.split('-W').map(Number) as [number, number];
    // The month of the latest week's Sunday, stepped back for "last month".
    const sunday = new Date(Date.UTC(year, 0, 4 + 7 * (week - 1)));
    sunday.setUTCDate(sunday.getUTCDate() - ((sunday.getUTCDay() || 7) - 1) + 6);
    if (/\b(?:last|past|previous)\s+month\b/.test(q))
      sunday.setUTCMonth(sunday.getUTCMonth() - 1, 15);
    periods.push({ month: sunday.toISOString().slice(0, 7) });
  }
  for (const m of q.matchAll(/\b(?:in|during|for)\s+((?:19|20)\d{2})\b(?!-)/g)) {
    periods.push({ from_week: `${m[1]}-W01`, to_week: `${m[1]}-W52` });
  }
  // "the N weeks before": the same length just before the current period (compare_periods' default).
  const before = new RegExp(
    `\\b${NUM}\\s+weeks?\\s+before\\b|\\b(?:previous|prior|preceding)\\s+${NUM}\\s+weeks\\b`,
  );
  if (before.test(q) && periods.length === 2 && periods[1]!.last_weeks !== undefined) periods.pop();
  return periods;
}

/** Whether `phrase` occurs in `text` as whole words ("en" is not in "department"). */
function containsPhrase(text: string, phrase: string): boolean {
  const escaped = phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`(?:^|[^\\p{L}\\p{N}])${escaped}(?:[^\\p{L}\\p{N}]|$)`, 'u').test(text);
}

function matchEntity(qTokens: Set<string>, q: string, vocabulary: ParserVocabulary): Entity[] {
  const found: (Entity & { weight: number })[] = [];
  const matches = (name: string) => {
    const tokens = nameTokens(name);
    if (tokens.length === 0) return 0;
    if (containsPhrase(q, name.toLowerCase())) return tokens.length + 1;
    return tokens.every((token) => qTokens.has(token)) ? tokens.length : 0;
  };
  for (const cluster of vocabulary.clusters) {
    const weight = matches(cluster.name);
    if (weight) found.push({ kind: 'cluster', id: cluster.id, name: cluster.name, weight });
  }
  for (const { facet, value } of vocabulary.values) {
    if (/^\(.*\)$/.test(value)) continue;
    const weight = matches(value);
    if (weight) found.push({ kind: 'value', id: value, name: value, facet, weight });
  }
  // The most specific match wins (longest name); a tie between different things is ambiguous.
  found.sort((a, b) => b.weight - a.weight);
  return found.filter((entity) => entity.weight === found[0]?.weight);
}

export function parseQuestion(question: string, vocabulary: ParserVocabulary): ParsedQuestion {
  const q = question.toLowerCase().replace(/[’']/g, "'").replace(/\s+/g, ' ').trim();
  const qTokens = new Set(nameTokens(q));
  const periods = detectPeriods(q, vocabulary.latestWeek);
  if ('abstain' in periods) return { shape: 'abstain', reason: periods.abstain };

  // Facets named in the question ("by team", "which domains").
  const facetHits = vocabulary.facets.filter((facet) =>
    facetAliases(facet).some((alias) => new RegExp(`\\b${alias}\\b`).test(q)),
  );
  const entities = matchEntity(qTokens, q, vocabulary);

  // Every content word must be understood: known words, numbers, periods, facets, names.
  const understood = new Set<string>(KNOWN);
  for (const facet of facetHits)
    for (const alias of facetAliases(facet)) nameTokens(alias).forEach((t) => understood.add(t));
  for (const entity of entities) nameTokens(entity.name).forEach((t) => understood.add(t));
  MONTHS.forEach((month) => understood.add(month));
  Object.keys(NUMBERS).forEach((word) => understood.add(word));
  const unknown = [...qTokens].filter(
    (token) => !understood.has(token) && !/^\d+$/.test(token) && !/^w\d+$/.test(token),
  );
  if (unknown.length > 0) {
    const byWord = /\b(?:by|per|across|for each|in each)\s+(?:the\s+)?([\p{L}_]+)/u.exec(q)?.[1];
    if (byWord && unknown.includes(byWord)) {
      return {
        shape: 'abstain',
        reason: `the published data does not say: no breakdown by "${byWord}" is published; the facets are ${vocabulary.facets.join(', ')}`,
      };
    }
    return {
      shape: 'abstain',
      reason: `the published data does not say: "${unknown.slice(0, 4).join(' ')}" matches no published cluster, facet or figure`,
    };
  }
  if (entities.length > 1 && new Set(entities.map((e) => e.name.toLowerCase())).size > 1) {
    return {
      shape: 'abstain',
      reason: `the question matches several published names (${entities
        .slice(0, 3)
        .map((e) => `"${e.name}"`)
        .join(', ')}); name one`,
    };
  }
  const entity = entities[0];
  const metric = detectMetric(q);
  const hours = /\bhours?\b/.test(q);

  if (
    /\b(compare|compared|comparison|versus|vs|against)\b|\bthan (?:the )?(?:previous|prior|before)\b/.test(
      q,
    )
  ) {
    if (periods.length === 0) {
      return {
        shape: 'abstain',
        reason: 'name the periods to compare (whole ISO weeks or months)',
      };
    }
    return {
      shape: 'compare',
      current: periods.length === 2 ? periods[1]! : periods[0]!,
      ...(periods.length === 2 ? { previous: periods[0]! } : {}),
      metric: metric === 'minutes_saved' ? 'minutes_saved' : 'conversations',
    };
  }
  if (
    /\b(trend|trends|trending|growing|grow|grows|growth|declining|decline|declines|increasing|decreasing|rising|falling|shrinking|going up|going down)\b/.test(
      q,
    )
  ) {
    if (periods.length > 0) {
      return {
        shape: 'abstain',
        reason: 'trend directions are given over all published buckets; ask without a period',
      };
    }
    return { shape: 'trend', ...(entity ? { entity } : {}) };
  }
  const rankWord =
    /\b(top|bottom|most|least|highest|lowest|largest|smallest|biggest|best|worst|fewest|rank|ranked|ranking|which|what are the)\b/.exec(
      q,
    );
  const clusterSubject = CLUSTER_WORDS.test(q);
  if (rankWord && !entity && (clusterSubject || facetHits.length > 0)) {
    if (periods.length > 0) {
      return {
        shape: 'abstain',
        reason:
          'the published data does not say: rankings of clusters and facet values cover the whole snapshot, not single weeks',
      };
    }
    const n = new RegExp(`\\b(?:top|bottom|first|last)\\s+${NUM}\\b`).exec(q);
    const order =
      /\b(bottom|least|lowest|smallest|fewest|worst)\b/.test(q) && metric !== 'failure_rate'
        ? 'asc'
        : /\b(least|lowest|fewest)\b/.test(q)
          ? 'asc'
          : 'desc';
    const plural =
      /\b(clusters|topics|groups|categories|themes|cases|teams|domains|languages|departments|outcomes|types|values)\b/.test(
        q,
      );
    const count = n ? toNumber(n[1]!) : plural && !/\bwhich\b|\bwhat\b.*\bmost\b/.test(q) ? 5 : 1;
    const rankMetric = metric ?? 'conversations';
    if (facetHits.length > 0 && !clusterSubject) {
      if (rankMetric === 'failure_rate' || rankMetric === 'resolution_rate') {
        return {
          shape: 'abstain',
          reason: `the published data does not say: failure and resolution rates are published per cluster and overall, not per ${facetHits[0]!.replace(/_/g, ' ')}`,
        };
      }
      return {
        shape: 'rank',
        subject: { kind: 'facet', facet: facetHits[0]! },
        metric: rankMetric,
        order,
        n: count,
        hours,
      };
    }
    const levelMatch = /\blevel (\d)\b/.exec(q);
    const level = levelMatch
      ? Number(levelMatch[1])
      : /\b(base|finest|smallest groups)\b/.test(q)
        ? vocabulary.levels - 1
        : 0;
    return {
      shape: 'rank',
      subject: { kind: 'cluster', level },
      metric: rankMetric,
      order,
      n: count,
      hours,
    };
  }
  if (entity) {
    if (periods.length > 0) {
      return {
        shape: 'abstain',
        reason: `the published data does not say: figures of one ${entity.kind === 'cluster' ? 'cluster' : entity.facet!.replace(/_/g, ' ')} are published for the whole snapshot, not for single weeks`,
      };
    }
    return { shape: 'entity', entity, metric: metric ?? 'all', hours };
  }
  if (facetHits.length > 0 || clusterSubject) {
    return {
      shape: 'abstain',
      reason:
        'ask for the top or bottom values ("Which team has the most conversations?") or name one',
    };
  }
  if (metric || /\b(how many|how much|total|overall|figures|stats|statistics|numbers)\b/.test(q)) {
    if (periods.length > 1) {
      return { shape: 'abstain', reason: 'name one period, or ask to compare two' };
    }
    const oneWeek =
      periods[0]?.last_weeks === 1 ||
      (periods[0]?.from_week !== undefined && periods[0].from_week === periods[0].to_week);
    if (
      periods.length === 1 &&
      ((metric === 'distinct_users' && !oneWeek) ||
        metric === 'failure_rate' ||
        metric === 'resolution_rate')
    ) {
      return {
        shape: 'abstain',
        reason: `the published data does not say: ${metric === 'distinct_users' ? 'people are counted per week and cannot be added across weeks' : 'rates are published for the whole snapshot'}; the weekly figures are in the overview`,
      };
    }
    return {
      shape: 'total',
      metric: metric ?? 'all',
      ...(periods[0] ? { period: periods[0] } : {}),
      hours,
    };
  }
  return {
    shape: 'abstain',
    reason: 'the question is not one of the shapes the offline analyst understands',
  };
}
