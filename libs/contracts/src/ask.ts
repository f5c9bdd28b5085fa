/**
 * Contracts of "Ask" (issue #12): the question a reader asks about the published insights and the
 * structured answer, in which every number is a figure a tool returned from a published snapshot
 * (or a calculator result over such figures). Used by `POST /v1/ask`, `silhouette ask`, the MCP
 * `ask` tool and the dashboard's Ask view (type-only import there: browser-safe, zod only).
 */
import { z } from 'zod';

/** Longest question accepted (longer is a 400 naming `question`). */
export const ASK_MAX_QUESTION_CHARS = 500;

export const askRequestSchema = z
  .object({
    question: z
      .string()
      .trim()
      .min(1, 'ask a question')
      .max(ASK_MAX_QUESTION_CHARS, `at most ${ASK_MAX_QUESTION_CHARS} characters`),
  })
  .strict();
export type AskRequest = z.infer<typeof askRequestSchema>;

/** The dashboard view that shows a figure (query-string route of the dashboard). */
export const figureLinkSchema = z.object({
  view: z.enum(['overview', 'explore', 'failures', 'trends', 'breakdowns', 'privacy']),
  cluster: z.string().optional(),
  facet: z.string().optional(),
});
export type FigureLink = z.infer<typeof figureLinkSchema>;

export const askFigureSchema = z.object({
  /** The value as the tool returned it (a published figure, or a calculator result). */
  value: z.number(),
  /** How the answer shows it (e.g. `42%` for a rate of 0.42). */
  shown: z.string(),
  /** What the figure is, e.g. `overview: conversations` or `cluster "Travel booking": minutes_saved`. */
  label: z.string(),
  /** The tool whose result holds the value (`calculate` for derived ones). */
  tool: z.string(),
  snapshot_id: z.string().nullable(),
  /** The published 90% interval of the value, when the snapshot stores one. */
  interval: z.object({ low: z.number(), high: z.number() }).nullable(),
  link: figureLinkSchema.nullable(),
});
export type AskFigure = z.infer<typeof askFigureSchema>;

export const ASK_STATUSES = ['answered', 'abstained', 'refused'] as const;
export type AskStatus = (typeof ASK_STATUSES)[number];

export const askAnswerSchema = z.object({
  question: z.string(),
  answer: z.string(),
  figures: z.array(askFigureSchema),
  /** True when the agent did not answer (the data does not say, or the question was refused). */
  abstained: z.boolean(),
  /** Why it abstained or refused; null for an answer. */
  reason: z.string().nullable(),
  status: z.enum(ASK_STATUSES),
  /** `llm`: the tool-calling agent; `offline`: the deterministic question parser. */
  mode: z.enum(['llm', 'offline']),
  snapshot_id: z.string().nullable(),
  /** Tools called, in order. */
  tools_used: z.array(z.string()),
  /** Offline mode: the question shapes it understands (always listed when it abstains). */
  question_shapes: z.array(z.string()).optional(),
});
export type AskAnswer = z.infer<typeof askAnswerSchema>;
