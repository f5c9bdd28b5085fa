/**
 * `npm run eval -- tagging [--json]`: how well the OFFLINE tagger's labels agree with public,
 * labelled data (shared/data, read-only), how often it abstains, how its confidence is calibrated,
 * and how fast it is.
 *
 *  (a) task type on MT-Bench (80 prompts, 8 categories) and Vicuna-Bench (80 prompts, 9 categories),
 *      each conversation built from the user turns only;
 *  (b) domain on the single-domain dialogues of SGD dev (USER → user, SYSTEM → assistant);
 *  (b') domain on banking77 test (3,080 single customer questions to a bank, all expected
 *      "personal finance"). It was held out at first: the first run gave 39.2% (36% abstained),
 *      which showed the personal-finance vocabulary lacked everyday card and payment words; one
 *      pass added them from general knowledge (not from the file). Since then it is no longer a
 *      held-out figure, and the report says so;
 *  (b'') privacy of the composed text on presidio's 1,500 synthetic PII sentences: no use_case or
 *      goal_summary may contain a digit, an "@", or any word of a PERSON, EMAIL_ADDRESS,
 *      CREDIT_CARD, PHONE_NUMBER, IBAN_CODE, US_SSN or IP_ADDRESS span (ceiling: zero);
 *  (c) outcome / failure / frustration distribution on all SGD dev dialogues (sanity check: nearly
 *      every SGD dialogue ends with thanks or a polite close, so most should be "resolved");
 *  (d) throughput of OfflineTagger.tag() on SGD dialogues, one core.
 *
 * Benchmark categories and our labels are different vocabularies, so every comparison goes
 * through a label-level mapping table below (labels only: no benchmark text is listed anywhere,
 * and nothing in the taxonomy was copied from these files). "Abstained" means the tagger answered
 * "other" where the comparison needed a label.
 *
 * Exits non-zero when a figure falls below its regression floor (FLOORS).
 */
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import type { CanonicalMessage } from '@silhouette/contracts';
import { OfflineTagger, type OfflineTagExplanation } from '../../libs/llm/src/offline/index';

const DATA = new URL('../../../shared/data/', import.meta.url);

/**
 * Regression floors, a few points below the figures measured when the tagger was written
 * (offline-1: MT-Bench 72.5%, Vicuna 82.5%, SGD 99.2%, banking77 79.9%, SGD resolved 99.4%). The
 * throughput floor is the brief's target for ~1 KB conversations on one core.
 */
const FLOORS = {
  mtBenchAccuracy: 0.65,
  vicunaAccuracy: 0.75,
  sgdAccuracy: 0.95,
  banking77Accuracy: 0.7,
  sgdResolvedShare: 0.9,
  /** A ceiling, not a floor: composed text copying personal data is never acceptable. */
  privacyLeaks: 0,
  conversationsPerSecond: 2_000,
} as const;

// ---------------------------------------------------------------------------------------------
// Label-level mapping tables
// ---------------------------------------------------------------------------------------------

/**
 * MT-Bench: our task type decides the category when it has one. STEM and humanities are subject
 * areas, not tasks, so for question-like tasks (explanation, analysis, advice, ...) the domain
 * decides: sciences, medicine, computing and data → stem; humanities, law, business, economics,
 * education, arts and media → humanities; math → math.
 */
const MT_BENCH_BY_TASK: Readonly<Record<string, string>> = {
  'role-play': 'roleplay',
  drafting: 'writing',
  editing: 'writing',
  reasoning: 'reasoning',
  calculation: 'math',
  coding: 'coding',
  debugging: 'coding',
  'data transformation': 'coding',
  'information extraction': 'extraction',
  summarization: 'extraction',
};
const MT_BENCH_BY_DOMAIN: Readonly<Record<string, string>> = {
  'science & research': 'stem',
  'healthcare & medicine': 'stem',
  'software engineering': 'stem',
  'data & analytics': 'stem',
  'it support': 'stem',
  math: 'math',
  'humanities & social sciences': 'humanities',
  'legal & compliance': 'humanities',
  'business & management': 'humanities',
  'finance & accounting': 'humanities',
  'marketing & sales': 'humanities',
  'hr & recruiting': 'humanities',
  'education & learning': 'humanities',
  'writing & content': 'humanities',
  'entertainment & media': 'humanities',
};

