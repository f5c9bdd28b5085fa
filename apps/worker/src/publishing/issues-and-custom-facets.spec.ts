/**
 * Issue #15 under the publishing gates, as an attacker would probe them: a custom facet aimed at
 * one person, an issue that occurs in a topic for two people, a number mean over too few answers,
 * and the issues map's own cells. Pure: the real snapshot builder (build-snapshot.ts) on synthetic rows.
 */
import { randomUUID } from 'node:crypto';
import type { CustomFacetDefinition } from '@silhouette/contracts';
import type { FacetRow } from '@silhouette/sealed';
import { describe, expect, it } from 'vitest';
import type { ClusterNode, ClusteringRun } from '../clustering/run-clustering';
import type { TextMapRun } from '../clustering/run-text-map';
import { buildSnapshot, customValueKey } from './build-snapshot';

const thresholds = { kUsers: 5, minConversations: 10 };
const TARGET = 'user-target';

const FLAG: CustomFacetDefinition = {
  key: 'is_target',
  slot: 1,
  question: 'Is this the person we suspect?',
  type: 'boolean',
};
const STEPS: CustomFacetDefinition = {
  key: 'steps',
  slot: 2,
  question: 'How many steps?',
  type: 'number',
  min: 0,
  max: 10,
};

/** 120 conversations of 24 users in two topics; the target answers "yes", everyone else "no". */
function rows(): FacetRow[] {
  return Array.from({ length: 120 }, (_, i) => {
    const user = i < 3 ? TARGET : `user-${i % 24}`;
    return {
      conversationId: randomUUID(),
      user,
      at: new Date('2026-11-30T10:00:00Z'),
      domain: 'software',
      taskType: 'debugging',
      useCase: 'fixing code',
      goalSummary: 'fix code',
      outcome: i % 2 === 0 ? 'unresolved' : 'resolved',
      failureReasons: i % 2 === 0 ? ['incorrect_answer'] : [],
      minutesSaved: 5,
      minutesWithoutAi: 20,
      frustration: 2,
      language: 'en',
      confidence: 0.9,
      team: null,
      department: null,
      issue: i % 2 === 0 ? 'wrong answer' : '',
      // Only 4 people answer the number facet: too few for a mean.
      custom: { is_target: user === TARGET, steps: i >= 3 && i % 24 < 3 ? 3 : null },
    };
  });
}

const node = (id: string, level: number, parentId: string | null, members: number[]) =>
  ({
    id,
    level,
    parentId,
    members,
    centroid: new Float32Array([1, 0]),
    name: `group ${id.slice(0, 4)}`,
    description: '',
    keywords: [],
    lineage: 'new',
    lineageSources: [],
  }) satisfies ClusterNode;

function snapshot() {
  const all = rows();
  const topicA = randomUUID();
  const topicB = randomUUID();
  const topicC = randomUUID();
  const indexes = all.map((_, i) => i);
  const run: ClusteringRun = {
    runId: randomUUID(),
    mode: 'full',
    rows: all,
    levels: [
      [
        node(
          topicA,
          0,
          null,
          indexes.filter((i) => i < 60),
        ),
        node(
          topicC,
          0,
          null,
          indexes.filter((i) => i >= 60 && i < 90),
        ),
        node(
          topicB,
          0,
          null,
          indexes.filter((i) => i >= 90),
        ),
      ],
    ],
    embeddingModel: 'test',
    namer: 'test',
  };
  // The issues map over the 60 failing conversations: one top group, two children. Four of the
  // failing conversations in topic B come from two people only.
  const failing = all.filter((row) => row.issue);
  const inB = new Set(all.slice(90).map((row) => row.conversationId));
  const mapIndexes = failing.map((_, i) => i);
  const inC = new Set(all.slice(60, 90).map((row) => row.conversationId));
  for (const [i, row] of failing.entries()) {
    if (inB.has(row.conversationId)) failing[i] = { ...row, user: i % 2 ? 'b-1' : 'b-2' };
    // C's people fail only there: pooled with B, they keep B's two people from being the only
    // ones a subtraction of users could isolate (rule 3 of the breakdown gate).
    if (inC.has(row.conversationId)) failing[i] = { ...row, user: `c-${i % 6}` };
  }
  const top = randomUUID();
  const map: TextMapRun = {
    map: 'issues',
    runId: randomUUID(),
    rows: failing,
    levels: [
      [node(top, 0, null, mapIndexes)],
      [
        node(
          randomUUID(),
          1,
          top,
          mapIndexes.filter((i) => i % 2 === 0),
        ),
        node(
          randomUUID(),
          1,
          top,
          mapIndexes.filter((i) => i % 2 === 1),
        ),
      ],
    ],
    namer: 'test',
  };
  const draft = buildSnapshot({
    tenantId: randomUUID(),
    run,
    thresholds,
    maps: [map],
    customFacets: [FLAG, STEPS],
    models: { tagger: 't', taggerPromptVersion: '1', embedder: 'e', namer: 'n' },
  });
  return { draft, topicA, topicB, total: all.length };
}

