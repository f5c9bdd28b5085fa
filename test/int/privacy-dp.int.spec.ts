/**
 * dp mode end to end, in both storage modes and on both queue drivers: a publication spends
 * budget in the ledger, every published figure is a stored noisy value (API, export and report
 * agree, repeated reads and later snapshots reuse it), no shown cell has a noisy user count
 * below k_users, closed weeks are released once, and a publication past the cap is refused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  budgetResponseSchema,
  evidenceResponseSchema,
  overviewResponseSchema,
} from '@silhouette/contracts';
import { isoWeekLabel, startOfIsoWeek } from '@silhouette/contracts';
import { budgetPeriod } from '@silhouette/privacy';
import { buildReportContent, periodOfWeeks } from '@silhouette/reports';
import { ConversationStatusRepository } from '@silhouette/sealed';
import { cadenceSlotStart } from '@silhouette/worker';
import { latestSnapshotDocument } from '../../apps/api/src/insights/snapshot-document';
import { sgdRecords } from '../helpers/datasets';
import { canaries, openaiRecord } from '../helpers/fixtures';
import { scanTables, scanText } from '../helpers/leak-scan';
import { offlineProviders } from '../helpers/providers';
import { call, startStack, type Stack } from '../helpers/stack';

const WEEK_MS = 7 * 86_400_000;
const SMALL_TEAM = 'duo-team-zq';

/** SGD records over the five weeks before this one and this one, ≤ 2 per person and week. */
function spreadRecords(count: number, users: number) {
  const now = Date.now();
  return sgdRecords(count, users).map((record, index) => ({
    ...record,
    started_at: new Date(
      now - (Math.floor(index / users) % 6) * WEEK_MS - (index % 89) * 60_000,
    ).toISOString(),
  }));
}

