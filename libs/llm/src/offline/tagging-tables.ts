/**
 * Every number the offline tagger uses, in one reviewable place: the per-task-type minutes table,
 * reading/typing speeds, role weights, abstention thresholds and confidence calibration.
 *
 * Nothing here was fitted to an evaluation set item by item; the values are round, documented
 * estimates. `npm run eval -- tagging` shows how they behave on public data.
 *
 * Admins can override the manual minutes per task type (as Nebuly lets them): a tenant stores a
 * `MinutesOverrides` object, validated with `minutesOverridesSchema`, which reaches the tagger as
 * `TaggingInput.minutesOverrides`.
 */
import { MAX_MINUTES } from '@silhouette/contracts';
import { z } from 'zod';

/** The label used when the tagger abstains (too little evidence, or two labels nearly tie). */
export const ABSTAIN_LABEL = 'other';

// ---------------------------------------------------------------------------------------------
// Minutes: time to do the task by hand vs time spent with the assistant
// ---------------------------------------------------------------------------------------------

export interface ManualMinutesRow {
  /** Minutes a person needs to do a typical instance of this task by hand. */
  manualMinutes: number;
  /**
   * Size (assistant output words) of that typical instance. A conversation whose assistant
   * produced more (or less) is scaled by sqrt(words / referenceWords), clamped to
   * [MIN_SIZE_FACTOR, MAX_SIZE_FACTOR]: doubling the output does not double the manual effort.
   */
  referenceWords: number;
}

/**
 * Manual minutes per task type label (the labels of TASK_TYPE_TAXONOMY plus ABSTAIN_LABEL).
 * Rough, deliberately conservative desk estimates, e.g. drafting a 300-word email or post by hand
 * ~30 min; translating 250 words ~40 min (professional pace ~300-500 words/hour); looking up a
 * fact or a balance ~5 min; booking a table or a ride by phone or web ~10 min.
 */
export const MANUAL_MINUTES: Readonly<Record<string, ManualMinutesRow>> = {
  coding: { manualMinutes: 45, referenceWords: 200 },
  debugging: { manualMinutes: 40, referenceWords: 150 },
  troubleshooting: { manualMinutes: 25, referenceWords: 150 },
  drafting: { manualMinutes: 30, referenceWords: 300 },
  editing: { manualMinutes: 20, referenceWords: 300 },
  summarization: { manualMinutes: 20, referenceWords: 150 },
  'information extraction': { manualMinutes: 15, referenceWords: 100 },
  explanation: { manualMinutes: 15, referenceWords: 250 },
  analysis: { manualMinutes: 45, referenceWords: 400 },
  calculation: { manualMinutes: 10, referenceWords: 100 },
  reasoning: { manualMinutes: 15, referenceWords: 150 },
  brainstorming: { manualMinutes: 20, referenceWords: 200 },
  planning: { manualMinutes: 30, referenceWords: 300 },
  translation: { manualMinutes: 40, referenceWords: 250 },
  'role-play': { manualMinutes: 5, referenceWords: 200 },
  booking: { manualMinutes: 10, referenceWords: 80 },
  'search & lookup': { manualMinutes: 5, referenceWords: 60 },
  transaction: { manualMinutes: 5, referenceWords: 60 },
  'data transformation': { manualMinutes: 20, referenceWords: 150 },
  advice: { manualMinutes: 15, referenceWords: 250 },
  [ABSTAIN_LABEL]: { manualMinutes: 5, referenceWords: 150 },
};

export const MIN_SIZE_FACTOR = 0.5;
export const MAX_SIZE_FACTOR = 4;

/** Reading speed for assistant output (words per minute, ordinary screen reading). */
export const READING_WPM = 250;
/** Typing speed for user input (words per minute, average office typist). */
export const TYPING_WPM = 40;
/** Per user turn: thinking, checking and copying the answer (minutes). */
export const MINUTES_PER_USER_TURN = 0.5;

