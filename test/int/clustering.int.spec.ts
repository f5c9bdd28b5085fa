/**
 * Issue #4 end to end, both storage modes: 500 SGD conversations from 40+ pseudonymous users
 * (some carrying presidio PII) are tagged, embedded, clustered into three levels and published.
 * Every published cell meets the thresholds, no canary reaches the export, identity is stable.
 */
import { latestSnapshotDocument, type SnapshotDocument } from '@silhouette/api';
import { looksLikeKeywordList, nameWords, OfflineEmbedder } from '@silhouette/clustering';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { presidioValues, sgdRecords } from '../helpers/datasets';
import { offlineProviders } from '../helpers/providers';
import { call, startStack, type Stack } from '../helpers/stack';

async function ingest(
  stack: Stack,
  records: Record<string, unknown>[],
  key = stack.tenant.ingestKey,
) {
  for (let i = 0; i < records.length; i += 250) {
    const response = await call(stack, '/v1/conversations', {
      method: 'POST',
      key,
      body: JSON.stringify(records.slice(i, i + 250)),
    });
    expect(response.status).toBe(200);
  }
}

async function processTenant(
  stack: Stack,
  tenantId: string,
  full = false,
): Promise<SnapshotDocument> {
  await stack.queue.waitUntilIdle(120_000);
  await stack.queue.enqueue('cluster-tenant', { tenantId, ...(full ? { full } : {}) });
  await stack.queue.waitUntilIdle(300_000);
  const document = await latestSnapshotDocument(stack.apiDb, tenantId);
  if (!document) throw new Error('no snapshot was published');
  return document;
}

/** Every count-bearing cell in the document, with where it came from. */
function cells(
  document: SnapshotDocument,
): { where: string; conversations: number; users: number }[] {
  const out: { where: string; conversations: number; users: number }[] = [];
  for (const cluster of document.clusters) {
    out.push({
      where: `cluster ${cluster.name}`,
      conversations: cluster.conversations,
      users: cluster.distinct_users,
    });
    for (const [name, value] of Object.entries(cluster.metrics)) {
      if (!Array.isArray(value)) continue;
      for (const row of value as {
        value: string;
        conversations: number;
        distinctUsers: number;
      }[]) {
        out.push({
          where: `cluster ${cluster.name} ${name}=${row.value}`,
          conversations: row.conversations,
          users: row.distinctUsers,
        });
      }
    }
  }
  for (const row of document.breakdowns)
    out.push({
      where: `breakdown ${row.facet}=${row.value}`,
      conversations: row.conversations,
      users: row.distinct_users,
    });
  return out;
}

