/**
 * Offline cluster names (the no-LLM path): class-based TF-IDF over the members' facet texts, as
 * in BERTopic. For cluster c and term t (a unigram or a bigram of adjacent content words):
 *
 *   W(t, c) = tf(t, c) · log(1 + A / f(t))
 *
 * tf(t, c) = occurrences of t in c / all term occurrences in c (normalised by cluster size),
 * A = average number of term occurrences per cluster, f(t) = occurrences of t in all clusters.
 * The clusters passed in together are the "classes", so the same function names any level of
 * the tree: pass the siblings of one level (for parents, the union of their children's members;
 * see `nameParents`).
 *
 * Privacy (BRIEF "Privacy model" 4 and 5): names cross the sealed boundary, so
 *  - a term is eligible only if at least `kUsers` DISTINCT users of that cluster used it. A word
 *    that only one person types, however often (a colleague's name, a project code word, a rare
 *    condition), is exactly the kind of word that identifies someone; it never reaches a name;
 *  - PII spans found by the deterministic detector are cut out of member texts before
 *    tokenising, any term for which `containsPii` is true is dropped, and the final name and
 *    description are checked again;
 *  - tokens with digits are dropped (amounts, dates, ids, versions say little about a topic).
 * The LLM path will still run names through the auditor; these rules are what hold without it.
 */
import { containsPii, detectPii } from '@silhouette/privacy';
import { contentPhrases, type TermToken } from './text-terms';

export interface ClusterMember {
  /** Facet text of one conversation (task; use case; goal). Never leaves this module. */
  text: string;
  /** Pseudonymous user id; only counted, never output. */
  user: string;
}

export interface NamingInput {
  id: string;
  members: readonly ClusterMember[];
}

export interface NamingOptions {
  /** Distinct users of a cluster who must have used a term before it may appear in its name. */
  kUsers: number;
  /** Terms per cluster (the name shows up to 3 of them). Default 3. */
  maxTerms?: number;
}

export interface ClusterName {
  name: string;
  description: string;
  /** The chosen terms, best first (readable surface forms). Empty for the fallback name. */
  terms: string[];
}

export const FALLBACK_NAME = 'Miscellaneous';
export const FALLBACK_DESCRIPTION =
  'Varied requests: no topic was shared by enough distinct users to name this group.';

const NAME_SEPARATOR = ' · ';
/** A third term is shown in the name only while the name stays this short. */
const MAX_NAME_LENGTH = 48;
/** A bigram replaces its unigram when it scores at least this share of the unigram's weight. */
const BIGRAM_PREFERENCE = 0.5;
/** Rounds of "add the next distinctive term" before falling back to an ordinal suffix. */
const DISAMBIGUATION_ROUNDS = 3;
// Placeholders left by an earlier scrub ("[EMAIL]") are not topic words.
const PLACEHOLDER_RE = /\[[A-Z_]+\]/g;

/**
 * Term statistics of one cluster: what c-TF-IDF needs from its members. Counted once per base
 * cluster and merged up the tree (`mergeClusterTerms`), so a large run tokenises each
 * conversation once rather than once per level.
 */
export interface ClusterTerms {
  counts: Map<string, number>;
  /** Distinct users per term, capped at kUsers (only "enough or not" matters). */
  users: Map<string, Set<string>>;
  /** Surface forms per term key, only recorded when they differ from the key. */
  surfaces: Map<string, Map<string, number>>;
  total: number;
}

/** Names for sibling clusters, keyed by cluster id. Deterministic; independent of input order. */
export function nameClusters(
  clusters: readonly NamingInput[],
  options: NamingOptions,
): Map<string, ClusterName> {
  const kUsers = options.kUsers;
  const maxTerms = options.maxTerms ?? 3;
  if (!Number.isInteger(kUsers) || kUsers < 1)
    throw new RangeError('kUsers must be an integer ≥ 1');
  if (!Number.isInteger(maxTerms) || maxTerms < 1)
    throw new RangeError('maxTerms must be an integer ≥ 1');
  return nameFromTerms(
    clusters.map((c) => ({ id: c.id, terms: clusterTerms(c.members, kUsers) })),
    options,
  );
}

