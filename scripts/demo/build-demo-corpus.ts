/**
 * Builds apps/cli/demo-corpus/corpus.jsonl.gz from the public datasets in ../shared/data.
 * Runs on our machines only (`npx tsx scripts/demo/build-demo-corpus.ts [--check]`); the output,
 * its licences and ATTRIBUTION.md are committed, and nothing reads ../shared at run time.
 * `--check` rebuilds in memory and exits 1 if the committed file differs.
 *
 * Deterministic: the same inputs give the same bytes (seeded choices, sorted output, gzip with
 * a fixed header). What goes in:
 *  - oasst1-dev: every thread (real human/assistant conversations). Some coding threads get a
 *    written follow-up: the user pastes the error the answer still produces;
 *  - SGD dev: single-domain travel, dining and events dialogues (the operations team's bookings),
 *    real booking failures included; some long dialogues are cut short after an assistant
 *    question, as when a person leaves;
 *  - banking77 train: 10 questions per intent as support look-ups, answered from a written
 *    help-centre note; some transfer, identity and dispute cases get a written follow-up saying
 *    the note did not help;
 *  - MT-Bench and Vicuna-Bench role-play, counterfactual and Fermi prompts, answered with a written
 *    refusal (an over-cautious assistant);
 *  - written German, French and Spanish conversations (demo-corpus-texts.ts).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { fnv1a, mulberry32 } from '@silhouette/privacy';
import type { CanonicalMessage } from '@silhouette/contracts';
import { OfflineTagger } from '../../libs/llm/src/offline/index';
import {
  encodeDemoCorpus,
  parseDemoCorpus,
  type DemoCorpusRecord,
  type DemoTopic,
} from '../../apps/cli/src/demo/demo-corpus';
import {
  NON_ENGLISH,
  PASTED_ERRORS,
  REFUSAL_FOLLOW_UPS,
  REFUSALS,
  SUPPORT_ANSWERS,
  SUPPORT_FAILURE_REPLIES,
  SUPPORT_FAILURE_TURNS,
  SUPPORT_GROUP_BY_INTENT,
} from './demo-corpus-texts';

/** ../shared/data beside the checkout; SHARED_DATA_DIR points elsewhere (e.g. from a worktree). */
const DATA = `${process.env.SHARED_DATA_DIR ?? fileURLToPath(new URL('../../../shared/data', import.meta.url))}/`;
const OUT_DIR = fileURLToPath(new URL('../../apps/cli/demo-corpus/', import.meta.url));
const SEED = 20261204;

/** Share of records that get a written failure turn, per kind. */
const CODE_FAILURE_SHARE = 0.55;
const SUPPORT_FAILURE_SHARE: Readonly<Record<string, number>> = {
  transfers: 0.45,
  identity: 0.45,
  disputes: 0.2,
};
const SGD_DOMAINS = [
  'Restaurants',
  'Flights',
  'Hotels',
  'RentalCars',
  'Events',
  'Travel',
  'Buses',
  'RideSharing',
];
/** Long form-filling dialogues that people sometimes leave half-way. */
const SGD_CUT_DOMAINS: Readonly<Record<string, number>> = { Flights: 0.3, Buses: 0.25 };
const BANKING77_PER_INTENT = 10;

/** A choice that depends only on the seed and the record's key, not on the order of the loop. */
function chance(key: string): number {
  return mulberry32(fnv1a(key, SEED))();
}
function pick<T>(list: readonly T[], key: string): T {
  return list[Math.floor(chance(key) * list.length)]!;
}

function jsonLines<T>(path: string): T[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as T);
}

// -------------------------------------------------------------------------------------------
// oasst1-dev
// -------------------------------------------------------------------------------------------

interface OasstThread {
  id: string;
  messages: CanonicalMessage[];
}

const CODE_TASKS = new Set(['coding', 'debugging', 'data transformation']);
const CODE_DOMAINS = new Set(['software engineering', 'it support']);
const NUMBER_TASKS = new Set(['calculation', 'analysis']);
const NUMBER_DOMAINS = new Set([
  'finance & accounting',
  'personal finance',
  'math',
  'data & analytics',
]);
const WRITING_TASKS = new Set([
  'drafting',
  'editing',
  'summarization',
  'translation',
  'information extraction',
]);

function oasstTopic(tagger: OfflineTagger, thread: OasstThread): DemoTopic {
  const { facet } = tagger.explain({ conversationId: thread.id, messages: thread.messages });
  if (CODE_TASKS.has(facet.task_type) || CODE_DOMAINS.has(facet.domain)) return 'code';
  if (NUMBER_TASKS.has(facet.task_type) || NUMBER_DOMAINS.has(facet.domain)) return 'numbers';
  if (WRITING_TASKS.has(facet.task_type)) return 'writing';
  if (facet.task_type === 'role-play') return 'creative';
  return 'general';
}

