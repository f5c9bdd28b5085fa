/**
 * What a dp release publishes for one ISO week: the families (ways of cutting the week's
 * conversations into keys), the figures of each, their sensitivities under the contribution
 * bounds, and how the budget is weighted between them. Everything the snapshot shows in dp mode
 * is a sum or ratio of these released figures (assemble-dp-snapshot.ts).
 *
 * Weights were chosen with `npm run bench -- dp` (README "Privacy"): the figures the product
 * leads with (conversations and people per cluster and per breakdown value) get most of the
 * budget; figures inside a cluster (its outcomes, failure reasons) and minutes get less.
 */
import { FAILURE_REASONS, OUTCOMES } from '@silhouette/contracts';
import type { FamilySpec, FigureSpec } from '@silhouette/privacy';

export interface DpBounds {
  /** Conversations counted per person per week (C). */
  maxConversations: number;
  /** Minutes saved counted per conversation, and per person per week. */
  maxMinutesPerConversation: number;
  maxMinutesPerPerson: number;
  /** Failure reasons counted per conversation. */
  maxReasons: number;
}

/**
 * The week's total is also released with a cap this many times C: the ratio of the two says how
 * many conversations the cap C left out, and the snapshot scales that week's conversation and
 * minute figures back up by it (a calibration, post-processing of released figures).
 */
export const CALIBRATION_FACTOR = 8;

/** Manual minutes (for failure impact) are clipped like minutes saved, with twice the room. */
export const MANUAL_FACTOR = 2;

/** Facets whose values exist only in the data: released through the noisy threshold. */
export const DATA_FACETS = ['language', 'domain', 'task_type', 'team', 'department'] as const;
export type DataFacet = (typeof DATA_FACETS)[number];
/** Facets with a weekly series (trends and reports read them). */
export const WEEKLY_FACETS = new Set<string>(['domain', 'task_type', 'team']);
/**
 * How many keys of a family one person is counted in as a user per week (their most used). New
 * people deferred by the cap are counted in a later week where they use the key again, so the
 * all-time people figures lose little; the sensitivity of every people figure is √L.
 */
const MAX_VALUES_PER_PERSON: Record<string, number> = {
  team: 1,
  department: 1,
  language: 2,
  confidence: 2,
  domain: 3,
  task_type: 3,
};
/** The same bound for clusters of any level. */
const MAX_CLUSTERS_PER_PERSON = 3;
/** Levels (0 = top) whose clusters also release failure reasons. */
export const REASON_LEVELS = 2;

export const CONFIDENCE_KEYS = ['low', 'normal'] as const;

export const familyName = {
  total: 'total',
  level: (level: number) => `cluster/level-${level}`,
  levelOutcome: (level: number) => `cluster/level-${level}/outcome`,
  levelReason: (level: number) => `cluster/level-${level}/failure_reason`,
  facet: (facet: string) => `facet/${facet}`,
  /** A custom facet (issue #15): a fixed vocabulary from its definition. */
  custom: (key: string) => `facet/custom:${key}`,
  vocabulary: (facet: string) => `vocabulary/${facet}`,
  /** A level of the issues map or of a short-text facet's map (issue #15): its node ids. */
  mapLevel: (map: string, level: number) => `map/${map}/level-${level}`,
  mapOutcome: (map: string, level: number) => `map/${map}/level-${level}/outcome`,
  /** Map node × top-level topic cluster: where each issue occurs. */
  mapTopic: (map: string, level: number) => `map/${map}/level-${level}/topic`,
  /** Topic cluster × custom value (enum, boolean, number range). */
  clusterCustom: (level: number, key: string) => `cluster/level-${level}/custom:${key}`,
  /** A number facet's answered count and clipped sum per topic cluster (its mean). */
  clusterNumber: (level: number, key: string) => `cluster/level-${level}/number:${key}`,
};

/** Topic levels (0 = top) whose clusters release per-cluster custom-facet figures. */
export const CUSTOM_LEVELS = 2;
/**
 * A number answer is released in units of 1/NUMBER_UNITS of its facet's range above the minimum
 * (clipped to the range): one conversation moves a cluster's sum by at most NUMBER_UNITS.
 */
export const NUMBER_UNITS = 100;

/** What the maps and per-cluster custom figures of a release are made of (issue #15). */
export interface DpExtraFamilies {
  /** Each map (issues, short-text facets) and its number of levels. */
  maps?: readonly { map: string; levels: number }[];
  /** Custom facets released per topic cluster (enum, boolean, number). */
  clusterCustom?: readonly { key: string; type: string }[];
}

