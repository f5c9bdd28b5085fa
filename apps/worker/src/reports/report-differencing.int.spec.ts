/**
 * Repeated reports cannot difference a small group out (README, "Reports and differencing").
 * A two-person legal team is active in one week only, next to two large teams. The real
 * snapshot builder publishes it; reports over every overlapping span of weeks are built from
 * that snapshot; legal never appears, every report figure is a sum of published per-week
 * cells, and the one subtraction that would isolate legal's week gives a cell that passes the
 * thresholds on its own.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isoWeekLabel, startOfIsoWeek } from '@silhouette/contracts';
import { InsightsRepository, migrate, PgliteDatabase, TenantRepository } from '@silhouette/db';
import { buildReportContent, periodOfWeeks, type ReportContent } from '@silhouette/reports';
import type { FacetRow } from '@silhouette/sealed';
import { buildSnapshot } from '../publishing/build-snapshot';
import { saveSnapshot } from '../publishing/save-snapshot';

const WEEK_MS = 7 * 86_400_000;
const thresholds = { kUsers: 5, minConversations: 10 };

function row(user: string, team: string, at: Date, index: number): FacetRow {
  return {
    conversationId: randomUUID(),
    user,
    at,
    domain: 'travel',
    taskType: 'booking',
    useCase: 'booking a trip',
    goalSummary: 'book a trip',
    outcome: 'resolved',
    failureReasons: [],
    minutesSaved: 5 + (index % 7),
    minutesWithoutAi: 12,
    frustration: 0,
    language: 'en',
    confidence: 0.9,
    team,
    department: null,
  };
}

describe('reports across overlapping periods', () => {
  let db: PgliteDatabase;
  let tenantId: string;
  // Six complete weeks before this one; legal is active in the last of them only.
  const end = startOfIsoWeek(new Date());
  const weekStart = (i: number) => new Date(end.getTime() - (6 - i) * WEEK_MS);
  const legalWeek = isoWeekLabel(weekStart(5));

  beforeAll(async () => {
    db = await PgliteDatabase.open();
    await migrate(db);
    tenantId = (
      await new TenantRepository(db).insert({
        slug: 'acme',
        name: 'Acme',
        kUsers: thresholds.kUsers,
        minConversations: thresholds.minConversations,
      })
    ).id;
    const rows: FacetRow[] = [];
    for (let week = 0; week < 6; week += 1) {
      for (let i = 0; i < 24; i += 1) {
        const at = new Date(weekStart(week).getTime() + 3_600_000 * (i + 1));
        rows.push(row(`sales-${i % 8}`, 'sales', at, i), row(`support-${i % 8}`, 'support', at, i));
      }
    }
    for (let i = 0; i < 3; i += 1)
      rows.push(
        row(`legal-${i % 2}`, 'legal', new Date(weekStart(5).getTime() + 7_200_000 * (i + 1)), i),
      );
    const half = rows.length / 2;
    const node = (members: number[], id: string) => ({
      id,
      level: 0,
      parentId: null,
      members,
      centroid: new Float32Array([members.length, 1]),
      name: `Booking trips ${id.slice(0, 4)}`,
      description: 'Booking travel',
      keywords: [],
      lineage: 'new' as const,
      lineageSources: [],
    });
    const ids = rows.map((_, index) => index);
    const draft = buildSnapshot({
      tenantId,
      run: {
        runId: randomUUID(),
        mode: 'full',
        rows,
        levels: [[node(ids.slice(0, half), randomUUID()), node(ids.slice(half), randomUUID())]],
        embeddingModel: 'test',
        namer: 'test',
      },
      thresholds,
      models: { tagger: 'test', taggerPromptVersion: '1', embedder: 'test', namer: 'test' },
    });
    await db.transaction((tx) => saveSnapshot(tx, draft));
  });
  afterAll(async () => db?.close());

  const report = (weeks: number, weeksBeforeEnd = 0): Promise<ReportContent> =>
    buildReportContent({
      db,
      tenantId,
      tenantName: 'Acme',
      type: 'impact',
      period: periodOfWeeks(new Date(end.getTime() - weeksBeforeEnd * WEEK_MS), weeks),
    });
  const teamRows = (content: ReportContent) =>
    new Map(
      content.tables
        .find((table) => table.id === 'adoption-by-team')!
        .rows.map((r) => [String(r.team), Number(r.conversations)]),
    );

  it('never names the small team, and every team figure is a sum of published weekly cells', async () => {
    const published = await new InsightsRepository(db).trends(
      tenantId,
      (await new InsightsRepository(db).latest(tenantId))!.id,
      'team',
      'week',
    );
    // The legal week was published with legal pooled: its "other" meets the thresholds itself.
    const legalWeekOther = published.find((r) => r.bucket === legalWeek && r.isOther);
    expect(published.some((r) => r.value === 'legal')).toBe(false);
    expect(legalWeekOther!.conversations).toBeGreaterThanOrEqual(thresholds.minConversations);
    expect(legalWeekOther!.distinctUsers).toBeGreaterThanOrEqual(thresholds.kUsers);

    for (let weeks = 1; weeks <= 6; weeks += 1) {
      for (let shift = 0; shift + weeks <= 6; shift += 1) {
        const content = await report(weeks, shift);
        const rows = teamRows(content);
        expect([...rows.keys()].some((team) => team.includes('legal'))).toBe(false);
        for (const [team, conversations] of rows) {
          const cells = published.filter(
            (r) =>
              content.period.buckets.includes(r.bucket) &&
              (team === 'Other teams (pooled)' ? r.isOther : !r.isOther && r.value === team),
          );
          expect(conversations).toBe(cells.reduce((sum, r) => sum + r.conversations, 0));
          for (const cell of cells)
            expect(cell.conversations).toBeGreaterThanOrEqual(thresholds.minConversations);
        }
      }
    }
  });

  it("subtracting the report without legal's week from the one with it gives a passing cell", async () => {
    const withLegal = teamRows(await report(6));
    const without = teamRows(await report(5, 1));
    const differences = [...new Set([...withLegal.keys(), ...without.keys()])].map(
      (team) => (withLegal.get(team) ?? 0) - (without.get(team) ?? 0),
    );
    // Each difference is that week's published cell: 0 or at least min_conversations, never
    // legal's 3 conversations.
    for (const difference of differences)
      expect(difference === 0 || difference >= thresholds.minConversations).toBe(true);
    expect(differences).not.toContain(3);
  });
});
