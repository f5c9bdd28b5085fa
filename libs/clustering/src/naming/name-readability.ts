/**
 * When does a cluster name read like a keyword list rather than a phrase a person would write?
 * The naming evaluation (`npm run eval -- naming`) counts names this check flags, and the demo's
 * end-to-end test asserts that published names pass it. The rules, in order (the first that
 * applies is the reason):
 *
 *  1. `separator`: a list separator between words: "·", "•", "|", ";", ",", "/", "+" or a
 *     spaced dash (" - ", " – ", " — "). "travel · booking" is a list, "e-mails" is a word.
 *  2. `too-long`: more than `MAX_NAME_WORDS` (6) words; a phrase that long is a sentence or a bag.
 *  3. `repeated-stem`: two words share a stem ("booking · reserve · book", "cards card"): a
 *     person does not repeat a word in a short name, a bag of frequent terms often does.
 *  4. `dangling-connector`: a connector ("and", "&", "of", "for", "in", "with", "to", "on",
 *     "about", "or", "from", "by", "at") first or last: not a phrase but a fragment.
 *  5. `stray-verb`: a gerund ("-ing" word not in the list of "-ing" nouns) that is neither the
 *     first word (a verb phrase: "Booking restaurant tables"), nor the last (a compound noun:
 *     "restaurant booking"), nor right after a connector ("Help with debugging"). A gerund in the
 *     middle of a run of nouns is what a bag looks like: "travel transportation finding look".
 *  6. `noun-pile`: no gerund first and four or more content words in a row with no connector
 *     ("travel transportation hotel flight"). Real noun phrases that long are rare in a name.
 * Anything else counts as a verb or noun phrase. The rules are deliberately surface-level: they
 * need no part-of-speech model, so they are reproducible and cheap enough to run on every name.
 */

export const MAX_NAME_WORDS = 6;

export type KeywordListReason =
  'separator' | 'too-long' | 'repeated-stem' | 'dangling-connector' | 'stray-verb' | 'noun-pile';

const SEPARATOR_RE = /[·•|;,/+]|\s[-–—]\s/u;
const CONNECTORS: ReadonlySet<string> = new Set(
  'and & of for in with to on about or from by at into per via'.split(' '),
);
/** Articles and determiners: allowed inside a phrase, never the reason for a flag. */
const DETERMINERS: ReadonlySet<string> = new Set('a an the their your our my its'.split(' '));
/** Words ending in "-ing" that are nouns, not verbs (a name may put them anywhere). */
const ING_NOUNS: ReadonlySet<string> = new Set(
  `thing things something anything everything nothing morning evening ring rings king kings
  string strings spring building buildings wedding weddings clothing housing ceiling meeting
  meetings painting paintings setting settings feeling feelings earring earrings pudding
  dumpling dumplings sibling siblings offspring duckling lightning warning warnings heading
  headings ending endings beginning beginnings bring during sing sting swing wing wings
  sterling pricing funding banking marketing accounting engineering learning training
  programming computing hosting shipping parking listing listings booking bookings offering
  offerings savings earnings spending lodging catering plumbing roofing nursing tutoring
  consulting recruiting onboarding billing licensing rating ratings ranking rankings`.split(/\s+/),
);

export interface ReadabilityVerdict {
  keywordList: boolean;
  reason?: KeywordListReason;
}

/** Words of a name, lower-cased, with an ordinal suffix such as "(2)" removed. */
export function nameWords(name: string): string[] {
  return name
    .replace(/\(\d+\)\s*$/u, '')
    .toLowerCase()
    .split(/\s+/u)
    .map((w) => w.replace(/^[^\p{L}\p{N}&]+|[^\p{L}\p{N}&]+$/gu, ''))
    .filter((w) => w.length > 0);
}

/** Whether a name reads like a keyword list (see the module comment for the exact rules). */
export function keywordListVerdict(name: string): ReadabilityVerdict {
  if (SEPARATOR_RE.test(name)) return { keywordList: true, reason: 'separator' };
  const words = nameWords(name);
  if (words.length > MAX_NAME_WORDS) return { keywordList: true, reason: 'too-long' };
  const stems = words.filter((w) => !CONNECTORS.has(w) && !DETERMINERS.has(w)).map(stem);
  if (new Set(stems).size < stems.length) return { keywordList: true, reason: 'repeated-stem' };
  if (words.length > 0 && (CONNECTORS.has(words[0]!) || CONNECTORS.has(words.at(-1)!)))
    return { keywordList: true, reason: 'dangling-connector' };
  const gerund = (w: string) => w.length > 4 && w.endsWith('ing') && !ING_NOUNS.has(w);
  for (let i = 1; i < words.length - 1; i++) {
    if (gerund(words[i]!) && !CONNECTORS.has(words[i - 1]!))
      return { keywordList: true, reason: 'stray-verb' };
  }
  // "-ing" nouns that double as verbs ("booking", "planning") can start a verb phrase too.
  const verbFirst = words.length > 0 && words[0]!.length > 4 && words[0]!.endsWith('ing');
  if (!verbFirst) {
    let run = 0;
    for (const w of words) {
      run = CONNECTORS.has(w) || DETERMINERS.has(w) ? 0 : run + 1;
      if (run >= 4) return { keywordList: true, reason: 'noun-pile' };
    }
  }
  return { keywordList: false };
}

export function looksLikeKeywordList(name: string): boolean {
  return keywordListVerdict(name).keywordList;
}

/**
 * A light suffix-stripping stem for comparing words ("booking" ~ "book", "cards" ~ "card",
 * "reservation" ~ "reserve", "payments" ~ "pay"). Not a linguistic stemmer: it only has to make
 * obvious variants of one word compare equal.
 */
export function stem(word: string): string {
  let w = word.toLowerCase().replace(/'s$/u, '');
  // "queries"/"query" and "movies"/"movie" meet at "queri" and "movi".
  if (w.length > 4 && w.endsWith('ies')) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith('s') && !/(?:ss|us|is)$/u.test(w)) w = w.slice(0, -1);
  if (w.length > 3 && w.endsWith('y')) w = `${w.slice(0, -1)}i`;
  for (const suffix of ['ations', 'ation', 'ments', 'ment', 'ings', 'ing', 'ed']) {
    if (w.length - suffix.length >= 3 && w.endsWith(suffix)) {
      w = w.slice(0, -suffix.length);
      break;
    }
  }
  if (w.length > 3 && w.endsWith('e')) w = w.slice(0, -1);
  // "debugg(ing)" → "debug", "plann(ing)" → "plan": undo a doubled final consonant.
  if (w.length > 3 && /([b-df-hj-np-tv-z])\1$/u.test(w) && !/(?:ll|ss|zz)$/u.test(w))
    w = w.slice(0, -1);
  return w;
}