/** Budget weights per figure (relative; see the module header). */
const WEIGHTS = {
  main: { conversations: 1, new_users: 1, users: 0.15, minutes: 0.15 },
  /** Levels below the second: base clusters are small (~30 conversations), so under a monthly
   *  budget they are mostly hidden whatever they get; they get little. */
  deepLevel: 0.15,
  frustration: 0.05,
  calibration: 0.5,
  outcome: { conversations: 0.3, new_users: 0.1, minutes: 0.05, manual: 0.1 },
  reason: { conversations: 0.15, new_users: 0.05 },
  facet: { conversations: 0.3, new_users: 0.3, users: 0.1, minutes: 0.1 },
  /** Each custom facet, like a data facet without its weekly people (ten take ~15% of ρ). */
  custom: { conversations: 0.3, new_users: 0.3, users: 0.05, minutes: 0.1 },
  /** Each map level (issue #15): failing conversations only, so smaller than topic figures. */
  map: { conversations: 0.3, new_users: 0.3, users: 0.05, frustration: 0.02 },
  mapOutcome: { conversations: 0.1, new_users: 0.05, manual: 0.05 },
  mapTopic: { conversations: 0.1, new_users: 0.1 },
  /** Per cluster and custom facet: a fine cut, whose cells mostly pass only in big clusters. */
  clusterCustom: { conversations: 0.05, new_users: 0.03 },
  clusterNumber: { conversations: 0.03, new_users: 0.02, sum: 0.03 },
} as const;
/** Values of one custom facet a person is counted in as a user per week (their most used). */
const MAX_CUSTOM_VALUES_PER_PERSON = 1;

function figure(name: string, l2: number, weight: number): FigureSpec {
  return { name, l2, weight };
}

/** How many keys of `family` one person may be counted in as a user per week (L). */
export function maxUserKeys(family: string, bounds: DpBounds): number {
  const c = bounds.maxConversations;
  const reasons = Math.min(bounds.maxReasons, FAILURE_REASONS.length);
  if (family === familyName.total) return 1;
  if (family === familyName.facet('outcome')) return Math.min(c, OUTCOMES.length);
  if (family.startsWith(familyName.custom(''))) return Math.min(c, MAX_CUSTOM_VALUES_PER_PERSON);
  if (family === familyName.facet('failure_reason'))
    return Math.min(c * reasons, FAILURE_REASONS.length);
  if (family.endsWith('/failure_reason')) return Math.min(c, MAX_CLUSTERS_PER_PERSON) * reasons;
  if (family.startsWith('facet/')) return Math.min(c, MAX_VALUES_PER_PERSON[family.slice(6)] ?? c);
  if (family.endsWith('/outcome')) return Math.min(c, MAX_CLUSTERS_PER_PERSON * 2);
  return Math.min(c, MAX_CLUSTERS_PER_PERSON);
}

/**
 * The families of one week's release for a tree of `levels` levels, and the custom facets'
 * (by key; enum, boolean and number facets, whose keys are public).
 */
