/**
 * Offline cluster names a person would write ("Finding rental cars", "Booking restaurant
 * reservations", "Writing poems"), built from the members' facets rather than from a bag of
 * distinctive words. The c-TF-IDF terms (`ctfidf.ts`) stay the cluster's keywords, shown apart.
 *
 * Candidates come from each member's facets:
 *  - the use case ("finding drama movies to watch"): its leading gerund ("finding") with each
 *    noun phrase of its object, ending at the phrase's head noun ("finding drama movies",
 *    "finding movies"), the same noun phrases without the verb ("drama movies", "movies"),
 *    and the whole use case when it is short;
 *  - the domain ("travel & transportation"), a noun phrase for broad parents.
 * A candidate is eligible only when at least `kUsers` DISTINCT users of the cluster produced it
 * (the same rule as for keywords, BRIEF "Privacy model" 4) and the PII detector finds nothing in
 * it. Among eligible candidates a cluster takes the one with the best class-based TF-IDF over
 * its siblings (share of the cluster's members with the phrase × log(1 + average cluster size /
 * members with the phrase in all siblings)), weighted towards verb phrases and longer phrases.
 * Siblings never share a name: a later cluster takes its next candidate, then an ordinal.
 *
 * Statistics are counted once per base cluster and merged up the tree (`mergePhraseStats`), like
 * the keyword terms, so a large run extracts phrases from each distinct use case once.
 */
import { containsPii, detectPii } from '@silhouette/privacy';
import { FALLBACK_DESCRIPTION, FALLBACK_NAME } from './ctfidf';
import { looksLikeKeywordList, MAX_NAME_WORDS } from './name-readability';
import { foldCase, NAMING_STOP_WORDS, singularize } from './text-terms';

/** The facets of one member that names are built from. Never leave this module. */
export interface FacetMember {
  user: string;
  useCase: string;
  taskType: string;
  domain: string;
}

export interface PhraseStats {
  /** Members counted. */
  members: number;
  /** Phrase key → members whose facets produced it (once per member). */
  counts: Map<string, number>;
  /**
   * Phrase key → distinct users, capped at kUsers (only "enough or not" matters). Arrays of at
   * most kUsers rather than sets: a large run holds millions of these.
   */
  users: Map<string, string[]>;
  /** Phrase key → surface forms and how often each was seen, only those unlike the key's text. */
  surfaces: Map<string, Map<string, number>>;
}

export interface ReadableName {
  name: string;
  description: string;
}

export interface ReadableNamingOptions {
  kUsers: number;
}

type PhraseKind = 'verb' | 'noun' | 'verb-prefix' | 'whole' | 'domain' | 'task' | 'task-domain';

interface Phrase {
  key: string;
  surface: string;
}

/** Preference between kinds of candidate at equal c-TF-IDF: a verb phrase says what people did. */
const KIND_WEIGHT: Record<PhraseKind, number> = {
  verb: 1,
  whole: 1,
  // A phrase cut before its head noun ("booking flight" of "booking flight tickets") is what
  // members with different heads share; a little less specific than a whole noun phrase.
  'verb-prefix': 0.85,
  noun: 0.8,
  'task-domain': 0.65,
  domain: 0.6,
  task: 0.5,
};
/**
 * Task types as a person would title a group of them ("Calculations in math"). The offline
 * taxonomy's labels; a model's free-form task type is used as written.
 */
