/**
 * `npm run eval -- signals [--split dev|held-out|all] [--json] [--verbose]`: how well the OFFLINE failure
 * signals (libs/llm/src/offline/conversation-signals.ts) agree with hand labels of real
 * human/assistant conversations: 160 oasst1 threads labelled by us (fixtures/README.md says how),
 * split by message tree into `dev` (used while developing) and `held-out` (scored once).
 *
 * Reports, for the chosen split:
 *  - outcome: accuracy, and precision / recall per outcome;
 *  - "failed" (any outcome other than resolved): precision / recall, the figure the Failures view
 *    rests on;
 *  - failure reasons: precision / recall per reason over (thread, reason) pairs;
 *  - frustration: mean absolute error and share within one point;
 *  - abstention: how many threads the detector marks as low confidence, and accuracy on the rest.
 *
 * The conversations are read from ../shared/data (SHARED_DATA_DIR overrides it); only the labels
 * are committed. Exits non-zero if the dev figures fall below their regression floors.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import {
  FAILURE_REASONS,
  OUTCOMES,
  canonicalMessageSchema,
  type FailureReason,
  type Outcome,
} from '@silhouette/contracts';
import {
  analyzeConversationSignals,
  LOW_SIGNAL_CONFIDENCE,
} from '../../libs/llm/src/offline/conversation-signals';
import { prepareConversation } from '../../libs/llm/src/offline/prepared-conversation';

const DATA =
  process.env.SHARED_DATA_DIR ?? fileURLToPath(new URL('../../../shared/data', import.meta.url));
const LABELS = new URL('./fixtures/oasst1-dev-signal-labels.jsonl', import.meta.url);

/** Floors on the dev split, a few points under the figures measured when the signals were rewritten. */
const FLOORS = {
  devOutcomeAccuracy: 0.7,
  devFailedRecall: 0.25,
  devFailedPrecision: 0.65,
} as const;

const labelSchema = z.object({
  id: z.string(),
  split: z.enum(['dev', 'held-out']),
  outcome: z.enum(OUTCOMES),
  failure_reasons: z.array(z.enum(FAILURE_REASONS)),
  user_frustration: z.number().int().min(1).max(5),
  signals: z.array(z.string()),
  note: z.string().optional(),
});
type Label = z.infer<typeof labelSchema>;

const threadSchema = z.object({ id: z.string(), messages: z.array(canonicalMessageSchema) });

interface Scored {
  label: Label;
  outcome: Outcome;
  reasons: FailureReason[];
  frustration: number;
  confidence: number;
  decidedBy: string | undefined;
  evidence: string[];
}

interface PrecisionRecall {
  gold: number;
  predicted: number;
  correct: number;
  precision: number | null;
  recall: number | null;
}

function pr(gold: number, predicted: number, correct: number): PrecisionRecall {
  return {
    gold,
    predicted,
    correct,
    precision: predicted === 0 ? null : correct / predicted,
    recall: gold === 0 ? null : correct / gold,
  };
}

function readLabels(): Label[] {
  return readFileSync(LABELS, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line, i) => {
      const parsed = labelSchema.safeParse(JSON.parse(line));
      if (!parsed.success)
        throw new Error(
          `labels line ${i + 1}: ${parsed.error.issues[0]!.path.join('.')}: ${parsed.error.issues[0]!.message}`,
        );
      return parsed.data;
    });
}

