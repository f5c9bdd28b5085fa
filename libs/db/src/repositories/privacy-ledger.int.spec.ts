import { afterEach, describe, expect, it } from 'vitest';
import { openMigratedDatabase, type Engine } from '../../../../test/helpers/services';
import { TenantRepository } from './tenant.repository';
import {
  BudgetExceededError,
  PrivacyLedgerRepository,
  type LedgerCharge,
  type StoredNoisyCell,
} from './privacy-ledger.repository';

describe.each<Engine>(['postgres', 'pglite'])('privacy ledger on %s', (engine) => {
  let cleanup: (() => Promise<void>) | undefined;
  afterEach(async () => {
    await cleanup?.();
    cleanup = undefined;
  });

  /** A migrated database with one tenant, cleaned up after the test. */
  async function openWithTenant(slug: string) {
    const opened = await openMigratedDatabase(engine);
    cleanup = opened.cleanup;
    const tenant = await new TenantRepository(opened.db).insert({
      slug,
      name: slug,
      kUsers: 5,
      minConversations: 10,
    });
    return { db: opened.db, tenant };
  }

  it('charges publications, refuses one that would exceed the cap, and keeps final weeks once', async () => {
    const { db, tenant } = await openWithTenant('ledger');
    const ledger = new PrivacyLedgerRepository(db);
    const march = new Date('2026-03-01T00:00:00Z');
    const charge = (rhoClosedWeeks: number, rhoCurrentWeek: number): LedgerCharge => ({
      tenantId: tenant.id,
      periodStart: march,
      kind: 'scheduled',
      mechanism: 'discrete-gaussian/zcdp',
      parameters: { buckets: ['2026-W10'] },
      rhoClosedWeeks,
      rhoCurrentWeek,
      delta: 1e-8,
      rhoCap: 0.3,
      epsilonCap: 4,
      deltaCap: 1e-6,
      at: new Date('2026-03-09T06:00:00Z'),
    });
    const first = await db.transaction((tx) =>
      new PrivacyLedgerRepository(tx).charge(charge(0.2, 0.05)),
    );
    expect(first.rho).toBeCloseTo(0.25, 12);
    // 0.25 + 0.1 > 0.3: refused, and nothing is written.
    await expect(
      db.transaction((tx) => new PrivacyLedgerRepository(tx).charge(charge(0, 0.1))),
    ).rejects.toBeInstanceOf(BudgetExceededError);
    const spent = await ledger.spent(tenant.id, march);
    expect(spent).toMatchObject({ rho: 0.25, rhoClosedWeeks: 0.2, rhoCurrentWeek: 0.05 });
    // Exactly up to the cap is allowed; another month is a fresh budget.
    await db.transaction((tx) =>
      new PrivacyLedgerRepository(tx).charge({
        ...charge(0, 0.05),
        at: new Date('2026-03-10T06:00:00Z'),
      }),
    );
    await db.transaction((tx) =>
      new PrivacyLedgerRepository(tx).charge({
        ...charge(0.3, 0),
        periodStart: new Date('2026-04-01T00:00:00Z'),
      }),
    );
    expect((await ledger.publications(tenant.id, march)).map((entry) => entry.rho)).toEqual([
      0.25, 0.05,
    ]);

    const cell = (final: boolean, conversations: number) => ({
      bucket: '2026-W10',
      final,
      family: 'total',
      key: 'all',
      figures: { conversations },
      sigma: { conversations: 3 },
    });
    await ledger.saveCells(tenant.id, first.id, [cell(false, 40)]);
    expect((await ledger.currentCells(tenant.id)).map((c) => c.figures.conversations)).toEqual([
      40,
    ]);
    const second = (await ledger.publications(tenant.id, march))[1]!;
    await ledger.saveCells(tenant.id, second.id, [cell(true, 42)]);
    // The final release replaces the provisional one, and a closed week is released only once.
    expect((await ledger.currentCells(tenant.id)).map((c) => c.figures.conversations)).toEqual([
      42,
    ]);
    await expect(ledger.saveCells(tenant.id, first.id, [cell(true, 50)])).rejects.toThrow();
    expect([...(await ledger.finalWeeks(tenant.id))]).toEqual(['2026-W10']);
  });

  it('stores cells by week and family, reads every cell back as written, and keeps them from the API', async () => {
    const { db, tenant } = await openWithTenant('cells');
    const publication = await db.transaction((tx) =>
      new PrivacyLedgerRepository(tx).charge({
        tenantId: tenant.id,
        periodStart: new Date('2026-03-01T00:00:00Z'),
        kind: 'scheduled',
        mechanism: 'discrete-gaussian/zcdp',
        parameters: {},
        rhoClosedWeeks: 0.1,
        rhoCurrentWeek: 0.1,
        delta: 1e-8,
        rhoCap: 1,
        epsilonCap: 8,
        deltaCap: 1e-6,
        at: new Date('2026-03-16T06:00:00Z'),
      }),
    );
    const cell = (
      bucket: string,
      final: boolean,
      family: string,
      key: string,
      value: number,
    ): StoredNoisyCell => ({
      bucket,
      final,
      family,
      key,
      figures: { conversations: value, people: -value - 1 },
      sigma: { conversations: 2.5, people: 1.25 },
    });
    // One family larger than a statement's share, keys that are not plain words, two weeks.
    const cells = [
      ...Array.from({ length: 25_000 }, (_, i) => cell('2026-W10', true, 'topic-0', `c${i}`, i)),
      cell('2026-W10', true, 'facet:domain', '__proto__', 7),
      cell('2026-W10', true, 'facet:domain', 'Finance "& Ops"', 8),
      cell('2026-W11', false, 'facet:domain', 'Finance "& Ops"', 9),
    ];
    const ledger = new PrivacyLedgerRepository(db);
    await ledger.saveCells(tenant.id, publication.id, cells);
    const byId = (list: readonly StoredNoisyCell[]) =>
      [...list].sort((a, b) =>
        `${a.bucket} ${a.family} ${a.key}`.localeCompare(`${b.bucket} ${b.family} ${b.key}`),
      );
    expect(byId(await ledger.currentCells(tenant.id))).toEqual(byId(cells));
    const asRows = await db.query<{ n: number }>(
      'SELECT count(*)::integer AS n FROM insights.dp_cells WHERE tenant_id = $1',
      [tenant.id],
    );
    expect(asRows.rows[0]!.n).toBe(cells.length);
    // A key twice in a family is refused before anything is written.
    await expect(
      ledger.saveCells(tenant.id, publication.id, [
        cell('2026-W12', false, 'total', 'all', 1),
        cell('2026-W12', false, 'total', 'all', 2),
      ]),
    ).rejects.toThrow(/appears twice/);
    // A closed week's family is released once, whatever its keys.
    await expect(
      ledger.saveCells(tenant.id, publication.id, [cell('2026-W10', true, 'topic-0', 'new', 1)]),
    ).rejects.toThrow();
    expect((await ledger.currentCells(tenant.id)).length).toBe(cells.length);
    if (engine === 'postgres') {
      // Cells below the display threshold never reach the API's role, as rows or as sets.
      for (const table of ['insights.dp_cell_sets', 'insights.dp_cells'])
        await expect(
          db.transaction(async (tx) => {
            await tx.query('SET LOCAL ROLE silhouette_api');
            await tx.query(`SELECT count(*) FROM ${table}`);
          }),
        ).rejects.toThrow(/permission denied/);
    }
  });
});
