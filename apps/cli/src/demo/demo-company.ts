/**
 * The demo company: turns the shipped corpus (demo-corpus.ts) into ten weeks of a payments
 * company's assistant use. 80 pseudonymous people in six teams whose usage differs (engineers
 * code, support looks up answers, sales and marketing draft, finance works with numbers,
 * operations books travel), plus three small corporate teams (legal, people, executive office)
 * that stay below the privacy thresholds so that suppression shows; so do four languages spoken
 * by two people each. Adoption grows week by week; an assistant release four
 * weeks ago ("assistant-v2") brought a run of refusals.
 *
 * Deterministic: who asks what depends only on SEED and the record ids; timestamps are offsets
 * from the start of the current UTC day, so every start on the same day generates the same
 * records (ingest is idempotent on id, so later starts add nothing).
 */
import { fnv1a, mulberry32 } from '@silhouette/privacy';
import type { CanonicalConversation, ConversationMetadata } from '@silhouette/contracts';
import { readDemoCorpus, type DemoCorpusRecord, type DemoTopic } from './demo-corpus';

const SEED = 14_2026;
const DAY_MS = 86_400_000;
/** The span of the demo, in days before today. */
export const DEMO_DAYS = 70;
/** The assistant release: refusals of creative prompts start with it. */
const RELEASE_DAYS_AGO = 28;

export interface DemoTeam {
  readonly team: string;
  readonly department: string;
  readonly people: number;
  /** Earliest and latest adoption, in days after the demo's first day. */
  readonly adoption: readonly [number, number];
  /** People (the first ones of the team) who work in another language, and how many of them. */
  readonly locales?: readonly {
    readonly locale: string;
    readonly language: string;
    readonly people: number;
  }[];
}

export const DEMO_TEAMS: readonly DemoTeam[] = [
  {
    team: 'engineering',
    department: 'product & engineering',
    people: 18,
    adoption: [0, 21],
  },
  {
    team: 'support',
    department: 'customer operations',
    people: 16,
    adoption: [0, 28],
    locales: [
      { locale: 'fr-FR', language: 'fr', people: 8 },
      { locale: 'pt-PT', language: 'pt', people: 2 },
    ],
  },
  {
    team: 'sales',
    department: 'commercial',
    people: 12,
    adoption: [7, 35],
    locales: [{ locale: 'de-DE', language: 'de', people: 8 }],
  },
  {
    team: 'marketing',
    department: 'commercial',
    people: 9,
    adoption: [7, 35],
    locales: [{ locale: 'it-IT', language: 'it', people: 2 }],
  },
  {
    team: 'finance',
    department: 'finance & operations',
    people: 9,
    adoption: [14, 42],
    locales: [{ locale: 'es-ES', language: 'es', people: 2 }],
  },
  {
    team: 'operations',
    department: 'finance & operations',
    people: 8,
    adoption: [0, 35],
    locales: [{ locale: 'nl-NL', language: 'nl', people: 2 }],
  },
  // Below k_users on purpose: each team is pooled into "other" (which passes on its own, eight
  // people), while their department, "corporate", is large enough to be shown.
  { team: 'legal', department: 'corporate', people: 3, adoption: [21, 42] },
  { team: 'people', department: 'corporate', people: 3, adoption: [14, 42] },
  { team: 'executive office', department: 'corporate', people: 2, adoption: [28, 49] },
];

/** Which teams use a topic, and how much. */
const TOPIC_TEAMS: Readonly<Record<DemoTopic, Readonly<Record<string, number>>>> = {
  code: { engineering: 0.9, operations: 0.05, finance: 0.05 },
  support: { support: 1 },
  travel: { operations: 0.6, sales: 0.22, marketing: 0.1, legal: 0.03, 'executive office': 0.05 },
  writing: {
    marketing: 0.33,
    sales: 0.38,
    support: 0.05,
    legal: 0.08,
    people: 0.08,
    engineering: 0.08,
  },
  numbers: { finance: 0.7, operations: 0.1, sales: 0.1, engineering: 0.1 },
  general: {
    engineering: 0.2,
    marketing: 0.18,
    sales: 0.13,
    support: 0.1,
    finance: 0.14,
    operations: 0.1,
    legal: 0.05,
    people: 0.06,
    'executive office': 0.04,
  },
  creative: { marketing: 0.7, sales: 0.3 },
};

export interface DemoPerson {
  readonly userId: string;
  readonly team: string;
  readonly department: string;
  readonly locale: string;
  readonly language: string;
  /** Relative activity: a few people use the assistant much more than others. */
  readonly activity: number;
  /** Days after the demo's first day when this person started using the assistant. */
  readonly adoptionDay: number;
}

function randomFor(key: string): () => number {
  return mulberry32(fnv1a(key, SEED));
}

