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

/** Per row, the keys it has in each family (several for failure reasons). */
export function rowKeys(
  rows: readonly FacetRow[],
  levels: readonly ClusterNode[][],
  bounds: DpBounds,
  customFacets: readonly CustomFacetDefinition[] = [],
  maps: readonly DpMap[] = [],
): (row: number) => Map<string, string[]> {
  const clusterOf = levels.map(() => new Map<number, string>());
  levels.forEach((nodes, level) => {
    for (const node of nodes)
      for (const index of node.members) clusterOf[level]!.set(index, node.id);
  });
  // Per map and level, the node of each conversation (maps index their own rows).
  const mapNodeOf = maps.map(({ rows: mapRows, levels: mapLevels }) =>
    mapLevels.map((nodes) => {
      const of = new Map<string, string>();
      for (const node of nodes)
        for (const index of node.members) of.set(mapRows[index]!.conversationId, node.id);
      return of;
    }),
  );
  const reasonLimit = Math.min(bounds.maxReasons, FAILURE_REASONS.length);
  return (index) => {
    const row = rows[index]!;
    // The first R reasons in the fixed vocabulary order: one person's choice, data-independent.
    const reasons = FAILURE_REASONS.filter((reason) => row.failureReasons.includes(reason)).slice(
      0,
      reasonLimit,
    );
    const keys = new Map<string, string[]>();
    keys.set(familyName.total, ['all']);
    levels.forEach((_, level) => {
      const id = clusterOf[level]!.get(index);
      if (id === undefined) return;
      keys.set(familyName.level(level), [id]);
      keys.set(familyName.levelOutcome(level), [`${id}|${row.outcome}`]);
      if (level < REASON_LEVELS)
        keys.set(
          familyName.levelReason(level),
          reasons.map((reason) => `${id}|${reason}`),
        );
    });
    keys.set(familyName.facet('outcome'), [row.outcome]);
    keys.set(familyName.facet('failure_reason'), reasons);
    keys.set(familyName.facet('confidence'), [row.confidence < LOW_CONFIDENCE ? 'low' : 'normal']);
    for (const facet of DATA_FACETS) keys.set(familyName.facet(facet), [dataFacetKey(row, facet)]);
    for (const definition of customFacets) {
      const value = customValueKey(definition, row.custom?.[definition.key]) ?? NOT_SET_VALUE;
      keys.set(familyName.custom(definition.key), [value]);
      for (let level = 0; level < Math.min(levels.length, CUSTOM_LEVELS); level++) {
        const id = clusterOf[level]!.get(index);
        if (id === undefined) continue;
        keys.set(familyName.clusterCustom(level, definition.key), [`${id}|${value}`]);
        if (definition.type === 'number' && typeof row.custom?.[definition.key] === 'number')
          keys.set(familyName.clusterNumber(level, definition.key), [id]);
      }
    }
    const topic = clusterOf[0]?.get(index);
    maps.forEach(({ map }, m) =>
      mapNodeOf[m]!.forEach((of, level) => {
        const node = of.get(row.conversationId);
        if (node === undefined) return;
        keys.set(familyName.mapLevel(map, level), [node]);
        keys.set(familyName.mapOutcome(map, level), [`${node}|${row.outcome}`]);
        if (topic !== undefined) keys.set(familyName.mapTopic(map, level), [`${node}|${topic}`]);
      }),
    );
    return keys;
  };
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

/** The exact figures of one week over bounded contributions. */
function weekFigures(
  rows: readonly FacetRow[],
  members: readonly number[],
  /** `members` within the cap C per person (`selectPerPerson`). */
  kept: readonly number[],
  keysOf: (row: number) => Map<string, string[]>,
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
  const figures = new Map<string, Map<string, Record<string, number>>>();
  const valuesOf = (family: string, key: string) => {
    let byKey = figures.get(family);
    if (!byKey) figures.set(family, (byKey = new Map()));
    let values = byKey.get(key);
    if (!values) byKey.set(key, (values = {}));
    return values;
  };
  const add = (values: Record<string, number>, figure: string, value: number) =>
    (values[figure] = (values[figure] ?? 0) + value);
  const tallies = new Map<string, UserKeyTally>();
  for (const index of kept) {
    const row = rows[index]!;
    const rowMinutes = minutes.get(index)!;
    const rowManual = manual.get(index)!;
    const frustration = Math.min(5, Math.max(0, Math.round(row.frustration)));
    for (const [family, keys] of keysOf(index)) {
      const number = numberFacets.get(family);
      let tally = tallies.get(family);
      if (!tally) tallies.set(family, (tally = new UserKeyTally()));
      for (const key of keys) {
        const values = valuesOf(family, key);
        add(values, 'conversations', 1);
        add(values, 'minutes', rowMinutes);
        add(values, 'manual', rowManual);
        add(values, 'frustration', frustration);
        if (number) add(values, 'sum', numberUnits(number, row.custom?.[number.key]));
        tally.add(row.user, key);
      }
    }
  }
  const counted: CountedUsers = new Map();
  for (const [family, tally] of tallies) {
    const before = seen.get(family);
    const byKey = new Map<string, Set<string>>();
    counted.set(family, byKey);
    for (const [person, key] of tally.chosen(maxUserKeys(family, bounds))) {
      let people = byKey.get(key);
      if (!people) byKey.set(key, (people = new Set()));
      people.add(person);
      const values = valuesOf(family, key);
      add(values, 'users', 1);
      if (!before?.get(key)?.has(person)) add(values, 'new_users', 1);
    }
  }
  // The calibration count: the same week with the cap C × CALIBRATION_FACTOR.
  const calibration = selectPerPerson(
    members,
    (index) => rows[index]!.user,
    (index) => rows[index]!.conversationId,
    bounds.maxConversations * CALIBRATION_FACTOR,
  ).length;
  if (calibration > 0) add(valuesOf(familyName.total, 'all'), 'calibration', calibration);
  const cells: ExactCell[] = [];
  for (const [family, byKey] of figures)
    for (const [key, values] of byKey) cells.push({ family, key, values });
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
  const keysOf = rowKeys(rows, levels, bounds, customFacets, maps);
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
    weekFigures(rows, members.get(week) ?? [], keptOf(week), keysOf, bounds, seen, numberFacets);

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
      release.cells.push({ bucket, final, ...cell, figures: cell.values });
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
