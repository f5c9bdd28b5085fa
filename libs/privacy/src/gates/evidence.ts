/**
 * Privacy evidence stored with every published snapshot (BRIEF.md, privacy invariant 7): which
 * thresholds were applied, how many cells were published and suppressed and why, what the text
 * gate rejected, the auditor's scores, and which models and prompt versions produced the text.
 * `EvidenceRecorder` accumulates it while a publish job runs the gates.
 *
 * Two views of the same evidence (issue #10, finding 1):
 *   - the OPERATOR's evidence (`PrivacyEvidence`, what the recorder produces) names every
 *     suppressed cell: its scope, its key and, for threshold failures, its size. It stays inside
 *     the sealed boundary (the worker stores it in `sealed.snapshot_evidence`).
 *   - the TENANT's evidence (`tenantEvidenceView`) says how many cells were suppressed per KIND of
 *     scope and reason, never which: no key, no cluster id, no week, no value, no size. A key such
 *     as "legal" in scope `trend/team/week/2025-W03` told a read key that a two-person team was
 *     active that week; a count under `trend/team/week/*` does not.
 * Keys: pass IDS (a cluster id, `goal-group-3`) or non-sensitive labels, never text that a gate
 * rejected. As a backstop the recorder scrubs PII from keys and truncates them; the UUIDs we
 * generate (cluster ids) are kept as they are, since the scrubber would take them for secrets.
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
/** A cluster id (we generate them): not a secret, and the operator needs it to find the cell. */
const GENERATED_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

function zeroCounts<K extends string>(keys: readonly K[]): Record<K, number> {
  return Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
}

/** A key safe to store: PII replaced with placeholders, length bounded. */
function safeKey(key: string): string {
  if (GENERATED_ID.test(key)) return key;
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

/**
 * The evidence with `count` cells of `scope` no longer counted as published: a later gate (the
 * LLM auditor) withdrew them after the recorder finished. Pure; the input is not changed.
 */
export function withdrawPublished(
  evidence: PrivacyEvidence,
  scope: string,
  count: number,
): PrivacyEvidence {
  const current = evidence.cells.byScope[scope];
  if (!Number.isSafeInteger(count) || count < 0 || !current || current.published < count)
    throw new RangeError(`cannot withdraw ${count} published cells of ${scope}`);
  return {
    ...evidence,
    cells: {
      ...evidence.cells,
      published: evidence.cells.published - count,
      byScope: {
        ...evidence.cells.byScope,
        [scope]: { ...current, published: current.published - count },
      },
    },
  };
}

/** Suppressed cells of one kind of scope for one reason: a count, never which cells. */
export interface SuppressedKindCount {
  /** The scope with every id, week or value segment replaced by `*` (a cluster id: `cluster/*` then `/team`). */
  scope: string;
  reason: SuppressionReason;
  cells: number;
}

/** The evidence as a tenant's users see it: counts per kind of scope and reason only. */
export interface TenantEvidence extends Omit<PrivacyEvidence, 'suppressedCells'> {
  suppressedByScope: SuppressedKindCount[];
}

/** Scope segments written by our code (`cluster`, `team`, `level-2`); anything else is a value. */
const SCOPE_WORD = /^(?:[a-z_]+|level-\d+)$/;

/**
 * The kind of a scope: segments that are not code words (cluster ids, weeks such as `2025-W03`,
 * months, any value) become `*`. An allow-list, so a new kind of segment is hidden by default.
 */
export function scopeKind(scope: string): string {
  return scope
    .split('/')
    .map((segment) => (SCOPE_WORD.test(segment) ? segment : '*'))
    .join('/');
}

/** Ids of the clusters this evidence suppressed or pooled (the failures view's `was_pooled`). */
export function pooledClusterIds(evidence: Pick<PrivacyEvidence, 'suppressedCells'>): string[] {
  return [
    ...new Set(
      evidence.suppressedCells
        .filter((cell) => /^cluster\/level-\d+$/.test(cell.scope) && GENERATED_ID.test(cell.key))
        .map((cell) => cell.key),
    ),
  ];
}

type StoredEvidence = Omit<PrivacyEvidence, 'suppressedCells'> & {
  suppressedCells?: SuppressedCellEvidence[];
  suppressedByScope?: SuppressedKindCount[];
};

/**
 * The evidence as a tenant's users may see it. Accepts the operator's evidence, a tenant view
 * (idempotent) and evidence stored before this view existed (whose `byScope` still names ids and
 * weeks): the result never names a suppressed cell.
 */
export function tenantEvidenceView(evidence: StoredEvidence): TenantEvidence {
  const { suppressedCells, suppressedByScope, ...rest } = evidence;
  const byScope: Record<string, { published: number; suppressed: number }> = {};
  for (const [scope, counts] of Object.entries(evidence.cells.byScope)) {
    const kind = scopeKind(scope);
    const entry = (byScope[kind] ??= { published: 0, suppressed: 0 });
    entry.published += counts.published;
    entry.suppressed += counts.suppressed;
  }
  const counts = new Map<string, SuppressedKindCount>();
  const add = (scope: string, reason: SuppressionReason, cells: number) => {
    const kind = scopeKind(scope);
    const key = `${kind}\u0000${reason}`;
    const entry = counts.get(key);
    if (entry) entry.cells += cells;
    else counts.set(key, { scope: kind, reason, cells });
  };
  for (const cell of suppressedCells ?? []) add(cell.scope, cell.reason, 1);
  for (const entry of suppressedByScope ?? []) add(entry.scope, entry.reason, entry.cells);
  return {
    ...rest,
    cells: { ...evidence.cells, byReason: { ...evidence.cells.byReason }, byScope },
    suppressedByScope: [...counts.values()].sort((a, b) =>
      a.scope < b.scope ? -1 : a.scope > b.scope ? 1 : a.reason < b.reason ? -1 : 1,
    ),
  };
}
