/**
 * Publishing a total broken down into parts (conversations by team, by language, by domain; a
 * cluster's children) without allowing differencing (BRIEF.md, privacy invariant 4).
 *
 * THE ANTI-DIFFERENCING RULE (one breakdown)
 *   1. A part that meets the thresholds on its own is a candidate for publication as itself.
 *      A part that does not goes into the "other" bucket.
 *   2. If "other" is non-empty and does not meet the thresholds itself (this includes the case of
 *      exactly one small part), the smallest published parts (by conversations, then distinct
 *      users, then key in code-unit order) move into "other" (reason `complementary`) one at a
 *      time until it does. "other" is never published below the thresholds.
 *   3. Distinct users of "other" are the union of its members' users, never a sum. And the
 *      number of users who appear ONLY in "other" (total users − users of the published parts)
 *      must be 0 or ≥ kUsers, otherwise rule 2 moves more parts: with disjoint parts (teams) an
 *      observer computes exactly that number as total users − Σ published users.
 *   4. If the total itself fails the thresholds, nothing is published (`withheld`). Every part is
 *      a subset of the total, so in that case every part fails too.
 * Hence, conversations: total − Σ published parts = "other", which meets the thresholds, or is
 * 0 when nothing was small. Rule 2 always ends with "other" passing when the total passes
 * (in the worst case "other" is the whole total), so "other" is only ever hidden together with
 * everything else. A single small part can never be derived by subtraction.
 *
 * Preconditions the caller owns (the gate cannot see them):
 *   - The parts PARTITION the published total: every conversation of the total is in exactly one
 *     part. Conversations without a value (no team) must be passed as their own part, e.g.
 *     "unknown", or total − parts would reveal them. Multi-valued facets (failure reasons) are not
 *     a partition: publish them with `totalPublished: false` and never next to a total that
 *     their parts add up to.
 *   - `totalPublished: false` is only correct when the total of exactly these conversations is
 *     not shown anywhere (the overview, another breakdown of the same population, a report). When
 *     in doubt leave the default (`true`); it only ever suppresses more.
 *   - Extra numeric fields on a part (minutes saved, failures) must be additive aggregates over
 *     the part's conversations: they are published per part and summed for "other". Non-numeric
 *     extra fields are dropped, so ids or text can never ride along.
 *
 * SERIES AND REPEATED PUBLICATIONS (`publishSeries`)
 *   5. Each time bucket (a week) is its own breakdown under rules 1–4: no figure of a bucket is
 *      derivable from another bucket because buckets are disjoint in time.
 *   6. Roll-ups over buckets (the month from its weeks, a report's "whole period" column) may only
 *      publish what is ALREADY derivable from the per-bucket publications:
 *        - a part's roll-up only if that part was published as itself in EVERY bucket it has
 *          data in (so it equals the sum of published figures). It is not enough that the hidden
 *          week was inside a passing "other": Legal's month − Legal's published weeks would give
 *          Legal's small week exactly;
 *        - the roll-up "other" only if every bucket's hidden parts were published as that
 *          bucket's "other" (it is then a sum of published figures);
 *        - the roll-up total only if every bucket's total was published.
 *      A part that fails this goes into the roll-up's "other" (reason `complementary`, or its own
 *      threshold reason), and rule 2 and 3 then apply to the roll-up as to any breakdown.
 *   Rule 6 makes every roll-up conversation count a sum of published per-bucket counts, so
 *   repeating publications across periods adds nothing an observer could subtract. Distinct-user
 *   counts of roll-ups are unions (≥ kUsers whenever published) and are not additive.
 *   Two practices for the schedulers that use this (outside what a pure function can enforce):
 *   publish only closed, fixed calendar buckets (never rolling "last 7 days" windows: two
 *   overlapping windows differ by one day), and treat a published bucket as immutable (late data
 *   for a closed bucket goes to the next bucket, or a re-publication is itself checked as a
 *   breakdown of the difference).
 */
import {
  assertValidThresholds,
  cellCounts,
  distinctUsers,
  failureReason,
  type Cell,
  type SuppressionReason,
  type Thresholds,
} from './thresholds';

type ReservedField = 'key' | 'conversations' | 'users';

/** The extra numeric fields of a part type, published per part and summed into "other". */
export type NumericFieldsOf<T> = {
  [
    K in keyof T as K extends ReservedField ? never : NonNullable<T[K]> extends number ? K : never
  ]: number;
};