/** Vicuna-Bench categories are many-to-many with task types: the labels accepted for each. */
const VICUNA_ACCEPTS: Readonly<Record<string, readonly string[]>> = {
  generic: ['advice', 'planning', 'explanation'],
  knowledge: ['explanation', 'analysis'],
  'common-sense': ['explanation', 'reasoning', 'analysis', 'advice'],
  fermi: ['calculation', 'reasoning'],
  counterfactual: ['reasoning', 'analysis'],
  roleplay: ['role-play'],
  writing: ['drafting', 'editing'],
  coding: ['coding', 'debugging', 'data transformation'],
  math: ['calculation'],
};

/**
 * SGD domains → our domain labels. Our taxonomy is coarser than SGD's services (one "travel &
 * transportation" label for flights, hotels, buses, trains, rental cars, rides and attractions),
 * so the majority-group baseline is printed next to the accuracy.
 */
const SGD_ACCEPTS: Readonly<Record<string, readonly string[]>> = {
  Restaurants: ['food & dining'],
  Flights: ['travel & transportation'],
  Hotels: ['travel & transportation'],
  Travel: ['travel & transportation'],
  Buses: ['travel & transportation'],
  Trains: ['travel & transportation'],
  RentalCars: ['travel & transportation'],
  RideSharing: ['travel & transportation'],
  Events: ['entertainment & media'],
  Music: ['entertainment & media'],
  Movies: ['entertainment & media'],
  Media: ['entertainment & media'],
  Homes: ['real estate & housing'],
  Banks: ['personal finance'],
  Payment: ['personal finance'],
  Weather: ['weather'],
  Alarm: ['productivity & scheduling'],
  Calendar: ['productivity & scheduling'],
  // SGD "Services" are salons, dentists, doctors and therapists.
  Services: ['healthcare & medicine', 'home & lifestyle'],
  Messaging: ['productivity & scheduling'],
};

// ---------------------------------------------------------------------------------------------
// Data loading
// ---------------------------------------------------------------------------------------------

interface BenchQuestion {
  question_id: number;
  category: string;
  turns: string[];
}

interface SgdDialogue {
  dialogue_id: string;
  domains: string[];
  turns: { speaker: 'USER' | 'SYSTEM'; utterance: string }[];
}

function readJsonl<T>(relative: string): T[] {
  const text = readFileSync(new URL(relative, DATA), 'utf8');
  return text
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as T);
}

/** Minimal RFC 4180 reader for `text,category` files (quoted fields, doubled quotes). */
function readCsv(relative: string): string[][] {
  const text = readFileSync(new URL(relative, DATA), 'utf8');
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      if (row.some((f) => f.length > 0)) rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  if (field.length > 0 || row.length > 0) rows.push([...row, field]);
  return rows;
}

function benchConversation(q: BenchQuestion): CanonicalMessage[] {
  return q.turns.map((content) => ({ role: 'user', content }));
}

function sgdConversation(d: SgdDialogue): CanonicalMessage[] {
  return d.turns.map((t) => ({
    role: t.speaker === 'USER' ? 'user' : 'assistant',
    content: t.utterance,
  }));
}

// ---------------------------------------------------------------------------------------------
// Metrics
// ---------------------------------------------------------------------------------------------

interface Judged {
  gold: string;
  /** Confusion-matrix column: a benchmark category or one of our labels. */
  predicted: string;
  correct: boolean;
  abstained: boolean;
  /** Confidence of the label the comparison used. */
  confidence: number;
}

interface Report {
  name: string;
  n: number;
  accuracy: number;
  abstentionRate: number;
  accuracyOnAnswered: number;
  perClass: { gold: string; n: number; accuracy: number; abstained: number }[];
  confusion: { rows: string[]; columns: string[]; counts: number[][] };
  calibration: { bin: string; n: number; meanConfidence: number; accuracy: number }[];
  extra?: Record<string, number | string>;
}