function readThreads(): Map<string, z.infer<typeof threadSchema>> {
  const threads = new Map<string, z.infer<typeof threadSchema>>();
  for (const line of readFileSync(`${DATA}/oasst1-dev/conversations.jsonl`, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const thread = threadSchema.parse(JSON.parse(line));
    threads.set(thread.id, thread);
  }
  return threads;
}

export function scoreSplit(scored: readonly Scored[]) {
  const n = scored.length;
  const outcomes = Object.fromEntries(
    OUTCOMES.map((o) => [
      o,
      pr(
        scored.filter((s) => s.label.outcome === o).length,
        scored.filter((s) => s.outcome === o).length,
        scored.filter((s) => s.outcome === o && s.label.outcome === o).length,
      ),
    ]),
  );
  const failed = (o: Outcome) => o !== 'resolved';
  const failedPr = pr(
    scored.filter((s) => failed(s.label.outcome)).length,
    scored.filter((s) => failed(s.outcome)).length,
    scored.filter((s) => failed(s.outcome) && failed(s.label.outcome)).length,
  );
  const reasons = Object.fromEntries(
    FAILURE_REASONS.map((r) => [
      r,
      pr(
        scored.filter((s) => s.label.failure_reasons.includes(r)).length,
        scored.filter((s) => s.reasons.includes(r)).length,
        scored.filter((s) => s.reasons.includes(r) && s.label.failure_reasons.includes(r)).length,
      ),
    ]),
  );
  const confident = scored.filter((s) => s.confidence >= LOW_SIGNAL_CONFIDENCE);
  const accuracy = (list: readonly Scored[]) =>
    list.length === 0
      ? null
      : list.filter((s) => s.outcome === s.label.outcome).length / list.length;
  const frustrationError = scored.map((s) => Math.abs(s.frustration - s.label.user_frustration));
  return {
    n,
    outcomeAccuracy: accuracy(scored),
    majorityBaseline: scored.filter((s) => s.label.outcome === 'resolved').length / Math.max(1, n),
    outcomes,
    failed: failedPr,
    reasons,
    frustrationMae: frustrationError.reduce((a, b) => a + b, 0) / Math.max(1, n),
    frustrationWithinOne: frustrationError.filter((e) => e <= 1).length / Math.max(1, n),
    lowConfidenceShare: (n - confident.length) / Math.max(1, n),
    confidentAccuracy: accuracy(confident),
    /** Failures with no visible signal in the labels: the ceiling of any signal-based detector. */
    silentFailures: scored.filter(
      (s) => failed(s.label.outcome) && s.label.signals.every((x) => x === 'none'),
    ).length,
  };
}

function pct(x: number | null): string {
  return x === null ? '   —' : `${(100 * x).toFixed(1)}%`.padStart(6);
}

export async function main(args: string[]): Promise<void> {
  const json = args.includes('--json');
  const splitArg = args[args.indexOf('--split') + 1];
  const split = args.includes('--split') ? splitArg : 'dev';
  if (!split || !['dev', 'held-out', 'all'].includes(split)) {
    console.error('--split: must be dev, held-out or all');
    process.exit(2);
  }
  const threads = readThreads();
  const labels = readLabels().filter((l) => split === 'all' || l.split === split);
  const scored: Scored[] = labels.map((label) => {
    const thread = threads.get(label.id);
    if (!thread) throw new Error(`labels: ${label.id} is not in oasst1-dev`);
    const signals = analyzeConversationSignals(prepareConversation(thread.messages));
    return {
      label,
      outcome: signals.outcome,
      reasons: signals.failureReasons,
      frustration: signals.userFrustration,
      confidence: signals.confidence,
      decidedBy: signals.decidedBy,
      evidence: signals.evidence.map((e) => `${e.kind}@${e.messageIndex}`),
    };
  });
  const result = scoreSplit(scored);
  // --verbose: every disagreement with the labels (ids, labels and signal names only, no text).
  if (args.includes('--verbose'))
    for (const s of scored.filter((x) => x.outcome !== x.label.outcome))
      console.log(
        `${s.label.id.padEnd(20)} gold ${s.label.outcome}/${s.label.failure_reasons.join('+')} [${s.label.signals.join(',')}]  got ${s.outcome}/${s.reasons.join('+')} by ${s.decidedBy ?? '-'} (${s.confidence}) ${s.evidence.join(' ')}`,
      );
  if (json) {
    console.log(JSON.stringify({ split, ...result }, null, 2));
  } else {
    console.log(
      `Offline failure signals on hand-labelled oasst1 threads (split: ${split}, n = ${result.n})`,
    );
    console.log(
      `  outcome accuracy ${pct(result.outcomeAccuracy)} (always "resolved" would score ${pct(result.majorityBaseline)})`,
    );
    console.log(
      `  failed (not resolved): precision ${pct(result.failed.precision)}, recall ${pct(result.failed.recall)} (${result.failed.gold} labelled, ${result.failed.predicted} detected, ${result.silentFailures} labelled failures show no visible signal)`,
    );
    console.log(`  ${'outcome'.padEnd(20)} gold  pred  precision  recall`);
    for (const [name, v] of Object.entries(result.outcomes))
      console.log(
        `  ${name.padEnd(20)} ${String(v.gold).padStart(4)}  ${String(v.predicted).padStart(4)}     ${pct(v.precision)}  ${pct(v.recall)}`,
      );
    console.log(`  ${'failure reason'.padEnd(22)} gold  pred  precision  recall`);
    for (const [name, v] of Object.entries(result.reasons))
      console.log(
        `  ${name.padEnd(22)} ${String(v.gold).padStart(4)}  ${String(v.predicted).padStart(4)}     ${pct(v.precision)}  ${pct(v.recall)}`,
      );
    console.log(
      `  frustration: mean absolute error ${result.frustrationMae.toFixed(2)}, within one point ${pct(result.frustrationWithinOne)}`,
    );
    console.log(
      `  low confidence (abstained): ${pct(result.lowConfidenceShare)}; outcome accuracy on the rest ${pct(result.confidentAccuracy)}`,
    );
  }
  if (split === 'dev') {
    const failures = [
      (result.outcomeAccuracy ?? 0) < FLOORS.devOutcomeAccuracy && 'outcome accuracy',
      (result.failed.recall ?? 0) < FLOORS.devFailedRecall && 'failed recall',
      (result.failed.precision ?? 0) < FLOORS.devFailedPrecision && 'failed precision',
    ].filter(Boolean);
    if (failures.length > 0) {
      console.error(`below the regression floor: ${failures.join(', ')}`);
      process.exit(1);
    }
  }
}
