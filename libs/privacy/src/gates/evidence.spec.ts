import { describe, expect, it } from 'vitest';
import { publishBreakdown } from './breakdown';
import { EvidenceRecorder, pooledClusterIds, scopeKind, tenantEvidenceView } from './evidence';
import { gatePublishedText } from './text-gate';
import type { Cell } from './thresholds';

const thresholds = { kUsers: 5, minConversations: 10 };
const models = {
  tagger: 'gpt-4o-mini',
  taggerPromptVersion: 'facets-v3',
  embedder: 'offline-hash-v1',
};
const at = new Date('2025-03-01T12:00:00Z');

function part(key: string, conversations: number, users: number): Cell {
  return { key, conversations, users: Array.from({ length: users }, (_, i) => `uid:${key}:${i}`) };
}

describe('EvidenceRecorder', () => {
  it('starts with every reason at zero', () => {
    const evidence = new EvidenceRecorder(thresholds, models).finish(at);
    expect(evidence).toEqual({
      schemaVersion: 1,
      thresholds,
      cells: {
        published: 0,
        suppressed: 0,
        byReason: {
          too_few_users: 0,
          too_few_conversations: 0,
          complementary: 0,
          pii_detected: 0,
          auditor_score: 0,
        },
        byScope: {},
      },
      suppressedCells: [],
      textGate: {
        checked: 0,
        rejected: 0,
        byReason: { pii_detected: 0, auditor_score: 0, empty: 0 },
      },
      models,
      generatedAt: '2025-03-01T12:00:00.000Z',
    });
  });

  it('accumulates cells, breakdowns, text decisions and auditor scores', () => {
    const recorder = new EvidenceRecorder(
      thresholds,
      { ...models, namer: 'gpt-4o' },
      { model: 'gpt-4o-mini', promptVersion: 'audit-v2' },
    );
    recorder.recordPublished('cluster', 3);
    recorder.record('cluster', 'c-17', 'too_few_users', 4);
    recorder.record('cluster', 'c-18', 'pii_detected');

    const parts = [
      part('sales', 40, 12),
      part('support', 50, 15),
      part('eng', 30, 10),
      part('legal', 3, 2),
    ];
    const pub = publishBreakdown(parts, thresholds);
    recorder.recordBreakdown('breakdown:team', pub, parts);

    recorder.recordText(gatePublishedText('Budget planning', { auditorScore: 5 }));
    recorder.recordText(gatePublishedText('Mail bob@example.com'));
    recorder.recordText('auditor_score');
    recorder.recordText('ok');
    recorder.recordAuditorScore('c-1', 5);
    recorder.recordAuditorScore('c-2', 4);

    const evidence = recorder.finish(at);
    // 3 clusters + sales + support + other.
    expect(evidence.cells.published).toBe(6);
    expect(evidence.cells.suppressed).toBe(4);
    expect(evidence.cells.byReason).toMatchObject({
      too_few_users: 2,
      complementary: 1,
      pii_detected: 1,
      too_few_conversations: 0,
    });
    expect(evidence.cells.byScope).toEqual({
      cluster: { published: 3, suppressed: 2 },
      'breakdown:team': { published: 3, suppressed: 2 },
    });
    expect(evidence.suppressedCells).toContainEqual({
      scope: 'breakdown:team',
      key: 'legal',
      reason: 'too_few_users',
      conversations: 3,
    });
    expect(evidence.suppressedCells).toContainEqual({
      scope: 'cluster',
      key: 'c-18',
      reason: 'pii_detected',
    });
    expect(evidence.textGate).toEqual({
      checked: 4,
      rejected: 2,
      byReason: { pii_detected: 1, auditor_score: 1, empty: 0 },
    });
    expect(evidence.auditor).toEqual({
      model: 'gpt-4o-mini',
      promptVersion: 'audit-v2',
      scores: { 'c-1': 5, 'c-2': 4 },
    });
    expect(evidence.models.namer).toBe('gpt-4o');
    expect(JSON.stringify(evidence)).not.toMatch(/uid:|bob@/);
  });

  it('accepts breakdowns of parts with extra metric fields and counts "other" once', () => {
    interface TeamCell extends Cell {
      minutesSaved: number;
    }
    const parts: TeamCell[] = [
      { ...part('a', 40, 12), minutesSaved: 10 },
      { ...part('b', 4, 2), minutesSaved: 1 },
      { ...part('c', 8, 4), minutesSaved: 2 },
    ];
    const recorder = new EvidenceRecorder(thresholds, models);
    recorder.recordBreakdown('breakdown:team', publishBreakdown(parts, thresholds));
    const evidence = recorder.finish(at);
    expect(evidence.cells).toMatchObject({ published: 2, suppressed: 2 });
    // Without the input parts, no sizes are recorded.
    expect(evidence.suppressedCells.every((c) => c.conversations === undefined)).toBe(true);
  });

  it('scrubs PII from keys and bounds their length (backstop for callers passing text)', () => {
    const recorder = new EvidenceRecorder(thresholds, models);
    recorder.record('cluster', 'Requests from jane.doe@example.com', 'pii_detected');
    recorder.record('cluster', 'x'.repeat(500), 'auditor_score');
    const [first, second] = recorder.finish(at).suppressedCells;
    expect(first!.key).toBe('Requests from [EMAIL]');
    expect(second!.key.length).toBeLessThanOrEqual(120);
  });

  it('returns an independent snapshot', () => {
    const recorder = new EvidenceRecorder(thresholds, models);
    const before = recorder.finish(at);
    recorder.record('goal', 'goal-group-1', 'too_few_users', 2);
    recorder.recordPublished('goal');
    expect(before.cells.suppressed).toBe(0);
    before.thresholds.kUsers = 1;
    const after = recorder.finish(at);
    expect(after.cells).toMatchObject({ published: 1, suppressed: 1 });
    expect(after.thresholds.kUsers).toBe(5);
  });

  it('rejects invalid input', () => {
    expect(() => new EvidenceRecorder({ kUsers: 0, minConversations: 1 }, models)).toThrow(
      RangeError,
    );
    const recorder = new EvidenceRecorder(thresholds, models);
    expect(() => recorder.recordPublished('x', -1)).toThrow(RangeError);
    expect(() => recorder.recordPublished('x', 1.5)).toThrow(RangeError);
    expect(() => recorder.record('x', 'y', 'nope' as 'complementary')).toThrow(RangeError);
    expect(() => recorder.recordText('nope' as 'empty')).toThrow(RangeError);
    expect(() => recorder.recordAuditorScore('k', Number.NaN)).toThrow(RangeError);
  });
});

