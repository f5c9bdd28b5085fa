/**
 * `npm run bench -- ask [--clusters 33333] [--repeat 3]`: offline answers of `AskService` over a
 * large published tree, on PostgreSQL (the test server from `npm run services -- up`).
 *
 * The snapshot is synthesized (7 / 183 / N clusters with metrics documents shaped like the
 * publisher's, ten weekly cells), as in `npm run bench -- api`: an answer reads only the
 * snapshot, so its cost depends on the tree's size, not on how it was made. Three question
 * shapes: an overall total, a ranking of the base level, one cluster by name. The first answer
 * on a new snapshot also builds its name index; the rest reuse it.
 */
import { randomUUID } from 'node:crypto';
import {
  InsightsRepository,
  migrate,
  PgDatabase,
  TenantRepository,
  type PublishedCluster,
} from '@silhouette/db';
import { AskService } from '../../libs/analyst/src';
import { createTestDatabase } from '../../test/helpers/services';
import { machine } from './common';

const WEEKS = Array.from({ length: 10 }, (_, w) => `2026-W${String(40 + w).padStart(2, '0')}`);

function metrics(conversations: number): Record<string, unknown> {
  const row = (value: string, share: number) => ({
    value,
    isOther: false,
    conversations: Math.round(conversations * share),
    distinctUsers: 6,
    minutesSavedTotal: conversations * share * 7,
  });
  return {
    minutes_saved: {
      total: conversations * 7.5,
      total_low: conversations * 7,
      total_high: conversations * 8,
      mean: 7.5,
      mean_low: 7,
      mean_high: 8,
    },
    outcomes: [row('resolved', 0.7), row('unresolved', 0.2), row('abandoned', 0.1)],
    failure_reasons: [row('incorrect_answer', 0.15)],
    resolution_rate: 0.7,
    failure_rate: 0.2 + (conversations % 7) / 100,
    frustration_mean: 1.5,
    failure_impact_minutes: conversations * 2,
    languages: [row('en', 1)],
    weekly: WEEKS.map((week) => row(week, 0.1)),
    domains: [row('travel', 1)],
    task_types: [row('booking', 1)],
    teams: [row('sales', 0.5), row('support', 0.5)],
    low_confidence_conversations: null,
    map: { x: 0.1, y: 0.2 },
  };
}

function tree(base: number): PublishedCluster[] {
  const node = (level: number, parentId: string | null, i: number): PublishedCluster => {
    const conversations = 30 + (i % 50);
    return {
      clusterId: randomUUID(),
      level,
      parentId,
      isOther: false,
      name: `topic ${level}-${i} words`,
      description: 'what people did',
      keywords: ['topic', 'words'],
      conversations,
      distinctUsers: 6,
      minutesSavedTotal: conversations * 7.5,
      metrics: metrics(conversations),
      goals: [{ text: 'get a thing done', users: 5, conversations: 10 }],
      lineage: { kind: 'new' },
    };
  };
  const top = Array.from({ length: 7 }, (_, i) => node(0, null, i));
  const middle = Array.from({ length: 183 }, (_, i) => node(1, top[i % 7]!.clusterId, i));
  const leaves = Array.from({ length: base }, (_, i) => node(2, middle[i % 183]!.clusterId, i));
  return [...top, ...middle, ...leaves];
}

export async function main(args: string[]): Promise<void> {
  const option = (name: string, fallback: number) => {
    const index = args.indexOf(name);
    return index >= 0 ? Number(args[index + 1]) : fallback;
  };
  const base = option('--clusters', 33_333);
  const repeat = option('--repeat', 3);
  const testDb = await createTestDatabase('silhouette_bench');
  const db = new PgDatabase({ connectionString: testDb.url });
  try {
    await migrate(db);
    const tenant = await new TenantRepository(db).insert({
      slug: 'bench',
      name: 'Bench',
      kUsers: 5,
      minConversations: 10,
    });
    const clusters = tree(base);
    await db.transaction((tx) =>
      new InsightsRepository(tx).save({
        tenantId: tenant.id,
        runId: randomUUID(),
        periodStart: null,
        periodEnd: null,
        overview: {
          published: true,
          thresholds: { k_users: 5, min_conversations: 10 },
          conversations: clusters
            .filter((c) => c.level === 2)
            .reduce((s, c) => s + c.conversations, 0),
          distinct_users: 5000,
          levels: 3,
          weekly: WEEKS.map((week) => ({
            value: week,
            isOther: false,
            conversations: 100_000,
            distinctUsers: 4000,
            minutesSavedTotal: 700_000,
          })),
        },
        evidence: {
          schemaVersion: 2,
          thresholds: { kUsers: 5, minConversations: 10 },
          cells: { published: clusters.length, suppressed: 0, byReason: {}, byScope: {} },
          suppressedByScope: [],
          textGate: { checked: 0, rejected: 0, byReason: {} },
          models: { tagger: 'bench', taggerPromptVersion: '1', embedder: 'bench' },
          generatedAt: new Date().toISOString(),
        },
        clusters,
        breakdowns: [],
        trends: [],
      }),
    );
    console.log(
      `ask bench: ${clusters.length} clusters (7 / 183 / ${base}), PostgreSQL; ${machine()}`,
    );
    const ask = new AskService({ db });
    for (const question of [
      'How many conversations were there?',
      'Top 5 clusters at level 2 by minutes saved',
      `How many conversations are in topic 2-${Math.floor(base / 2)} words?`,
    ]) {
      const times: number[] = [];
      let status = '';
      for (let i = 0; i < repeat; i++) {
        const started = performance.now();
        status = (await ask.ask(tenant.id, question)).status;
        times.push(Math.round(performance.now() - started));
      }
      console.log(`  ${question.padEnd(50)} ${status.padEnd(9)} ${times.join(', ')} ms`);
      if (status !== 'answered') process.exitCode = 1;
    }
  } finally {
    await db.close();
    await testDb.drop();
  }
}
