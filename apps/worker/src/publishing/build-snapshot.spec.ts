/**
 * What the snapshot builder lets cross the boundary, attacked as the outside review did
 * (issue #10): the tenant's evidence must not say WHICH cells were suppressed (no team, week or
 * cluster id), every published string passes the PII text gate (a metadata value carrying a
 * name and an e-mail is pooled, never shown), the operator's evidence keeps the ids we generate,
 * and the evidence counts the goal statements that are actually published.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { isoWeekLabel, OTHER_VALUE, startOfIsoWeek } from '@silhouette/contracts';
import { tenantEvidenceView, type PrivacyEvidence } from '@silhouette/privacy';
import type { FrozenWeekFigures } from '@silhouette/db';
import type { FacetRow } from '@silhouette/sealed';
import type { ClusterNode } from '../clustering/run-clustering';
import { buildSnapshot, publishedValueCandidates } from './build-snapshot';

const WEEK_MS = 7 * 86_400_000;
const thresholds = { kUsers: 5, minConversations: 10 };
const CANARY_TEAM = 'Zorblax Quintavius <zorblax.quintavius@leak-test.example>';
const end = startOfIsoWeek(new Date());
const weekStart = (i: number) => new Date(end.getTime() - (4 - i) * WEEK_MS);

function row(user: string, team: string | null, at: Date, index: number): FacetRow {
  return {
    conversationId: randomUUID(),
    user,
    at,
    domain: index % 2 ? 'travel' : 'finance',
    taskType: 'booking',
    useCase: 'booking a trip',
    goalSummary: 'book a trip for a conference',
    outcome: index % 5 === 0 ? 'unresolved' : 'resolved',
    failureReasons: index % 5 === 0 ? ['incomplete'] : [],
    minutesSaved: 5 + (index % 7),
    minutesWithoutAi: 12,
    frustration: 1,
    language: 'en',
    confidence: 0.9,
    team,
    department: null,
  };
}

/**
 * Four closed weeks: sales and support (8 people each) every week; a 2-person legal team in week
 * 3 only; one person alone in "solo" spread over every cluster; the canary team (10 people, 30
 * conversations, large enough to be shown); ops (6 people, 14 conversations: the smallest team
 * that passes, so the one pooled to protect legal and solo); and a 4-conversation cluster of 2
 * people that can only be pooled.
 */
function scenario(
  valueAuditScores?: ReadonlyMap<string, number>,
  frozen?: ReadonlyMap<string, FrozenWeekFigures>,
) {
  const rows: FacetRow[] = [];
  for (let week = 0; week < 4; week += 1)
    for (let i = 0; i < 24; i += 1) {
      const at = new Date(weekStart(week).getTime() + 3_600_000 * (i + 1));
      rows.push(row(`sales-${i % 8}`, 'sales', at, i), row(`support-${i % 8}`, 'support', at, i));
    }
  for (let i = 0; i < 3; i += 1)
    rows.push(row(`legal-${i % 2}`, 'legal', new Date(weekStart(3).getTime() + 7e6 * (i + 1)), i));
  for (let i = 0; i < 6; i += 1)
    rows.push(row('solo-0', 'solo', new Date(weekStart(i % 4).getTime() + 9e6), i));
  for (let i = 0; i < 30; i += 1)
    rows.push(row(`canary-${i % 10}`, CANARY_TEAM, new Date(weekStart(1).getTime() + 5e6 * i), i));
  for (let i = 0; i < 14; i += 1)
    rows.push(row(`ops-${i % 6}`, 'ops', new Date(weekStart(2).getTime() + 5e6 * i), i));
  const main = rows.map((_, index) => index);
  for (let i = 0; i < 4; i += 1)
    rows.push(row(`tiny-${i % 2}`, 'sales', new Date(weekStart(2).getTime() + 4e6), i));
  const tiny = rows.map((_, index) => index).slice(main.length);
  const node = (members: number[], name: string): ClusterNode => ({
    id: randomUUID(),
    level: 0,
    parentId: null,
    members,
    centroid: new Float32Array([members.length, 1]),
    name,
    keywords: [],
    description: 'Booking travel',
    lineage: 'new',
    lineageSources: [],
  });
  // Every third conversation per cluster, so "solo" has conversations in each of them.
  const levels = [
    [
      node(
        main.filter((i) => i % 3 === 0),
        'Booking trips',
      ),
      node(
        main.filter((i) => i % 3 === 1),
        'Planning budgets',
      ),
      node(
        main.filter((i) => i % 3 === 2),
        'Comparing offers',
      ),
      node(tiny, 'Rare requests'),
    ],
  ];
  const draft = buildSnapshot({
    tenantId: randomUUID(),
    run: {
      runId: randomUUID(),
      mode: 'full',
      rows,
      levels,
      embeddingModel: 'test',
      namer: 'test',
    },
    thresholds,
    models: { tagger: 'test', taggerPromptVersion: '1', embedder: 'test', namer: 'test' },
    ...(valueAuditScores ? { valueAuditScores } : {}),
    ...(frozen ? { frozen } : {}),
  });
  return { rows, draft, tinyId: levels[0]![3]!.id, clusterIds: levels[0]!.map((n) => n.id) };
}