/**
 * `nameClusters` from term statistics counted beforehand (`clusterTerms`, `mergeClusterTerms`)
 * with the same `kUsers`. Same names as `nameClusters` on the members the statistics came from.
 */
export function nameFromTerms(
  clusters: readonly { id: string; terms: ClusterTerms }[],
  options: NamingOptions,
): Map<string, ClusterName> {
  const kUsers = options.kUsers;
  const maxTerms = options.maxTerms ?? 3;
  if (!Number.isInteger(kUsers) || kUsers < 1)
    throw new RangeError('kUsers must be an integer ≥ 1');
  if (!Number.isInteger(maxTerms) || maxTerms < 1)
    throw new RangeError('maxTerms must be an integer ≥ 1');
  const sorted = [...clusters].sort((a, b) => compare(a.id, b.id));
  for (let i = 1; i < sorted.length; i++)
    if (sorted[i]!.id === sorted[i - 1]!.id)
      throw new Error('duplicate cluster id in naming input');

  const stats = sorted.map((c) => ({ ...c.terms, id: c.id }));
  const frequency = new Map<string, number>();
  let allOccurrences = 0;
  for (const s of stats) {
    allOccurrences += s.total;
    for (const [term, n] of s.counts) frequency.set(term, (frequency.get(term) ?? 0) + n);
  }
  const averageWords = stats.length > 0 ? allOccurrences / stats.length : 0;
  const piiCache = new Map<string, boolean>();
  const isPii = (text: string): boolean => {
    let hit = piiCache.get(text);
    if (hit === undefined) piiCache.set(text, (hit = containsPii(text)));
    return hit;
  };

  const states = stats.map((s) => {
    const ranked = rankTerms(s, frequency, averageWords, kUsers);
    const picker = pickTerms(ranked, isPii);
    const terms: Term[] = [];
    while (terms.length < maxTerms) {
      const next = picker.next();
      if (next.done) break;
      // Each term passed the detector alone; a pair might not ("olga" · "krylova").
      const candidate = [...terms, next.value];
      if (!isPii(renderName(candidate)) && !isPii(describe(candidate))) terms.push(next.value);
    }
    const eligible = new Set(ranked.map((t) => t.key));
    return { id: s.id, eligible, picker, terms, shown: nameTermCount(terms), suffix: '' };
  });

  // Siblings must be told apart: clusters that share a name each add their best next term
  // that the others lack (else one they at least do not show), a few rounds at most, then an
  // ordinal in id order.
  const shownName = (s: NamingState): string => renderName(s.terms.slice(0, s.shown));
  const stuck = new Set<string>();
  for (let round = 0; round < DISAMBIGUATION_ROUNDS; round++) {
    const groups = duplicateGroups(states, shownName).filter((g) => !stuck.has(shownName(g[0]!)));
    if (groups.length === 0) break;
    for (const group of groups) {
      // Every member decides against the names as they were at the start of the round, so
      // that the first one's choice does not make the second one's for it.
      const before = group.map((g) => ({ terms: [...g.terms], shown: g.shown }));
      const shownBefore = before.map((b) => new Set(b.terms.slice(0, b.shown).map((t) => t.key)));
      // "Another member may use / shows this term" from per-group counts, not by scanning the
      // other members: groups of thousands of same-named clusters occur in 1M-conversation runs.
      const eligibleIn = countKeys(group.map((g) => g.eligible));
      const shownIn = countKeys(shownBefore);
      group.forEach((state, i) => {
        const absentFromOthers = (key: string) =>
          (eligibleIn.get(key) ?? 0) - (state.eligible.has(key) ? 1 : 0) === 0;
        const shownByOthers = (key: string) =>
          (shownIn.get(key) ?? 0) - (shownBefore[i]!.has(key) ? 1 : 0) > 0;
        const extra = nextDistinctTerm(state, absentFromOthers, shownByOthers, isPii);
        if (extra) {
          if (!state.terms.includes(extra)) state.terms.push(extra);
          moveToShown(state, extra);
        }
      });
      // Terms that told no one apart (near-identical clusters) only lengthen the names: undo
      // them and leave the group to the ordinal.
      if (new Set(group.map(shownName)).size === 1) {
        group.forEach((state, i) => {
          state.terms = before[i]!.terms;
          state.shown = before[i]!.shown;
        });
        stuck.add(shownName(group[0]!));
      }
    }
  }
  const used = new Set(states.map(shownName));
  // Per base name, the ordinal to try next: every lower one is taken already.
  const nextOrdinal = new Map<string, number>();
  for (const group of duplicateGroups(states, shownName)) {
    for (const state of group.slice(1)) {
      const base = shownName(state);
      let n = nextOrdinal.get(base) ?? 2;
      while (used.has(`${base} (${n})`)) n++;
      state.suffix = ` (${n})`;
      used.add(`${base} (${n})`);
      nextOrdinal.set(base, n + 1);
    }
  }

  const result = new Map<string, ClusterName>();
  for (const state of states) {
    // Terms the disambiguation looked at but did not show are not part of the result.
    state.terms = state.terms.slice(0, Math.max(maxTerms, state.shown));
    const name = renderName(state.terms.slice(0, state.shown)) + state.suffix;
    const description = describe(state.terms);
    // Defence in depth: every term passed the detector, but a combination might not.
    if (state.terms.length > 0 && (isPii(name) || isPii(description))) {
      result.set(state.id, {
        name: FALLBACK_NAME + state.suffix,
        description: FALLBACK_DESCRIPTION,
        terms: [],
      });
      continue;
    }
    result.set(state.id, { name, description, terms: state.terms.map((t) => t.display) });
  }
  return result;
}

