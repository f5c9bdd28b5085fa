/**
 * One dp publication's release: which ISO weeks it releases (every closed week of the horizon
 * not released before, once, and the current week provisionally), each week's exact figures over
 * bounded contributions, and their noisy values. Pure apart from the noise; the processor stores
 * the result with its ledger charge and builds the snapshot from all stored cells.
 *
 * Which weeks are released does not depend on the data: every week from the horizon start
 * (`DP_BACKFILL_WEEKS` before the publication's week) to the current one, empty or not. A
 * conversation counts in its own week, unless that week was already released: then (a late
 * arrival) it counts in the current week, so no released figure ever changes.
 */
import {
  FAILURE_REASONS,
  isoWeekLabel,
  isoWeekStart,
  NOT_SET_VALUE,
  OUTCOMES,
  type CustomFacetDefinition,
} from '@silhouette/contracts';
import {
  clipPerPerson,
  DiscreteGaussianNoise,
  releaseCells,
  selectPerPerson,
  UserKeyTally,
  type ExactCell,
  type FigureParameters,
} from '@silhouette/privacy';
import type { StoredNoisyCell } from '@silhouette/db';
import type { FacetRow } from '@silhouette/sealed';
import type { ClusterNode } from '../../clustering/run-clustering';
import { customFacetKeys, customValueKey } from '../build-snapshot';
import { textValue } from '../published-cells';
import {
  CALIBRATION_FACTOR,
  CONFIDENCE_KEYS,
  CUSTOM_LEVELS,
  DATA_FACETS,
  dpFamilies,
  type DataFacet,
  familyName,
  MANUAL_FACTOR,
  maxUserKeys,
  NUMBER_UNITS,
  REASON_LEVELS,
  VOCABULARY_SHARE,
  vocabularyFamilies,
  type DpBounds,
} from './dp-families';

/** Confidence under which a conversation counts as low-confidence (as in threshold mode). */
const LOW_CONFIDENCE = 0.5;
const WEEK_MS = 7 * 86_400_000;

/** Normalized free-form label (tags drift in case and spacing), as in threshold mode. */
export const label = (text: string) => text.trim().toLowerCase().replace(/\s+/g, ' ');

/** A map beside the topic tree (issue #15): its rows are rows of the run, by conversation id. */
export interface DpMap {
  map: string;
  rows: readonly Pick<FacetRow, 'conversationId'>[];
  /** Top level first (row indexes into `rows`). */
  levels: readonly ClusterNode[][];
}

export interface WeekPlan {
  rhoPerClosedWeek: number;
  rhoCurrentWeek: number;
}

export interface DpReleaseInput {
  rows: readonly FacetRow[];
  /** The clustering tree, top level first (row indexes into `rows`). */
  levels: readonly ClusterNode[][];
  bounds: DpBounds;
  /** Closed weeks released before (their figures are stored and never change). */
  finalWeeks: ReadonlySet<string>;
  /** Per data family, keys released before: released from now on with or without a threshold. */
  releasedDataKeys: ReadonlyMap<string, ReadonlySet<string>>;
  plan: WeekPlan;
  /** δ a release of `rho` may spend on thresholds. */
  deltaOf: (rho: number) => number;
  kUsers: number;
  backfillWeeks: number;
  now: Date;
  noise?: DiscreteGaussianNoise;
  /** The tenant's enum, boolean and number custom facets (issue #15), released as breakdowns. */
  customFacets?: readonly CustomFacetDefinition[];
  /** The issues map and short-text maps (issue #15), released per level beside the tree. */
  maps?: readonly DpMap[];
}

export interface ReleasedWeek {
  bucket: string;
  final: boolean;
  rho: number;
  delta: number;
  thresholds: Record<string, number>;
}

