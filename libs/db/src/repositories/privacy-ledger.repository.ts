/**
 * The differential-privacy budget ledger and the noisy cells each publication released (schema
 * `insights`, migrations 0009 and 0024). The worker charges a publication and stores its cells
 * in the transaction that saves its snapshot; the API reads the ledger for
 * `GET /v1/privacy/budget`. `charge` is the last line of defence: it refuses any publication
 * that would take the month over the cap, whatever the planner computed.
 */
import type { Queryable } from '../database';

export type PublicationKind = 'scheduled' | 'requested';

export interface LedgerCharge {
  tenantId: string;
  /** First day of the month charged (UTC). */
  periodStart: Date;
  kind: PublicationKind;
  mechanism: string;
  parameters: Record<string, unknown>;
  rhoClosedWeeks: number;
  rhoCurrentWeek: number;
  delta: number;
  rhoCap: number;
  epsilonCap: number;
  deltaCap: number;
  at?: Date;
}

export interface LedgerEntry {
  id: string;
  kind: PublicationKind;
  publishedAt: Date;
  snapshotId: string | null;
  mechanism: string;
  parameters: Record<string, unknown>;
  rho: number;
  rhoClosedWeeks: number;
  rhoCurrentWeek: number;
  delta: number;
  rhoCap: number;
  epsilonCap: number;
  deltaCap: number;
}

export interface PeriodSpending {
  rho: number;
  rhoClosedWeeks: number;
  rhoCurrentWeek: number;
  delta: number;
}

/** Most cells one insert statement carries (a larger family goes alone). */
const CELLS_PER_STATEMENT = 20_000;

/** The cells of one (week, family) of a publication, by key. */
interface CellSet {
  bucket: string;
  final: boolean;
  family: string;
  cells: Map<string, { figures: Record<string, number>; sigma: Record<string, number> }>;
}

/** One released (bucket, family, key) with its noisy figures and their noise σ. */
export interface StoredNoisyCell {
  bucket: string;
  final: boolean;
  family: string;
  key: string;
  figures: Record<string, number>;
  sigma: Record<string, number>;
}

export class BudgetExceededError extends Error {
  readonly code = 'budget_exceeded';
}

/** Float sums of many shares may exceed the cap by rounding; anything beyond this is refused. */
const CAP_TOLERANCE = 1e-9;

const day = (date: Date) => date.toISOString().slice(0, 10);

interface LedgerRow {
  id: string;
  kind: PublicationKind;
  published_at: Date | string;
  snapshot_id: string | null;
  mechanism: string;
  parameters: Record<string, unknown>;
  rho: number;
  rho_closed_weeks: number;
  rho_current_week: number;
  delta: number;
  rho_cap: number;
  epsilon_cap: number;
  delta_cap: number;
}

const LEDGER_COLUMNS =
  'id, kind, published_at, snapshot_id, mechanism, parameters, rho, rho_closed_weeks, rho_current_week, delta, rho_cap, epsilon_cap, delta_cap';

const toEntry = (row: LedgerRow): LedgerEntry => ({
  id: row.id,
  kind: row.kind,
  publishedAt: new Date(row.published_at),
  snapshotId: row.snapshot_id,
  mechanism: row.mechanism,
  parameters: row.parameters,
  rho: Number(row.rho),
  rhoClosedWeeks: Number(row.rho_closed_weeks),
  rhoCurrentWeek: Number(row.rho_current_week),
  delta: Number(row.delta),
  rhoCap: Number(row.rho_cap),
  epsilonCap: Number(row.epsilon_cap),
  deltaCap: Number(row.delta_cap),
});

export class PrivacyLedgerRepository {
  constructor(private readonly db: Queryable) {}

