/**
 * Privacy evidence stored with every published snapshot (BRIEF.md, privacy invariant 7): which
 * thresholds were applied, how many cells were published and suppressed and why, what the text
 * gate rejected, the auditor's scores, and which models and prompt versions produced the text.
 * `EvidenceRecorder` accumulates it while a publish job runs the gates.
 *
 * Keys of suppressed cells are themselves published to whoever can read the evidence, so:
 *   - pass IDS as keys (a cluster id, `goal-group-3`), never text that a gate rejected. A team
 *     name or a language code is fine; a rejected cluster name is not, record its cluster id.
 *     As a backstop the recorder scrubs PII from keys and truncates them, but a scrubbed
 *     rejected name can still say too much: the rule is on the caller.
 *   - `conversations` on a suppressed cell is the size of a cell that failed the thresholds.
 *     It is for the operator's audit only; `tenantEvidenceView` removes it before evidence is
 *     shown to a tenant's users.
 */
import { scrubPii } from '../pii';
import type { BreakdownPublication } from './breakdown';
import type { TextGateResult, TextRejectionReason } from './text-gate';
import { TEXT_REJECTION_REASONS } from './text-gate';
import {
  assertValidThresholds,
  SUPPRESSION_REASONS,
  type Cell,
  type SuppressionReason,
  type Thresholds,
} from './thresholds';

export interface SuppressedCellEvidence {
  /** What kind of cell: 'cluster', 'breakdown:team', 'trend:language:2025-W03', 'goal', … */
  scope: string;
  /** An id or a non-sensitive label (see the module header), never rejected text. */
  key: string;
  reason: SuppressionReason;
  /** Operator-only: removed by `tenantEvidenceView`. */
  conversations?: number;
}

export interface ModelVersions {
  tagger: string;
  taggerPromptVersion: string;
  embedder: string;
  namer?: string;
}

export interface PrivacyEvidence {
  /** Bumped when the shape changes, so stored evidence can be read back across versions. */
  schemaVersion: 1;
  thresholds: Thresholds;
  cells: {
    published: number;
    suppressed: number;
    byReason: Record<SuppressionReason, number>;
    /** Published and suppressed cells per scope, e.g. `breakdown:team`. */
    byScope: Record<string, { published: number; suppressed: number }>;
  };
  suppressedCells: SuppressedCellEvidence[];
  textGate: {
    checked: number;
    rejected: number;
    byReason: Record<TextRejectionReason, number>;
  };
  auditor?: {
    model: string;
    promptVersion: string;
    /** Auditor score per published text, keyed by the text's id. */
    scores: Record<string, number>;
  };
  models: ModelVersions;
  generatedAt: string;
}

/** The auditor's model and prompt version, when an auditor ran (absent offline). */
export interface AuditorVersion {
  model: string;
  promptVersion: string;
}

const MAX_KEY_LENGTH = 120;

function zeroCounts<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

/** A key safe to store: PII replaced with placeholders, length bounded. */
function safeKey(key: string): string {
  const scrubbed = scrubPii(String(key)).text;
  return scrubbed.length > MAX_KEY_LENGTH ? `${scrubbed.slice(0, MAX_KEY_LENGTH - 1)}…` : scrubbed;
}

/** Accumulates the evidence of one snapshot; `finish` returns an independent copy. */
export class EvidenceRecorder {
  private readonly thresholds: Thresholds;
  private readonly models: ModelVersions;
  private readonly auditorInfo?: AuditorVersion;
  private readonly scopes = new Map<string, { published: number; suppressed: number }>();
  private readonly suppressed: SuppressedCellEvidence[] = [];
  private readonly textByReason = zeroCounts(TEXT_REJECTION_REASONS);
  private textChecked = 0;
  private readonly scores = new Map<string, number>();

  constructor(thresholds: Thresholds, models: ModelVersions, auditor?: AuditorVersion) {
    assertValidThresholds(thresholds);
    this.thresholds = { ...thresholds };
    this.models = { ...models };
    if (auditor) this.auditorInfo = { ...auditor };
  }

