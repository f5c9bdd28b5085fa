/**
 * The one text normaliser: Unicode NFKC, lowercase, unified apostrophes, symbol-bearing language
 * names spelled out, word tokens and a deliberately small English stemmer. Its job is to map
 * surface variants of a word ("Cards", "card's", "card"; "booking", "booked") onto one key; it
 * does not have to produce dictionary words.
 *
 * Two users: the offline tagger (taxonomy terms are stemmed with these functions at compile time
 * and conversation text at tag time, so a term matches its inflections) and the offline embedder
 * in libs/clustering (`wordTokens`, `normalizedWords`, `STOP_WORDS`), which imports it from here:
 * clustering already depends on this lib, and this lib may not depend on clustering.
 */

// Letters and digits, with inner apostrophes ("don't") kept so they can be split off below.
const TOKEN_RE = /[\p{L}\p{N}]+(?:'[\p{L}]+)*/gu;
const APOSTROPHES_RE = /[\u2018\u2019\u02bc`´]/g;
const DIGITS_RE = /^\p{N}+$/u;
// Only text beyond printable ASCII can change under NFKC (fullwidth forms, ligatures, …);
// skipping plain ASCII keeps tagging throughput.
const NEEDS_NFKC_RE = /[^\t-~]/;

/** Programming-language names the tokenizer would otherwise cut to one letter. */
const SYMBOL_WORDS: readonly [RegExp, string][] = [
  [/c\+\+/g, ' cplusplus '],
  [/c#/g, ' csharp '],
  [/\.net\b/g, ' dotnet '],
];

/**
 * English function words. They carry little topic signal and, without a fitted IDF, would
 * otherwise dominate short texts. The stemmer leaves them unchanged so the list still matches.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  `a an the and or but nor so for of to in on at by with from into onto about as than then that
  this these those there here is are was were be been being am do does did doing have has had
  having will would shall should can could may might must i me my mine myself we us our ours you
  your yours he him his she her hers it its they them their theirs what which who whom whose
  if because while when where why how all any both each few more most other some such no not
  only own same too very just also s t don't doesn't didn't can't cannot won't isn't aren't
  wasn't weren't haven't hasn't i'm i've i'd i'll you're it's that's there's let's please hi
  hello hey thanks thank`.split(/\s+/),
);

/** NFKC, lowercase, unified apostrophes, symbol-bearing names spelled out ("c++" → "cplusplus"). */
export function normalizeText(text: string): string {
  let t = (NEEDS_NFKC_RE.test(text) ? text.normalize('NFKC') : text).toLowerCase();
  if (t.includes('’') || t.includes('‘') || t.includes('ʼ') || t.includes('`') || t.includes('´'))
    t = t.replace(APOSTROPHES_RE, "'");
  if (t.includes('+') || t.includes('#') || t.includes('.net')) {
    for (const [re, word] of SYMBOL_WORDS) t = t.replace(re, word);
  }
  return t;
}

/** Word tokens of already normalised text (letters/digits, inner apostrophes kept: "don't"). */
export function tokenize(normalized: string): string[] {
  return normalized.match(TOKEN_RE) ?? [];
}

/**
 * Normalised, stemmed word tokens, punctuation dropped. Numbers become the single token "0"
 * (an amount or a date says little about the topic and would scatter the vocabulary).
 */
export function wordTokens(text: string): string[] {
  const tokens = tokenize(normalizeText(text));
  for (let i = 0; i < tokens.length; i++) {
    const raw = tokens[i]!;
    tokens[i] = DIGITS_RE.test(raw) ? '0' : stemCached(raw);
  }
  return tokens;
}

/** The text as character n-gram features see it: normalised words joined by single spaces. */
export function normalizedWords(text: string): string {
  return tokenize(normalizeText(text)).join(' ');
}

const VOWELS = new Set(['a', 'e', 'i', 'o', 'u', 'y']);
// "fall", "pass", "buzz", "stuff" keep their double letter.
const UNDOUBLE_EXEMPT = new Set(['l', 's', 'z', 'f']);

function hasVowel(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (VOWELS.has(s[i]!)) return true;
  return false;
}

/** "stopp" → "stop", but "fall", "pass", "buzz", "stuff" are left alone. */
function undouble(s: string): string {
  const n = s.length;
  const last = s[n - 1]!;
  if (n >= 4 && last === s[n - 2] && !VOWELS.has(last) && !UNDOUBLE_EXEMPT.has(last)) {
    return s.slice(0, -1);
  }
  return s;
}

/**
 * A deliberately small English stemmer: possessives, plurals, -ing, -ed, -ly, -y/-ie and a final
 * -e. Stop words are returned unchanged so the stop list still matches them.
 */
export function stem(word: string): string {
  let w = word;
  if (STOP_WORDS.has(w)) return w;
  if (w.endsWith("'s")) w = w.slice(0, -2);
  else if (w.endsWith("'")) w = w.slice(0, -1);
  if (w.length <= 3) return w;
  if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}i`;
  else if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) {
    w = w.slice(0, -1);
  }
  if (w.endsWith('ing') && w.length >= 6 && hasVowel(w.slice(0, -3))) {
    w = undouble(w.slice(0, -3));
  } else if (w.endsWith('ed') && !w.endsWith('eed') && w.length >= 5 && hasVowel(w.slice(0, -2))) {
    w = undouble(w.slice(0, -2));
  } else if (w.endsWith('ly') && w.length >= 6) {
    w = w.slice(0, -2);
  }
  const n = w.length;
  if (n > 3 && w.endsWith('y') && !VOWELS.has(w[n - 2]!)) w = `${w.slice(0, -1)}i`;
  else if (n > 3 && w.endsWith('e') && !w.endsWith('ee')) w = w.slice(0, -1);
  return w;
}

/**
 * Memoised stemming: the hot paths stem the same few thousand words again and again. The cache is
 * bounded (cleared when full), so memory stays flat on long-running workers; results do not
 * depend on the cache state.
 */
const STEM_CACHE = new Map<string, string>();
const STEM_CACHE_LIMIT = 50_000;

export function stemCached(word: string): string {
  let s = STEM_CACHE.get(word);
  if (s === undefined) {
    s = stem(word);
    if (STEM_CACHE.size >= STEM_CACHE_LIMIT) STEM_CACHE.clear();
    STEM_CACHE.set(word, s);
  }
  return s;
}

/** Stems of the words of a phrase, as the matcher keys them ("book a table" → "book a tabl"). */
export function stemPhrase(phrase: string): string[] {
  return tokenize(normalizeText(phrase)).map(stem);
}

/** Whitespace word count (what the contract's ≤ 12 / ≤ 25 word limits count). */
export function countWords(text: string): number {
  let n = 0;
  let inWord = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    const space = c === 32 || c === 10 || c === 9 || c === 13 || c === 12 || c === 11 || c === 160;
    if (!space && !inWord) n++;
    inWord = !space;
  }
  return n;
}