const TASK_NOUNS: ReadonlyMap<string, string> = new Map([
  ['summarization', 'summaries'],
  ['explanation', 'explanations'],
  ['calculation', 'calculations'],
  ['translation', 'translations'],
  ['booking', 'bookings'],
  ['search & lookup', 'searches'],
  ['transaction', 'transactions'],
]);
/** Candidates taken from the use case (the others are categories: task type, domain). */
const PHRASE_KINDS: ReadonlySet<PhraseKind> = new Set(['verb', 'whole', 'noun', 'verb-prefix']);
/** A use-case phrase names a cluster only if at least this share of its members has it. */
const MIN_PHRASE_SHARE = 0.2;
/** Each extra content word multiplies the score by this much (specific beats vague when close). */
const LENGTH_BONUS = 0.25;
/** Under this share of members, the best verb phrase is joined by a second one ("and"). */
const LOW_COVERAGE = 0.3;
/** A second object joins the name only if this share of members has it. */
const SECOND_OBJECT_SHARE = 0.1;
/** Longest noun phrase taken from an object (head noun included). */
const MAX_OBJECT_WORDS = 3;
/** A whole use case is a candidate up to this many words. */
const MAX_WHOLE_WORDS = 5;
const DOMAIN_SHARE_FOR_DESCRIPTION = 0.5;
const ABSTAIN = new Set(['other', 'unknown', '']);