  /** What the tenant has spent in the month starting `periodStart`. */
  async spent(tenantId: string, periodStart: Date): Promise<PeriodSpending> {
    const result = await this.db.query<{
      rho: number | null;
      closed: number | null;
      current: number | null;
      delta: number | null;
    }>(
      `SELECT sum(rho) AS rho, sum(rho_closed_weeks) AS closed, sum(rho_current_week) AS current,
              sum(delta) AS delta
         FROM insights.privacy_ledger WHERE tenant_id = $1 AND period_start = $2`,
      [tenantId, day(periodStart)],
    );
    const row = result.rows[0];
    return {
      rho: Number(row?.rho ?? 0),
      rhoClosedWeeks: Number(row?.closed ?? 0),
      rhoCurrentWeek: Number(row?.current ?? 0),
      delta: Number(row?.delta ?? 0),
    };
  }

  /**
   * Records a publication's cost, or throws `BudgetExceededError` when the month's total would
   * pass the cap (ρ) or half of δ_cap (the thresholds' share). Call inside the transaction that
   * saves the publication; the tenant row is locked so concurrent publishers queue here.
   */
  async charge(charge: LedgerCharge): Promise<LedgerEntry> {
    const rho = charge.rhoClosedWeeks + charge.rhoCurrentWeek;
    if (!(rho > 0)) throw new RangeError('a charged publication spends a positive rho');
    await this.db.query('SELECT id FROM app.tenants WHERE id = $1 FOR UPDATE', [charge.tenantId]);
    const spent = await this.spent(charge.tenantId, charge.periodStart);
    if (spent.rho + rho > charge.rhoCap * (1 + CAP_TOLERANCE))
      throw new BudgetExceededError(
        `this publication (rho ${rho.toPrecision(3)}) would exceed the monthly privacy budget (spent ${spent.rho.toPrecision(3)} of ${charge.rhoCap.toPrecision(3)})`,
      );
    if (spent.delta + charge.delta > (charge.deltaCap / 2) * (1 + CAP_TOLERANCE))
      throw new BudgetExceededError('this publication would exceed the monthly delta budget');
    const result = await this.db.query<LedgerRow>(
      `INSERT INTO insights.privacy_ledger (tenant_id, period_start, kind, published_at, mechanism, parameters, rho,
              rho_closed_weeks, rho_current_week, delta, rho_cap, epsilon_cap, delta_cap)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
       RETURNING ${LEDGER_COLUMNS}`,
      [
        charge.tenantId,
        day(charge.periodStart),
        charge.kind,
        (charge.at ?? new Date()).toISOString(),
        charge.mechanism,
        JSON.stringify(charge.parameters),
        rho,
        charge.rhoClosedWeeks,
        charge.rhoCurrentWeek,
        charge.delta,
        charge.rhoCap,
        charge.epsilonCap,
        charge.deltaCap,
      ],
    );
    return toEntry(result.rows[0]!);
  }

  async attachSnapshot(tenantId: string, publicationId: string, snapshotId: string): Promise<void> {
    await this.db.query(
      'UPDATE insights.privacy_ledger SET snapshot_id = $3 WHERE tenant_id = $1 AND id = $2',
      [tenantId, publicationId, snapshotId],
    );
  }

  /** The month's publications, oldest first. */
  async publications(tenantId: string, periodStart: Date): Promise<LedgerEntry[]> {
    const result = await this.db.query<LedgerRow>(
      `SELECT ${LEDGER_COLUMNS} FROM insights.privacy_ledger
        WHERE tenant_id = $1 AND period_start = $2 ORDER BY published_at, id`,
      [tenantId, day(periodStart)],
    );
    return result.rows.map(toEntry);
  }

  /** The ledger entry of a snapshot (its evidence), if it was a dp publication. */
  async forSnapshot(tenantId: string, snapshotId: string): Promise<LedgerEntry | undefined> {
    const result = await this.db.query<LedgerRow>(
      `SELECT ${LEDGER_COLUMNS} FROM insights.privacy_ledger WHERE tenant_id = $1 AND snapshot_id = $2`,
      [tenantId, snapshotId],
    );
    return result.rows[0] ? toEntry(result.rows[0]) : undefined;
  }