/** Per-tenant overrides, keyed by task type label (free text: the LLM tagger's labels too). */
export const minutesOverridesSchema = z.record(
  z.string().trim().min(1).max(60),
  z.object({ manualMinutes: z.number().finite().min(0).max(MAX_MINUTES) }).strict(),
);
export type MinutesOverrides = z.infer<typeof minutesOverridesSchema>;

// ---------------------------------------------------------------------------------------------
// Taxonomy scoring (domain and task type)
// ---------------------------------------------------------------------------------------------

/** How much a matched term counts, by the role of the message it was found in. */
export const ROLE_WEIGHTS = { user: 1, assistant: 0.3, system: 0.15, tool: 0.1 } as const;
/** The first user message states the request; it counts more than follow-ups. */
export const FIRST_USER_TURN_WEIGHT = 1.5;
/** ...and its opening words (the verb and object of the request) more again. */
export const HEAD_BOOST = 1.5;
export const HEAD_TOKENS = 20;
/**
 * Length normalisation: score / sqrt(1 + weightedTokens / LENGTH_NORM_TOKENS). Long conversations
 * collect more matches by chance; the square root keeps real evidence from being drowned.
 */
export const LENGTH_NORM_TOKENS = 50;
/** Only the first this-many characters of a message are scanned (long pastes add little). */
export const MAX_SCAN_CHARS_PER_MESSAGE = 4_000;

/** Abstain ("other") below this normalised score: too little vocabulary evidence. */
export const MIN_LABEL_SCORE = 1.5;
/** Abstain when (best - second) / best is below this: two labels nearly tie. */
export const MIN_LABEL_MARGIN = 0.1;
/**
 * Confidence of a label = MAX_LABEL_CONFIDENCE * strength * separation, where
 * strength = 1 - exp(-score / STRENGTH_SCALE) and separation = SEPARATION_FLOOR +
 * (1 - SEPARATION_FLOOR) * margin. Heuristics never claim more than MAX_LABEL_CONFIDENCE.
 */
export const MAX_LABEL_CONFIDENCE = 0.9;
export const STRENGTH_SCALE = 4;
export const SEPARATION_FLOOR = 0.55;
/** Confidence reported with an abstention: we know we do not know. */
export const ABSTAIN_CONFIDENCE = 0.2;

// ---------------------------------------------------------------------------------------------
// Overall confidence
// ---------------------------------------------------------------------------------------------

/** Multiplier when the conversation is not English: the taxonomy vocabulary is English only. */
export const NON_ENGLISH_CONFIDENCE_FACTOR = 0.7;
/** Multiplier when the outcome was inferred without an explicit end signal (thanks, complaint). */
export const IMPLICIT_OUTCOME_CONFIDENCE_FACTOR = 0.85;
export const MIN_OVERALL_CONFIDENCE = 0.02;

// ---------------------------------------------------------------------------------------------
// Conversation signals
// ---------------------------------------------------------------------------------------------

/** A user message repeats an earlier one when their content-word Jaccard overlap is this high. */
export const REPETITION_JACCARD = 0.6;
/** ...and both have at least this many content words. */
export const REPETITION_MIN_WORDS = 4;
/** A refusal phrase inside a long answer is a caveat, not a refusal. */
export const REFUSAL_MAX_WORDS = 120;

// ---------------------------------------------------------------------------------------------
// Language detection
// ---------------------------------------------------------------------------------------------

/** A non-Latin script decides the language when it holds at least this share of the letters. */
export const SCRIPT_SHARE = 0.3;
/** Stop-word evidence needed before a Latin-script text is called non-English. */
export const MIN_STOPWORD_HITS = 2;
/** Confidence when nothing was recognised and we fall back to English. */
export const DEFAULT_LANGUAGE_CONFIDENCE = 0.3;
/** Only this many characters of user text are inspected. */
export const LANGUAGE_SAMPLE_CHARS = 2_000;
