/**
 * The k-thresholds every published cell must meet (BRIEF.md, privacy invariant 4): at least
 * `kUsers` distinct (pseudonymous) users AND at least `minConversations` conversations. A "cell"
 * is anything that crosses the boundary as a number: a cluster, a facet value, a team in a
 * breakdown, a trend bucket, a report line. This module only answers "may this one cell be
 * shown"; `breakdown.ts` answers the harder "may these cells be shown together".
 */

export interface Thresholds {
  /** Minimum number of distinct users behind a published figure. */
  kUsers: number;
  /** Minimum number of conversations behind a published figure. */
  minConversations: number;
}

/** The product defaults; tenants may raise them, never lower them (see `resolveThresholds`). */
export const DEFAULT_THRESHOLDS: Readonly<Thresholds> = Object.freeze({
  kUsers: 5,
  minConversations: 10,
});

/**
 * One candidate figure inside the sealed boundary. `users` are the pseudonymous user ids of the
 * conversations in the cell (duplicates allowed in an array; they are counted once). User ids
 * are only ever counted here: no published output of the gates contains them.
 */
export interface Cell {
  key: string;
  conversations: number;
  users: ReadonlySet<string> | readonly string[];
}

export type SuppressionReason =
  'too_few_users' | 'too_few_conversations' | 'complementary' | 'pii_detected' | 'auditor_score';

export const SUPPRESSION_REASONS: readonly SuppressionReason[] = Object.freeze([
  'too_few_users',
  'too_few_conversations',
  'complementary',
  'pii_detected',
  'auditor_score',
]);

/** Throws a RangeError unless both thresholds are positive safe integers. */
export function assertValidThresholds(thresholds: Thresholds): void {
  for (const name of ['kUsers', 'minConversations'] as const) {
    const value = thresholds[name];
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new RangeError(`thresholds.${name} must be a positive integer, got ${value}`);
    }
  }
}

/**
 * A tenant's effective thresholds: its overrides, but never below the product defaults
 * ("configurable upward"). Invalid overrides throw rather than silently falling back.
 */
export function resolveThresholds(overrides: Partial<Thresholds> = {}): Thresholds {
  const merged: Thresholds = {
    kUsers: Math.max(DEFAULT_THRESHOLDS.kUsers, overrides.kUsers ?? DEFAULT_THRESHOLDS.kUsers),
    minConversations: Math.max(
      DEFAULT_THRESHOLDS.minConversations,
      overrides.minConversations ?? DEFAULT_THRESHOLDS.minConversations,
    ),
  };
  // Math.max propagates NaN and keeps 7.5, so garbage in an override still fails here.
  assertValidThresholds(merged);
  return merged;
}

/** The distinct users of a cell as a set (the set itself when one was given). */
export function distinctUsers(users: Cell['users']): ReadonlySet<string> {
  return users instanceof Set ? users : new Set(users as readonly string[]);
}

/**
 * A cell's counts after validation: conversations must be a non-negative integer and at least
 * the number of distinct users (every listed user has a conversation in the cell). A violation is
 * a bug upstream, and a gate that guesses around bugs is not a gate, so it throws.
 */
export function cellCounts(cell: Cell): { conversations: number; users: number } {
  const { conversations } = cell;
  if (!Number.isSafeInteger(conversations) || conversations < 0) {
    throw new RangeError(
      `cell "${cell.key}": conversations must be a non-negative integer, got ${conversations}`,
    );
  }
  const users = distinctUsers(cell.users).size;
  if (users > conversations) {
    throw new RangeError(
      `cell "${cell.key}": ${users} distinct users but only ${conversations} conversations`,
    );
  }
  return { conversations, users };
}

/** Why a cell fails, or `undefined` when it passes. Users are checked first. */
export function failureReason(
  cell: Cell,
  thresholds: Thresholds,
): 'too_few_users' | 'too_few_conversations' | undefined {
  assertValidThresholds(thresholds);
  const counts = cellCounts(cell);
  if (counts.users < thresholds.kUsers) return 'too_few_users';
  if (counts.conversations < thresholds.minConversations) return 'too_few_conversations';
  return undefined;
}

/** True when the cell has ≥ kUsers distinct users AND ≥ minConversations conversations. */
export function passes(cell: Cell, thresholds: Thresholds): boolean {
  return failureReason(cell, thresholds) === undefined;
}
