/**
 * Tokenising and light stemming shared by the taxonomy matcher and the use-case composer.
 * The same functions normalise the taxonomy terms at compile time and the conversation text at
 * tag time, so a term matches its inflections ("booking", "booked", "bookings" → "book").
 */

const TOKEN_RE = /[\p{L}\p{N}]+(?:'[\p{L}]+)*/gu;

/** Programming-language names the tokenizer would otherwise cut to one letter. */
const SYMBOL_WORDS: readonly [RegExp, string][] = [
  [/c\+\+/g, ' cplusplus '],
  [/c#/g, ' csharp '],
  [/\.net\b/g, ' dotnet '],
];

/** Lowercases, unifies apostrophes and spells out symbol-bearing names. */
export function normalizeText(text: string): string {
  let t = text.toLowerCase();
  if (t.includes('’')) t = t.replace(/’/g, "'");
  if (t.includes('+') || t.includes('#') || t.includes('.net')) {
    for (const [re, word] of SYMBOL_WORDS) t = t.replace(re, word);
  }
  return t;
}

/** Lowercase word tokens (letters/digits, inner apostrophes kept: "don't"). */
export function tokenize(normalized: string): string[] {
  return normalized.match(TOKEN_RE) ?? [];
}

const VOWELS = new Set(['a', 'e', 'i', 'o', 'u', 'y']);
const UNDOUBLE_EXEMPT = new Set(['l', 's', 'z', 'f']);

function hasVowel(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (VOWELS.has(s[i]!)) return true;
  return false;
}

function undouble(s: string): string {
  const n = s.length;
  if (
    n >= 4 &&
    s[n - 1] === s[n - 2] &&
    !VOWELS.has(s[n - 1]!) &&
    !UNDOUBLE_EXEMPT.has(s[n - 1]!)
  ) {
    return s.slice(0, -1);
  }
  return s;
}

/**
 * A deliberately small English stemmer (plural, -ing, -ed, -y/-ie, final -e). It only has to map
 * inflections of one word onto the same key; it does not have to produce dictionary words.
 */
export function stem(word: string): string {
  let w = word;
  if (w.endsWith("'s")) w = w.slice(0, -2);
  else if (w.endsWith("'")) w = w.slice(0, -1);
  if (w.length <= 3) return w;
  if (w.endsWith('sses')) w = w.slice(0, -2);
  else if (w.endsWith('ies') && w.length > 4) w = `${w.slice(0, -3)}i`;
  else if (w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) {
    w = w.slice(0, -1);
  }
  if (w.endsWith('ing') && w.length - 3 >= 3 && hasVowel(w.slice(0, -3))) {
    w = undouble(w.slice(0, -3));
  } else if (
    w.endsWith('ed') &&
    !w.endsWith('eed') &&
    w.length - 2 >= 3 &&
    hasVowel(w.slice(0, -2))
  ) {
    w = undouble(w.slice(0, -2));
  }
  const n = w.length;
  if (n > 3 && w.endsWith('y') && !VOWELS.has(w[n - 2]!)) w = `${w.slice(0, -1)}i`;
  else if (n > 3 && w.endsWith('e') && !w.endsWith('ee')) w = w.slice(0, -1);
  return w;
}

/**
 * Memoised stemming: the hot path stems the same few thousand words again and again. The cache is
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