function codeLanguage(messages: readonly CanonicalMessage[]): keyof typeof PASTED_ERRORS {
  const text = messages.map((m) => m.content).join('\n');
  if (/\bpython\b|\bpandas\b|\bdef \w+\(|\bimport \w+$/im.test(text)) return 'python';
  if (/\bjavascript\b|\btypescript\b|\bnode(?:\.js)?\b|\breact\b|=>|\bconst \w+ =/i.test(text))
    return 'javascript';
  return 'other';
}

function oasstRecords(): DemoCorpusRecord[] {
  const tagger = new OfflineTagger();
  return jsonLines<OasstThread>(`${DATA}oasst1-dev/conversations.jsonl`).map((thread) => {
    const topic = oasstTopic(tagger, thread);
    const messages = thread.messages.map((m) => ({ role: m.role, content: m.content }));
    let edit: DemoCorpusRecord['edit'] = 'none';
    const last = messages[messages.length - 1];
    if (
      topic === 'code' &&
      last?.role === 'assistant' &&
      chance(`code-failure:${thread.id}`) < CODE_FAILURE_SHARE
    ) {
      const errors = PASTED_ERRORS[codeLanguage(messages)];
      messages.push({ role: 'user', content: pick(errors, `code-error:${thread.id}`) });
      edit = 'failure-turn-added';
    }
    return {
      id: thread.id.toLowerCase(),
      source: 'oasst1' as const,
      source_ref: thread.id,
      topic,
      language: 'en',
      edit,
      messages,
    };
  });
}

// -------------------------------------------------------------------------------------------
// SGD
// -------------------------------------------------------------------------------------------

interface SgdDialogue {
  dialogue_id: string;
  domains: string[];
  turns: { speaker: 'USER' | 'SYSTEM'; utterance: string }[];
}

function sgdRecords(): DemoCorpusRecord[] {
  return jsonLines<SgdDialogue>(`${DATA}sgd-dev/conversations.jsonl`)
    .filter((d) => d.domains.length === 1 && SGD_DOMAINS.includes(d.domains[0]!))
    .map((dialogue) => {
      let messages: CanonicalMessage[] = dialogue.turns.map((turn) => ({
        role: turn.speaker === 'USER' ? 'user' : 'assistant',
        content: turn.utterance,
      }));
      let edit: DemoCorpusRecord['edit'] = 'none';
      const cutShare = SGD_CUT_DOMAINS[dialogue.domains[0]!] ?? 0;
      if (cutShare > 0 && chance(`sgd-cut:${dialogue.dialogue_id}`) < cutShare) {
        // Leave after an assistant question in the first half: the request was never completed.
        const limit = Math.floor(messages.length / 2);
        const questions = messages
          .map((m, index) => ({ m, index }))
          .filter(({ m, index }) => m.role === 'assistant' && index >= 1 && index < limit)
          .filter(({ m }) => m.content.trim().endsWith('?'));
        const cut =
          questions.length > 0 ? pick(questions, `sgd-cut-at:${dialogue.dialogue_id}`) : undefined;
        if (cut) {
          messages = messages.slice(0, cut.index + 1);
          edit = 'cut-short';
        }
      }
      return {
        id: `sgd-${dialogue.dialogue_id.toLowerCase()}`,
        source: 'sgd' as const,
        source_ref: dialogue.dialogue_id,
        topic: 'travel' as const,
        language: 'en',
        edit,
        messages,
      };
    });
}

// -------------------------------------------------------------------------------------------
// banking77
// -------------------------------------------------------------------------------------------

/**
 * banking77's CSV: `text,category`, the text quoted when it holds a comma, a quote or a line
 * break. `line` is the record's first line in the file (1-based, header is line 1).
 */
function parseBankingCsv(text: string): { line: number; text: string; intent: string }[] {
  const rows: { line: number; text: string; intent: string }[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let recordLine = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      fields.push(field);
      if (recordLine > 1 && fields.length === 2)
        rows.push({
          line: recordLine,
          text: fields[0]!.replace(/\s+/g, ' ').trim(),
          intent: fields[1]!.trim(),
        });
      fields = [];
      field = '';
      line++;
      recordLine = line;
    } else field += c;
  }
  return rows;
}