function summarize(name: string, judged: Judged[], extra?: Report['extra']): Report {
  const n = judged.length;
  const correct = judged.filter((j) => j.correct).length;
  const answered = judged.filter((j) => !j.abstained);
  const rows = [...new Set(judged.map((j) => j.gold))].sort();
  const columns = [...new Set(judged.map((j) => j.predicted))].sort((a, b) =>
    a === 'other' ? 1 : b === 'other' ? -1 : a.localeCompare(b),
  );
  const counts = rows.map((r) =>
    columns.map((c) => judged.filter((j) => j.gold === r && j.predicted === c).length),
  );
  const perClass = rows.map((gold) => {
    const of = judged.filter((j) => j.gold === gold);
    return {
      gold,
      n: of.length,
      accuracy: ratio(of.filter((j) => j.correct).length, of.length),
      abstained: of.filter((j) => j.abstained).length,
    };
  });
  const bins = [0, 0.2, 0.4, 0.6, 0.8, 1.0001];
  const calibration = bins.slice(0, -1).map((lo, i) => {
    const hi = bins[i + 1]!;
    const inBin = answered.filter((j) => j.confidence >= lo && j.confidence < hi);
    return {
      bin: `${lo.toFixed(1)}-${Math.min(1, hi).toFixed(1)}`,
      n: inBin.length,
      meanConfidence: ratio(
        inBin.reduce((s, j) => s + j.confidence, 0),
        inBin.length,
      ),
      accuracy: ratio(inBin.filter((j) => j.correct).length, inBin.length),
    };
  });
  return {
    name,
    n,
    accuracy: ratio(correct, n),
    abstentionRate: ratio(n - answered.length, n),
    accuracyOnAnswered: ratio(answered.filter((j) => j.correct).length, answered.length),
    perClass,
    confusion: { rows, columns, counts },
    calibration,
    ...(extra ? { extra } : {}),
  };
}

function ratio(a: number, b: number): number {
  return b === 0 ? 0 : Math.round((a / b) * 1000) / 1000;
}

function evaluateMtBench(tagger: OfflineTagger): Report {
  const judged = readJsonl<BenchQuestion>('mt-bench/mt_bench_question.jsonl').map((q) => {
    const x = tagger.explain({
      conversationId: `mt-${q.question_id}`,
      messages: benchConversation(q),
    });
    const byTask = MT_BENCH_BY_TASK[x.facet.task_type];
    const byDomain = MT_BENCH_BY_DOMAIN[x.facet.domain];
    const predicted = byTask ?? byDomain;
    const abstained = predicted === undefined && x.facet.task_type === 'other';
    return {
      gold: q.category,
      predicted: predicted ?? (abstained ? 'other' : `(${x.facet.task_type})`),
      correct: predicted === q.category,
      abstained,
      confidence: byTask !== undefined ? x.taskType.confidence : x.domain.confidence,
    };
  });
  return summarize('MT-Bench task category (user turns only)', judged);
}

function evaluateVicuna(tagger: OfflineTagger): Report {
  const judged = readJsonl<BenchQuestion>('mt-bench/vicuna_bench_question.jsonl').map((q) => {
    const x = tagger.explain({
      conversationId: `vicuna-${q.question_id}`,
      messages: benchConversation(q),
    });
    const accepted = VICUNA_ACCEPTS[q.category] ?? [];
    return {
      gold: q.category,
      predicted: x.facet.task_type,
      correct: accepted.includes(x.facet.task_type),
      abstained: x.facet.task_type === 'other',
      confidence: x.taskType.confidence,
    };
  });
  return summarize('Vicuna-Bench task category (user turns only)', judged);
}

