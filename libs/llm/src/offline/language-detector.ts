/**
 * The `language` facet's detector (BCP-47 primary tag), chosen by measurement
 * (`npm run eval -- language`, README "Demo company and offline failure signals"):
 *
 * 1. A non-Latin script decides on its own (Han → zh, kana → ja, Hangul → ko, Cyrillic → ru/uk,
 *    Devanagari → hi, Greek → el, Hebrew → he, Thai → th): the hand-written rules were right on
 *    every such sample. Arabic script goes to franc among Arabic, Persian and Urdu, which the
 *    letter rule confused.
 * 2. Latin script with clear English stop-word evidence is English: most conversations are, and
 *    franc alone mistook 1 in 10 short English questions for another language (it also skips
 *    franc's cost for them).
 * 3. Otherwise franc's trigram model decides among the Latin-script languages of LATIN_LANGUAGES
 *    (restricting the candidates removes confusions with rare languages), on the first
 *    FRANC_SAMPLE_CHARS characters.
 * 4. Text too short for franc falls back to the stop-word detector, which says 'en' with a low
 *    confidence when it cannot tell. When franc's best candidates nearly tie (gibberish, names,
 *    code), its confidence says so (≈ 0.5).
 */
import { francAll } from 'franc';
import {
  detectLanguageByStopWords,
  detectScriptLanguage,
  type LanguageGuess,
} from './stop-word-language-detector';
import { LANGUAGE_SAMPLE_CHARS } from './tagging-tables';

export type { LanguageGuess } from './stop-word-language-detector';

/** franc's ISO 639-3 candidates for Latin-script text, with the BCP-47 tag each stands for. */
const LATIN_LANGUAGES: Readonly<Record<string, string>> = {
  eng: 'en',
  deu: 'de',
  fra: 'fr',
  spa: 'es',
  ita: 'it',
  por: 'pt',
  nld: 'nl',
  swe: 'sv',
  dan: 'da',
  nob: 'no',
  fin: 'fi',
  pol: 'pl',
  ces: 'cs',
  slk: 'sk',
  hun: 'hu',
  ron: 'ro',
  hrv: 'hr',
  slv: 'sl',
  lit: 'lt',
  lvs: 'lv',
  ekk: 'et',
  tur: 'tr',
  ind: 'id',
  zlm: 'ms',
  vie: 'vi',
  tgl: 'tl',
};
const ARABIC_SCRIPT_LANGUAGES: Readonly<Record<string, string>> = {
  arb: 'ar',
  pes: 'fa',
  urd: 'ur',
};
const LATIN_CANDIDATES = Object.keys(LATIN_LANGUAGES);
const ARABIC_CANDIDATES = Object.keys(ARABIC_SCRIPT_LANGUAGES);

/** franc's accuracy levels off well before this; its cost grows with the length. */
const FRANC_SAMPLE_CHARS = 400;
/** Stop-word confidence from which English is taken without asking franc. */
const STRONG_ENGLISH = 0.6;

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function francGuess(
  text: string,
  codes: Readonly<Record<string, string>>,
  candidates: string[],
): LanguageGuess | undefined {
  const ranked = francAll(text.slice(0, FRANC_SAMPLE_CHARS), { only: candidates });
  const [best, second] = ranked;
  if (!best || best[0] === 'und') return undefined;
  // franc scores the best candidate 1 and the others relative to it: a close second is doubt.
  const gap = 1 - (second?.[1] ?? 0);
  return {
    language: codes[best[0]] ?? best[0],
    confidence: round2(0.5 + 0.45 * Math.min(1, 4 * gap)),
  };
}

/** Detects the language of the given text (callers pass the user's messages). */
export function detectLanguage(text: string): LanguageGuess {
  const sample = text.length > LANGUAGE_SAMPLE_CHARS ? text.slice(0, LANGUAGE_SAMPLE_CHARS) : text;
  const byScript = detectScriptLanguage(sample);
  if (byScript && byScript.language !== 'ar' && byScript.language !== 'fa') return byScript;
  if (byScript) return francGuess(sample, ARABIC_SCRIPT_LANGUAGES, ARABIC_CANDIDATES) ?? byScript;
  const byStopWords = detectLanguageByStopWords(sample);
  if (byStopWords.language === 'en' && byStopWords.confidence >= STRONG_ENGLISH) return byStopWords;
  return francGuess(sample, LATIN_LANGUAGES, LATIN_CANDIDATES) ?? byStopWords;
}