export function demoPeople(): DemoPerson[] {
  const people: DemoPerson[] = [];
  for (const team of DEMO_TEAMS) {
    const locales = team.locales ?? [];
    for (let i = 0; i < team.people; i++) {
      const random = randomFor(`person:${team.team}:${i}`);
      let remaining = i;
      const local = locales.find((l) => {
        if (remaining < l.people) return true;
        remaining -= l.people;
        return false;
      });
      const [from, to] = team.adoption;
      people.push({
        userId: `person-${String(people.length + 1).padStart(3, '0')}`,
        team: team.team,
        department: team.department,
        locale: local?.locale ?? 'en-GB',
        language: local?.language ?? 'en',
        // Heavy-tailed: most people ask a little, some ask a lot.
        activity: 0.3 + -Math.log(1 - random() * 0.999),
        adoptionDay: Math.round(from + random() * (to - from)),
      });
    }
  }
  return people;
}

function weightedPick<T>(items: readonly T[], weight: (item: T) => number, r: number): T {
  const total = items.reduce((sum, item) => sum + weight(item), 0);
  let x = r * total;
  for (const item of items) {
    x -= weight(item);
    if (x < 0) return item;
  }
  return items[items.length - 1]!;
}

function askerFor(record: DemoCorpusRecord, people: readonly DemoPerson[]): DemoPerson {
  const random = randomFor(`asker:${record.id}`);
  if (record.language !== 'en') {
    const speakers = people.filter((p) => p.language === record.language);
    if (speakers.length === 0) throw new Error(`demo: nobody speaks ${record.language}`);
    return weightedPick(speakers, (p) => p.activity, random());
  }
  const weights = TOPIC_TEAMS[record.topic];
  const team = weightedPick(Object.keys(weights), (t) => weights[t]!, random());
  return weightedPick(
    people.filter((p) => p.team === team),
    (p) => p.activity,
    random(),
  );
}

/** Usage on the first day relative to the growth added by the last: density ∝ BASE + t / DEMO_DAYS. */
const GROWTH_BASE = 0.8;

/**
 * A day in [from, DEMO_DAYS), denser towards today (usage grows). Weekends are rarer: a weekend
 * draw is redrawn, up to three times.
 */
function dayFor(from: number, isWeekend: (day: number) => boolean, random: () => number): number {
  const cdf = (t: number) => GROWTH_BASE * t + (t * t) / (2 * DEMO_DAYS);
  const lo = cdf(from);
  const hi = cdf(DEMO_DAYS);
  let day = from;
  for (let attempt = 0; attempt < 4; attempt++) {
    // The inverse of the quadratic CDF.
    const target = lo + random() * (hi - lo);
    const t =
      -GROWTH_BASE * DEMO_DAYS + Math.sqrt((GROWTH_BASE * DEMO_DAYS) ** 2 + 2 * DEMO_DAYS * target);
    day = Math.min(DEMO_DAYS - 1, Math.max(from, Math.floor(t)));
    if (!isWeekend(day)) break;
  }
  return day;
}

export interface DemoConversationSet {
  readonly conversations: CanonicalConversation[];
  readonly people: DemoPerson[];
}

/** The demo company's conversations for a start on `now`'s UTC day. */
export function demoCompany(
  now: Date,
  corpus: readonly DemoCorpusRecord[] = readDemoCorpus(),
): DemoConversationSet {
  const today = Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate());
  const firstDay = today - DEMO_DAYS * DAY_MS;
  const isWeekend = (day: number) => {
    const weekday = new Date(firstDay + day * DAY_MS).getUTCDay();
    return weekday === 0 || weekday === 6;
  };
  const people = demoPeople();
  const conversations = corpus.map((record) => {
    const person = askerFor(record, people);
    const random = randomFor(`time:${record.id}`);
    // Refusals came with the release; everything else from the person's first day on.
    const from =
      record.edit === 'refusal-written'
        ? Math.max(person.adoptionDay, DEMO_DAYS - RELEASE_DAYS_AGO)
        : person.adoptionDay;
    const day = dayFor(from, isWeekend, random);
    // Working hours, 07:00-18:00 UTC.
    const minute = 7 * 60 + Math.floor(random() * 11 * 60);
    const startedAt = new Date(firstDay + day * DAY_MS + minute * 60_000);
    const metadata: ConversationMetadata = {
      team: person.team,
      department: person.department,
      product: record.topic === 'support' ? 'support-copilot' : 'workspace-assistant',
      model: day >= DEMO_DAYS - RELEASE_DAYS_AGO ? 'assistant-v2' : 'assistant-v1',
      locale: person.locale,
    };
    return {
      id: `demo-${record.id}`,
      user_id: person.userId,
      started_at: startedAt.toISOString(),
      metadata,
      messages: record.messages.map((m) => ({ role: m.role, content: m.content })),
    };
  });
  return { conversations, people };
}