describe.each(['server', 'embedded'] as const)('clustering and publishing (%s mode)', (mode) => {
  let stack: Stack;
  let document: SnapshotDocument;
  const pii = presidioValues(['PERSON', 'EMAIL_ADDRESS', 'PHONE_NUMBER', 'CREDIT_CARD'], 10);
  const canaries = Object.values(pii).flat();
  const records = sgdRecords(550, 44).map((record, i) => {
    if (i % 5 !== 0) return record;
    const messages = record.messages as { role: string; content: string }[];
    const first = messages.findIndex((message) => message.role === 'user');
    const values = Object.values(pii).map((list) => list[i % list.length]!);
    messages[first] = {
      role: 'user',
      content: `${values.join(', ')}. ${messages[first]!.content}`,
    };
    return record;
  });

  // The 10% that arrive later are spread over the whole set (the file is ordered by service, so
  // its tail would be a new topic: genuine drift, which rightly triggers a full re-cluster).
  const initial = records.filter((_, i) => i % 11 !== 10);
  const later = records.filter((_, i) => i % 11 === 10);

  beforeAll(async () => {
    // Short retry backoff: one test below makes a run's last write fail on every attempt.
    stack = await startStack({
      mode,
      worker: true,
      workerProviders: offlineProviders,
      env: { JOB_BACKOFF_MS: '50' },
    });
    await ingest(stack, initial);
    document = await processTenant(stack, stack.tenant.tenant.id);
  }, 600_000);
  afterAll(async () => stack?.close());

  it('publishes a three-level tree under the tenant', () => {
    const levels = new Set(document.clusters.map((cluster) => cluster.level));
    expect([...levels].sort()).toEqual([0, 1, 2]);
    const byId = new Map(document.clusters.map((cluster) => [cluster.id, cluster]));
    for (const cluster of document.clusters) {
      if (cluster.level === 0) expect(cluster.parent_id).toBeNull();
      else expect(byId.get(cluster.parent_id!)?.level).toBe(cluster.level - 1);
    }
    const top = document.clusters.filter((cluster) => cluster.level === 0);
    expect(top.reduce((sum, cluster) => sum + cluster.conversations, 0)).toBe(500);
    expect(document.overview).toMatchObject({ conversations: 500, published: true });
    expect(
      document.clusters
        .filter((cluster) => !cluster.is_other)
        .every((cluster) => cluster.name.length > 0),
    ).toBe(true);
  });

  it('names clusters with short phrases and publishes the c-TF-IDF terms as keywords apart', () => {
    const named = document.clusters.filter(
      (cluster) => !cluster.is_other && cluster.name !== 'Miscellaneous',
    );
    expect(named.length).toBeGreaterThan(10);
    const keywordLists = named.filter((cluster) => looksLikeKeywordList(cluster.name));
    expect(keywordLists.map((cluster) => cluster.name)).toEqual([]);
    for (const cluster of named) expect(nameWords(cluster.name).length).toBeLessThanOrEqual(6);
    // Siblings are told apart.
    const siblings = new Map<string, string[]>();
    for (const cluster of document.clusters) {
      const key = cluster.parent_id ?? 'root';
      siblings.set(key, [...(siblings.get(key) ?? []), cluster.name]);
    }
    for (const names of siblings.values()) expect(new Set(names).size).toBe(names.length);
    // Keywords: most named clusters have some, none is the name itself, "Other" has none.
    expect(named.filter((cluster) => cluster.keywords.length > 0).length).toBeGreaterThan(
      named.length / 2,
    );
    for (const cluster of document.clusters) {
      expect(cluster.keywords.length).toBeLessThanOrEqual(5);
      if (cluster.is_other) expect(cluster.keywords).toEqual([]);
    }
  });

  it('meets k_users and min_conversations in every published cell', () => {
    const all = cells(document);
    expect(all.length).toBeGreaterThan(20);
    const below = all.filter((cell) => cell.users < 5 || cell.conversations < 10);
    expect(below).toEqual([]);
  });

  it('lets no canary through to the export, and records the privacy evidence', () => {
    const text = JSON.stringify(document);
    expect(canaries.filter((canary) => text.includes(canary))).toEqual([]);
    expect(document.privacy).toMatchObject({ thresholds: { kUsers: 5, minConversations: 10 } });
  });

  it('gives the same tree and ids when fully re-clustered on the same data', async () => {
    const again = await processTenant(stack, stack.tenant.tenant.id, true);
    expect(again.version).toBe(document.version + 1);
    const shape = (doc: SnapshotDocument) =>
      doc.clusters.map((c) => [c.id, c.level, c.parent_id, c.conversations]).sort();
    expect(shape(again)).toEqual(shape(document));
  });

  it('keeps at least 90% of cluster ids when 10% new conversations arrive (joined to their most similar base cluster)', async () => {
    await ingest(stack, later);
    const after = await processTenant(stack, stack.tenant.tenant.id);
    expect(after.overview.conversations).toBe(550);
    const before = new Set(
      document.clusters.filter((c) => !c.is_other && c.level === 2).map((c) => c.id),
    );
    const kept = after.clusters.filter((c) => before.has(c.id)).length;
    expect(kept / before.size).toBeGreaterThanOrEqual(0.9);
    const joined = await stack.ownerDb.query<{ n: number }>(
      // The topic tree's runs only (the issues map joins its own new members, issue #15).
      `SELECT count(*)::integer AS n FROM sealed.cluster_members m
         JOIN sealed.cluster_runs r ON r.id = m.run_id
        WHERE NOT m.from_run AND r.map = 'topics'`,
    );
    expect(Number(joined.rows[0]!.n)).toBe(50);
  });

  it('moves a run fitted with an older embedder format to the current one, ids following the members', async () => {
    const run = await stack.ownerDb.query<{ id: string; embedding_model: string }>(
      `SELECT id, embedding_model FROM sealed.cluster_runs
        WHERE tenant_id = $1 AND status = 'done' AND map = 'topics' ORDER BY started_at DESC LIMIT 1`,
      [stack.tenant.tenant.id],
    );
    expect(run.rows[0]!.embedding_model).toMatch(/^offline-lsa-sif-v2\//);
    // Make the stored run look like one of another embedder (the LSA-only format, 64-d): its
    // centroids cannot be compared with the new run's, only its members can.
    const old = OfflineEmbedder.fit(['an older model', 'of another format'], {
      wordVectors: false,
    });
    expect(OfflineEmbedder.isCurrentFormat(old.toBytes())).toBe(false);
    await stack.ownerDb.query(
      `UPDATE sealed.cluster_runs SET embedder_state = $2, embedding_model = $3 WHERE id = $1`,
      [run.rows[0]!.id, Buffer.from(old.toBytes()), old.model],
    );
    await stack.ownerDb.query(
      `UPDATE sealed.clusters
          SET centroid = ('[' || array_to_string(array_fill(0.125::real, ARRAY[64]), ',') || ']')::vector
        WHERE run_id = $1`,
      [run.rows[0]!.id],
    );
    await processTenant(stack, stack.tenant.tenant.id, true);
    const next = await stack.ownerDb.query<{ id: string; embedding_model: string }>(
      `SELECT id, embedding_model FROM sealed.cluster_runs
        WHERE tenant_id = $1 AND status = 'done' AND map = 'topics' ORDER BY started_at DESC LIMIT 1`,
      [stack.tenant.tenant.id],
    );
    expect(next.rows[0]!.embedding_model).toMatch(/^offline-lsa-sif-v2\//);
    // Base clusters of both runs by members; where an old and a new cluster are each other's
    // best match by member overlap (Jaccard ≥ 0.5), the new one must carry the old id.
    const baseMembers = async (runId: string) => {
      const rows = await stack.ownerDb.query<{ cluster_id: string; conversation_id: string }>(
        'SELECT cluster_id, conversation_id FROM sealed.cluster_members WHERE run_id = $1',
        [runId],
      );
      const byCluster = new Map<string, Set<string>>();
      for (const row of rows.rows) {
        const set = byCluster.get(row.cluster_id) ?? new Set<string>();
        set.add(row.conversation_id);
        byCluster.set(row.cluster_id, set);
      }
      return byCluster;
    };
    const oldBase = await baseMembers(run.rows[0]!.id);
    const newBase = await baseMembers(next.rows[0]!.id);
    const jaccard = (a: Set<string>, b: Set<string>) => {
      let both = 0;
      for (const x of a) if (b.has(x)) both++;
      return both / (a.size + b.size - both);
    };
    const best = (from: Map<string, Set<string>>, to: Map<string, Set<string>>) =>
      new Map(
        [...from].map(([id, members]) => {
          let top: [string, number] = ['', 0];
          for (const [other, set] of to) {
            const j = jaccard(members, set);
            if (j > top[1]) top = [other, j];
          }
          return [id, top] as const;
        }),
      );
    const oldBest = best(oldBase, newBase);
    const newBest = best(newBase, oldBase);
    // A new cluster drawing at least 30% of its members from each of two old ones is a merge
    // and continues neither (match-clusters.ts); every other clear pair must keep its id.
    const isMerge = (id: string) => {
      const members = newBase.get(id)!;
      const sources = [...oldBase.values()].filter((set) => {
        let both = 0;
        for (const x of members) if (set.has(x)) both++;
        return both / members.size >= 0.3;
      });
      return sources.length >= 2;
    };
    const clear = [...newBest].filter(
      ([id, [old, j]]) => j >= 0.5 && oldBest.get(old)?.[0] === id && !isMerge(id),
    );
    expect(clear.length).toBeGreaterThan(oldBase.size / 3);
    for (const [id, [old]] of clear) expect(id).toBe(old);
  });

  it.each(['threshold', 'dp'] as const)(
    'publishes nothing on a run whose last write failed, and says why (%s)',
    async (privacy) => {
      const tenantId = stack.tenant.tenant.id;
      await stack.ownerDb.query(
        `UPDATE app.tenants SET settings = jsonb_set(settings, '{privacy_mode}', to_jsonb($2::text))
        WHERE id = $1`,
        [tenantId, privacy],
      );
      const before = await latestSnapshotDocument(stack.apiDb, tenantId);
      // Twenty conversations back to 'tagged', and a trigger that refuses marking them embedded:
      // the last write of a full run fails on every attempt.
      await stack.ownerDb.query(
        `UPDATE sealed.conversations SET status = 'tagged'
        WHERE id IN (SELECT id FROM sealed.conversations WHERE tenant_id = $1 ORDER BY id LIMIT 20)`,
        [tenantId],
      );
      await stack.ownerDb.query(
        `CREATE FUNCTION sealed.refuse_embedded_for_test() RETURNS trigger LANGUAGE plpgsql
         AS $$ BEGIN RAISE EXCEPTION 'status write refused by the test'; END $$`,
      );
      await stack.ownerDb.query(
        `CREATE TRIGGER refuse_embedded_for_test BEFORE UPDATE ON sealed.conversations FOR EACH ROW
         WHEN (NEW.status = 'embedded') EXECUTE FUNCTION sealed.refuse_embedded_for_test()`,
      );
      try {
        await processTenant(stack, tenantId, true);
        expect((await latestSnapshotDocument(stack.apiDb, tenantId))!.version).toBe(
          before!.version,
        );
        const failed = await stack.ownerDb.query<{ status: string; failure: string | null }>(
          `SELECT status, failure FROM sealed.cluster_runs
          WHERE tenant_id = $1 AND map = 'topics' ORDER BY started_at DESC LIMIT 1`,
          [tenantId],
        );
        expect(failed.rows[0]).toEqual({
          status: 'failed',
          failure: expect.stringContaining('status write refused by the test'),
        });
        const dead = await stack.queue.deadLetters();
        expect(dead.map((job) => [job.name, job.reason])).toEqual([
          ['cluster-tenant', 'status write refused by the test'],
        ]);
      } finally {
        await stack.ownerDb.query('DROP TRIGGER refuse_embedded_for_test ON sealed.conversations');
        await stack.ownerDb.query('DROP FUNCTION sealed.refuse_embedded_for_test()');
      }
      // The write works again: the dead-lettered job, retried, publishes and marks everyone.
      expect(await stack.queue.retryDeadLetters({ tenantId })).toBe(1);
      await stack.queue.waitUntilIdle(300_000);
      expect((await latestSnapshotDocument(stack.apiDb, tenantId))!.version).toBe(
        before!.version + 1,
      );
      const statuses = await stack.ownerDb.query<{ status: string }>(
        'SELECT DISTINCT status FROM sealed.conversations WHERE tenant_id = $1',
        [tenantId],
      );
      expect(statuses.rows).toEqual([{ status: 'embedded' }]);
    },
  );
});

describe('differencing', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ mode: 'embedded', worker: true, workerProviders: offlineProviders });
  });
  afterAll(async () => stack?.close());

  it('a team of 2 users is revealed neither by the team breakdown nor by totals minus parts', async () => {
    const base = sgdRecords(300, 40).map((record, i) => {
      const user = Number(String(record.user_id).split('-')[1]);
      const team = user < 2 ? 'tiny-team' : ['alpha', 'beta', 'gamma'][i % 3]!;
      return { ...record, user_id: user < 2 ? `tiny-${user}` : record.user_id, metadata: { team } };
    });
    await ingest(stack, base);
    const document = await processTenant(stack, stack.tenant.tenant.id);
    const teams = document.breakdowns.filter((row) => row.facet === 'team');
    expect(teams.map((row) => row.value)).not.toContain('tiny-team');
    const total = document.overview.conversations as number;
    const visible = teams
      .filter((row) => !row.is_other)
      .reduce((sum, row) => sum + row.conversations, 0);
    const other = teams.find((row) => row.is_other);
    // Whatever the visible teams do not account for is an "other" bucket that itself meets the
    // thresholds, never the tiny team alone.
    if (other) {
      expect(total - visible).toBe(other.conversations);
      expect(other.distinct_users).toBeGreaterThanOrEqual(5);
      expect(other.conversations).toBeGreaterThanOrEqual(10);
    } else {
      expect(total - visible).toBe(0);
    }
    const tinyConversations = base.filter(
      (record) => (record.metadata as { team: string }).team === 'tiny-team',
    ).length;
    expect(tinyConversations).toBeGreaterThan(0);
    expect(
      teams.some((row) => row.conversations === tinyConversations && row.distinct_users === 2),
    ).toBe(false);
  });
});