describe.each(['embedded', 'server'] as const)('dp publishing (%s)', (mode) => {
  let stack: Stack;
  const canary = canaries();
  const responses: string[] = [];
  const publish = async () => {
    await stack.queue.enqueue('cluster-tenant', {
      tenantId: stack.tenant.tenant.id,
      release: 'requested',
    });
    await stack.queue.waitUntilIdle(180_000);
  };
  const get = async (path: string) => {
    // A kept-alive socket may have been closed by the server during a long publication: retry.
    const response = await call(stack, path, { key: stack.tenant.readKey }).catch(() =>
      call(stack, path, { key: stack.tenant.readKey }),
    );
    responses.push(response.text);
    return response;
  };

  beforeAll(async () => {
    stack = await startStack({
      mode,
      worker: true,
      workerProviders: offlineProviders,
      env: { PRIVACY_MODE: 'dp', PUBLISH_INTERVAL_S: '3600', DP_EPSILON_PER_MONTH: '60' },
    });
    const response = await call(stack, '/v1/conversations', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: JSON.stringify(spreadRecords(600, 60)),
    });
    expect(response.body.accepted).toBe(600);
    // Canary PII in conversations and as a team name: it must surface nowhere outside `sealed`.
    const leaky = await call(stack, '/v1/conversations', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: JSON.stringify(
        Array.from({ length: 8 }, (_, i) => ({
          ...openaiRecord(
            `canary-${i}`,
            `user-${i}`,
            `I am ${canary.name} (${canary.email}, ${canary.phone}); key ${canary.secret}`,
          ),
          metadata: { team: `${canary.name} <${canary.email}>` },
        })),
      ),
    });
    expect(leaky.body.accepted).toBe(8);
    // A team of two: a value only its members' data names, never selected, so never shown.
    const duo = await call(stack, '/v1/conversations', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: JSON.stringify(
        Array.from({ length: 8 }, (_, i) => ({
          ...openaiRecord(`duo-${i}`, `duo-person-${i % 2}`, 'How do I reverse a list in Python?'),
          metadata: { team: SMALL_TEAM },
        })),
      ),
    });
    expect(duo.body.accepted).toBe(8);
    await stack.queue.waitUntilIdle(180_000);
    await publish();
  }, 400_000);
  afterAll(async () => stack?.close());

  it('publishes noisy figures with intervals and charges the ledger', async () => {
    const overview = await get('/v1/insights/overview');
    expect(overview.status).toBe(200);
    const body = overviewResponseSchema.parse(overview.body);
    expect(body.snapshot.privacy_mode).toBe('dp');
    expect(body.published).toBe(true);
    // Within four noise standard deviations of the truth (the 90% interval is ±1.645 sd).
    const band = body.noise!.conversations!;
    const sd = (band.high - band.low) / 2 / 1.645;
    expect(band.low).toBeLessThanOrEqual(body.conversations!);
    expect(Math.abs(body.conversations! - 608)).toBeLessThanOrEqual(4 * sd + 1);
    expect(body.privacy!.epsilon_spent).toBeLessThanOrEqual(60);
    const budget = budgetResponseSchema.parse((await get('/v1/privacy/budget')).body);
    expect(budget.publications).toHaveLength(1);
    expect(budget.publications[0]!.kind).toBe('requested');
    expect(budget.epsilon_spent).toBeGreaterThan(0);
    expect(budget.epsilon_spent).toBeLessThanOrEqual(budget.epsilon_cap);
    const evidence = evidenceResponseSchema.parse((await get('/v1/privacy/evidence')).body);
    expect(evidence.evidence.differentialPrivacy!.publication.weeks.length).toBeGreaterThan(1);
    expect(evidence.evidence.publicationId).toBe(budget.publications[0]!.id);
  });

  it('serves one stored value: repeated reads, the export and a report agree', async () => {
    const first = (await get('/v1/insights/overview')).body;
    const again = (await get('/v1/insights/overview')).body;
    expect(again).toEqual(first);
    const document = (await latestSnapshotDocument(stack.apiDb, stack.tenant.tenant.id))!;
    expect(document.overview.conversations).toBe(first.conversations);
    expect(document.overview.distinct_users).toBe(first.distinct_users);
    const listed = (await get('/v1/insights/clusters?level=0')).body.clusters;
    for (const cluster of listed) {
      const exported = document.clusters.find((row) => row.id === cluster.id)!;
      expect(exported.conversations).toBe(cluster.conversations);
      expect(exported.distinct_users).toBe(cluster.distinct_users);
    }
    const teams = (await get('/v1/insights/breakdown?facet=team')).body.rows;
    for (const row of teams) {
      const exported = document.breakdowns.find(
        (b) => b.facet === 'team' && b.value === row.value,
      )!;
      expect(exported.conversations).toBe(row.conversations);
    }
    // The report's weekly time-saved points are the overview's weekly figures.
    const report = await buildReportContent({
      db: stack.apiDb,
      tenantId: stack.tenant.tenant.id,
      tenantName: 'Acme',
      type: 'impact',
      period: periodOfWeeks(startOfIsoWeek(new Date()), 4),
    });
    expect(report.notes[0]).toMatch(/differential privacy/);
    const points = report.charts.find((chart) => chart.id === 'minutes-trend')!.points;
    expect(points.length).toBeGreaterThan(0);
    for (const point of points) {
      const week = first.weekly.find((row: { value: string }) => row.value === point.label);
      expect(Math.round((week.minutesSavedTotal / 60) * 10) / 10).toBe(point.value);
    }
  });

  it('never shows a cell whose noisy people count is below k_users', async () => {
    const k = 5;
    const people: number[] = [];
    const overview = (await get('/v1/insights/overview')).body;
    people.push(overview.distinct_users);
    for (const list of ['outcomes', 'failure_reasons', 'weekly'])
      for (const row of overview[list] ?? []) people.push(row.distinctUsers);
    for (let level = 0; level < 3; level++) {
      const clusters = (await get(`/v1/insights/clusters?level=${level}`)).body.clusters;
      for (const cluster of clusters) {
        people.push(cluster.distinct_users);
        const detail = (await get(`/v1/insights/clusters/${cluster.id}`)).body;
        for (const list of ['outcomes', 'failure_reasons', 'weekly'])
          for (const row of detail.metrics[list]) people.push(row.distinctUsers);
      }
    }
    for (const facet of ['team', 'department', 'domain', 'task_type', 'outcome', 'language'])
      for (const row of (await get(`/v1/insights/breakdown?facet=${facet}`)).body.rows)
        people.push(row.distinct_users);
    for (const facet of ['domain', 'task_type', 'cluster'])
      for (const interval of ['week', 'month'])
        for (const bucket of (await get(`/v1/insights/trends?facet=${facet}&interval=${interval}`))
          .body.buckets)
          for (const value of bucket.values) people.push(value.distinct_users);
    expect(people.length).toBeGreaterThan(20);
    expect(Math.min(...people)).toBeGreaterThanOrEqual(k);
    // The two-person team is in no response (breakdowns, overview, clusters) in any form.
    expect(responses.join('\n')).not.toContain(SMALL_TEAM);
    // Nor in the stored noisy cells: it was never released, in any week.
    const stored = await stack.ownerDb.query('SELECT 1 FROM insights.dp_cells WHERE key = $1', [
      SMALL_TEAM,
    ]);
    expect(stored.rows).toEqual([]);
  });

  it('releases a closed week once: the next publication reuses its figures', async () => {
    const before = (await get('/v1/insights/overview')).body;
    await publish();
    const after = (await get('/v1/insights/overview')).body;
    expect(after.snapshot.version).toBe(before.snapshot.version + 1);
    const current = isoWeekLabel(new Date());
    const closed = (rows: { value: string; isOther: boolean }[]) =>
      rows.filter((row) => !row.isOther && row.value < current);
    expect(closed(after.weekly).length).toBeGreaterThan(0);
    expect(closed(after.weekly)).toEqual(closed(before.weekly));
    const budget = budgetResponseSchema.parse((await get('/v1/privacy/budget')).body);
    expect(budget.publications).toHaveLength(2);
    // The second publication released only the current week: closed weeks cost nothing again.
    expect(budget.publications[1]!.weeks).toEqual([{ bucket: current, final: false }]);
  });

  it('schedules publications by the calendar: once per cadence slot', async () => {
    const statuses = new ConversationStatusRepository(stack.workerDb);
    const tenantId = stack.tenant.tenant.id;
    const slot = cadenceSlotStart('daily');
    const one = (
      await stack.ownerDb.query<{ id: string; status: string }>(
        `SELECT id, status FROM sealed.conversations
          WHERE tenant_id = $1 AND status IN ('tagged', 'embedded') ORDER BY id LIMIT 1`,
        [tenantId],
      )
    ).rows[0]!;
    const setStatus = (status: string) =>
      stack.ownerDb.query('UPDATE sealed.conversations SET status = $2 WHERE id = $1', [
        one.id,
        status,
      ]);
    // The first scheduled publication waits until nothing is left to tag.
    await setStatus('accepted');
    expect(await statuses.tenantsDueForPublication(slot)).not.toContain(tenantId);
    await setStatus(one.status);
    // Only requested publications so far: today's scheduled one is still due.
    expect(await statuses.tenantsDueForPublication(slot)).toContain(tenantId);
    await stack.queue.enqueue('cluster-tenant', { tenantId });
    await stack.queue.waitUntilIdle(180_000);
    expect(await statuses.tenantsDueForPublication(slot)).not.toContain(tenantId);
    const tomorrow = new Date(slot.getTime() + 86_400_000);
    expect(await statuses.tenantsDueForPublication(tomorrow)).toContain(tenantId);
    // After it, the calendar alone decides: a conversation being tagged does not delay one.
    await setStatus('accepted');
    expect(await statuses.tenantsDueForPublication(tomorrow)).toContain(tenantId);
    await setStatus(one.status);
    const budget = budgetResponseSchema.parse((await get('/v1/privacy/budget')).body);
    expect(budget.publications.map((p) => p.kind)).toEqual(['requested', 'requested', 'scheduled']);
  });

  it('leaves no canary in the ledger, the noisy cells, any insights table, response or log', async () => {
    const secrets = Object.values(canary);
    expect(
      await scanTables(stack.ownerDb, ['app', 'insights', 'intake', 'public'], secrets),
    ).toEqual([]);
    const cells = await stack.ownerDb.query<{ n: number }>(
      'SELECT count(*)::integer AS n FROM insights.dp_cells',
    );
    expect(Number(cells.rows[0]!.n)).toBeGreaterThan(0);
    for (const path of ['/v1/privacy/budget', '/v1/privacy/evidence', '/v1/insights/overview'])
      await get(path);
    expect(responses.length).toBeGreaterThan(10);
    expect(responses.flatMap((text, i) => scanText(`response ${i}`, text, secrets))).toEqual([]);
    expect(scanText('logs', stack.logs(), secrets)).toEqual([]);
  });

  it('lets a tenant spend less than the deployment allows, never more', async () => {
    const patch = (body: unknown) =>
      call(stack, '/v1/admin/settings', {
        method: 'PATCH',
        key: stack.tenant.adminKey,
        body: JSON.stringify(body),
      });
    const tooMuch = await patch({ dp_epsilon: 61 });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body.error.field).toBe('dp_epsilon');
    const less = await patch({ dp_epsilon: 30 });
    expect(less.status).toBe(200);
    expect(less.body).toMatchObject({ privacy_mode: 'dp', dp_epsilon: 30 });
    expect(budgetResponseSchema.parse((await get('/v1/privacy/budget')).body).epsilon_cap).toBe(30);
    expect((await patch({ dp_epsilon: null })).body.dp_epsilon).toBe(60);
  });

  it('refuses to publish past the monthly cap, and says when publishing resumes', async () => {
    const before = (await get('/v1/insights/overview')).body;
    // Spend what is left of this month (as if many publications had happened).
    const ledger = stack.workerDb;
    const period = budgetPeriod(new Date());
    const spent = await ledger.query<{ rho: number; cap: number }>(
      `SELECT sum(rho) AS rho, max(rho_cap) AS cap FROM insights.privacy_ledger
        WHERE tenant_id = $1 AND period_start = $2`,
      [stack.tenant.tenant.id, period.start.toISOString().slice(0, 10)],
    );
    const left = Number(spent.rows[0]!.cap) - Number(spent.rows[0]!.rho);
    await ledger.query(
      `INSERT INTO insights.privacy_ledger (tenant_id, period_start, kind, mechanism, parameters, rho,
              rho_closed_weeks, rho_current_week, delta, rho_cap, epsilon_cap, delta_cap)
       VALUES ($1, $2, 'requested', 'test', '{}', $3, $4, $5, 0, $6, 60, 1e-6)`,
      [
        stack.tenant.tenant.id,
        period.start.toISOString().slice(0, 10),
        left,
        left * 0.8,
        left * 0.2,
        Number(spent.rows[0]!.cap),
      ],
    );
    await publish();
    const after = (await get('/v1/insights/overview')).body;
    expect(after.snapshot.version).toBe(before.snapshot.version);
    const budget = budgetResponseSchema.parse((await get('/v1/privacy/budget')).body);
    expect(budget.resumes_at).toBe(period.end.toISOString());
    expect(budget.epsilon_remaining).toBeLessThan(0.01);
    expect(budget.epsilon_spent).toBeLessThanOrEqual(budget.epsilon_cap);
  });
});