/** A part published as itself: counts only, never user ids. */
export type PublishedPart<T extends Cell = Cell> = {
  key: string;
  conversations: number;
  /** Distinct users. */
  users: number;
} & NumericFieldsOf<T>;

/** The "other" bucket: the parts not published as themselves, merged. */
export type OtherBucket<T extends Cell = Cell> = {
  key: string;
  conversations: number;
  /** Distinct users of the union of the members (not a sum). */
  users: number;
  /** How many parts were merged. */
  members: number;
} & NumericFieldsOf<T>;

export interface Suppression {
  key: string;
  reason: SuppressionReason;
}

export interface BreakdownOptions {
  /** Key of the merged bucket; must not collide with a part's key. Default `'other'`. */
  otherKey?: string;
  /** Whether the total of these parts is visible anywhere (default `true`, the safe choice). */
  totalPublished?: boolean;
  /**
   * Parts that may never be published as themselves whatever their size, with the reason to
   * record: a value that failed the PII text gate. They go into "other" (rules 2–4 then apply
   * as to any small part), so their figures still count, under no name.
   */
  pool?: ReadonlyMap<string, SuppressionReason>;
}

export interface BreakdownPublication<T extends Cell = Cell> {
  /** True when the total fails the thresholds: nothing of this breakdown may be shown. */
  withheld: boolean;
  /** The total (Σ conversations, distinct users); only when `totalPublished` and not withheld. */
  total?: { conversations: number; users: number };
  /** Parts published as themselves, in input order. */
  published: PublishedPart<T>[];
  /** Present only when non-empty and meeting the thresholds (and, for roll-ups, rule 6). */
  other?: OtherBucket<T>;
  /**
   * Every part not published as itself, in input order, with why. This is privacy evidence:
   * show tenants the member count or keys of "other", not per-part reasons (a reason such as
   * `too_few_users` is itself a bound on a hidden cell).
   */
  suppressed: Suppression[];
}

export interface SeriesPoint<T extends Cell = Cell> {
  /** A sortable, fixed calendar label, e.g. `2025-W03` or `2025-01-13`. */
  bucket: string;
  cell: T;
}

export interface BucketPublication<T extends Cell = Cell> extends BreakdownPublication<T> {
  bucket: string;
}

export interface SeriesPublication<T extends Cell = Cell> {
  /** One breakdown per bucket, buckets in code-unit order of their labels. */
  buckets: BucketPublication<T>[];
  /** The whole period per part under rule 6. */
  rollup: BreakdownPublication<T>;
}

/** A validated part with its users as a set and its numeric extras extracted. */
interface WorkingPart {
  key: string;
  conversations: number;
  users: ReadonlySet<string>;
  metrics: Map<string, number>;
}

const RESERVED = new Set<string>(['key', 'conversations', 'users']);

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function toWorkingPart(cell: Cell): WorkingPart {
  if (typeof cell.key !== 'string') throw new TypeError('every part needs a string key');
  const { conversations } = cellCounts(cell);
  const metrics = new Map<string, number>();
  for (const [field, value] of Object.entries(cell)) {
    if (RESERVED.has(field) || typeof value !== 'number') continue;
    if (!Number.isFinite(value)) {
      throw new RangeError(`part "${cell.key}": field ${field} must be finite, got ${value}`);
    }
    metrics.set(field, value);
  }
  return { key: cell.key, conversations, users: distinctUsers(cell.users), metrics };
}

function prepareParts(parts: readonly Cell[], otherKey: string): WorkingPart[] {
  const seen = new Set<string>();
  return parts.map((cell) => {
    const part = toWorkingPart(cell);
    if (seen.has(part.key)) throw new RangeError(`duplicate part key "${part.key}"`);
    if (part.key === otherKey) {
      throw new RangeError(
        `part key "${part.key}" collides with the "other" bucket; pass a different otherKey`,
      );
    }
    seen.add(part.key);
    return part;
  });
}

function meets(conversations: number, users: number, thresholds: Thresholds): boolean {
  return users >= thresholds.kUsers && conversations >= thresholds.minConversations;
}

function publishedPart<T extends Cell>(part: WorkingPart): PublishedPart<T> {
  return {
    key: part.key,
    conversations: part.conversations,
    users: part.users.size,
    ...Object.fromEntries(part.metrics),
  } as PublishedPart<T>;
}