/**
 * Names for an upper level. A parent is named from the union of its children's members, with
 * the same c-TF-IDF across the parents of that level and the same k-user rule counted on the
 * parent's own users (a superset of each child's, so every term eligible for a child stays
 * eligible for its parent). Children's names are deliberately not the input: naming from names
 * would compound the offline namer's mistakes level by level.
 */
export function nameParents(
  parents: readonly { id: string; children: readonly { members: readonly ClusterMember[] }[] }[],
  options: NamingOptions,
): Map<string, ClusterName> {
  return nameClusters(
    parents.map((p) => ({ id: p.id, members: p.children.flatMap((c) => c.members) })),
    options,
  );
}

interface Term {
  key: string;
  words: string[];
  display: string;
  score: number;
}

/** Term statistics of one cluster's members (users per term counted up to `kUsers`). */
export function clusterTerms(members: readonly ClusterMember[], kUsers: number): ClusterTerms {
  const stats: ClusterTerms = {
    counts: new Map(),
    users: new Map(),
    surfaces: new Map(),
    total: 0,
  };
  const add = (key: string, surface: string, user: string): void => {
    stats.counts.set(key, (stats.counts.get(key) ?? 0) + 1);
    stats.total++;
    let users = stats.users.get(key);
    if (!users) stats.users.set(key, (users = new Set()));
    if (users.size < kUsers) users.add(user);
    if (surface !== key) {
      let forms = stats.surfaces.get(key);
      if (!forms) stats.surfaces.set(key, (forms = new Map()));
      forms.set(surface, (forms.get(surface) ?? 0) + 1);
    }
  };
  for (const member of members) {
    for (const phrase of textPhrases(member.text)) {
      for (let i = 0; i < phrase.length; i++) {
        const word = phrase[i]!;
        add(word.key, word.surface, member.user);
        const next = phrase[i + 1];
        if (next && next.key !== word.key)
          add(`${word.key} ${next.key}`, `${word.surface} ${next.surface}`, member.user);
      }
    }
  }
  return stats;
}

