/**
 * minutes_without_ai / minutes_with_ai for the offline tagger, from the tables in
 * tagging-tables.ts:
 *   without = manualMinutes(task) × clamp(sqrt(assistantWords / referenceWords), MIN, MAX)
 *   with    = assistantWords / READING_WPM + userWords / TYPING_WPM + userTurns × MINUTES_PER_USER_TURN
 * both bounded to [0, MAX_MINUTES] and rounded to 0.1 min. A tenant override replaces the manual
 * minutes of the task type's typical instance; the size scaling still applies.
 */
import { MAX_MINUTES } from '@silhouette/contracts';
import {
  ABSTAIN_LABEL,
  MANUAL_MINUTES,
  MAX_SIZE_FACTOR,
  MINUTES_PER_USER_TURN,
  MIN_SIZE_FACTOR,
  READING_WPM,
  TYPING_WPM,
  minutesOverridesSchema,
  type MinutesOverrides,
} from './tagging-tables';

export interface MinutesInput {
  readonly taskType: string;
  readonly assistantWords: number;
  readonly userWords: number;
  readonly userTurns: number;
}

export interface MinutesEstimate {
  readonly minutesWithoutAi: number;
  readonly minutesWithAi: number;
}

/**
 * Validates tenant overrides and keys them by trimmed lowercase label (the LLM tagger compares
 * labels the same way). Throws a RangeError naming the offending field.
 */
export function normalizeMinutesOverrides(overrides: unknown): ReadonlyMap<string, number> {
  if (overrides === undefined) return new Map();
  const parsed = minutesOverridesSchema.safeParse(overrides);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue ? issue.path.map(String).join('.') : '';
    throw new RangeError(
      `invalid minutesOverrides${path ? ` at "${path}"` : ''}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const map = new Map<string, number>();
  for (const [label, row] of Object.entries(parsed.data as MinutesOverrides)) {
    map.set(label.trim().toLowerCase(), row.manualMinutes);
  }
  return map;
}

function bound(minutes: number): number {
  return Math.round(Math.min(MAX_MINUTES, Math.max(0, minutes)) * 10) / 10;
}

export function estimateMinutes(
  input: MinutesInput,
  overrides: ReadonlyMap<string, number>,
): MinutesEstimate {
  const row = MANUAL_MINUTES[input.taskType] ?? MANUAL_MINUTES[ABSTAIN_LABEL]!;
  const manual = overrides.get(input.taskType.trim().toLowerCase()) ?? row.manualMinutes;
  const size = Math.sqrt(Math.max(0, input.assistantWords) / row.referenceWords);
  const factor = Math.min(MAX_SIZE_FACTOR, Math.max(MIN_SIZE_FACTOR, size));
  const withAi =
    input.assistantWords / READING_WPM +
    input.userWords / TYPING_WPM +
    input.userTurns * MINUTES_PER_USER_TURN;
  return { minutesWithoutAi: bound(manual * factor), minutesWithAi: bound(withAi) };
}