  private scope(scope: string): { published: number; suppressed: number } {
    let counts = this.scopes.get(scope);
    if (!counts) this.scopes.set(scope, (counts = { published: 0, suppressed: 0 }));
    return counts;
  }

  /** Counts cells published in `scope` (a cluster, a breakdown part, an "other" bucket, …). */
  recordPublished(scope: string, count = 1): void {
    if (!Number.isSafeInteger(count) || count < 0) {
      throw new RangeError(`count must be a non-negative integer, got ${count}`);
    }
    this.scope(scope).published += count;
  }

  /** Records one suppressed cell. `key` must be an id, never rejected text (module header). */
  record(scope: string, key: string, reason: SuppressionReason, conversations?: number): void {
    if (!SUPPRESSION_REASONS.includes(reason)) throw new RangeError(`unknown reason ${reason}`);
    const entry: SuppressedCellEvidence = { scope, key: safeKey(key), reason };
    if (conversations !== undefined) entry.conversations = conversations;
    this.suppressed.push(entry);
    this.scope(scope).suppressed++;
  }

  /**
   * Records a whole breakdown: its published parts and "other" bucket as published cells, its
   * suppressed parts with their reasons. Pass the input parts to keep their conversation counts.
   */
  recordBreakdown(
    scope: string,
    publication: BreakdownPublication<Cell>,
    parts: readonly Cell[] = [],
  ): void {
    const sizes = new Map(parts.map((p) => [p.key, p.conversations]));
    this.recordPublished(scope, publication.published.length + (publication.other ? 1 : 0));
    for (const { key, reason } of publication.suppressed) {
      this.record(scope, key, reason, sizes.get(key));
    }
  }

  /** Records one text-gate decision: a gate result, `'ok'`, or a rejection reason. */
  recordText(outcome: TextGateResult | 'ok' | TextRejectionReason): void {
    this.textChecked++;
    const reason =
      typeof outcome === 'string'
        ? outcome === 'ok'
          ? undefined
          : outcome
        : outcome.ok
          ? undefined
          : outcome.reason;
    if (reason === undefined) return;
    if (!TEXT_REJECTION_REASONS.includes(reason)) throw new RangeError(`unknown reason ${reason}`);
    this.textByReason[reason]++;
  }

  /** Records the auditor's score for a text, keyed by that text's id (e.g. the cluster id). */
  recordAuditorScore(key: string, score: number): void {
    if (!Number.isFinite(score)) throw new RangeError(`score must be finite, got ${score}`);
    this.scores.set(safeKey(key), score);
  }

  /** The evidence so far; the recorder can keep recording afterwards. */
  finish(generatedAt: Date = new Date()): PrivacyEvidence {
    const byReason = zeroCounts(SUPPRESSION_REASONS);
    for (const cell of this.suppressed) byReason[cell.reason]++;
    const rejected = Object.values(this.textByReason).reduce((a, b) => a + b, 0);
    let published = 0;
    for (const counts of this.scopes.values()) published += counts.published;
    const evidence: PrivacyEvidence = {
      schemaVersion: 1,
      thresholds: { ...this.thresholds },
      cells: {
        published,
        suppressed: this.suppressed.length,
        byReason,
        byScope: Object.fromEntries([...this.scopes].map(([k, v]) => [k, { ...v }])),
      },
      suppressedCells: this.suppressed.map((cell) => ({ ...cell })),
      textGate: { checked: this.textChecked, rejected, byReason: { ...this.textByReason } },
      models: { ...this.models },
      generatedAt: generatedAt.toISOString(),
    };
    if (this.auditorInfo || this.scores.size > 0) {
      evidence.auditor = {
        model: this.auditorInfo?.model ?? 'unknown',
        promptVersion: this.auditorInfo?.promptVersion ?? 'unknown',
        scores: Object.fromEntries(this.scores),
      };
    }
    return evidence;
  }
}

/** The evidence as a tenant's users may see it: no sizes of suppressed cells. */
export function tenantEvidenceView(evidence: PrivacyEvidence): PrivacyEvidence {
  return {
    ...evidence,
    suppressedCells: evidence.suppressedCells.map(({ scope, key, reason }) => ({
      scope,
      key,
      reason,
    })),
  };
}