/**
 * Statistics of the union of several clusters' members, e.g. a parent from its children: the
 * same as `clusterTerms` over all their members. Users stay capped at `kUsers`, which loses
 * nothing: a capped child set already decides "at least k", and uncapped sets are complete.
 */
export function mergeClusterTerms(parts: readonly ClusterTerms[], kUsers: number): ClusterTerms {
  const merged: ClusterTerms = {
    counts: new Map(),
    users: new Map(),
    surfaces: new Map(),
    total: 0,
  };
  for (const part of parts) {
    merged.total += part.total;
    for (const [key, n] of part.counts) merged.counts.set(key, (merged.counts.get(key) ?? 0) + n);
    for (const [key, users] of part.users) {
      let into = merged.users.get(key);
      if (!into) merged.users.set(key, (into = new Set()));
      for (const user of users) {
        if (into.size >= kUsers) break;
        into.add(user);
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

const phraseCache = new Map<string, TermToken[][]>();
const PHRASE_CACHE_LIMIT = 200_000;

/**
 * `contentPhrases` of the text with PII masked, cached by text: in a large run the same texts
 * repeat a lot (a tenant's recurring requests), and PII detection is the costly part.
 */
function textPhrases(text: string): readonly TermToken[][] {
  let phrases = phraseCache.get(text);
  if (!phrases) {
    if (phraseCache.size >= PHRASE_CACHE_LIMIT) phraseCache.clear();
    phrases = contentPhrases(maskPii(text));
    phraseCache.set(text, phrases);
  }
  return phrases;
}

/** The text with every detected PII span (and earlier scrub placeholders) replaced by a break. */
function maskPii(text: string): string {
  const spans = detectPii(text);
  let masked = text;
  for (let i = spans.length - 1; i >= 0; i--) {
    const span = spans[i]!;
    masked = `${masked.slice(0, span.start)} ; ${masked.slice(span.end)}`;
  }
  return masked.replace(PLACEHOLDER_RE, ' ; ');
}

/** The most frequent surface form of a term; ties broken alphabetically. */
function displayForm(stats: ClusterTerms, key: string): string {
  const forms = stats.surfaces.get(key);
  if (!forms) return key;
  let best = key;
  let bestCount = (stats.counts.get(key) ?? 0) - [...forms.values()].reduce((a, b) => a + b, 0);
  for (const [form, n] of forms) {
    if (n > bestCount || (n === bestCount && compare(form, best) < 0)) {
      best = form;
      bestCount = n;
    }
  }
  return best;
}

/** Terms used by at least kUsers distinct users of the cluster, by c-TF-IDF weight. */
function rankTerms(
  stats: ClusterTerms,
  frequency: ReadonlyMap<string, number>,
  averageWords: number,
  kUsers: number,
): Term[] {
  const eligible: Term[] = [];
  if (stats.total === 0) return eligible;
  for (const [key, count] of stats.counts) {
    if ((stats.users.get(key)?.size ?? 0) < kUsers) continue;
    const tf = count / stats.total;
    const score = tf * Math.log(1 + averageWords / frequency.get(key)!);
    eligible.push({ key, words: key.split(' '), display: displayForm(stats, key), score });
  }
  return eligible.sort((a, b) => b.score - a.score || compare(a.key, b.key));
}

/**
 * Eligible terms in name order: by weight, a bigram in place of its unigram when it is nearly
 * as strong ("restaurant booking" over "restaurant"), never a word twice, never a term the PII
 * detector flags. Lazy, so that disambiguation can ask for more.
 */
function* pickTerms(
  ranked: readonly Term[],
  isPii: (text: string) => boolean,
): Generator<Term, void, undefined> {
  const bigramsByWord = new Map<string, Term[]>();
  for (const term of ranked) {
    if (term.words.length < 2) continue;
    for (const word of term.words) {
      const list = bigramsByWord.get(word);
      if (list) list.push(term);
      else bigramsByWord.set(word, [term]);
    }
  }
  const clean = (t: Term): boolean => !isPii(t.key) && !isPii(t.display);
  const usedWords = new Set<string>();
  const emitted = new Set<string>();
  const free = (t: Term): boolean => !emitted.has(t.key) && t.words.every((w) => !usedWords.has(w));
  for (const term of ranked) {
    if (!free(term) || !clean(term)) continue;
    let choice = term;
    if (term.words.length === 1) {
      const bigram = bigramsByWord
        .get(term.key)
        ?.find((b) => b.score >= BIGRAM_PREFERENCE * term.score && free(b) && clean(b));
      if (bigram) choice = bigram;
    }
    emitted.add(choice.key);
    for (const w of choice.words) usedWords.add(w);
    yield choice;
  }
}

/** How many leading terms the name shows: up to three, the third only if the name stays short. */
function nameTermCount(terms: readonly Term[]): number {
  if (terms.length <= 2) return terms.length;
  return renderName(terms.slice(0, 3)).length <= MAX_NAME_LENGTH ? 3 : 2;
}

function renderName(terms: readonly Term[]): string {
  return terms.length === 0 ? FALLBACK_NAME : terms.map((t) => t.display).join(NAME_SEPARATOR);
}

function describe(terms: readonly Term[]): string {
  const d = terms.map((t) => t.display);
  if (d.length === 0) return FALLBACK_DESCRIPTION;
  if (d.length === 1) return `Conversations mostly about ${d[0]}.`;
  const head = `Conversations mostly about ${d[0]} and ${d[1]}`;
  if (d.length === 2) return `${head}.`;
  const rest = d.slice(2);
  const tail = rest.length === 1 ? rest[0] : `${rest.slice(0, -1).join(', ')} and ${rest.at(-1)}`;
  return `${head}; also ${tail}.`;
}

interface NamingState {
  id: string;
  /** Keys of every term this cluster may use (k-user rule passed). */
  eligible: ReadonlySet<string>;
  picker: Generator<Term, void, undefined>;
  terms: Term[];
  shown: number;
  suffix: string;
}

/**
 * The next term for a cluster whose name collides with others': the first not-yet-shown term
 * (already picked, else freshly picked) that none of the others may use at all; failing that,
 * the first one that none of them shows.
 */
function nextDistinctTerm(
  state: NamingState,
  absentFromOthers: (key: string) => boolean,
  shownByOthers: (key: string) => boolean,
  isPii: (text: string) => boolean,
): Term | undefined {
  const acceptable = (t: Term): boolean =>
    !isPii(renderName([...state.terms.slice(0, state.shown), t]));
  for (const t of state.terms.slice(state.shown))
    if (absentFromOthers(t.key) && acceptable(t)) return t;
  for (let next = state.picker.next(); !next.done; next = state.picker.next()) {
    state.terms.push(next.value);
    if (absentFromOthers(next.value.key) && acceptable(next.value)) return next.value;
  }
  return state.terms.slice(state.shown).find((t) => !shownByOthers(t.key) && acceptable(t));
}

/** How many of the sets contain each key. */
function countKeys(sets: readonly ReadonlySet<string>[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const set of sets) for (const key of set) counts.set(key, (counts.get(key) ?? 0) + 1);
  return counts;
}

/** Make `term` the next shown term (it may sit further down the list). */
function moveToShown(state: NamingState, term: Term): void {
  const at = state.terms.indexOf(term);
  if (at < state.shown) return;
  state.terms.splice(at, 1);
  state.terms.splice(state.shown, 0, term);
  state.shown++;
}

/** Groups of states sharing a name, each sorted by id, groups in order of first id. */
function duplicateGroups<T extends { id: string }>(
  states: readonly T[],
  name: (s: T) => string,
): T[][] {
  const byName = new Map<string, T[]>();
  for (const s of states) {
    const key = name(s);
    const list = byName.get(key);
    if (list) list.push(s);
    else byName.set(key, [s]);
  }
  return [...byName.values()].filter((g) => g.length > 1);
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