function evaluateSgdDomains(tagger: OfflineTagger, dialogues: SgdDialogue[]): Report {
  const single = dialogues.filter((d) => d.domains.length === 1);
  const judged = single.map((d) => {
    const gold = d.domains[0]!;
    const x = tagger.explain({ conversationId: d.dialogue_id, messages: sgdConversation(d) });
    return {
      gold,
      predicted: x.facet.domain,
      correct: (SGD_ACCEPTS[gold] ?? []).includes(x.facet.domain),
      abstained: x.facet.domain === 'other',
      confidence: x.domain.confidence,
    };
  });
  const groups = new Map<string, number>();
  for (const j of judged) {
    const group = (SGD_ACCEPTS[j.gold] ?? ['(unmapped)']).join(' | ');
    groups.set(group, (groups.get(group) ?? 0) + 1);
  }
  const majority = Math.max(...groups.values());
  return summarize('SGD dev domain (single-domain dialogues)', judged, {
    majorityGroupBaseline: ratio(majority, judged.length),
    targetGroups: groups.size,
  });
}

function evaluateBanking77(tagger: OfflineTagger): Report {
  const [header, ...rows] = readCsv('banking77/test.csv');
  if (header?.[0] !== 'text') throw new Error('banking77/test.csv: unexpected header');
  const judged = rows.map(([text], i) => {
    const x = tagger.explain({
      conversationId: `banking77-${i}`,
      messages: [{ role: 'user', content: text ?? '' }],
    });
    return {
      gold: 'banking (all rows)',
      predicted: x.facet.domain,
      correct: x.facet.domain === 'personal finance',
      abstained: x.facet.domain === 'other',
      confidence: x.domain.confidence,
    };
  });
  return summarize(
    'banking77 test domain (single user questions, expected "personal finance"; first held-out run: 39.2%)',
    judged,
  );
}

interface PresidioSample {
  full_text: string;
  spans: { entity_type: string; entity_value: string }[];
}

interface PrivacyReport {
  sentences: number;
  spansChecked: number;
  leaks: number;
  /** Entity types only (never the values), for a failing run. */
  leakTypes: Record<string, number>;
}

const PERSONAL_ENTITY_TYPES = new Set([
  'PERSON',
  'EMAIL_ADDRESS',
  'CREDIT_CARD',
  'PHONE_NUMBER',
  'IBAN_CODE',
  'US_SSN',
  'IP_ADDRESS',
]);

function evaluatePrivacy(tagger: OfflineTagger): PrivacyReport {
  const samples = JSON.parse(
    readFileSync(new URL('presidio/synth_dataset_v2.json', DATA), 'utf8'),
  ) as PresidioSample[];
  let spansChecked = 0;
  let leaks = 0;
  const leakTypes: Record<string, number> = {};
  samples.forEach((sample, i) => {
    const { facet } = tagger.explain({
      conversationId: `presidio-${i}`,
      messages: [{ role: 'user', content: sample.full_text }],
    });
    const composed = ` ${facet.use_case} ${facet.goal_summary} `.toLowerCase();
    const words = new Set(composed.split(/[^\p{L}\p{N}]+/u).filter(Boolean));
    let leaked = /[\d@]/.test(composed);
    for (const span of sample.spans) {
      if (!PERSONAL_ENTITY_TYPES.has(span.entity_type)) continue;
      spansChecked++;
      const parts = span.entity_value
        .toLowerCase()
        .split(/[^\p{L}\p{N}]+/u)
        .filter((w) => w.length >= 2);
      if (parts.some((w) => words.has(w))) {
        leaked = true;
        leakTypes[span.entity_type] = (leakTypes[span.entity_type] ?? 0) + 1;
      }
    }
    if (leaked) leaks++;
  });
  return { sentences: samples.length, spansChecked, leaks, leakTypes };
}

interface OutcomeReport {
  n: number;
  outcomes: Record<string, number>;
  failureReasons: Record<string, number>;
  frustration: Record<string, number>;
  languages: Record<string, number>;
  meanConfidence: number;
}

