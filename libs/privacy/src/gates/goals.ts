/**
 * Goal statements shown inside a cluster (BRIEF.md, privacy invariant 5): never an individual
 * conversation's goal, only merged goals that each at least `kUsers` DISTINCT users stated.
 *
 *   1. Canonicalise each statement (as the text gate does) and reduce it to a token set:
 *      lowercase, punctuation stripped, stopwords and goal filler ("user", "wants", "help")
 *      dropped, simple plurals folded ("emails" → "email"). A statement with no content tokens
 *      carries no goal and is ignored.
 *   2. Statements with the same token set are one variant. Variants are clustered greedily in a
 *      fixed order (distinct users desc, statements desc, token key asc): each joins the existing
 *      group whose SEED (first variant) has the highest token-set Jaccard ≥ `similarity`, ties to
 *      the earlier group, or seeds a new group. Comparing with the seed rather than any member
 *      stops chains of small steps from merging unrelated goals.
 *   3. A group is represented by its most common original statement: most distinct users, then
 *      most statements, then shortest, then code-unit order. Counting users rather than
 *      repetitions keeps one prolific user from choosing the wording.
 *   4. Only groups with ≥ kUsers distinct users are kept, then any whose representative contains
 *      PII (deterministic detector) is dropped, then the rest are sorted by users desc and cut to
 *      `maxGoals`.
 * Callers still pass each returned text through `gatePublishedText` with the auditor's score.
 * The result is independent of the input order.
 */
import { containsPii } from '../pii';
import { canonicalizePublishedText } from './text-gate';

export interface GoalStatement {
  text: string;
  /** Pseudonymous user id of the conversation the goal came from. */
  user: string;
}

export interface MergedGoal {
  text: string;
  /** Distinct users whose goals are in the group. */
  users: number;
  /** Goal statements (one per conversation) in the group. */
  conversations: number;
}

export interface MergeGoalsOptions {
  kUsers: number;
  /** At most this many goals are returned; default 10. */
  maxGoals?: number;
  /** Token-set Jaccard needed to merge two statements, in (0, 1]; default 0.6. */
  similarity?: number;
  /**
   * Parsed statements kept between calls by a caller that merges the same statements many times
   * (a snapshot merges every conversation's goal once per level). Owned by the caller.
   */
  cache?: GoalParseCache;
}

/** A statement's canonical text and content tokens, by its original text. */
export type GoalParseCache = Map<string, { text: string; tokens: Set<string>; tokenKey: string }>;

/** A group not published, for privacy evidence. `key` is a synthetic id, never the text. */
export interface SuppressedGoal {
  key: string;
  reason: 'too_few_users' | 'pii_detected';
  users: number;
  conversations: number;
}

// Common English function words; kept short on purpose: content words must survive.
const STOPWORDS = new Set(
  (
    'a an the and or but nor so yet of to in on at by for from with without into onto about ' +
    'as than then that this these those it its is are was were be been being am do does did ' +
    'doing have has had having i me my we our you your he him his she her they them their ' +
    'what which who whom whose when where why how all any some each more most other such no ' +
    'not only own same too very can will just should could would may might must shall also ' +
    'there here up down out over under again further once if while because until both few'
  ).split(' '),
);

// Words that appear in almost every goal summary and say nothing about the goal itself.
const GOAL_FILLER = new Set(
  (
    'user users wants want wanted wanting trying tried try tries help helps helped helping ' +
    'need needs needed get gets got getting looking asked ask asks asking like goal aim ' +
    'someone something way ways'
  ).split(' '),
);

/** Folds simple English plurals so that "emails" and "email" are one token. */
function singular(token: string): string {
  if (token.length > 4 && token.endsWith('ies')) return `${token.slice(0, -3)}y`;
  if (token.length > 3 && token.endsWith('s') && !/(ss|us|is)$/.test(token)) {
    return token.slice(0, -1);
  }
  return token;
}

/** The content tokens of a goal statement (see module header, step 1). */
export function goalTokens(text: string): Set<string> {
  return canonicalTokens(canonicalizePublishedText(text));
}

function canonicalTokens(canonical: string): Set<string> {
  const words = canonical
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]+/gu, ' ')
    .split(/\s+/);
  const tokens = new Set<string>();
  for (const word of words) {
    if (word.length === 0 || STOPWORDS.has(word) || GOAL_FILLER.has(word)) continue;
    tokens.add(singular(word));
  }
  return tokens;
}

/** |A ∩ B| / |A ∪ B|; 0 for two empty sets. */
export function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let shared = 0;
  for (const token of small) if (large.has(token)) shared++;
  const union = a.size + b.size - shared;
  return union === 0 ? 0 : shared / union;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

interface Statement {
  users: Set<string>;
  count: number;
}

interface Variant {
  tokenKey: string;
  tokens: Set<string>;
  users: Set<string>;
  count: number;
  statements: Map<string, Statement>;
}

interface Group {
  seed: Set<string>;
  variants: Variant[];
}