/** Openers the offline tagger uses that read better as a noun: "asking about x" → "questions about x". */
const OPENERS: readonly [string[], string][] = [
  [['asking', 'about'], 'questions about'],
  [['getting', 'advice', 'on'], 'advice on'],
  [['getting', 'help', 'with'], 'help with'],
  [['looking', 'for'], 'looking for'],
  [['looking', 'up'], 'looking up'],
];
/** Words that end a noun phrase badly: adjectives and fillers the tagger leaves at the end. */
const WEAK_HEADS: ReadonlySet<string> = new Set(
  `able available best better big certain cheap common correct current different easy engaging
  early effective free full fun general good great hard high important interesting large last
  late local long low main many more most new next nice old online open other own personal
  possible private public quick ready real recent right same several short similar simple small
  specific successful such sure top total useful various whole wrong topic topics question
  questions request requests stuff kind type sort information info detail details`.split(/\s+/),
);
// Words (with digits, to be able to drop them) and the punctuation that ends a phrase.
const TOKEN_RE = /[\p{L}\p{N}][\p{L}\p{N}'-]*|[;:,.!?()[\]{}"|/\\]/gu;
// Placeholders left by an earlier scrub ("[EMAIL]") are not words of a use case.
const PLACEHOLDER_RE = /\[[A-Z_]+\]/g;
const HAS_DIGIT_RE = /\p{N}/u;
const WORD_START_RE = /^\p{L}/u;

/** Candidate phrases of one member (deduplicated by key). */
export function facetPhrases(member: Omit<FacetMember, 'user'>): Phrase[] {
  const out = new Map<string, Phrase>();
  const add = (kind: PhraseKind, words: string[]) => {
    if (words.length === 0) return;
    const key = `${kind}:${words.map(keyOf).join(' ')}`;
    if (!out.has(key)) out.set(key, { key, surface: words.join(' ') });
  };
  for (const phrase of useCasePhrases(member.useCase)) add(phrase.kind, phrase.words);
  const domain = foldCase(member.domain).trim();
  const usableDomain = !ABSTAIN.has(domain) && !HAS_DIGIT_RE.test(domain);
  if (usableDomain) add('domain', domain.split(/\s+/u));
  const task = foldCase(member.taskType).trim();
  if (!ABSTAIN.has(task) && !HAS_DIGIT_RE.test(task)) {
    const noun = (TASK_NOUNS.get(task) ?? task).split(/\s+/u);
    add('task', noun);
    if (usableDomain) add('task-domain', [...noun, 'in', ...domain.split(/\s+/u)]);
  }
  return [...out.values()];
}

const useCaseCache = new Map<string, { kind: PhraseKind; words: string[] }[]>();
const USE_CASE_CACHE_LIMIT = 200_000;

/** Verb and noun phrases of a use case; cached, as offline use cases repeat a lot. */
function useCasePhrases(useCase: string): { kind: PhraseKind; words: string[] }[] {
  const cached = useCaseCache.get(useCase);
  if (cached) return cached;
  const phrases: { kind: PhraseKind; words: string[] }[] = [];
  const tokens = (foldCase(maskPii(useCase)).match(TOKEN_RE) ?? []).map((t) =>
    t.replace(/'s$/u, ''),
  );
  let verb: string[] = [];
  let rest = tokens;
  const opener = OPENERS.find(([words]) => words.every((w, i) => tokens[i] === w));
  if (opener) {
    verb = opener[1].split(' ');
    rest = tokens.slice(opener[0].length);
  } else if (tokens[0] && isGerund(tokens[0])) {
    verb = [tokens[0]];
    rest = tokens.slice(1);
  }
  // Noun phrases of the object: runs of content words, cut at stop words; a run right after
  // "to" is an infinitive ("movies to watch"), not an object.
  const runs: string[][] = [];
  let run: string[] = [];
  let afterTo = false;
  const flush = () => {
    while (run.length > 0 && WEAK_HEADS.has(run.at(-1)!)) run.pop();
    if (run.length > 0 && !afterTo) runs.push(run);
    run = [];
  };
  for (const token of rest) {
    if (
      !WORD_START_RE.test(token) ||
      token.length < 2 ||
      HAS_DIGIT_RE.test(token) ||
      NAMING_STOP_WORDS.has(token)
    ) {
      flush();
      afterTo = token === 'to';
      continue;
    }
    if (isGerund(token) && verb.length > 0) {
      // A second verb ("bus leaving", "helping understanding x") starts a new clause: stop.
      flush();
      break;
    }
    run.push(token);
  }
  flush();
  for (const object of runs.slice(0, 2)) {
    for (let size = 1; size <= Math.min(MAX_OBJECT_WORDS, object.length); size++) {
      const noun = object.slice(object.length - size);
      phrases.push({ kind: 'noun', words: noun });
      if (verb.length > 0) phrases.push({ kind: 'verb', words: [...verb, ...noun] });
    }
    // Leading parts of a longer run: "flight" of "flight tickets", never a weak word at the end.
    for (let size = 1; size < Math.min(MAX_OBJECT_WORDS + 1, object.length); size++) {
      const part = object.slice(0, size);
      if (WEAK_HEADS.has(part.at(-1)!)) continue;
      // Only with the verb: a bare modifier ("rental", "drama") is no name on its own.
      if (verb.length > 0) phrases.push({ kind: 'verb-prefix', words: [...verb, ...part] });
    }
  }
  const whole = tokens.filter((t) => WORD_START_RE.test(t) && !HAS_DIGIT_RE.test(t));
  if (
    verb.length > 0 &&
    whole.length === tokens.length &&
    whole.length <= MAX_WHOLE_WORDS &&
    runs.length > 0 &&
    !WEAK_HEADS.has(whole.at(-1)!) &&
    !NAMING_STOP_WORDS.has(whole.at(-1)!)
  ) {
    phrases.push({ kind: 'whole', words: opener ? [...verb, ...rest] : whole });
  }
  if (useCaseCache.size >= USE_CASE_CACHE_LIMIT) useCaseCache.clear();
  useCaseCache.set(useCase, phrases);
  return phrases;
}

/** The text with every span the PII detector finds (and scrub placeholders) cut out. */
function maskPii(text: string): string {
  let masked = text;
  const spans = detectPii(text);
  for (let i = spans.length - 1; i >= 0; i--)
    masked = `${masked.slice(0, spans[i]!.start)} ; ${masked.slice(spans[i]!.end)}`;
  return masked.replace(PLACEHOLDER_RE, ' ; ');
}

function isGerund(word: string): boolean {
  return word.length > 4 && word.endsWith('ing');
}

/** Counting form of a word: singular, except verbs and connectors which stay as written. */
function keyOf(word: string): string {
  return isGerund(word) || NAMING_STOP_WORDS.has(word) ? word : singularize(word);
}

/** Phrase statistics of one cluster's members (users per phrase counted up to `kUsers`). */
export function phraseStats(members: readonly FacetMember[], kUsers: number): PhraseStats {
  const stats: PhraseStats = {
    members: 0,
    counts: new Map(),
    users: new Map(),
    surfaces: new Map(),
  };
  for (const member of members) {
    stats.members++;
    for (const phrase of memberPhrases(member)) {
      stats.counts.set(phrase.key, (stats.counts.get(phrase.key) ?? 0) + 1);
      const users = stats.users.get(phrase.key);
      if (!users) stats.users.set(phrase.key, [member.user]);
      else if (users.length < kUsers && !users.includes(member.user)) users.push(member.user);
      if (phrase.surface === keyText(phrase.key)) continue;
      let forms = stats.surfaces.get(phrase.key);
      if (!forms) stats.surfaces.set(phrase.key, (forms = new Map()));
      forms.set(phrase.surface, (forms.get(phrase.surface) ?? 0) + 1);
    }
  }
  return stats;
}

const memberCache = new Map<string, Phrase[]>();

/** `facetPhrases`, cached by facet values: in a large run the same facets repeat a lot. */
function memberPhrases(member: FacetMember): Phrase[] {
  const key = `${member.useCase}\u0000${member.taskType}\u0000${member.domain}`;
  let phrases = memberCache.get(key);
  if (!phrases) {
    if (memberCache.size >= USE_CASE_CACHE_LIMIT) memberCache.clear();
    memberCache.set(key, (phrases = facetPhrases(member)));
  }
  return phrases;
}

/** The words of a phrase key ("verb:finding car" → "finding car"). */
function keyText(key: string): string {
  return key.slice(key.indexOf(':') + 1);
}

/** Statistics of the union of several clusters' members (a parent from its children). */
export function mergePhraseStats(parts: readonly PhraseStats[], kUsers: number): PhraseStats {
  const merged: PhraseStats = {
    members: 0,
    counts: new Map(),
    users: new Map(),
    surfaces: new Map(),
  };
  for (const part of parts) {
    merged.members += part.members;
    for (const [key, n] of part.counts) merged.counts.set(key, (merged.counts.get(key) ?? 0) + n);
    for (const [key, users] of part.users) {
      const into = merged.users.get(key);
      if (!into) {
        merged.users.set(key, users.slice(0, kUsers));
        continue;
      }
      for (const user of users) {
        if (into.length >= kUsers) break;
        if (!into.includes(user)) into.push(user);
      }
    }
    for (const [key, forms] of part.surfaces) {
      let into = merged.surfaces.get(key);
      if (!into) merged.surfaces.set(key, (into = new Map()));
      for (const [form, n] of forms) into.set(form, (into.get(form) ?? 0) + n);
    }
  }
  return merged;
}

interface Candidate {
  key: string;
  kind: PhraseKind;
  display: string;
  share: number;
  score: number;
}

/** Readable names for sibling clusters, keyed by id. Deterministic; independent of input order. */
export function readableNames(
  clusters: readonly {
    id: string;
    stats: PhraseStats;
    /** Names this cluster should not take unless nothing else is left (e.g. its parent's). */
    avoid?: readonly string[];
  }[],
  options: ReadableNamingOptions,
): Map<string, ReadableName> {
  const { kUsers } = options;
  if (!Number.isInteger(kUsers) || kUsers < 1)
    throw new RangeError('kUsers must be an integer ≥ 1');
  const sorted = [...clusters].sort((a, b) => compare(a.id, b.id));
  const frequency = new Map<string, number>();
  let members = 0;
  for (const { stats } of sorted) {
    members += stats.members;
    for (const [key, n] of stats.counts) frequency.set(key, (frequency.get(key) ?? 0) + n);
  }
  const average = sorted.length > 0 ? members / sorted.length : 0;
  const piiCache = new Map<string, boolean>();
  const isPii = (text: string): boolean => {
    let hit = piiCache.get(text);
    if (hit === undefined) piiCache.set(text, (hit = containsPii(text)));
    return hit;
  };

  const states = sorted.map(({ id, stats, avoid }) => {
    const candidates = rankCandidates(stats, frequency, average, kUsers, isPii);
    return { id, stats, candidates, avoid: new Set((avoid ?? []).map(fold)), choice: 0, name: '' };
  });
  for (const state of states) state.name = nameOf(state.candidates, state.choice);

  // Siblings never share a name: the cluster with the larger share of the phrase keeps it, the
  // others move to their next candidate whose name is still free, else take an ordinal.
  const taken = new Map<string, string>();
  const order = [...states].sort(
    (a, b) => (b.candidates[0]?.score ?? 0) - (a.candidates[0]?.score ?? 0) || compare(a.id, b.id),
  );
  const ordinals = new Map<string, number>();
  for (const state of order) {
    let choice = 0;
    let name = nameOf(state.candidates, choice);
    const blocked = (n: string) => taken.has(fold(n)) || state.avoid.has(fold(n));
    while (blocked(name) && choice < state.candidates.length - 1) {
      choice++;
      name = nameOf(state.candidates, choice);
    }
    // Nothing else left: an avoided name is still better than an ordinal.
    if (!taken.has(fold(name)) && state.avoid.has(fold(name))) {
      choice = 0;
      name = nameOf(state.candidates, 0);
      while (taken.has(fold(name)) && choice < state.candidates.length - 1)
        name = nameOf(state.candidates, ++choice);
    }
    if (taken.has(fold(name))) {
      const n = (ordinals.get(fold(name)) ?? 1) + 1;
      ordinals.set(fold(name), n);
      name = `${name} (${n})`;
    }
    taken.set(fold(name), state.id);
    state.name = name;
    state.choice = choice;
  }

  const result = new Map<string, ReadableName>();
  for (const state of states) {
    const description = describe(state.name, state.candidates, state.stats, kUsers);
    if (state.name.startsWith(FALLBACK_NAME) || isPii(state.name) || isPii(description)) {
      const suffix = state.name.startsWith(FALLBACK_NAME)
        ? state.name.slice(FALLBACK_NAME.length)
        : '';
      result.set(state.id, { name: FALLBACK_NAME + suffix, description: FALLBACK_DESCRIPTION });
      continue;
    }
    result.set(state.id, { name: state.name, description });
  }
  return result;
}

/** Eligible candidates of one cluster, best first. */
function rankCandidates(
  stats: PhraseStats,
  frequency: ReadonlyMap<string, number>,
  average: number,
  kUsers: number,
  isPii: (text: string) => boolean,
): Candidate[] {
  const out: Candidate[] = [];
  if (stats.members === 0) return out;
  for (const [key, count] of stats.counts) {
    if ((stats.users.get(key)?.length ?? 0) < kUsers) continue;
    const kind = key.slice(0, key.indexOf(':')) as PhraseKind;
    const display = displayForm(stats, key);
    // Never a name the readability check would flag ("checking balance of checking account").
    if (looksLikeKeywordList(display) || isPii(display)) continue;
    const share = count / stats.members;
    const contentWords = display.split(' ').filter((w) => !NAMING_STOP_WORDS.has(w)).length;
    const score =
      share *
      Math.log(1 + average / frequency.get(key)!) *
      KIND_WEIGHT[kind] *
      (1 + LENGTH_BONUS * (contentWords - 1));
    out.push({ key, kind, display, share, score });
  }
  // A phrase from the use cases names the cluster when enough of its members share it; else a
  // category (task and domain) does, and thin phrases come last (alternatives for siblings).
  const tier = (c: Candidate) =>
    !PHRASE_KINDS.has(c.kind) ? 1 : c.share >= MIN_PHRASE_SHARE ? 0 : 2;
  return out.sort((a, b) => tier(a) - tier(b) || b.score - a.score || compare(a.key, b.key));
}

/**
 * The name for the candidate at `choice`. A verb phrase that covers few members is joined by
 * the best other object of the same verb ("Finding movies and events"), within six words.
 */
function nameOf(candidates: readonly Candidate[], choice: number): string {
  const first = candidates[choice];
  if (!first) return FALLBACK_NAME;
  let text = first.display;
  if ((first.kind === 'verb' || first.kind === 'verb-prefix') && first.share < LOW_COVERAGE) {
    const words = first.display.split(' ');
    const verb = verbPart(words);
    const object = words.slice(verb.length);
    const second = candidates.find(
      (c) =>
        c !== first &&
        (c.kind === 'verb' || c.kind === 'verb-prefix') &&
        c.share >= SECOND_OBJECT_SHARE &&
        sameWords(verbPart(c.display.split(' ')), verb) &&
        c.display
          .split(' ')
          .slice(verb.length)
          .every((w) => !object.includes(w)),
    );
    if (second) {
      const joined = `${text} and ${second.display.split(' ').slice(verb.length).join(' ')}`;
      if (joined.split(' ').length <= MAX_NAME_WORDS) text = joined;
    }
  }
  return capitalize(text);
}

function verbPart(words: readonly string[]): string[] {
  const opener = OPENERS.find(([, display]) => display.split(' ').every((w, i) => words[i] === w));
  return opener ? opener[1].split(' ') : words.slice(0, 1);
}

function sameWords(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((w, i) => w === b[i]);
}

/** "Conversations about finding rental cars, mostly in travel & transportation." */
function describe(
  name: string,
  candidates: readonly Candidate[],
  stats: PhraseStats,
  kUsers: number,
): string {
  if (name.startsWith(FALLBACK_NAME)) return FALLBACK_DESCRIPTION;
  const plain = name.replace(/\s\(\d+\)$/u, '');
  let text = `Conversations about ${plain.charAt(0).toLowerCase()}${plain.slice(1)}`;
  const domain = candidates.find(
    (c) =>
      c.kind === 'domain' &&
      c.share >= DOMAIN_SHARE_FOR_DESCRIPTION &&
      (stats.users.get(c.key)?.length ?? 0) >= kUsers,
  );
  if (domain && !plain.toLowerCase().includes(domain.display)) {
    const written = capitalize(domain.display);
    text += `, mostly in ${WRITTEN_AS.has(domain.display.split(' ')[0]!) ? written : domain.display}`;
  }
  return `${text}.`;
}

/** The most frequent surface form of a phrase; ties broken alphabetically. */
function displayForm(stats: PhraseStats, key: string): string {
  const forms = stats.surfaces.get(key);
  let best = keyText(key);
  if (!forms) return best;
  // The key's own text is the form of every occurrence not recorded as a variant.
  let bestCount = (stats.counts.get(key) ?? 0) - [...forms.values()].reduce((a, b) => a + b, 0);
  for (const [form, n] of forms) {
    if (n > bestCount || (n === bestCount && compare(form, best) < 0)) {
      best = form;
      bestCount = n;
    }
  }
  return best;
}

/**
 * How well-known acronyms and product names are written in a name ("it support" → "IT support",
 * "python scripts" → "Python scripts"). Facets are lower-cased by the tagger; a reader expects
 * these words in their usual form.
 */
const WRITTEN_AS: ReadonlyMap<string, string> = new Map(
  `AI API AWS CI CRM CSS CSV ERP GPU HR HTML HTTP IT JSON PC PDF SEO SQL UI UX URL VPN iOS
  JavaScript TypeScript Python Java Rust Excel Linux Windows macOS Android Kubernetes Docker
  PostgreSQL MySQL React Node.js GitHub Git PowerPoint Outlook LinkedIn Google English French
  German Spanish Italian Chinese Japanese`
    .split(/\s+/)
    .map((word) => [word.toLowerCase(), word]),
);

function capitalize(text: string): string {
  const written = text
    .split(' ')
    .map((word) => WRITTEN_AS.get(word) ?? word)
    .join(' ');
  return written.charAt(0).toUpperCase() + written.slice(1);
}

function fold(name: string): string {
  return name.toLowerCase();
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
