/**
 * The snapshot builder at the size of a large tenant: `Math.min(...times)` over a million rows
 * overflowed the stack and failed every 1M clustering run (found by `npm run bench -- scale`).
 * 200k rows are enough to overflow a spread of arguments on node's default stack.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { FacetRow } from '@silhouette/sealed';
import type { ClusterNode } from '../clustering/run-clustering';
import { buildSnapshot } from './build-snapshot';

const ROWS = 200_000;
const DAY_MS = 86_400_000;

describe('buildSnapshot at scale', () => {
  it('publishes a 200k-row tenant with its period in whole days', () => {
    expect(() => Math.min(...Array.from({ length: ROWS }, (_, i) => i))).toThrow(RangeError);
    const start = Date.UTC(2026, 8, 7, 10);
    const rows: FacetRow[] = Array.from({ length: ROWS }, (_, i) => ({
      conversationId: `c${i}`,
      user: `u${i % 3000}`,
      at: new Date(start + (i % 60) * DAY_MS + (i % 24) * 3_600_000),
      domain: i % 3 ? 'travel' : 'finance',
      taskType: 'booking',
      useCase: 'booking a trip',
      goalSummary: 'book a trip for a conference',
      outcome: i % 5 === 0 ? 'unresolved' : 'resolved',
      failureReasons: i % 5 === 0 ? ['incomplete'] : [],
      minutesSaved: 5 + (i % 7),
      minutesWithoutAi: 12,
      frustration: 1,
      language: 'en',
      confidence: 0.9,
      team: `team-${i % 4}`,
      department: null,
    }));
    const members = rows.map((_, index) => index);
    const node = (part: number): ClusterNode => ({
      id: randomUUID(),
      level: 0,
      parentId: null,
      members: members.filter((i) => i % 2 === part),
      centroid: new Float32Array([part, 1]),
      name: part ? 'Booking trips' : 'Planning travel',
      description: 'Booking travel',
      keywords: [],
      lineage: 'new',
      lineageSources: [],
    });
    const draft = buildSnapshot({
      tenantId: randomUUID(),
      run: {
        runId: randomUUID(),
        mode: 'full',
        rows,
        levels: [[node(0), node(1)]],
        embeddingModel: 'test',
        namer: 'test',
      },
      thresholds: { kUsers: 5, minConversations: 10 },
      models: { tagger: 'test', taggerPromptVersion: '1', embedder: 'test', namer: 'test' },
    });
    expect(draft.clusters.length).toBeGreaterThanOrEqual(2);
    expect(draft.periodStart?.toISOString()).toBe('2026-09-07T00:00:00.000Z');
    expect(draft.periodEnd?.toISOString()).toBe('2026-11-06T23:59:59.999Z');
  }, 120_000);
});