describe('tenantEvidenceView', () => {
  it('counts suppressed cells per kind of scope and reason, never naming one', () => {
    const recorder = new EvidenceRecorder(thresholds, models);
    const cluster = '3f0b6c1e-8a2d-4c3b-9f7e-1a2b3c4d5e6f';
    recorder.recordPublished('trend/team/week', 4);
    recorder.record('trend/team/week/2025-W03', 'legal', 'too_few_users', 3);
    recorder.record('trend/team/week/2025-W04', 'solo', 'too_few_users', 1);
    recorder.record('trend/team/week/2025-W04', 'sales', 'complementary', 40);
    recorder.record(`cluster/${cluster}/team`, 'solo', 'too_few_users', 2);
    recorder.record('cluster/level-0', cluster, 'too_few_users', 4);
    const evidence = recorder.finish(at);
    const view = tenantEvidenceView(evidence);
    expect(view.suppressedByScope).toEqual([
      { scope: 'cluster/*/team', reason: 'too_few_users', cells: 1 },
      { scope: 'cluster/level-0', reason: 'too_few_users', cells: 1 },
      { scope: 'trend/team/week/*', reason: 'complementary', cells: 1 },
      { scope: 'trend/team/week/*', reason: 'too_few_users', cells: 2 },
    ]);
    expect(view.cells.byScope).toEqual({
      'trend/team/week': { published: 4, suppressed: 0 },
      'trend/team/week/*': { published: 0, suppressed: 3 },
      'cluster/*/team': { published: 0, suppressed: 1 },
      'cluster/level-0': { published: 0, suppressed: 1 },
    });
    const text = JSON.stringify(view);
    for (const named of ['legal', 'solo', 'sales', cluster, '2025-W0', '"conversations"'])
      expect(text).not.toContain(named);
    expect(view).not.toHaveProperty('suppressedCells');
    // Totals are kept, and the operator's evidence is untouched (ids and sizes).
    expect(view.cells.suppressed).toBe(5);
    expect(evidence.suppressedCells[0]).toEqual({
      scope: 'trend/team/week/2025-W03',
      key: 'legal',
      reason: 'too_few_users',
      conversations: 3,
    });
    expect(evidence.suppressedCells.at(-1)!.key).toBe(cluster);
  });

  it('is idempotent, and hides the keys of evidence stored before it existed', () => {
    const recorder = new EvidenceRecorder(thresholds, models);
    recorder.record('breakdown/team', 'legal', 'too_few_users', 3);
    const view = tenantEvidenceView(recorder.finish(at));
    expect(tenantEvidenceView(view)).toEqual(view);
    expect(view.suppressedByScope).toEqual([
      { scope: 'breakdown/team', reason: 'too_few_users', cells: 1 },
    ]);
  });

  it('lists the pooled clusters by id for the failures trend, nothing else', () => {
    const recorder = new EvidenceRecorder(thresholds, models);
    const cluster = '3f0b6c1e-8a2d-4c3b-9f7e-1a2b3c4d5e6f';
    recorder.record('cluster/level-1', cluster, 'complementary');
    recorder.record('breakdown/team', 'legal', 'too_few_users');
    expect(pooledClusterIds(recorder.finish(at))).toEqual([cluster]);
  });
});

describe('scopeKind', () => {
  it('keeps code words and hides ids, weeks, months and values', () => {
    expect(scopeKind('cluster/level-2')).toBe('cluster/level-2');
    expect(scopeKind('trend/cluster/month/2025-03')).toBe('trend/cluster/month/*');
    expect(scopeKind('cluster/8d3c2a10-0000-4000-8000-000000000000/goal')).toBe('cluster/*/goal');
    expect(scopeKind('breakdown/Legal Team')).toBe('breakdown/*');
  });
});