function otherBucket<T extends Cell>(
  key: string,
  members: readonly WorkingPart[],
  users: ReadonlySet<string>,
): OtherBucket<T> {
  const metrics = new Map<string, number>();
  let conversations = 0;
  for (const member of members) {
    conversations += member.conversations;
    for (const [field, value] of member.metrics)
      metrics.set(field, (metrics.get(field) ?? 0) + value);
  }
  return {
    key,
    conversations,
    users: users.size,
    members: members.length,
    ...Object.fromEntries(metrics),
  } as OtherBucket<T>;
}

/**
 * Rules 1–4 over prepared parts. `forced` names parts that must not be published as themselves
 * even if they pass (used by roll-ups, rule 6), with the reason to record.
 */
function resolveBreakdown<T extends Cell>(
  parts: readonly WorkingPart[],
  thresholds: Thresholds,
  otherKey: string,
  totalPublished: boolean,
  forced: ReadonlyMap<string, SuppressionReason> = new Map(),
): BreakdownPublication<T> {
  const totalUsers = new Set<string>();
  let totalConversations = 0;
  for (const part of parts) {
    totalConversations += part.conversations;
    for (const user of part.users) totalUsers.add(user);
  }
  const reasons = new Map<string, SuppressionReason>();
  for (const part of parts) {
    const reason =
      failureReason(
        { key: part.key, conversations: part.conversations, users: part.users },
        thresholds,
      ) ?? forced.get(part.key);
    if (reason) reasons.set(part.key, reason);
  }

  const withheldResult = (): BreakdownPublication<T> => ({
    withheld: true,
    published: [],
    suppressed: parts.map((p) => ({ key: p.key, reason: reasons.get(p.key) ?? 'complementary' })),
  });
  // Rule 4. Also covers the empty breakdown (0 users can never meet kUsers ≥ 1).
  if (!meets(totalConversations, totalUsers.size, thresholds)) return withheldResult();

  const inOther = new Set(parts.filter((p) => reasons.has(p.key)).map((p) => p.key));
  const otherUsers = new Set<string>();
  let otherConversations = 0;
  for (const part of parts) {
    if (!inOther.has(part.key)) continue;
    otherConversations += part.conversations;
    for (const user of part.users) otherUsers.add(user);
  }

  if (inOther.size > 0 && totalPublished) {
    // How many published parts each user appears in; users at 0 appear only in "other".
    const publishedUserCount = new Map<string, number>();
    for (const part of parts) {
      if (inOther.has(part.key)) continue;
      for (const user of part.users)
        publishedUserCount.set(user, (publishedUserCount.get(user) ?? 0) + 1);
    }
    const onlyInOther = (): number => totalUsers.size - publishedUserCount.size;
    const safe = (): boolean => {
      const residual = onlyInOther();
      return (
        meets(otherConversations, otherUsers.size, thresholds) &&
        (residual === 0 || residual >= thresholds.kUsers)
      );
    };
    // Rule 2: smallest first, fully ordered so the result does not depend on input order.
    const candidates = parts
      .filter((p) => !inOther.has(p.key))
      .sort(
        (a, b) =>
          a.conversations - b.conversations ||
          a.users.size - b.users.size ||
          compareKeys(a.key, b.key),
      );
    for (const part of candidates) {
      if (safe()) break;
      inOther.add(part.key);
      reasons.set(part.key, 'complementary');
      otherConversations += part.conversations;
      for (const user of part.users) {
        otherUsers.add(user);
        const count = (publishedUserCount.get(user) ?? 0) - 1;
        if (count === 0) publishedUserCount.delete(user);
        else publishedUserCount.set(user, count);
      }
    }
    // Unreachable while the total passes (all parts in "other" = the total), kept as a backstop.
    if (!safe()) return withheldResult();
  }

  const members = parts.filter((p) => inOther.has(p.key));
  const result: BreakdownPublication<T> = {
    withheld: false,
    published: parts.filter((p) => !inOther.has(p.key)).map((p) => publishedPart<T>(p)),
    suppressed: members.map((p) => ({
      key: p.key,
      reason: reasons.get(p.key) as SuppressionReason,
    })),
  };
  if (totalPublished) result.total = { conversations: totalConversations, users: totalUsers.size };
  if (members.length > 0 && meets(otherConversations, otherUsers.size, thresholds)) {
    result.other = otherBucket<T>(otherKey, members, otherUsers);
  }
  return result;
}

