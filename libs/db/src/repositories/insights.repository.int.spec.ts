/**
 * Insights hold the tenant's view of the evidence whatever a publisher passes (issue #10): no
 * suppressed cell is named in `insights.snapshots`, and the ids of the pooled clusters are kept
 * for the failures view. PGlite with the real migrations.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EvidenceRecorder } from '@silhouette/privacy';
import { migrate } from '../migrations';
import { PgliteDatabase } from '../pglite-database';
import { InsightsRepository } from './insights.repository';
import { TenantRepository } from './tenant.repository';

describe('InsightsRepository.save', () => {
  let db: PgliteDatabase;
  let tenantId: string;
  beforeAll(async () => {
    db = await PgliteDatabase.open();
    await migrate(db);
    tenantId = (
      await new TenantRepository(db).insert({
        slug: 'acme',
        name: 'Acme',
        kUsers: 5,
        minConversations: 10,
      })
    ).id;
  });
  afterAll(async () => db?.close());

  it('stores the tenant view of operator evidence and the ids of the pooled clusters', async () => {
    const pooled = randomUUID();
    const recorder = new EvidenceRecorder(
      { kUsers: 5, minConversations: 10 },
      { tagger: 't', taggerPromptVersion: '1', embedder: 'e' },
    );
    recorder.record('cluster/level-0', pooled, 'too_few_users', 4);
    recorder.record('trend/team/week/2025-W03', 'legal', 'too_few_users', 3);
    const evidence = recorder.finish() as unknown as Record<string, unknown>;
    const saved = await db.transaction((tx) =>
      new InsightsRepository(tx).save({
        tenantId,
        runId: randomUUID(),
        periodStart: null,
        periodEnd: null,
        overview: { published: false },
        evidence,
        clusters: [],
        breakdowns: [],
        trends: [],
      }),
    );
    expect(saved.pooledClusterIds).toEqual([pooled]);
    const stored = await db.query<{ evidence: string }>(
      'SELECT evidence::text AS evidence FROM insights.snapshots WHERE id = $1',
      [saved.id],
    );
    const text = stored.rows[0]!.evidence;
    for (const named of ['legal', pooled, '2025-W03', 'suppressedCells'])
      expect(text).not.toContain(named);
    expect(JSON.parse(text).suppressedByScope).toEqual([
      { scope: 'cluster/level-0', reason: 'too_few_users', cells: 1 },
      { scope: 'trend/team/week/*', reason: 'too_few_users', cells: 1 },
    ]);
  });
});