function sgdOutcomes(explanations: OfflineTagExplanation[]): OutcomeReport {
  const count = (values: (string | number)[]): Record<string, number> => {
    const out: Record<string, number> = {};
    for (const v of values) out[String(v)] = (out[String(v)] ?? 0) + 1;
    return Object.fromEntries(Object.entries(out).sort((a, b) => b[1] - a[1]));
  };
  return {
    n: explanations.length,
    outcomes: count(explanations.map((x) => x.facet.outcome)),
    failureReasons: count(explanations.flatMap((x) => x.facet.failure_reasons)),
    frustration: count(explanations.map((x) => x.facet.user_frustration)),
    languages: count(explanations.map((x) => x.facet.language)),
    meanConfidence: ratio(
      explanations.reduce((s, x) => s + x.facet.confidence, 0),
      explanations.length,
    ),
  };
}

interface ThroughputReport {
  conversations: number;
  meanBytes: number;
  seconds: number;
  conversationsPerSecond: number;
  cpu: string;
}

async function throughput(
  tagger: OfflineTagger,
  dialogues: SgdDialogue[],
): Promise<ThroughputReport> {
  const inputs = dialogues.map((d) => ({
    conversationId: d.dialogue_id,
    messages: sgdConversation(d),
  }));
  const meanBytes = Math.round(
    inputs.reduce(
      (s, i) => s + i.messages.reduce((t, m) => t + Buffer.byteLength(m.content), 0),
      0,
    ) / inputs.length,
  );
  for (const input of inputs.slice(0, 300)) await tagger.tag(input); // warm-up (JIT)
  const passes = 5;
  const started = performance.now();
  for (let p = 0; p < passes; p++) for (const input of inputs) await tagger.tag(input);
  const seconds = (performance.now() - started) / 1000;
  const conversations = passes * inputs.length;
  return {
    conversations,
    meanBytes,
    seconds: Math.round(seconds * 100) / 100,
    conversationsPerSecond: Math.round(conversations / seconds),
    cpu: cpus()[0]?.model ?? 'unknown',
  };
}

// ---------------------------------------------------------------------------------------------
// Printing
// ---------------------------------------------------------------------------------------------

function table(header: string[], rows: (string | number)[][]): string {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, c) => Math.max(...cells.map((r) => (r[c] ?? '').length)));
  const line = (r: string[]): string =>
    r.map((v, c) => (c === 0 ? v.padEnd(widths[c]!) : v.padStart(widths[c]!))).join('  ');
  return [
    line(cells[0]!),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.slice(1).map(line),
  ].join('\n');
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

function printReport(r: Report): void {
  console.log(`\n=== ${r.name} ===`);
  console.log(
    `n=${r.n}  accuracy=${pct(r.accuracy)}  abstained=${pct(r.abstentionRate)}  accuracy on answered=${pct(r.accuracyOnAnswered)}` +
      (r.extra
        ? `  ${Object.entries(r.extra)
            .map(([k, v]) => `${k}=${typeof v === 'number' && v <= 1 ? pct(v) : v}`)
            .join('  ')}`
        : ''),
  );
  console.log(
    table(
      ['class', 'n', 'accuracy', 'abstained'],
      r.perClass.map((c) => [c.gold, c.n, pct(c.accuracy), c.abstained]),
    ),
  );
  console.log('\nconfusion (rows: gold, columns: predicted; legend below)');
  console.log(
    table(
      ['gold \\ pred', ...r.confusion.columns.map((_, i) => `c${i + 1}`)],
      r.confusion.rows.map((row, i) => [
        row,
        ...r.confusion.counts[i]!.map((c) => (c === 0 ? '.' : c)),
      ]),
    ),
  );
  console.log(r.confusion.columns.map((c, i) => `c${i + 1}=${c}`).join('  '));
  console.log('\ncalibration of the label confidence (answered only)');
  console.log(
    table(
      ['confidence', 'n', 'mean conf', 'accuracy'],
      r.calibration.map((b) => [
        b.bin,
        b.n,
        b.n ? b.meanConfidence.toFixed(2) : '-',
        b.n ? pct(b.accuracy) : '-',
      ]),
    ),
  );
}

