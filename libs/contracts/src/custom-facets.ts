/**
 * Custom facets: a tenant's own questions, asked of every conversation in the same single tagging
 * call as the built-in facets (issue #15). An admin defines at most `MAX_CUSTOM_FACETS`; each has a
 * key, a question and a type. The definitions are part of the prompt version, so changing them
 * makes `silhouette retag` re-tag retained conversations.
 *
 * Browser-safe (zod only): the dashboard imports these types.
 */
import { z } from 'zod';
import { noiseSchema, samplingIntervalsSchema, snapshotInfoSchema } from './insights';

export const CUSTOM_FACET_TYPES = ['enum', 'boolean', 'number', 'short_text'] as const;
export type CustomFacetType = (typeof CUSTOM_FACET_TYPES)[number];

export const MAX_CUSTOM_FACETS = 10;
export const MAX_ENUM_VALUES = 20;
export const SHORT_TEXT_MAX_WORDS = 8;
/** Offline keyword rules: at most this many keywords per value. */
export const MAX_RULE_KEYWORDS = 20;

const wordCount = (text: string) => text.split(/\s+/).filter(Boolean).length;

/** A facet key: lowercase snake case, also its name in published breakdowns (`custom:<key>`). */
export const customFacetKeySchema = z
  .string()
  .regex(
    /^[a-z][a-z0-9_]{1,39}$/,
    'lowercase letters, digits and "_", 2-40 characters, starting with a letter',
  );

const questionSchema = z
  .string()
  .trim()
  .min(3, 'at least 3 characters')
  .max(160, 'at most 160 characters')
  .refine((q) => !/[\r\n]/.test(q), 'one line');

const enumValueSchema = z
  .string()
  .trim()
  .min(1)
  .max(40, 'at most 40 characters')
  .regex(/^[\p{Ll}\p{N}][\p{Ll}\p{N} _./&+-]*$/u, 'lowercase words, digits and " _-./&+"');

const keywordSchema = z.string().trim().min(2, 'at least 2 characters').max(40).toLowerCase();
const keywordList = z.array(keywordSchema).min(1).max(MAX_RULE_KEYWORDS);

const base = {
  key: customFacetKeySchema,
  question: questionSchema,
};

/**
 * What an admin sends. `rules` are for the offline tagger only (no model configured): a value is
 * answered when one of its keywords occurs in the user's messages, otherwise the facet stays
 * unanswered. A model ignores them.
 */
export const customFacetInputSchema = z.discriminatedUnion('type', [
  z
    .object({
      ...base,
      type: z.literal('enum'),
      values: z
        .array(enumValueSchema)
        .min(2, 'at least 2 values')
        .max(MAX_ENUM_VALUES, `at most ${MAX_ENUM_VALUES} values`)
        .refine((values) => new Set(values).size === values.length, 'values must be distinct'),
      rules: z.record(enumValueSchema, keywordList).optional(),
    })
    .strict(),
  z
    .object({
      ...base,
      type: z.literal('boolean'),
      rules: z
        .object({ true: keywordList.optional(), false: keywordList.optional() })
        .strict()
        .optional(),
    })
    .strict(),
  z
    .object({
      ...base,
      type: z.literal('number'),
      min: z.number().finite(),
      max: z.number().finite(),
    })
    .strict(),
  z
    .object({
      ...base,
      type: z.literal('short_text'),
    })
    .strict(),
]);
export type CustomFacetInput = z.infer<typeof customFacetInputSchema>;