export interface DpRelease {
  weeks: ReleasedWeek[];
  cells: StoredNoisyCell[];
  parameters: (FigureParameters & { bucket: string })[];
  rhoClosedWeeks: number;
  rhoCurrentWeek: number;
  delta: number;
  /** Per released closed week, the conversations it counts (marked so late arrivals move on). */
  finalConversations: Map<string, string[]>;
  /** The closed weeks the plan could not pay for (none when the budget allows). */
  unreleasedClosedWeeks: string[];
  /** The facet-value selection, when this publication ran one. */
  vocabulary?: { rho: number; delta: number; thresholds: Record<string, number>; selected: number };
  horizon: { start: Date; currentWeek: string };
}

/** ISO week labels from `first` to `last` inclusive. */
export function weeksBetween(first: string, last: string): string[] {
  const out: string[] = [];
  for (let t = isoWeekStart(first).getTime(); t <= isoWeekStart(last).getTime(); t += WEEK_MS)
    out.push(isoWeekLabel(new Date(t)));
  return out;
}

/**
 * The weeks a publication deals with: from the first week ever released (or, on the first
 * publication, `backfillWeeks` before the current week: a rule that does not look at the data)
 * to the current week.
 */
export function dpHorizon(now: Date, backfillWeeks: number, finalWeeks: ReadonlySet<string>) {
  const currentWeek = isoWeekLabel(now);
  let firstWeek = isoWeekLabel(
    new Date(isoWeekStart(currentWeek).getTime() - backfillWeeks * WEEK_MS),
  );
  for (const week of finalWeeks) if (week < firstWeek) firstWeek = week;
  return { start: isoWeekStart(firstWeek), firstWeek, currentWeek };
}

/** A free-text value keyed as it would be shown (canonical), as in threshold mode. */
const shownText = (value: string | null) => textValue(value) ?? NOT_SET_VALUE;

/** A row's key in a data facet. */
function dataFacetKey(row: FacetRow, facet: DataFacet): string {
  switch (facet) {
    case 'language':
      return shownText(row.language);
    case 'domain':
      return shownText(label(row.domain));
    case 'task_type':
      return shownText(label(row.taskType));
    case 'team':
      return shownText(row.team);
    case 'department':
      return shownText(row.department);
  }
}

/** A row's keys per family slot of `RowKeys.families` (undefined: the row is not in it). */
export type KeysBySlot = readonly (readonly string[] | undefined)[];

export interface RowKeys {
  /** Every family a row can have keys in, in a fixed order (a row's keys are indexed by it). */
  families: readonly string[];
  keysOf: (row: number) => KeysBySlot;
}

const NO_KEYS: readonly string[] = [];
const TOTAL_KEYS: readonly string[] = ['all'];
const CONFIDENCE_KEY_LISTS = { low: ['low'], normal: ['normal'] } as const;

/** One key list per value, made when first needed (so equal keys are one string, hashed once). */
class KeyLists {
  private readonly lists = new Map<string, readonly string[]>();
  constructor(private readonly make: (value: string) => string) {}
  of(value: string): readonly string[] {
    let list = this.lists.get(value);
    if (!list) this.lists.set(value, (list = [this.make(value)]));
    return list;
  }
}

/**
 * Per row, the keys it has in each family (several for failure reasons). The keys of a million
 * rows are made of a few thousand clusters and a few values: each key string is made once and
 * shared, so the week's tallies hash short-lived strings no more than they must.
 */