describe('buildSnapshot against the review’s attacks', () => {
  const { draft, tinyId, clusterIds } = scenario();
  const tenantView = tenantEvidenceView(draft.evidence as unknown as PrivacyEvidence);

  it('tells the tenant how many cells were suppressed, never which (no team, week or id)', () => {
    const text = JSON.stringify(tenantView);
    expect(tenantView.cells.suppressed).toBeGreaterThan(0);
    for (const name of ['legal', 'solo', 'Rare requests', ...clusterIds])
      expect(text).not.toContain(name);
    expect(text).not.toMatch(/\d{4}-W\d{2}/);
    expect(text).not.toMatch(/"\d{4}-\d{2}"/);
    // The counts are still there, per kind of cell and reason.
    expect(Object.keys(tenantView.cells.byScope)).toContain('trend/team/week/*');
    expect(Object.keys(tenantView.cells.byScope)).toContain('cluster/*/team');
  });

  it('publishes a metadata value carrying a name and an e-mail only as a pooled cell', () => {
    const published = JSON.stringify([draft.breakdowns, draft.trends, draft.clusters]);
    expect(published).not.toContain('zorblax');
    expect(published).not.toContain('Zorblax');
    const teams = draft.breakdowns.filter((b) => b.facet === 'team');
    expect(teams.map((t) => t.value)).toEqual(expect.arrayContaining(['sales', 'support']));
    // Its 30 conversations are inside the pooled "other" row (with legal's and solo's).
    const other = teams.find((t) => t.value === OTHER_VALUE);
    expect(other?.isOther).toBe(true);
    expect(other!.conversations).toBeGreaterThanOrEqual(30);
    const evidence = draft.evidence as unknown as PrivacyEvidence;
    expect(evidence.textGate.byReason.pii_detected).toBeGreaterThan(0);
  });

  it('keeps the ids we generate in the operator’s evidence (a pooled cluster is named by id)', () => {
    const evidence = draft.evidence as unknown as PrivacyEvidence;
    expect(JSON.stringify(evidence)).not.toContain('[SECRET]');
    expect(evidence.suppressedCells).toContainEqual(
      expect.objectContaining({ scope: 'cluster/level-0', key: tinyId }),
    );
  });

  it('counts the goal statements that are published, and only those', () => {
    const shown = draft.clusters.reduce((sum, c) => sum + c.goals.length, 0);
    expect(shown).toBeGreaterThan(0);
    const counted = Object.entries(tenantView.cells.byScope)
      .filter(([scope]) => scope.endsWith('/goal'))
      .reduce((sum, [, counts]) => sum + counts.published, 0);
    expect(counted).toBe(shown);
  });

  it('names weeks only as published figures, never the small team’s week', () => {
    const legalWeek = isoWeekLabel(weekStart(3));
    const teamWeek = draft.trends.filter((t) => t.facet === 'team' && t.bucket === legalWeek);
    expect(teamWeek.map((t) => t.value)).not.toContain('legal');
  });
});

describe('buildSnapshot with the LLM auditor’s scores for values', () => {
  it('pools a value the auditor refuses, and fails closed on a value it did not score', () => {
    const { rows } = scenario();
    const candidates = publishedValueCandidates(rows);
    expect(candidates).toEqual(expect.arrayContaining(['sales', 'support', 'ops', 'en', 'travel']));
    // The PII gate refuses the canary team already: it is not sent to the model.
    expect(candidates).not.toContain(CANARY_TEAM);
    const scores = new Map(candidates.map((value) => [value, 5]));
    scores.set('support', 2);
    scores.delete('travel');
    const { draft } = scenario(scores);
    const shown = new Set(draft.breakdowns.map((row) => row.value));
    expect(shown.has('sales')).toBe(true);
    expect(shown.has('support')).toBe(false);
    expect(shown.has('travel')).toBe(false);
    expect(shown.has('finance')).toBe(true);
    const evidence = draft.evidence as unknown as PrivacyEvidence;
    expect(evidence.textGate.byReason.auditor_score).toBe(2);
  });
});

describe('buildSnapshot over weeks frozen before the text gate', () => {
  it('shows a frozen value that fails the gate only inside that week’s "other" row', () => {
    const week = '2025-W10';
    const cell = (value: string, conversations: number, isOther = false) => ({
      value,
      isOther,
      conversations,
      distinctUsers: 6,
      minutesSavedTotal: conversations * 2,
    });
    const frozen = new Map<string, FrozenWeekFigures>([
      [
        week,
        {
          overview: cell(week, 70),
          trends: {
            team: [cell('sales', 30), cell(CANARY_TEAM, 25), cell(OTHER_VALUE, 15, true)],
          },
        },
      ],
    ]);
    const { draft, rows } = scenario(undefined, frozen);
    expect(publishedValueCandidates(rows, frozen)).not.toContain(CANARY_TEAM);
    const teamWeek = draft.trends.filter((t) => t.facet === 'team' && t.bucket === week);
    expect(teamWeek).toEqual([
      { facet: 'team', interval: 'week', bucket: week, ...cell('sales', 30) },
      {
        facet: 'team',
        interval: 'week',
        bucket: week,
        value: OTHER_VALUE,
        isOther: true,
        conversations: 40,
        distinctUsers: 12,
        minutesSavedTotal: 80,
      },
    ]);
  });
});
