/**
 * Word lists behind the PERSON recognizer, loaded once from libs/privacy/data (see the README
 * there for provenance and licences). Everything is folded to lower case without diacritics so
 * that "José", "JOSE" and "jose" hit the same entry.
 */
import { readFileSync } from 'node:fs';

export interface NameLexicon {
  /** Given names (census + curated). */
  given: ReadonlySet<string>;
  /** Surnames (census + curated), multi-word entries split into their parts. */
  surnames: ReadonlySet<string>;
  /** Common English words: a name that is also one of these is ambiguous ("Will", "Rose"). */
  common: ReadonlySet<string>;
  /** Places, brands, products, languages, holidays: ambiguous when they are also names. */
  nonNames: ReadonlySet<string>;
  /** Function words and titles that can never be part of a name. */
  stop: ReadonlySet<string>;
  /** All of the above in one map of LEX_* bits: one hash lookup per word on the hot path. */
  flags: ReadonlyMap<string, number>;
}

export const LEX_GIVEN = 1;
export const LEX_SURNAME = 2;
export const LEX_COMMON = 4;
export const LEX_NON_NAME = 8;
export const LEX_STOP = 16;
export const LEX_ORDINARY = LEX_COMMON | LEX_NON_NAME | LEX_STOP;

const DATA_DIR = new URL('../../data/', import.meta.url);

/** Lower-case particles inside surnames ("van der Meer", "da Silva", "Al-Amin"). */
export const NAME_PARTICLES: ReadonlySet<string> = new Set([
  'al',
  'ap',
  'af',
  'av',
  'ben',
  'bin',
  'binti',
  'bint',
  'da',
  'das',
  'de',
  'degli',
  'dei',
  'del',
  'della',
  'delle',
  'den',
  'der',
  'des',
  'di',
  'do',
  'dos',
  'du',
  'el',
  'ibn',
  'la',
  'las',
  'le',
  'lo',
  'los',
  'st',
  'te',
  'ten',
  'ter',
  'van',
  'vande',
  'vander',
  'von',
  'y',
  'zu',
  'zum',
  'zur',
]);

export function foldName(word: string): string {
  const lower = word.toLowerCase();
  // Fast path: plain ASCII needs no Unicode normalisation.
  // eslint-disable-next-line no-control-regex
  if (/^[\x00-\x7f]*$/.test(lower)) return lower;
  return lower
    .normalize('NFD')
    .replace(/\p{M}+/gu, '')
    .replace(/[’]/g, "'");
}

function readList(file: string): string[] {
  const text = readFileSync(new URL(file, DATA_DIR), 'utf8');
  const out: string[] = [];
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    out.push(line);
  }
  return out;
}

function addAll(target: Set<string>, words: Iterable<string>, splitParts: boolean): void {
  for (const word of words) {
    const folded = foldName(word);
    target.add(folded);
    if (splitParts && /[\s-]/.test(folded)) {
      for (const part of folded.split(/[\s-]+/))
        if (part.length > 1 && !NAME_PARTICLES.has(part)) target.add(part);
    }
  }
}

let cached: NameLexicon | undefined;

export function nameLexicon(): NameLexicon {
  if (cached) return cached;
  const given = new Set<string>();
  const surnames = new Set<string>();
  const common = new Set<string>();
  const nonNames = new Set<string>();
  const stop = new Set<string>();
  addAll(given, readList('given-names.census.txt'), false);
  addAll(given, readList('given-names.curated.txt'), true);
  addAll(given, readList('given-names.intl.txt'), false);
  addAll(surnames, readList('surnames.census.txt'), false);
  addAll(surnames, readList('surnames.curated.txt'), true);
  addAll(common, readList('common-words.scowl.txt'), false);
  addAll(nonNames, readList('non-names.curated.txt'), false);
  addAll(stop, readList('stop-words.curated.txt'), false);
  const flags = new Map<string, number>();
  const mark = (words: Set<string>, bit: number): void => {
    for (const w of words) flags.set(w, (flags.get(w) ?? 0) | bit);
  };
  mark(given, LEX_GIVEN);
  mark(surnames, LEX_SURNAME);
  mark(common, LEX_COMMON);
  mark(nonNames, LEX_NON_NAME);
  mark(stop, LEX_STOP);
  cached = { given, surnames, common, nonNames, stop, flags };
  return cached;
}