export function rowKeys(
  rows: readonly FacetRow[],
  levels: readonly ClusterNode[][],
  bounds: DpBounds,
  customFacets: readonly CustomFacetDefinition[] = [],
  maps: readonly DpMap[] = [],
): RowKeys {
  const families: string[] = [];
  const slot = (family: string) => families.push(family) - 1;
  const totalSlot = slot(familyName.total);
  const levelSlots = levels.map((_, level) => ({
    level: slot(familyName.level(level)),
    outcome: slot(familyName.levelOutcome(level)),
    reason: level < REASON_LEVELS ? slot(familyName.levelReason(level)) : -1,
  }));
  const outcomeSlot = slot(familyName.facet('outcome'));
  const reasonSlot = slot(familyName.facet('failure_reason'));
  const confidenceSlot = slot(familyName.facet('confidence'));
  const dataSlots = DATA_FACETS.map((facet) => slot(familyName.facet(facet)));
  const customSlots = customFacets.map((definition) => ({
    definition,
    facet: slot(familyName.custom(definition.key)),
    levels: levels.slice(0, CUSTOM_LEVELS).map((_, level) => ({
      values: slot(familyName.clusterCustom(level, definition.key)),
      number:
        definition.type === 'number' ? slot(familyName.clusterNumber(level, definition.key)) : -1,
    })),
  }));
  const mapSlots = maps.map(({ map, levels: mapLevels }) =>
    mapLevels.map((_, level) => ({
      level: slot(familyName.mapLevel(map, level)),
      outcome: slot(familyName.mapOutcome(map, level)),
      topic: slot(familyName.mapTopic(map, level)),
    })),
  );

  // Per level, each row's node (an index into the level), and each node's key lists.
  const nodeOf = levels.map((nodes) => {
    const of = new Int32Array(rows.length).fill(-1);
    nodes.forEach((node, n) => {
      for (const index of node.members) of[index] = n;
    });
    return of;
  });
  const nodeKeys = levels.map((nodes) =>
    nodes.map(({ id }) => ({
      id,
      self: [id] as readonly string[],
      outcome: new KeyLists((outcome) => `${id}|${outcome}`),
      reason: new Map<string, string>(FAILURE_REASONS.map((reason) => [reason, `${id}|${reason}`])),
    })),
  );
  // Per map and level, the node of each conversation (maps index their own rows).
  const mapNodeOf = maps.map(({ rows: mapRows, levels: mapLevels }) =>
    mapLevels.map((nodes) => {
      const of = new Map<string, string>();
      for (const node of nodes)
        for (const index of node.members) of.set(mapRows[index]!.conversationId, node.id);
      return of;
    }),
  );
  const outcomeKeys = new KeyLists((outcome) => outcome);
  const dataKeys = DATA_FACETS.map(() => new KeyLists((key) => key));
  const reasonLimit = Math.min(bounds.maxReasons, FAILURE_REASONS.length);

  const keysOf = (index: number): KeysBySlot => {
    const row = rows[index]!;
    const keys: (readonly string[] | undefined)[] = new Array(families.length);
    // The first R reasons in the fixed vocabulary order: one person's choice, data-independent.
    const reasons =
      row.failureReasons.length === 0
        ? NO_KEYS
        : FAILURE_REASONS.filter((reason) => row.failureReasons.includes(reason)).slice(
            0,
            reasonLimit,
          );
    keys[totalSlot] = TOTAL_KEYS;
    levelSlots.forEach((slots, level) => {
      const n = nodeOf[level]![index]!;
      if (n < 0) return;
      const node = nodeKeys[level]![n]!;
      keys[slots.level] = node.self;
      keys[slots.outcome] = node.outcome.of(row.outcome);
      if (slots.reason >= 0)
        keys[slots.reason] =
          reasons.length === 0 ? NO_KEYS : reasons.map((r) => node.reason.get(r)!);
    });
    keys[outcomeSlot] = outcomeKeys.of(row.outcome);
    keys[reasonSlot] = reasons;
    keys[confidenceSlot] = CONFIDENCE_KEY_LISTS[row.confidence < LOW_CONFIDENCE ? 'low' : 'normal'];
    DATA_FACETS.forEach((facet, f) => {
      keys[dataSlots[f]!] = dataKeys[f]!.of(dataFacetKey(row, facet));
    });
    for (const { definition, facet, levels: perLevel } of customSlots) {
      const value = customValueKey(definition, row.custom?.[definition.key]) ?? NOT_SET_VALUE;
      keys[facet] = [value];
      perLevel.forEach((slots, level) => {
        const n = nodeOf[level]![index]!;
        if (n < 0) return;
        const id = nodeKeys[level]![n]!.id;
        keys[slots.values] = [`${id}|${value}`];
        if (slots.number >= 0 && typeof row.custom?.[definition.key] === 'number')
          keys[slots.number] = [id];
      });
    }
    const top = nodeOf[0]?.[index];
    const topic = top === undefined || top < 0 ? undefined : nodeKeys[0]![top]!.id;
    mapSlots.forEach((perLevel, m) =>
      perLevel.forEach((slots, level) => {
        const node = mapNodeOf[m]![level]!.get(row.conversationId);
        if (node === undefined) return;
        keys[slots.level] = [node];
        keys[slots.outcome] = [`${node}|${row.outcome}`];
        if (topic !== undefined) keys[slots.topic] = [`${node}|${topic}`];
      }),
    );
    return keys;
  };
  return { families, keysOf };
}