function validate(options: MergeGoalsOptions): Required<Omit<MergeGoalsOptions, 'cache'>> {
  const { kUsers, maxGoals = 10, similarity = 0.6 } = options;
  if (!Number.isSafeInteger(kUsers) || kUsers < 1) {
    throw new RangeError(`kUsers must be a positive integer, got ${kUsers}`);
  }
  if (!Number.isSafeInteger(maxGoals) || maxGoals < 0) {
    throw new RangeError(`maxGoals must be a non-negative integer, got ${maxGoals}`);
  }
  if (!(similarity > 0 && similarity <= 1)) {
    throw new RangeError(`similarity must be in (0, 1], got ${similarity}`);
  }
  return { kUsers, maxGoals, similarity };
}

/** Step 1 and 2a: statements with the same token set become one variant. */
function parseGoal(original: string, cache: GoalParseCache | undefined) {
  const cached = cache?.get(original);
  if (cached) return cached;
  const text = canonicalizePublishedText(original);
  const tokens = canonicalTokens(text);
  const parsed = { text, tokens, tokenKey: [...tokens].sort(compareStrings).join(' ') };
  cache?.set(original, parsed);
  return parsed;
}

function collectVariants(goals: readonly GoalStatement[], cache?: GoalParseCache): Variant[] {
  const variants = new Map<string, Variant>();
  for (const goal of goals) {
    if (typeof goal.text !== 'string' || typeof goal.user !== 'string') {
      throw new TypeError('every goal needs a string text and a string user');
    }
    const { text, tokens, tokenKey } = parseGoal(goal.text, cache);
    if (tokens.size === 0) continue;
    let variant = variants.get(tokenKey);
    if (!variant) {
      variant = { tokenKey, tokens, users: new Set(), count: 0, statements: new Map() };
      variants.set(tokenKey, variant);
    }
    variant.users.add(goal.user);
    variant.count++;
    let statement = variant.statements.get(text);
    if (!statement) variant.statements.set(text, (statement = { users: new Set(), count: 0 }));
    statement.users.add(goal.user);
    statement.count++;
  }
  return [...variants.values()].sort(
    (a, b) =>
      b.users.size - a.users.size || b.count - a.count || compareStrings(a.tokenKey, b.tokenKey),
  );
}

/** Step 2b: greedy leader clustering, with an inverted index so only overlapping seeds are scored. */
function clusterVariants(variants: readonly Variant[], similarity: number): Group[] {
  const groups: Group[] = [];
  const seedsByToken = new Map<string, number[]>();
  for (const variant of variants) {
    const candidates = new Set<number>();
    for (const token of variant.tokens)
      for (const g of seedsByToken.get(token) ?? []) candidates.add(g);
    let best = -1;
    let bestScore = -1;
    for (const g of [...candidates].sort((a, b) => a - b)) {
      const score = jaccard(variant.tokens, (groups[g] as Group).seed);
      if (score >= similarity && score > bestScore) {
        best = g;
        bestScore = score;
      }
    }
    if (best >= 0) {
      (groups[best] as Group).variants.push(variant);
      continue;
    }
    groups.push({ seed: variant.tokens, variants: [variant] });
    for (const token of variant.tokens) {
      let list = seedsByToken.get(token);
      if (!list) seedsByToken.set(token, (list = []));
      list.push(groups.length - 1);
    }
  }
  return groups;
}

/** Step 3: the representative statement of a group. */
function representative(group: Group): string {
  const statements = new Map<string, Statement>();
  for (const variant of group.variants) {
    for (const [text, s] of variant.statements) {
      // Canonical texts map to one token key, so a text lives in exactly one variant.
      statements.set(text, s);
    }
  }
  const ranked = [...statements].sort(
    ([ta, a], [tb, b]) =>
      b.users.size - a.users.size ||
      b.count - a.count ||
      ta.length - tb.length ||
      compareStrings(ta, tb),
  );
  return (ranked[0] as [string, Statement])[0];
}

/**
 * Merges goal statements into k-anonymous goals and reports the groups that were not published
 * (keys are `goal-group-N` in clustering order, never text).
 */
export function mergeGoalsWithSuppressions(
  goals: readonly GoalStatement[],
  options: MergeGoalsOptions,
): { goals: MergedGoal[]; suppressed: SuppressedGoal[] } {
  const { kUsers, maxGoals, similarity } = validate(options);
  const groups = clusterVariants(collectVariants(goals, options.cache), similarity);
  const kept: MergedGoal[] = [];
  const suppressed: SuppressedGoal[] = [];
  groups.forEach((group, index) => {
    const users = new Set<string>();
    let conversations = 0;
    for (const variant of group.variants) {
      conversations += variant.count;
      for (const user of variant.users) users.add(user);
    }
    const key = `goal-group-${index + 1}`;
    if (users.size < kUsers) {
      suppressed.push({ key, reason: 'too_few_users', users: users.size, conversations });
      return;
    }
    const text = representative(group);
    if (containsPii(text)) {
      suppressed.push({ key, reason: 'pii_detected', users: users.size, conversations });
      return;
    }
    kept.push({ text, users: users.size, conversations });
  });
  kept.sort(
    (a, b) =>
      b.users - a.users || b.conversations - a.conversations || compareStrings(a.text, b.text),
  );
  return { goals: kept.slice(0, maxGoals), suppressed };
}

/** Merged goals, each supported by at least `kUsers` distinct users; see the module header. */
export function mergeGoals(
  goals: readonly GoalStatement[],
  options: MergeGoalsOptions,
): MergedGoal[] {
  return mergeGoalsWithSuppressions(goals, options).goals;
}