function printOutcomes(o: OutcomeReport): void {
  console.log(`\n=== SGD dev outcome sanity check (all ${o.n} dialogues) ===`);
  const rows = (rec: Record<string, number>): (string | number)[][] =>
    Object.entries(rec).map(([k, v]) => [k, v, pct(v / o.n)]);
  console.log(table(['outcome', 'n', 'share'], rows(o.outcomes)));
  console.log(table(['failure reason', 'n', 'share'], rows(o.failureReasons)));
  console.log(table(['frustration', 'n', 'share'], rows(o.frustration)));
  console.log(
    `languages: ${Object.entries(o.languages)
      .map(([k, v]) => `${k}=${v}`)
      .join(' ')}  mean facet confidence: ${o.meanConfidence}`,
  );
}

// ---------------------------------------------------------------------------------------------

export async function main(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const tagger = new OfflineTagger();
  const dialogues = readJsonl<SgdDialogue>('sgd-dev/conversations.jsonl');

  const mtBench = evaluateMtBench(tagger);
  const vicuna = evaluateVicuna(tagger);
  const sgd = evaluateSgdDomains(tagger, dialogues);
  const banking77 = evaluateBanking77(tagger);
  const privacy = evaluatePrivacy(tagger);
  const outcomes = sgdOutcomes(
    dialogues.map((d) =>
      tagger.explain({ conversationId: d.dialogue_id, messages: sgdConversation(d) }),
    ),
  );
  const speed = await throughput(tagger, dialogues);

  const resolvedShare = ratio(outcomes.outcomes['resolved'] ?? 0, outcomes.n);
  const checks: { name: string; value: number; floor: number; ok: boolean }[] = [
    { name: 'MT-Bench accuracy', value: mtBench.accuracy, floor: FLOORS.mtBenchAccuracy },
    { name: 'Vicuna-Bench accuracy', value: vicuna.accuracy, floor: FLOORS.vicunaAccuracy },
    { name: 'SGD domain accuracy', value: sgd.accuracy, floor: FLOORS.sgdAccuracy },
    {
      name: 'banking77 domain accuracy',
      value: banking77.accuracy,
      floor: FLOORS.banking77Accuracy,
    },
    { name: 'SGD resolved share', value: resolvedShare, floor: FLOORS.sgdResolvedShare },
    {
      name: 'conversations/s',
      value: speed.conversationsPerSecond,
      floor: FLOORS.conversationsPerSecond,
    },
  ].map((c) => ({ ...c, ok: c.value >= c.floor }));
  checks.push({
    name: 'privacy leaks (max)',
    value: privacy.leaks,
    floor: FLOORS.privacyLeaks,
    ok: privacy.leaks <= FLOORS.privacyLeaks,
  });

  if (json) {
    console.log(
      JSON.stringify(
        {
          tagger: {
            provider: tagger.provider,
            model: tagger.model,
            promptVersion: tagger.promptVersion,
          },
          mtBench,
          vicuna,
          sgd,
          banking77,
          privacy,
          sgdOutcomes: outcomes,
          throughput: speed,
          checks,
        },
        null,
        2,
      ),
    );
  } else {
    console.log(`Offline tagger ${tagger.model} (${tagger.promptVersion})`);
    printReport(mtBench);
    printReport(vicuna);
    printReport(sgd);
    printReport(banking77);
    console.log('\n=== Privacy of use_case / goal_summary (presidio synthetic PII) ===');
    console.log(
      `${privacy.sentences} sentences, ${privacy.spansChecked} personal-data spans checked: ` +
        `${privacy.leaks} outputs with a digit, "@" or a word of such a span` +
        (privacy.leaks > 0 ? ` (${JSON.stringify(privacy.leakTypes)})` : ''),
    );
    printOutcomes(outcomes);
    console.log(`\n=== Throughput (one core, ${speed.cpu}) ===`);
    console.log(
      `${speed.conversations} conversations (mean ${speed.meanBytes} bytes of text) in ${speed.seconds}s: ${speed.conversationsPerSecond} conversations/s`,
    );
    console.log('\n=== Regression floors ===');
    console.log(
      table(
        ['check', 'value', 'floor', 'ok'],
        checks.map((c) => [c.name, c.value, c.floor, c.ok ? 'yes' : 'NO']),
      ),
    );
  }
  if (checks.some((c) => !c.ok)) process.exitCode = 1;
}