  /**
   * Stores a publication's cells, one row per (week, family) (migration 0024). Rows go in
   * statements of at most CELLS_PER_STATEMENT cells (a family larger than that alone), so a
   * publication of millions of cells never builds one giant parameter.
   */
  async saveCells(
    tenantId: string,
    publicationId: string,
    cells: readonly StoredNoisyCell[],
  ): Promise<void> {
    const sets = new Map<string, CellSet>();
    let set: CellSet | undefined;
    for (const cell of cells) {
      // Cells come grouped by week and family: the set is looked up only when those change.
      if (set?.bucket !== cell.bucket || set.final !== cell.final || set.family !== cell.family) {
        const id = JSON.stringify([cell.bucket, cell.final, cell.family]);
        set = sets.get(id);
        if (!set) {
          set = { bucket: cell.bucket, final: cell.final, family: cell.family, cells: new Map() };
          sets.set(id, set);
        }
      }
      // One key twice in a family would silently keep one of them: refuse, as 0009's key did.
      if (set.cells.has(cell.key))
        throw new Error(`dp cell ${cell.bucket} ${cell.family} "${cell.key}" appears twice`);
      set.cells.set(cell.key, { figures: cell.figures, sigma: cell.sigma });
    }
    let statement: object[] = [];
    let size = 0;
    const flush = async () => {
      if (statement.length === 0) return;
      await this.db.query(
        `INSERT INTO insights.dp_cell_sets (tenant_id, publication_id, bucket, final, family, cells)
         SELECT $1, $2, r.bucket, r.final, r.family, r.cells
           FROM jsonb_to_recordset($3::jsonb) AS r(bucket text, final boolean, family text, cells jsonb)`,
        [tenantId, publicationId, JSON.stringify(statement)],
      );
      statement = [];
      size = 0;
    };
    for (const cellSet of sets.values()) {
      if (size > 0 && size + cellSet.cells.size > CELLS_PER_STATEMENT) await flush();
      // Object.fromEntries defines every key as an own property, "__proto__" included.
      statement.push({ ...cellSet, cells: Object.fromEntries(cellSet.cells) });
      size += cellSet.cells.size;
    }
    await flush();
  }

  /** Closed weeks already released (each exactly once). */
  async finalWeeks(tenantId: string): Promise<Set<string>> {
    const result = await this.db.query<{ bucket: string }>(
      'SELECT DISTINCT bucket FROM insights.dp_cell_sets WHERE tenant_id = $1 AND final',
      [tenantId],
    );
    return new Set(result.rows.map((row) => row.bucket));
  }

  /**
   * The cells a snapshot is built from: every final cell, plus the provisional cells of the most
   * recent publication for each bucket that has no final release.
   */
  async currentCells(tenantId: string): Promise<StoredNoisyCell[]> {
    const result = await this.db.query<{
      bucket: string;
      final: boolean;
      family: string;
      cells: Record<string, { figures: Record<string, number>; sigma: Record<string, number> }>;
    }>(
      `SELECT s.bucket, s.final, s.family, s.cells
         FROM insights.dp_cell_sets s
        WHERE s.tenant_id = $1 AND s.final
       UNION ALL
       SELECT s.bucket, s.final, s.family, s.cells
         FROM insights.dp_cell_sets s
         JOIN (SELECT DISTINCT ON (p.bucket) p.bucket, p.publication_id
                 FROM insights.dp_cell_sets p JOIN insights.privacy_ledger l ON l.id = p.publication_id
                WHERE p.tenant_id = $1 AND NOT p.final
                ORDER BY p.bucket, l.published_at DESC, l.id DESC) latest
           ON latest.bucket = s.bucket AND latest.publication_id = s.publication_id
        WHERE s.tenant_id = $1 AND NOT s.final
          AND NOT EXISTS (SELECT 1 FROM insights.dp_cell_sets f
                           WHERE f.tenant_id = $1 AND f.final AND f.bucket = s.bucket)`,
      [tenantId],
    );
    const cells: StoredNoisyCell[] = [];
    for (const { bucket, final, family, cells: byKey } of result.rows)
      for (const [key, { figures, sigma }] of Object.entries(byKey))
        cells.push({ bucket, final, family, key, figures, sigma });
    return cells;
  }
}
