/**
 * The text normaliser in front of the offline embedder: Unicode NFKC, lowercase, punctuation
 * stripped, numbers folded, a light English stemmer. Its only job is to map surface variants of
 * the same word ("Cards", "card's", "card") onto one key before hashing; it does not have to
 * produce dictionary words.
 */

// Letters and digits, with inner apostrophes ("don't") kept so they can be split off below.
const TOKEN_RE = /[\p{L}\p{N}]+(?:'[\p{L}]+)*/gu;
const APOSTROPHES_RE = /[\u2018\u2019\u02bc`´]/g;
const DIGITS_RE = /^\p{N}+$/u;

/**
 * English function words. They carry little topic signal and, without a fitted IDF, would
 * otherwise dominate short texts. Bigrams still see them ("my card" vs "a card" are folded).
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

/** NFKC + lowercase + unified apostrophes. Cheap, and the first step of everything else. */
export function normalizeText(text: string): string {
  return text.normalize('NFKC').toLowerCase().replace(APOSTROPHES_RE, "'");
}

/**
 * Normalised, stemmed word tokens, punctuation dropped. Numbers become the single token "0"
 * (an amount or a date says little about the topic and would scatter the vocabulary).
 */
export function wordTokens(text: string): string[] {
  const matches = normalizeText(text).match(TOKEN_RE);
  if (!matches) return [];
  const tokens: string[] = [];
  for (const raw of matches) {
    if (DIGITS_RE.test(raw)) {
      tokens.push('0');
      continue;
    }
    tokens.push(stemWord(raw));
  }
  return tokens;
}

/** The text as the character n-gram features see it: normalised words joined by single spaces. */
export function normalizedWords(text: string): string {
  const matches = normalizeText(text).match(TOKEN_RE);
  return matches ? matches.join(' ') : '';
}

const VOWELS = 'aeiouy';

function hasVowel(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (VOWELS.includes(s[i]!)) return true;
  return false;
}

/** "stopp" → "stop", but "fall", "pass", "buzz" keep their double letter. */
function undouble(s: string): string {
  const n = s.length;
  const last = s[n - 1]!;
  if (n >= 4 && last === s[n - 2] && !VOWELS.includes(last) && !'lsz'.includes(last)) {
    return s.slice(0, -1);
  }
  return s;
}

/**
 * A deliberately small English stemmer: possessives, plurals, -ing, -ed, -ly, -y/-ie and a final
 * -e. Stop words are returned unchanged so the stop list still matches them.
 */
export function stemWord(word: string): string {
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
  if (n > 3 && w.endsWith('y') && !VOWELS.includes(w[n - 2]!)) w = `${w.slice(0, -1)}i`;
  else if (n > 3 && w.endsWith('e') && !w.endsWith('ee')) w = w.slice(0, -1);
  return w;
}