/** A stored definition. `slot` (1-10) is its short key in the model's answer (`c<slot>`). */
export const customFacetSchema = z.object({
  id: z.uuid(),
  key: z.string(),
  slot: z.number().int().min(1).max(MAX_CUSTOM_FACETS),
  question: z.string(),
  type: z.enum(CUSTOM_FACET_TYPES),
  values: z.array(z.string()).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  rules: z.record(z.string(), z.array(z.string())).optional(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type CustomFacet = z.infer<typeof customFacetSchema>;

/** The prompt budget the definitions share (see libs/llm/src/tagging/prompt.ts). */
export const customFacetListSchema = z.object({
  facets: z.array(customFacetSchema),
  limit: z.number().int(),
  prompt: z.object({
    version: z.string(),
    overhead_tokens: z.number().int(),
    max_overhead_tokens: z.number().int(),
  }),
  /** Which tagger answers them: the offline one answers enum and boolean facets by rules only. */
  tagger: z.enum(['openai-compatible', 'offline']),
});
export type CustomFacetList = z.infer<typeof customFacetListSchema>;

/** One answer as stored in a facet row: null when unanswered (offline without a matching rule). */
export type CustomFacetValue = string | number | boolean | null;

/** The fields of a definition that shape the prompt and the answer (not the offline rules). */
export interface CustomFacetDefinition {
  key: string;
  slot: number;
  question: string;
  type: CustomFacetType;
  values?: readonly string[];
  min?: number;
  max?: number;
  rules?: Readonly<Record<string, readonly string[]>>;
}

/** The validator of one answer, by type (the model's and the offline tagger's alike). */
export function customAnswerSchema(definition: CustomFacetDefinition): z.ZodType<CustomFacetValue> {
  switch (definition.type) {
    case 'enum':
      return z.enum(definition.values as [string, ...string[]]);
    case 'boolean':
      return z.boolean();
    case 'number':
      return z
        .number()
        .min(definition.min ?? -Infinity)
        .max(definition.max ?? Infinity);
    case 'short_text':
      return z
        .string()
        .trim()
        .max(80)
        .refine((s) => wordCount(s) <= SHORT_TEXT_MAX_WORDS, {
          message: `at most ${SHORT_TEXT_MAX_WORDS} words`,
          // Lets the LLM client cut an over-long answer to the limit instead of asking again.
          params: { maxWords: SHORT_TEXT_MAX_WORDS },
        });
  }
}

/** Published facet name of a custom facet in breakdowns and trends. */
export const customFacetName = (key: string) => `custom:${key}`;

// ---------------------------------------------------------------------------------------------
// Read API: the issues map and short-text maps, and the custom facets a snapshot publishes.

/** The maps beside the topic tree: `issues`, or `custom:<key>` for a short-text facet. */
export const mapNameSchema = z
  .string()
  .regex(
    /^(issues|custom:[a-z][a-z0-9_]{1,39})$/,
    '"issues" or custom:<key> of a short_text facet',
  );

const publishedRowSchema = z.object({
  value: z.string(),
  isOther: z.boolean(),
  conversations: z.number().int(),
  distinctUsers: z.number().int(),
  minutesSavedTotal: z.number(),
});

export const mapClusterSchema = z.object({
  id: z.uuid(),
  level: z.number().int(),
  parent_id: z.uuid().nullable(),
  is_other: z.boolean(),
  name: z.string(),
  description: z.string(),
  /** c-TF-IDF terms of its texts, each used by at least k users (empty for "Other"). */
  keywords: z.array(z.string()),
  conversations: z.number().int(),
  distinct_users: z.number().int(),
  failure_rate: z.number().nullable(),
  /** Manual minutes of its unresolved and abandoned conversations, when that cell is published. */
  failure_impact_minutes: z.number().nullable(),
  failure_reasons: z.array(publishedRowSchema),
  /** The top-level topic clusters it occurs in: published cells only, largest first. */
  topics: z.array(
    z.object({
      cluster_id: z.uuid(),
      name: z.string(),
      conversations: z.number().int(),
      distinct_users: z.number().int(),
      /** dp mode: the 90% noise interval of the released co-occurrence cell. */
      noise: noiseSchema.optional(),
    }),
  ),
  /** dp mode: the 90% noise interval of each figure, as on topic clusters. */
  noise: noiseSchema.optional(),
  /** A sampled tenant: the 90% sampling interval (with the noise in dp mode). */
  sampling: samplingIntervalsSchema.optional(),
});
export type MapCluster = z.infer<typeof mapClusterSchema>;

export const mapResponseSchema = z.object({
  snapshot: snapshotInfoSchema,
  name: mapNameSchema,
  /** Both levels, top first, each ordered by size. */
  clusters: z.array(mapClusterSchema),
});
export type MapResponse = z.infer<typeof mapResponseSchema>;

/** What a reader needs to label a custom facet's breakdown (no offline rules). */
export const publishedCustomFacetSchema = z.object({
  key: z.string(),
  question: z.string(),
  type: z.enum(CUSTOM_FACET_TYPES),
  values: z.array(z.string()).optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  /** Where its figures are: `breakdown` and `trends` by `custom:<key>`, or the map (short_text). */
  published_as: z.enum(['breakdown', 'map']),
});
export const publishedCustomFacetsSchema = z.object({
  facets: z.array(publishedCustomFacetSchema),
  /** `offline`: enum and boolean facets are answered only where the admin's keyword rules match. */
  tagger: z.enum(['openai-compatible', 'offline']),
  note: z.string().nullable(),
});
export type PublishedCustomFacets = z.infer<typeof publishedCustomFacetsSchema>;
