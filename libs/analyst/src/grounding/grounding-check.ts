/**
 * The grounding check: before an answer is shown, every number in its text must equal (after
 * rounding as displayed) a value a tool returned in this conversation, or a calculator result over
 * such values. Dates, ISO weeks and months are period labels, not figures: each must be a period a
 * tool returned (or one the question named). Quoted names must be published texts too. Numbers the question itself contains ("top 3", "last 4 weeks")
 * and text quoted verbatim from tool results (a cluster name with a digit) are not figures either.
 */
import type { AskFigure } from '@silhouette/contracts';
import { isRateField, type FigureLedger, type LedgerFigure } from './figure-ledger';

export interface NumberMention {
  /** The text as written, e.g. `1,234`, `42.5%`. */
  shown: string;
  value: number;
  /** Digits after the decimal point as written: the rounding the reader sees. */
  decimals: number;
  percent: boolean;
  index: number;
}

export interface GroundingResult {
  ok: boolean;
  figures: AskFigure[];
  /** Numbers (and periods, quoted names) that match nothing a tool returned, as written. */
  ungrounded: string[];
}

const PERIOD_LABEL =
  /\b\d{4}-W\d{2}\b|\b\d{4}-\d{2}-\d{2}(?:T[\d:.]+Z?)?\b|\b\d{4}-\d{2}\b|\bW\d{1,2}\b/g;
const NUMBER =
  /(?<![\p{L}\p{N}_.])[-−]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:\s?(%|percent\b|per cent\b))?/gu;

/** Text in straight or curly double quotes. */
const QUOTED = /"([^"\n]{1,200})"|“([^”\n]{1,200})”/g;

/** Fixed wording that contains a number but states no figure. */
const FIXED_PHRASES = /\b90% (?:confidence )?interval\b/g;

/** Numbers written in `text`, ignoring period labels (weeks, months, dates). */
export function numberMentions(text: string): NumberMention[] {
  const masked = text
    .replace(PERIOD_LABEL, (label) => ' '.repeat(label.length))
    .replace(FIXED_PHRASES, (phrase) => ' '.repeat(phrase.length));
  const mentions: NumberMention[] = [];
  for (const match of masked.matchAll(NUMBER)) {
    const shown = match[0].trim();
    const digits = shown
      .replace(/\s?(%|percent|per cent)$/, '')
      .replace(/[,−]/g, (c) => (c === '−' ? '-' : ''));
    const value = Number(digits);
    if (!Number.isFinite(value)) continue;
    const decimals = digits.includes('.') ? digits.length - digits.indexOf('.') - 1 : 0;
    mentions.push({ shown, value, decimals, percent: match[1] !== undefined, index: match.index });
  }
  return mentions;
}

const round = (value: number, decimals: number) => {
  const factor = 10 ** decimals;
  return Math.round(value * factor) / factor;
};

/** Whether `mention` shows `figure` (rounded as written; rates may be shown as percentages). */
export function mentionShows(mention: NumberMention, figure: LedgerFigure): boolean {
  const candidates = [figure.value];
  if (mention.percent || isRateField(figure.field)) candidates.push(figure.value * 100);
  return candidates.some((candidate) => {
    const shown = Math.abs(round(candidate, mention.decimals));
    // Tolerance for binary floating point only: 0.1 + 0.2 is not "another number".
    return Math.abs(shown - Math.abs(mention.value)) < 1e-9 * Math.max(1, shown);
  });
}

/** Text with every verbatim quote of published text (names, values) blanked out. */
function withoutPublishedText(text: string, texts: ReadonlySet<string>): string {
  let out = text;
  // Longest first, so "Trips 2" is removed before "Trips".
  for (const quoted of [...texts].filter((t) => /\d/.test(t)).sort((a, b) => b.length - a.length)) {
    out = out.split(quoted).join(' '.repeat(quoted.length));
  }
  return out;
}

/**
 * Checks `answer` against the ledger. `question` numbers count as given. Returns the figures in
 * the order they appear, each linked to the tool value it shows (the one `cited` names when the
 * same value came from several tools).
 */
export function checkGrounding(
  answer: string,
  ledger: FigureLedger,
  question: string,
  cited: readonly { value: number; tool: string }[] = [],
): GroundingResult {
  const given = new Set(numberMentions(question).map((m) => m.value));
  const figures: AskFigure[] = [];
  const ungrounded: string[] = [];
  const published = [...ledger.publishedTexts].map((text) => text.toLowerCase());
  // A published text itself, or (from four characters) part of one, or words of the question.
  const known = (text: string) => {
    const lower = text.toLowerCase();
    return (
      question.toLowerCase().includes(lower) ||
      published.some((candidate) =>
        lower.length >= 4 ? candidate.includes(lower) : candidate === lower,
      )
    );
  };
  for (const label of answer.match(PERIOD_LABEL) ?? []) {
    const lower = label.toLowerCase();
    const given =
      question.toLowerCase().includes(lower) || published.some((text) => text.includes(lower));
    if (!given) ungrounded.push(label);
  }
  // A name in quotes claims to be a published one (a cluster, a facet value): it must be.
  for (const match of answer.matchAll(QUOTED)) {
    const quoted = (match[1] ?? match[2] ?? '').trim();
    if (quoted.length >= 2 && !known(quoted)) ungrounded.push(`"${quoted}"`);
  }
  for (const mention of numberMentions(withoutPublishedText(answer, ledger.publishedTexts))) {
    const matches = ledger.all.filter((figure) => mentionShows(mention, figure));
    if (matches.length === 0) {
      if (given.has(mention.value) && !mention.percent) continue;
      ungrounded.push(mention.shown);
      continue;
    }
    // The source the answer cited, when it names one that matches; else a published value.
    const figure =
      matches.find((f) => cited.some((c) => c.value === f.value && c.tool === f.tool)) ??
      matches.find((f) => f.tool !== 'calculate') ??
      matches[0]!;
    figures.push(ledger.toAskFigure(figure, mention.shown));
  }
  return { ok: ungrounded.length === 0, figures, ungrounded };
}