export function dpFamilies(
  levels: number,
  bounds: DpBounds,
  customKeys: readonly string[] = [],
  extra: DpExtraFamilies = {},
): FamilySpec[] {
  const c = bounds.maxConversations;
  const minutes = bounds.maxMinutesPerPerson;
  const manual = bounds.maxMinutesPerPerson * MANUAL_FACTOR;
  const reasons = Math.min(bounds.maxReasons, FAILURE_REASONS.length);
  // A person counts as a user in at most L keys, 1 each: the users vector moves by √L in L2.
  const users = (family: string) => Math.sqrt(maxUserKeys(family, bounds));
  const main = (family: string, weekly: boolean, scale = 1): FigureSpec[] => [
    figure('conversations', c, WEIGHTS.main.conversations * scale),
    figure('new_users', users(family), WEIGHTS.main.new_users * scale),
    ...(weekly ? [figure('users', users(family), WEIGHTS.main.users * scale)] : []),
    figure('minutes', minutes, WEIGHTS.main.minutes * scale),
  ];
  const families: FamilySpec[] = [
    {
      name: familyName.total,
      keys: 'public',
      figures: [
        ...main(familyName.total, true),
        figure('calibration', c * CALIBRATION_FACTOR, WEIGHTS.calibration),
      ],
    },
  ];
  for (let level = 0; level < levels; level++) {
    const name = familyName.level(level);
    const scale = level < 2 ? 1 : WEIGHTS.deepLevel;
    families.push({
      name,
      keys: 'public',
      figures: [
        ...main(name, true, scale),
        figure('frustration', 5 * c, WEIGHTS.frustration * scale),
      ],
    });
    const outcome = familyName.levelOutcome(level);
    families.push({
      name: outcome,
      keys: 'public',
      figures: [
        figure('conversations', c, WEIGHTS.outcome.conversations * scale),
        figure('new_users', users(outcome), WEIGHTS.outcome.new_users * scale),
        figure('minutes', minutes, WEIGHTS.outcome.minutes * scale),
        figure('manual', manual, WEIGHTS.outcome.manual * scale),
      ],
    });
    if (level < REASON_LEVELS) {
      const reason = familyName.levelReason(level);
      families.push({
        name: reason,
        keys: 'public',
        figures: [
          // Each conversation adds 1 to at most R reasons: at most C per key, R keys at C.
          figure('conversations', c * Math.sqrt(reasons), WEIGHTS.reason.conversations),
          figure('new_users', users(reason), WEIGHTS.reason.new_users),
        ],
      });
    }
  }
  // Overview outcomes and failure reasons: people figures of their own; conversations and
  // minutes are also estimated from the top level's per-cluster figures and combined.
  const outcome = familyName.facet('outcome');
  families.push({
    name: outcome,
    keys: 'public',
    figures: [
      figure('conversations', c, WEIGHTS.facet.conversations),
      figure('new_users', users(outcome), WEIGHTS.facet.new_users),
      figure('users', users(outcome), WEIGHTS.facet.users),
      figure('minutes', minutes, WEIGHTS.facet.minutes),
    ],
  });
  const reason = familyName.facet('failure_reason');
  families.push({
    name: reason,
    keys: 'public',
    figures: [
      figure('conversations', c * Math.sqrt(reasons), WEIGHTS.reason.conversations),
      figure('new_users', users(reason), WEIGHTS.reason.new_users),
    ],
  });
  const confidence = familyName.facet('confidence');
  families.push({
    name: confidence,
    keys: 'public',
    figures: [
      figure('conversations', c, WEIGHTS.reason.conversations),
      figure('new_users', users(confidence), WEIGHTS.reason.new_users),
    ],
  });
  // Data facets release the values their vocabulary release selected (see vocabularyFamilies),
  // each week, like public keys.
  for (const facet of DATA_FACETS) {
    const name = familyName.facet(facet);
    families.push({ name, keys: 'public', figures: main(name, WEEKLY_FACETS.has(facet)) });
  }
  for (const key of customKeys) {
    const name = familyName.custom(key);
    families.push({
      name,
      keys: 'public',
      figures: [
        figure('conversations', c, WEIGHTS.custom.conversations),
        figure('new_users', users(name), WEIGHTS.custom.new_users),
        // Weekly people: custom trends show them like every series.
        figure('users', users(name), WEIGHTS.custom.users),
        figure('minutes', minutes, WEIGHTS.custom.minutes),
      ],
    });
  }
  // Each conversation lies in one node per map level, one (node, topic) pair and one (cluster,
  // value) pair: C conversations move each family's vector by at most C in L2.
  for (const { map, levels: mapLevels } of extra.maps ?? [])
    for (let level = 0; level < mapLevels; level++) {
      const name = familyName.mapLevel(map, level);
      const outcome = familyName.mapOutcome(map, level);
      const topic = familyName.mapTopic(map, level);
      families.push(
        {
          name,
          keys: 'public',
          figures: [
            figure('conversations', c, WEIGHTS.map.conversations),
            figure('new_users', users(name), WEIGHTS.map.new_users),
            figure('users', users(name), WEIGHTS.map.users),
            figure('frustration', 5 * c, WEIGHTS.map.frustration),
          ],
        },
        {
          name: outcome,
          keys: 'public',
          figures: [
            figure('conversations', c, WEIGHTS.mapOutcome.conversations),
            figure('new_users', users(outcome), WEIGHTS.mapOutcome.new_users),
            figure('manual', manual, WEIGHTS.mapOutcome.manual),
          ],
        },
        {
          name: topic,
          keys: 'public',
          figures: [
            figure('conversations', c, WEIGHTS.mapTopic.conversations),
            figure('new_users', users(topic), WEIGHTS.mapTopic.new_users),
          ],
        },
      );
    }
  for (const { key, type } of extra.clusterCustom ?? [])
    for (let level = 0; level < Math.min(levels, CUSTOM_LEVELS); level++) {
      const name = familyName.clusterCustom(level, key);
      families.push({
        name,
        keys: 'public',
        figures: [
          figure('conversations', c, WEIGHTS.clusterCustom.conversations),
          figure('new_users', users(name), WEIGHTS.clusterCustom.new_users),
        ],
      });
      if (type !== 'number') continue;
      const number = familyName.clusterNumber(level, key);
      families.push({
        name: number,
        keys: 'public',
        figures: [
          figure('conversations', c, WEIGHTS.clusterNumber.conversations),
          figure('new_users', users(number), WEIGHTS.clusterNumber.new_users),
          figure('sum', c * NUMBER_UNITS, WEIGHTS.clusterNumber.sum),
        ],
      });
    }
  return families;
}

/** Share of a publication's ρ spent on selecting new facet values, when it selects. */
export const VOCABULARY_SHARE = 0.15;

/**
 * Which values of the data facets may be published at all: a distinct-people count per value
 * over the publication's horizon (each person counted in at most L values of a facet: their most
 * used), released through the noisy threshold. A value it selects is released every week from
 * then on.
 */
export function vocabularyFamilies(bounds: DpBounds): FamilySpec[] {
  return DATA_FACETS.map((facet) => {
    const name = familyName.vocabulary(facet);
    const maxKeys = maxUserKeys(familyName.facet(facet), bounds);
    return {
      name,
      keys: 'data' as const,
      figures: [figure('people', Math.sqrt(maxKeys), 1)],
      selectBy: 'people',
      // Values one person can make appear: a value is a cell only where someone is counted, and
      // each person is counted in at most L values of the facet (their most used).
      maxKeysPerPerson: maxKeys,
    };
  });
}