describe('issue #15 under the publishing gates', () => {
  const { draft, topicA, topicB, total } = snapshot();

  it('a custom facet aimed at one person reveals nothing, directly or by subtraction', () => {
    const cells = draft.breakdowns.filter((row) => row.facet === 'custom:is_target');
    expect(cells.find((row) => row.value === 'yes' && !row.isOther)).toBeUndefined();
    for (const cell of cells) {
      expect(cell.distinctUsers).toBeGreaterThanOrEqual(thresholds.kUsers);
      expect(cell.conversations).toBeGreaterThanOrEqual(thresholds.minConversations);
    }
    // Total minus the visible parts: all of it is published (the target inside a passing pool) or
    // nothing is.
    const shown = cells.reduce((sum, row) => sum + row.conversations, 0);
    expect([0, total]).toContain(shown);
    // The same inside each topic cluster.
    for (const cluster of draft.clusters) {
      const rowsIn = (
        cluster.metrics['custom'] as Record<
          string,
          { value: string; isOther: boolean; conversations: number; distinctUsers: number }[]
        >
      )['is_target']!;
      expect(rowsIn.find((row) => row.value === 'yes' && !row.isOther)).toBeUndefined();
      const sum = rowsIn.reduce((s, row) => s + row.conversations, 0);
      expect([0, cluster.conversations]).toContain(sum);
    }
  });

  it('publishes a number mean only where enough people answered it', () => {
    const overview = draft.clusters.map(
      (cluster) => (cluster.metrics['custom_means'] as Record<string, number | null>)['steps'],
    );
    expect(overview.every((mean) => mean === null)).toBe(true);
  });

  it('lists for an issue group only topics where its cell passes the thresholds', () => {
    const top = draft.mapClusters!.find((c) => c.level === 0 && !c.isOther)!;
    const topics = top.metrics['topics'] as { cluster_id: string; distinct_users: number }[];
    expect(topics.map((t) => t.cluster_id)).toContain(topicA);
    // Topic B's failing conversations come from two people: never named for this issue group.
    // (With only A and B, A would be hidden too: total minus A would be B's cell.)
    expect(topics.map((t) => t.cluster_id)).not.toContain(topicB);
    for (const topic of topics) expect(topic.distinct_users).toBeGreaterThanOrEqual(5);
    for (const cluster of draft.mapClusters!) {
      expect(cluster.distinctUsers).toBeGreaterThanOrEqual(thresholds.kUsers);
      expect(cluster.conversations).toBeGreaterThanOrEqual(thresholds.minConversations);
    }
  });

  it('buckets numbers into published ranges and leaves unanswered values unset', () => {
    expect(customValueKey(STEPS, 0)).toBe('0–2');
    expect(customValueKey(STEPS, 10)).toBe('8–10');
    expect(customValueKey(STEPS, 5.5)).toBe('4–6');
    expect(customValueKey(STEPS, null)).toBeNull();
    expect(customValueKey(FLAG, true)).toBe('yes');
    expect(customValueKey({ ...FLAG, type: 'enum', values: ['a'] }, 'b')).toBeNull();
  });
});