/**
 * A number answer in units of 1/NUMBER_UNITS of its facet's range above the minimum, clipped to
 * the range (the sensitivity of a cluster's sum comes from the range, not from the data).
 */
export function numberUnits(definition: CustomFacetDefinition, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) return 0;
  const min = definition.min ?? 0;
  const width = (definition.max ?? min) - min;
  if (!(width > 0)) return 0;
  return Math.round((Math.min(width, Math.max(0, value - min)) / width) * NUMBER_UNITS);
}

/** Per family and key, the people counted in it as users (for later weeks' "new users"). */
type CountedUsers = Map<string, Map<string, Set<string>>>;

interface BucketFigures {
  cells: ExactCell[];
  counted: CountedUsers;
}

/** A key's exact figures in one week (every figure a family may release; unused ones stay 0). */
type KeyFigures = {
  conversations: number;
  minutes: number;
  manual: number;
  frustration: number;
  sum: number;
  users: number;
  new_users: number;
  calibration: number;
};

const noFigures = (): KeyFigures => ({
  conversations: 0,
  minutes: 0,
  manual: 0,
  frustration: 0,
  sum: 0,
  users: 0,
  new_users: 0,
  calibration: 0,
});

/** Which of `keys` (with their use counts) a person counts in: all, or the `max` most used. */
function chosenKeys(keys: string[], uses: number[], max: number): readonly string[] {
  if (keys.length <= max) return keys;
  return keys
    .map((key, i) => ({ key, uses: uses[i]! }))
    .sort((a, b) => b.uses - a.uses || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .slice(0, max)
    .map(({ key }) => key);
}

/** The exact figures of one week over bounded contributions. */
function weekFigures(
  rows: readonly FacetRow[],
  members: readonly number[],
  /** `members` within the cap C per person (`selectPerPerson`). */
  kept: readonly number[],
  { families, keysOf }: RowKeys,
  bounds: DpBounds,
  seen: CountedUsers,
  /** Per number family (per-cluster sums), the facet whose answers it sums. */
  numberFacets: ReadonlyMap<string, CustomFacetDefinition> = new Map(),
): BucketFigures {
  const minutes = clipPerPerson(
    kept,
    (index) => rows[index]!.user,
    (index) => rows[index]!.minutesSaved,
    bounds.maxMinutesPerConversation,
    bounds.maxMinutesPerPerson,
  );
  const manual = clipPerPerson(
    kept,
    (index) => rows[index]!.user,
    (index) => rows[index]!.minutesWithoutAi,
    bounds.maxMinutesPerConversation * MANUAL_FACTOR,
    bounds.maxMinutesPerPerson * MANUAL_FACTOR,
  );
  // Per family slot, its keys' figures.
  const figures = families.map(() => new Map<string, KeyFigures>());
  const number = families.map((family) => numberFacets.get(family));
  // Conversation figures, row by row; each row's keys are kept for the people figures below.
  const keysOfKept: KeysBySlot[] = new Array(kept.length);
  const positionsOf = new Map<string, number[]>();
  kept.forEach((index, position) => {
    const row = rows[index]!;
    const rowMinutes = minutes.get(index)!;
    const rowManual = manual.get(index)!;
    const frustration = Math.min(5, Math.max(0, Math.round(row.frustration)));
    const keys = keysOf(index);
    keysOfKept[position] = keys;
    const positions = positionsOf.get(row.user);
    if (positions) positions.push(position);
    else positionsOf.set(row.user, [position]);
    for (let slot = 0; slot < families.length; slot++) {
      const slotKeys = keys[slot];
      if (!slotKeys) continue;
      const byKey = figures[slot]!;
      const facet = number[slot];
      const sum = facet ? numberUnits(facet, row.custom?.[facet.key]) : 0;
      for (const key of slotKeys) {
        let values = byKey.get(key);
        if (!values) byKey.set(key, (values = noFigures()));
        values.conversations += 1;
        values.minutes += rowMinutes;
        values.manual += rowManual;
        values.frustration += frustration;
        values.sum += sum;
      }
    }
  });
  // People figures, person by person: each counts as a user in at most L keys of a family (the
  // keys with most of their conversations), and as a new user where no released week counted them.
  const maxKeys = families.map((family) => maxUserKeys(family, bounds));
  const seenOf = families.map((family) => seen.get(family));
  const countedOf = families.map(() => new Map<string, Set<string>>());
  const personKeys: string[] = [];
  const personUses: number[] = [];
  for (const [person, positions] of positionsOf) {
    for (let slot = 0; slot < families.length; slot++) {
      personKeys.length = 0;
      personUses.length = 0;
      for (const position of positions)
        for (const key of keysOfKept[position]![slot] ?? NO_KEYS) {
          const at = personKeys.indexOf(key);
          if (at < 0) {
            personKeys.push(key);
            personUses.push(1);
          } else personUses[at]! += 1;
        }
      if (personKeys.length === 0) continue;
      for (const key of chosenKeys(personKeys, personUses, maxKeys[slot]!)) {
        const values = figures[slot]!.get(key)!;
        values.users += 1;
        if (!seenOf[slot]?.get(key)?.has(person)) values.new_users += 1;
        const counted = countedOf[slot]!;
        const people = counted.get(key);
        if (people) people.add(person);
        else counted.set(key, new Set([person]));
      }
    }
  }
  // The calibration count: the same week with the cap C × CALIBRATION_FACTOR. Only its size is
  // released, and that is each person's count capped, whichever conversations a cap would keep.
  const perPerson = new Map<string, number>();
  for (const index of members) {
    const user = rows[index]!.user;
    perPerson.set(user, (perPerson.get(user) ?? 0) + 1);
  }
  let calibration = 0;
  for (const count of perPerson.values())
    calibration += Math.min(count, bounds.maxConversations * CALIBRATION_FACTOR);
  if (calibration > 0) {
    const total = families.indexOf(familyName.total);
    let values = figures[total]!.get('all');
    if (!values) figures[total]!.set('all', (values = noFigures()));
    values.calibration += calibration;
  }
  const cells: ExactCell[] = [];
  const counted: CountedUsers = new Map();
  families.forEach((family, slot) => {
    for (const [key, values] of figures[slot]!) cells.push({ family, key, values });
    counted.set(family, countedOf[slot]!);
  });
  return { cells, counted };
}

export function releaseDpWeeks(input: DpReleaseInput): DpRelease {
  const { rows, levels, bounds } = input;
  const noise = input.noise ?? new DiscreteGaussianNoise();
  const horizon = dpHorizon(input.now, input.backfillWeeks, input.finalWeeks);
  const customFacets = (input.customFacets ?? []).filter((d) => d.type !== 'short_text');
  const maps = input.maps ?? [];
  const families = dpFamilies(
    levels.length,
    bounds,
    customFacets.map((d) => d.key),
    {
      maps: maps.map(({ map, levels: mapLevels }) => ({ map, levels: mapLevels.length })),
      clusterCustom: customFacets.map(({ key, type }) => ({ key, type })),
    },
  );
  const keysOfRows = rowKeys(rows, levels, bounds, customFacets, maps);
  const numberFacets = new Map<string, CustomFacetDefinition>();
  for (const definition of customFacets.filter((d) => d.type === 'number'))
    for (let level = 0; level < Math.min(levels.length, CUSTOM_LEVELS); level++)
      numberFacets.set(familyName.clusterNumber(level, definition.key), definition);
  // Each week's conversations within the cap C per person, chosen once (the vocabulary selection
  // and the week's figures both count them).
  const keptByWeek = new Map<string, number[]>();
  const keptOf = (week: string) => {
    let list = keptByWeek.get(week);
    if (!list)
      keptByWeek.set(
        week,
        (list = selectPerPerson(
          members.get(week) ?? [],
          (index) => rows[index]!.user,
          (index) => rows[index]!.conversationId,
          bounds.maxConversations,
        )),
      );
    return list;
  };
  const figuresOf = (week: string, seen: CountedUsers) =>
    weekFigures(
      rows,
      members.get(week) ?? [],
      keptOf(week),
      keysOfRows,
      bounds,
      seen,
      numberFacets,
    );

  // Every row's week: its own, the current one for late arrivals and future dates, none before
  // the horizon.
  const members = new Map<string, number[]>();
  rows.forEach((row, index) => {
    let week: string;
    if (row.frozenWeek && input.finalWeeks.has(row.frozenWeek)) week = row.frozenWeek;
    else {
      week = isoWeekLabel(row.at);
      if (week > horizon.currentWeek || input.finalWeeks.has(week)) week = horizon.currentWeek;
    }
    if (week < horizon.firstWeek) return;
    const list = members.get(week) ?? [];
    list.push(index);
    members.set(week, list);
  });

  const publicKeys: Record<string, string[]> = {
    [familyName.total]: ['all'],
    [familyName.facet('outcome')]: [...OUTCOMES],
    [familyName.facet('failure_reason')]: [...FAILURE_REASONS],
    [familyName.facet('confidence')]: [...CONFIDENCE_KEYS],
  };
  // A custom facet's keys come from its definition alone (values, yes/no, ranges, "(not set)").
  for (const definition of customFacets)
    publicKeys[familyName.custom(definition.key)] = customFacetKeys(definition);
  // Map nodes and topic clusters are public keys like the tree's (structure is outside the
  // claim); a cell is shown only where its noisy figures pass k_users (assemble-dp-snapshot).
  const topIds = (levels[0] ?? []).map((node) => node.id);
  for (const { map, levels: mapLevels } of maps)
    mapLevels.forEach((nodes, level) => {
      const ids = nodes.map((node) => node.id);
      publicKeys[familyName.mapLevel(map, level)] = ids;
      publicKeys[familyName.mapOutcome(map, level)] = ids.flatMap((id) =>
        OUTCOMES.map((outcome) => `${id}|${outcome}`),
      );
      publicKeys[familyName.mapTopic(map, level)] = ids.flatMap((id) =>
        topIds.map((topic) => `${id}|${topic}`),
      );
    });
  for (const definition of customFacets)
    for (let level = 0; level < Math.min(levels.length, CUSTOM_LEVELS); level++) {
      const ids = levels[level]!.map((node) => node.id);
      const values = customFacetKeys(definition);
      publicKeys[familyName.clusterCustom(level, definition.key)] = ids.flatMap((id) =>
        values.map((value) => `${id}|${value}`),
      );
      if (definition.type === 'number')
        publicKeys[familyName.clusterNumber(level, definition.key)] = ids;
    }
  levels.forEach((nodes, level) => {
    const ids = nodes.map((node) => node.id);
    publicKeys[familyName.level(level)] = ids;
    publicKeys[familyName.levelOutcome(level)] = ids.flatMap((id) =>
      OUTCOMES.map((outcome) => `${id}|${outcome}`),
    );
    if (level < REASON_LEVELS)
      publicKeys[familyName.levelReason(level)] = ids.flatMap((id) =>
        FAILURE_REASONS.map((reason) => `${id}|${reason}`),
      );
  });
  const dataKeys = new Map<string, Set<string>>();
  for (const facet of DATA_FACETS) {
    const name = familyName.facet(facet);
    dataKeys.set(name, new Set(input.releasedDataKeys.get(name) ?? []));
  }

  const release: DpRelease = {
    weeks: [],
    cells: [],
    parameters: [],
    rhoClosedWeeks: 0,
    rhoCurrentWeek: 0,
    delta: 0,
    finalConversations: new Map(),
    unreleasedClosedWeeks: [],
    horizon: { start: horizon.start, currentWeek: horizon.currentWeek },
  };
  // Who was already counted in each key by released closed weeks, built up week by week.
  const seen: CountedUsers = new Map();
  // Takes over the week's sets (nothing reads them afterwards).
  const remember = (counted: CountedUsers) => {
    for (const [family, byKey] of counted) {
      let seenByKey = seen.get(family);
      if (!seenByKey) seen.set(family, (seenByKey = new Map()));
      for (const [key, people] of byKey) {
        const before = seenByKey.get(key);
        if (!before) seenByKey.set(key, people);
        else for (const person of people) before.add(person);
      }
    }
  };
  const weeks = weeksBetween(horizon.firstWeek, horizon.currentWeek);
  const toRelease = weeks.filter(
    (week) => week !== horizon.currentWeek && !input.finalWeeks.has(week),
  );
  // New facet values are selected when closed weeks are released, and on a tenant's first
  // publication: both calendar events, not data ones.
  const firstPublication =
    [...dataKeys.values()].every((keys) => keys.size === 0) && input.finalWeeks.size === 0;
  const closedRho =
    input.plan.rhoPerClosedWeek > 0 ? input.plan.rhoPerClosedWeek * toRelease.length : 0;
  const currentRho = input.plan.rhoCurrentWeek;
  const selecting = (closedRho > 0 && toRelease.length > 0) || (firstPublication && currentRho > 0);
  // The selection costs a share of one week's release, taken from the weeks it precedes.
  const vocabularyRho = selecting
    ? VOCABULARY_SHARE * (closedRho > 0 ? input.plan.rhoPerClosedWeek : currentRho)
    : 0;
  const closedWeekRho =
    closedRho > 0
      ? input.plan.rhoPerClosedWeek - (selecting ? vocabularyRho / toRelease.length : 0)
      : 0;
  const currentWeekRho = currentRho - (selecting && closedRho === 0 ? vocabularyRho : 0);
  if (selecting) {
    const rho = vocabularyRho;
    const vocabulary = selectVocabulary(rows, [...members.keys()].map(keptOf), bounds, dataKeys);
    const delta = input.deltaOf(rho);
    const result = releaseCells(
      {
        families: vocabularyFamilies(bounds),
        cells: vocabulary,
        rho,
        delta,
        minThreshold: input.kUsers,
      },
      noise,
    );
    for (const cell of result.cells)
      dataKeys.get(familyName.facet(cell.family.slice('vocabulary/'.length)))?.add(cell.key);
    for (const parameter of result.parameters)
      release.parameters.push({ bucket: horizon.currentWeek, ...parameter });
    release.vocabulary = {
      rho: result.rho,
      delta: result.delta,
      thresholds: result.thresholds,
      selected: result.cells.length,
    };
    release.delta += result.delta;
    if (closedRho > 0) release.rhoClosedWeeks += result.rho;
    else release.rhoCurrentWeek += result.rho;
  }

  const releaseWeek = (bucket: string, final: boolean, rho: number) => {
    const figures = figuresOf(bucket, seen);
    const delta = input.deltaOf(rho);
    const result = releaseCells(
      {
        families,
        cells: figures.cells,
        publicKeys: {
          ...publicKeys,
          ...Object.fromEntries([...dataKeys].map(([family, keys]) => [family, [...keys]])),
        },
        rho,
        delta,
        minThreshold: input.kUsers,
      },
      noise,
    );
    for (const cell of result.cells) {
      release.cells.push({
        bucket,
        final,
        family: cell.family,
        key: cell.key,
        figures: cell.values,
        sigma: cell.sigma,
      });
      dataKeys.get(cell.family)?.add(cell.key);
    }
    for (const parameter of result.parameters) release.parameters.push({ bucket, ...parameter });
    release.weeks.push({
      bucket,
      final,
      rho: result.rho,
      delta: result.delta,
      thresholds: result.thresholds,
    });
    release.delta += result.delta;
    if (final) {
      release.rhoClosedWeeks += result.rho;
      release.finalConversations.set(
        bucket,
        (members.get(bucket) ?? []).map((index) => rows[index]!.conversationId),
      );
    } else release.rhoCurrentWeek += result.rho;
    return figures.counted;
  };

  for (const week of weeks) {
    if (week === horizon.currentWeek) break;
    if (input.finalWeeks.has(week)) {
      // Released before: only its "who was counted" feeds later weeks' new users.
      remember(figuresOf(week, seen).counted);
      continue;
    }
    if (input.plan.rhoPerClosedWeek > 0) remember(releaseWeek(week, true, closedWeekRho));
    else release.unreleasedClosedWeeks.push(week);
  }
  if (currentWeekRho > 0) releaseWeek(horizon.currentWeek, false, currentWeekRho);
  return release;
}

/**
 * People per not-yet-selected facet value over the horizon: contributions bounded per person and
 * week as in the weekly figures, and each person counted in at most L values of a facet.
 */
function selectVocabulary(
  rows: readonly FacetRow[],
  /** Per week, its conversations within the cap C per person. */
  keptPerWeek: readonly (readonly number[])[],
  bounds: DpBounds,
  selected: ReadonlyMap<string, ReadonlySet<string>>,
): ExactCell[] {
  const tallies = new Map<string, UserKeyTally>();
  for (const kept of keptPerWeek) {
    for (const index of kept) {
      const row = rows[index]!;
      for (const facet of DATA_FACETS) {
        const key = dataFacetKey(row, facet);
        if (selected.get(familyName.facet(facet))?.has(key)) continue;
        let tally = tallies.get(facet);
        if (!tally) tallies.set(facet, (tally = new UserKeyTally()));
        tally.add(row.user, key);
      }
    }
  }
  const cells: ExactCell[] = [];
  for (const [facet, tally] of tallies) {
    const counts = new Map<string, number>();
    for (const [, key] of tally.chosen(maxUserKeys(familyName.facet(facet), bounds)))
      counts.set(key, (counts.get(key) ?? 0) + 1);
    for (const [key, people] of counts)
      cells.push({ family: familyName.vocabulary(facet), key, values: { people } });
  }
  return cells;
}

/** Closed weeks of the horizon not yet released (what the planner must pay for). */
export function pendingClosedWeeks(
  now: Date,
  backfillWeeks: number,
  finalWeeks: ReadonlySet<string>,
): string[] {
  const horizon = dpHorizon(now, backfillWeeks, finalWeeks);
  return weeksBetween(horizon.firstWeek, horizon.currentWeek).filter(
    (week) => week !== horizon.currentWeek && !finalWeeks.has(week),
  );
}
