/**
 * Contribution bounding: what makes a person's influence on a release finite, so noise can hide
 * it. Per person and release bucket (an ISO week): at most `maxConversations` conversations count
 * (chosen by a hash of the conversation id, so the choice depends on that person's data alone and
 * is the same on every run); each conversation's minutes are clipped, then the person's total is
 * clipped; a person counts as a user in at most `maxKeys` keys of a family (the keys with most of
 * their conversations). Each rule looks at one person's rows only, which is what the sensitivity
 * argument needs: removing a person changes no one else's bounded contribution.
 */
import { createHash } from 'node:crypto';

export interface ContributionBounds {
  /** Conversations counted per person per bucket (C). */
  maxConversations: number;
  /** Minutes saved counted per conversation, and per person per bucket. */
  maxMinutesPerConversation: number;
  maxMinutesPerPerson: number;
}

function rank(id: string): string {
  return createHash('sha256').update(id).digest('hex');
}

/** At most `max` items per person, chosen by a hash of each item's id (stable, data-independent). */
export function selectPerPerson<T>(
  items: readonly T[],
  personOf: (item: T) => string,
  idOf: (item: T) => string,
  max: number,
): T[] {
  if (!Number.isSafeInteger(max) || max < 1) throw new RangeError('max must be a positive integer');
  const byPerson = new Map<string, T[]>();
  for (const item of items) {
    const person = personOf(item);
    const list = byPerson.get(person);
    if (list) list.push(item);
    else byPerson.set(person, [item]);
  }
  const kept = new Set<T>();
  for (const list of byPerson.values()) {
    // Only a person over the cap needs ranking (most are under it: no hash for them).
    const chosen =
      list.length <= max
        ? list
        : list
            .map((item) => ({ item, rank: rank(idOf(item)) }))
            .sort((a, b) => (a.rank < b.rank ? -1 : a.rank > b.rank ? 1 : 0))
            .slice(0, max)
            .map(({ item }) => item);
    for (const item of chosen) kept.add(item);
  }
  // Keep the input order so downstream grouping is deterministic.
  return items.filter((item) => kept.has(item));
}

/**
 * Whole minutes per item, each clipped to `perItem` and each person's total to `perPerson`
 * (scaled down and floored, so the person's sum never exceeds the cap).
 */
export function clipPerPerson<T>(
  items: readonly T[],
  personOf: (item: T) => string,
  valueOf: (item: T) => number,
  perItem: number,
  perPerson: number,
): Map<T, number> {
  const clipped = new Map<T, number>();
  const totals = new Map<string, number>();
  for (const item of items) {
    const raw = valueOf(item);
    const value = Number.isFinite(raw) ? Math.floor(Math.min(Math.max(raw, 0), perItem)) : 0;
    clipped.set(item, value);
    totals.set(personOf(item), (totals.get(personOf(item)) ?? 0) + value);
  }
  for (const item of items) {
    const total = totals.get(personOf(item))!;
    if (total > perPerson) clipped.set(item, Math.floor((clipped.get(item)! * perPerson) / total));
  }
  return clipped;
}

/**
 * The (person, key) uses of a family, counted as they come (no list of pairs is kept: a release
 * at a million conversations has tens of millions of them), and each person's chosen keys.
 */
export class UserKeyTally {
  private readonly counts = new Map<string, Map<string, number>>();

  add(person: string, key: string): void {
    let keys = this.counts.get(person);
    if (!keys) this.counts.set(person, (keys = new Map()));
    keys.set(key, (keys.get(key) ?? 0) + 1);
  }

  /**
   * For each person, the (at most `maxKeys`) keys they count in as a user: the keys with most of
   * their uses, ties by key.
   */
  *chosen(maxKeys: number): IterableIterator<[person: string, key: string]> {
    for (const [person, keys] of this.counts) {
      // Most people use few keys: all of them are kept, no ranking needed.
      const kept =
        keys.size <= maxKeys
          ? keys.keys()
          : [...keys]
              .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0))
              .slice(0, maxKeys)
              .map(([key]) => key);
      for (const key of kept) yield [person, key];
    }
  }
}
