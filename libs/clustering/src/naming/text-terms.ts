/**
 * Word handling shared by offline cluster naming (c-TF-IDF) and label normalisation: a compact
 * English stop-word list, a light singulariser and a phrase-aware tokenizer. Unlike the shared
 * normaliser (libs/llm/src/offline/text-normalizer.ts) it keeps readable surface forms, because
 * the terms it finds end up in published cluster names.
 */

/** English function words: no topic signal, and they would fill every name. */
export const ENGLISH_STOP_WORDS: ReadonlySet<string> = new Set(
  `a about above after again against all also am an and any are aren't as at be because been
  before being below between both but by can can't cannot could couldn't did didn't do does
  doesn't doing don't down during each either etc few for from further get gets getting got had
  hadn't has hasn't have haven't having he he's her here here's hers herself him himself his how
  how's i i'd i'll i'm i've if in into is isn't it it's its itself just let's like may me might
  more most much must mustn't my myself no nor not now of off on once one only or other ought our
  ours ourselves out over own per please same shall shan't she she'd she'll she's should
  shouldn't so some such than that that's the their theirs them themselves then there there's
  these they they'd they'll they're they've this those through to too under until up upon us
  very via was wasn't we we'd we'll we're we've were weren't what what's when when's where
  where's whether which while who who's whom whose why why's will with within without won't
  would wouldn't yet you you'd you'll you're you've your yours yourself yourselves`.split(/\s+/),
);

/**
 * Function words plus the filler that facet texts repeat in every cluster ("get help with",
 * "asking for"). Filler would otherwise crowd the names of small runs with few clusters, where
 * the IDF factor cannot push it down far enough.
 */
export const NAMING_STOP_WORDS: ReadonlySet<string> = new Set([
  ...ENGLISH_STOP_WORDS,
  ...`ask asked asking assist assistance assistant conversation help helped helping helps hi
  hello hey need needed needs request requested requesting requests thank thanks trying try want
  wanted wanting wants using use used something someone thing things way ways lot`.split(/\s+/),
]);

// Words that end in "s" but are not plurals (or whose singular is not what the rules produce).
const SINGULAR_AS_IS: ReadonlySet<string> = new Set(
  `always analysis aws basis bias business canvas chaos class crisis diagnosis emphasis ethics
  economics gas hypothesis ios kubernetes lens logistics news mathematics maths physics plus
  politics process series species statistics status success synopsis thesis this was has is
  does its yes less unless across bus campus census corpus virus focus bonus`.split(/\s+/),
);
const IRREGULAR_PLURALS: ReadonlyMap<string, string> = new Map([
  ['people', 'person'],
  ['children', 'child'],
  ['men', 'man'],
  ['women', 'woman'],
  ['data', 'data'],
  ['criteria', 'criterion'],
  ['analyses', 'analysis'],
  ['indices', 'index'],
  ['matrices', 'matrix'],
  ['processes', 'process'],
  ['businesses', 'business'],
  ['statuses', 'status'],
]);

/**
 * A light English singulariser ("scripts" → "script", "queries" → "query", "taxes" → "tax").
 * It only has to fold a plural onto its singular; for anything it is unsure of it leaves the
 * word alone, which at worst keeps two variants apart.
 */
export function singularize(word: string): string {
  const irregular = IRREGULAR_PLURALS.get(word);
  if (irregular !== undefined) return irregular;
  if (word.length <= 3 || !word.endsWith('s') || SINGULAR_AS_IS.has(word)) return word;
  if (/(?:ss|us|is)$/.test(word)) return word;
  if (word.endsWith('ies') && word.length > 4) return `${word.slice(0, -3)}y`;
  if (/(?:ches|shes|xes|zzes|sses)$/.test(word)) return word.slice(0, -2);
  return word.slice(0, -1);
}

/** NFKC, lowercase, unified apostrophes. */
export function foldCase(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u2018\u2019\u02bc`´]/g, "'");
}

// Letters (and digits, to be able to drop the token) with inner apostrophes and hyphens, so
// "follow-up" and "don't" stay one token. "+" and "#" after letters keep "c++" and "c#" apart
// from "c".
const WORD_RE = /[\p{L}\p{N}]+(?:['-][\p{L}\p{N}]+)*(?:\+\+|#)?/gu;
// Punctuation that ends a phrase: a bigram never spans it ("debugging; python" is not a bigram).
const PHRASE_BREAK_RE = /[;:,.!?()[\]{}"|/\\\n\r\t•·–—]+/u;
const HAS_DIGIT_RE = /\p{N}/u;

/** One word of a phrase: `key` is folded and singular (for counting), `surface` as written. */
export interface TermToken {
  key: string;
  surface: string;
}

/**
 * Content words of a text, grouped into phrases. Stop words, one-letter words and any token
 * with a digit are dropped, and each of them ends the phrase, so bigrams are only ever formed
 * from words that stood next to each other ("a type error" → "type error", never "fix type").
 */
export function contentPhrases(text: string): TermToken[][] {
  const phrases: TermToken[][] = [];
  for (const segment of foldCase(text).split(PHRASE_BREAK_RE)) {
    let phrase: TermToken[] = [];
    const flush = (): void => {
      if (phrase.length > 0) phrases.push(phrase);
      phrase = [];
    };
    for (const match of segment.matchAll(WORD_RE)) {
      let surface = match[0];
      if (surface.endsWith("'s")) surface = surface.slice(0, -2);
      if (surface.length < 2 || HAS_DIGIT_RE.test(surface) || NAMING_STOP_WORDS.has(surface)) {
        flush();
        continue;
      }
      const key = singularize(surface);
      if (NAMING_STOP_WORDS.has(key)) {
        flush();
        continue;
      }
      phrase.push({ key, surface });
    }
    flush();
  }
  return phrases;
}