function bankingRecords(): DemoCorpusRecord[] {
  const rows = parseBankingCsv(readFileSync(`${DATA}banking77/train.csv`, 'utf8'));
  const byIntent = new Map<string, typeof rows>();
  for (const row of rows) byIntent.set(row.intent, [...(byIntent.get(row.intent) ?? []), row]);
  const records: DemoCorpusRecord[] = [];
  for (const [intent, intentRows] of [...byIntent].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
    const group = SUPPORT_GROUP_BY_INTENT[intent];
    if (!group) throw new Error(`banking77 intent ${intent} has no help-centre group`);
    const chosen = [...intentRows]
      .sort((a, b) => chance(`b77:${a.line}`) - chance(`b77:${b.line}`))
      .slice(0, BANKING77_PER_INTENT);
    for (const row of chosen) {
      const messages: CanonicalMessage[] = [
        { role: 'user', content: row.text },
        { role: 'assistant', content: SUPPORT_ANSWERS[group]! },
      ];
      let edit: DemoCorpusRecord['edit'] = 'answer-written';
      const turns = SUPPORT_FAILURE_TURNS[group];
      if (turns && chance(`b77-failure:${row.line}`) < (SUPPORT_FAILURE_SHARE[group] ?? 0)) {
        messages.push({ role: 'user', content: pick(turns, `b77-turn:${row.line}`) });
        // Some agents get an apology, others leave at once.
        if (chance(`b77-reply:${row.line}`) < 0.6)
          messages.push({
            role: 'assistant',
            content: pick(SUPPORT_FAILURE_REPLIES, `b77-reply-text:${row.line}`),
          });
        edit = 'failure-turn-added';
      }
      records.push({
        id: `banking77-train-${row.line}`,
        source: 'banking77',
        source_ref: `train.csv line ${row.line} (${intent})`,
        topic: 'support',
        language: 'en',
        edit,
        messages,
      });
    }
  }
  return records;
}

// -------------------------------------------------------------------------------------------
// MT-Bench and Vicuna-Bench
// -------------------------------------------------------------------------------------------

interface BenchQuestion {
  question_id: number;
  category: string;
  turns: string[];
}

function refusedPromptRecords(): DemoCorpusRecord[] {
  const sets = [
    { source: 'mt-bench' as const, file: 'mt_bench_question.jsonl', categories: ['roleplay'] },
    {
      source: 'vicuna-bench' as const,
      file: 'vicuna_bench_question.jsonl',
      categories: ['roleplay', 'counterfactual', 'fermi'],
    },
  ];
  return sets.flatMap(({ source, file, categories }) =>
    jsonLines<BenchQuestion>(`${DATA}mt-bench/${file}`)
      .filter((q) => categories.includes(q.category))
      .map((q) => {
        const key = `${source}:${q.question_id}`;
        const messages: CanonicalMessage[] = [
          { role: 'user', content: q.turns[0]! },
          { role: 'assistant', content: pick(REFUSALS, `refusal:${key}`) },
        ];
        if (chance(`refusal-follow-up:${key}`) < 0.5)
          messages.push({ role: 'user', content: pick(REFUSAL_FOLLOW_UPS, `follow-up:${key}`) });
        return {
          id: `${source}-${q.question_id}`,
          source,
          source_ref: `${file} question_id ${q.question_id} (${q.category})`,
          topic: 'creative' as const,
          language: 'en',
          edit: 'refusal-written' as const,
          messages,
        };
      }),
  );
}

// -------------------------------------------------------------------------------------------
// Written (non-English)
// -------------------------------------------------------------------------------------------

function writtenRecords(): DemoCorpusRecord[] {
  const perLanguage = new Map<string, number>();
  return NON_ENGLISH.flatMap((conversation) => {
    const n = (perLanguage.get(conversation.language) ?? 0) + 1;
    perLanguage.set(conversation.language, n);
    const base = `written-${conversation.language}-${String(n).padStart(2, '0')}`;
    return Array.from({ length: conversation.copies }, (_, copy) => ({
      id: `${base}-${copy + 1}`,
      source: 'written' as const,
      source_ref: `scripts/demo/demo-corpus-texts.ts ${base}`,
      topic: conversation.topic,
      language: conversation.language,
      edit: 'written' as const,
      messages: conversation.messages.map((m) => ({ role: m.role, content: m.content })),
    }));
  });
}

function main(args: string[]): void {
  const check = args.includes('--check');
  const records = [
    ...oasstRecords(),
    ...sgdRecords(),
    ...bankingRecords(),
    ...refusedPromptRecords(),
    ...writtenRecords(),
  ].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const text = encodeDemoCorpus(records);
  parseDemoCorpus(text); // the runtime's own check: ids unique, every field valid
  // No timestamp in zlib's gzip header, level 9: the same records give the same bytes.
  const gz = gzipSync(Buffer.from(text, 'utf8'), { level: 9 });
  const file = `${OUT_DIR}corpus.jsonl.gz`;
  if (check) {
    // --check: the committed corpus is exactly what the sources and texts build.
    const same = existsSync(file) && readFileSync(file).equals(gz);
    console.log(same ? `${file} is up to date` : `${file} differs from a fresh build`);
    process.exit(same ? 0 : 1);
  }
  mkdirSync(OUT_DIR, { recursive: true });
  writeFileSync(file, gz);

  const count = (key: (r: DemoCorpusRecord) => string) => {
    const counts: Record<string, number> = {};
    for (const r of records) counts[key(r)] = (counts[key(r)] ?? 0) + 1;
    return counts;
  };
  console.log(
    JSON.stringify(
      {
        records: records.length,
        bytes: gz.length,
        by_source: count((r) => r.source),
        by_topic: count((r) => r.topic),
        by_edit: count((r) => r.edit),
        by_language: count((r) => r.language),
      },
      null,
      2,
    ),
  );
}

main(process.argv.slice(2));