function resolveOptions(options: BreakdownOptions): {
  otherKey: string;
  totalPublished: boolean;
  pool: ReadonlyMap<string, SuppressionReason>;
} {
  const otherKey = options.otherKey ?? 'other';
  if (typeof otherKey !== 'string' || otherKey.length === 0) {
    throw new RangeError('otherKey must be a non-empty string');
  }
  return {
    otherKey,
    totalPublished: options.totalPublished ?? true,
    pool: options.pool ?? new Map(),
  };
}

/**
 * Publishes a breakdown of a total into parts under the anti-differencing rule (module header,
 * rules 1–4). Pure and deterministic: the published set does not depend on the input order.
 */
export function publishBreakdown<T extends Cell>(
  parts: readonly T[],
  thresholds: Thresholds,
  options: BreakdownOptions = {},
): BreakdownPublication<T> {
  assertValidThresholds(thresholds);
  const { otherKey, totalPublished, pool } = resolveOptions(options);
  return resolveBreakdown<T>(
    prepareParts(parts, otherKey),
    thresholds,
    otherKey,
    totalPublished,
    pool,
  );
}

/** Sums parts with the same key across buckets (conversations, metrics; users as a union). */
function combine(parts: readonly WorkingPart[]): WorkingPart {
  const first = parts[0] as WorkingPart;
  const users = new Set<string>();
  const metrics = new Map<string, number>();
  let conversations = 0;
  for (const part of parts) {
    conversations += part.conversations;
    for (const user of part.users) users.add(user);
    for (const [field, value] of part.metrics)
      metrics.set(field, (metrics.get(field) ?? 0) + value);
  }
  return { key: first.key, conversations, users, metrics };
}

/**
 * Publishes a time series of breakdowns (rule 5) and its roll-up over all buckets (rule 6).
 * Points with the same bucket form one breakdown; a key may appear at most once per bucket.
 */
export function publishSeries<T extends Cell>(
  points: readonly SeriesPoint<T>[],
  thresholds: Thresholds,
  options: BreakdownOptions = {},
): SeriesPublication<T> {
  assertValidThresholds(thresholds);
  const { otherKey, totalPublished, pool } = resolveOptions(options);

  const byBucket = new Map<string, Cell[]>();
  for (const point of points) {
    if (typeof point.bucket !== 'string' || point.bucket.length === 0) {
      throw new RangeError('every series point needs a non-empty bucket label');
    }
    let cells = byBucket.get(point.bucket);
    if (!cells) byBucket.set(point.bucket, (cells = []));
    cells.push(point.cell);
  }
  const labels = [...byBucket.keys()].sort(compareKeys);

  const buckets: BucketPublication<T>[] = [];
  const partsByKey = new Map<string, WorkingPart[]>();
  // Per key: published as itself in every bucket it appears in?
  const fullyPublished = new Map<string, boolean>();
  let everyTotalPublished = true;
  let everyHiddenPartInOther = true;
  for (const label of labels) {
    const parts = prepareParts(byBucket.get(label) as Cell[], otherKey);
    const publication = resolveBreakdown<T>(parts, thresholds, otherKey, totalPublished, pool);
    buckets.push({ bucket: label, ...publication });

    const publishedKeys = new Set(publication.published.map((p) => p.key));
    for (const part of parts) {
      let list = partsByKey.get(part.key);
      if (!list) partsByKey.set(part.key, (list = []));
      list.push(part);
      fullyPublished.set(
        part.key,
        (fullyPublished.get(part.key) ?? true) && publishedKeys.has(part.key),
      );
    }
    if (!publication.total) everyTotalPublished = false;
    if (publication.suppressed.length > 0 && !publication.other) everyHiddenPartInOther = false;
  }

  const rollupParts = [...partsByKey.values()].map(combine);
  const forced = new Map<string, SuppressionReason>(pool);
  for (const [key, published] of fullyPublished)
    if (!published && !forced.has(key)) forced.set(key, 'complementary');
  const rollupTotalPublished = totalPublished && everyTotalPublished;
  const rollup = resolveBreakdown<T>(
    rollupParts,
    thresholds,
    otherKey,
    rollupTotalPublished,
    forced,
  );
  if (!everyHiddenPartInOther) {
    // Rule 6: some bucket hid parts without a published "other"; their roll-up must stay hidden.
    delete rollup.other;
    delete rollup.total;
  }
  return { buckets, rollup };
}
