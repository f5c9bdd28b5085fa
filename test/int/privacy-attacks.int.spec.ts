/**
 * The outside privacy review (issue #10), replayed end to end in both run modes with the real
 * pipeline (API, queue, worker with the offline providers, publishing). The attacker holds a read
 * key (and, for webhooks, an admin key). The tenant has:
 *   - two large teams, a 2-person team active in one week only ("legal") and a 1-person team whose
 *     conversations fall in several clusters ("solo");
 *   - a team whose name carries a person's name and e-mail address, used by 10 people;
 * and the review's questions are asked of every read endpoint, the export and a report: what do
 * they say about the small teams, and does the canary team name appear anywhere (responses,
 * export, report files, logs, Redis)? Then an admin key points report webhooks at a receiver on
 * loopback and at private addresses, and an erasure must reach the published figures. The analyst
 * (`POST /v1/ask` and its tools over `/mcp`) reads the same snapshot and is asked the same things.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BREAKDOWN_FACETS, startOfIsoWeek, TREND_FACETS } from '@silhouette/contracts';
import { latestSnapshotDocument } from '@silhouette/api';
import { REFUSED_WEBHOOK_TARGET } from '@silhouette/reports';
import { embeddedCli } from '../helpers/cli';
import { sgdRecords } from '../helpers/datasets';
import { canaries } from '../helpers/fixtures';
import { scanDirectory, scanRedis, scanTables, scanText } from '../helpers/leak-scan';
import { offlineProviders } from '../helpers/providers';
import { redisUrl } from '../helpers/services';
import { call, startStack, type Stack } from '../helpers/stack';

const WEEK_MS = 7 * 86_400_000;
const CANARY = { name: 'Quintavia Zorblaxson', email: 'quintavia.zorblaxson@leak-test.example' };
const CANARY_TEAM = `${CANARY.name} <${CANARY.email}>`;
const CANARIES = [CANARY.name, CANARY.email, 'Zorblax', 'zorblax'];
const SMALL_TEAMS = ['legal', 'solo'];
/** PII written into conversations: never stored outside the sealed envelope, in any form. */
const CONTENT = canaries();
/**
 * Identifiers and metadata as the review used them (finding 3): an e-mail address and a card
 * number as conversation ids; an e-mail, a phone number, an IBAN and an `sk-` key as metadata
 * values. They must be nowhere at rest: not in any table, not in the data directory, not in the WAL.
 */
const AT_REST = (() => {
  const tag = randomBytes(4).toString('hex');
  return {
    idEmail: `thread.${tag}@id-leak.example`,
    idCard: '5555555555554444',
    department: `billing.${tag}@meta-leak.example`,
    product: `+44 20 7946 ${String(1000 + (parseInt(tag.slice(0, 4), 16) % 9000))}`,
    model: 'GB82WEST12345698765432',
    locale: `sk-${tag}${randomBytes(6).toString('hex')}`,
  };
})();

/** 50 people, 6 conversations each, over the last four closed ISO weeks. */
function scenario(): Record<string, unknown>[] {
  const thisWeek = startOfIsoWeek(new Date()).getTime();
  const weekStart = (i: number) => thisWeek - (4 - i) * WEEK_MS;
  const teamOf = (user: number) =>
    user < 20
      ? 'sales'
      : user < 30
        ? CANARY_TEAM
        : user < 45
          ? 'support'
          : user < 47
            ? 'legal'
            : user === 47
              ? 'solo'
              : 'ops';
  return sgdRecords(300, 50).map((record, i) => {
    const user = i % 50;
    const team = teamOf(user);
    // Legal works in the third week only; everyone else spreads over the four weeks.
    const week = team === 'legal' ? 2 : Math.floor(i / 50) % 4;
    const messages = record.messages as { role: string; content: string }[];
    return {
      ...record,
      messages:
        i % 10 === 0
          ? [
              ...messages,
              {
                role: 'user',
                content: `I am ${CONTENT.name}, mail ${CONTENT.email}, phone ${CONTENT.phone}, card ${CONTENT.card}, token ${CONTENT.secret}`,
              },
            ]
          : messages,
      user_id: `person-${user}`,
      // Two conversations carry the review's canary ids, four its canary metadata values.
      ...(i === 1 ? { id: AT_REST.idEmail } : i === 2 ? { id: AT_REST.idCard } : {}),
      started_at: new Date(weekStart(week) + 3_600_000 * (1 + (i % 100))).toISOString(),
      metadata: {
        team,
        ...(i === 3 ? { department: AT_REST.department } : {}),
        ...(i === 4 ? { product: AT_REST.product } : {}),
        ...(i === 5 ? { model: AT_REST.model } : {}),
        ...(i === 6 ? { locale: AT_REST.locale } : {}),
      },
    };
  });
}

describe.each(['server', 'embedded'] as const)('the privacy review’s attacks (%s mode)', (mode) => {
  let stack: Stack;
  const dataDir =
    mode === 'embedded' ? mkdtempSync(join(tmpdir(), 'silhouette-pglite-')) : undefined;
  /** A receiver on loopback, where the review's webhook landed. */
  const receiver = { port: 0, hits: 0, close: () => Promise.resolve() };
  /** Every published thing a read key (or the export) can obtain, by where it came from. */
  const published: { where: string; text: string }[] = [];
  const read = async (path: string) => {
    const response = await call(stack, path, { key: stack.tenant.readKey });
    published.push({ where: path, text: response.text });
    return response;
  };

  beforeAll(async () => {
    const server = createServer((request, response) => {
      receiver.hits += 1;
      request.resume();
      response.writeHead(204).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    receiver.port = (server.address() as AddressInfo).port;
    receiver.close = () => new Promise((resolve) => server.close(() => resolve()));
    stack = await startStack({
      mode,
      worker: true,
      workerProviders: offlineProviders,
      ...(dataDir ? { dataDir } : {}),
      // The worker's publish tick, fast: an erasure must reach the figures through it.
      env: { PUBLISH_INTERVAL_S: '1', REPORT_MIN_INTERVAL_S: '1' },
    });
    const ingest = await call(stack, '/v1/conversations', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: JSON.stringify(scenario()),
    });
    expect(ingest.body.accepted).toBe(300);
    await stack.queue.waitUntilIdle(120_000);
    await stack.queue.enqueue('cluster-tenant', { tenantId: stack.tenant.tenant.id });
    await stack.queue.waitUntilIdle(120_000);

    // Everything the read API publishes: overview, the whole tree and each cluster's detail,
    // failures, every breakdown, every trend, the evidence; then the export.
    await read('/v1/insights/overview');
    const pending = [...(await read('/v1/insights/clusters?level=0&limit=2000')).body.clusters];
    while (pending.length > 0) {
      const cluster = pending.pop();
      await read(`/v1/insights/clusters/${cluster.id}`);
      pending.push(...(await read(`/v1/insights/clusters?parent=${cluster.id}`)).body.clusters);
    }
    await read('/v1/insights/failures?limit=1000');
    for (const facet of BREAKDOWN_FACETS) await read(`/v1/insights/breakdown?facet=${facet}`);
    for (const facet of TREND_FACETS)
      for (const interval of ['week', 'month'])
        await read(`/v1/insights/trends?facet=${facet}&interval=${interval}`);
    await read('/v1/privacy/evidence');
    const document = await latestSnapshotDocument(stack.apiDb, stack.tenant.tenant.id);
    published.push({ where: 'export', text: JSON.stringify(document) });
  }, 600_000);
  afterAll(async () => {
    await stack?.close();
    await receiver.close();
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('published a snapshot over every team (so the attacks ran against real figures)', async () => {
    const overview = (await read('/v1/insights/overview')).body;
    expect(overview).toMatchObject({ published: true, conversations: 300, distinct_users: 50 });
    const teams = (await read('/v1/insights/breakdown?facet=team')).body.rows;
    expect(teams.map((row: any) => row.value)).toEqual(
      expect.arrayContaining(['sales', 'support']),
    );
  });

  it('lets the read key learn nothing about the 2-person and the 1-person team', async () => {
    // Finding 1: the evidence named them (breakdown/team "legal", trend/team/week/<week> …).
    const evidence = (await read('/v1/privacy/evidence')).body.evidence;
    expect(evidence.cells.suppressed).toBeGreaterThan(0);
    const evidenceText = JSON.stringify(evidence);
    expect(evidenceText).not.toMatch(/\d{4}-W\d{2}/);
    expect(evidenceText).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-/);
    for (const { where, text } of published)
      for (const team of SMALL_TEAMS)
        expect(text.includes(`"${team}"`), `${where} names ${team}`).toBe(false);
    // Nor by subtraction: the teams shown plus the pooled row add up to the total, and the pooled
    // row itself is over the thresholds.
    const teams = (await read('/v1/insights/breakdown?facet=team')).body.rows;
    const other = teams.find((row: any) => row.is_other);
    expect(other.distinct_users).toBeGreaterThanOrEqual(5);
    expect(other.conversations).toBeGreaterThanOrEqual(10);
    expect(teams.reduce((sum: number, row: any) => sum + row.conversations, 0)).toBe(300);
  });

  it('never publishes the team name that carries a name and an e-mail (pooled instead)', async () => {
    // Finding 2: it was shown in the breakdown, in cluster details (metrics.teams) and the export.
    const leaks = published.flatMap(({ where, text }) => scanText(where, text, CANARIES));
    expect(leaks).toEqual([]);
    const teams = (await read('/v1/insights/breakdown?facet=team')).body.rows;
    // Its 60 conversations are counted, inside the pooled row.
    expect(teams.find((row: any) => row.is_other).conversations).toBeGreaterThanOrEqual(60);
    // The impact report renders (it refused to, with the value published) and carries no canary.
    const requested = await call(stack, '/v1/reports', {
      method: 'POST',
      key: stack.tenant.adminKey,
      body: JSON.stringify({
        type: 'impact',
        period: { kind: 'custom', weeks: 4 },
        formats: ['html', 'csv'],
      }),
    });
    expect(requested.status).toBe(202);
    await stack.queue.waitUntilIdle(60_000);
    const report = (await read(`/v1/reports/${requested.body.id}`)).body;
    expect(report.status, report.failure_reason).toBe('ready');
    const files = await Promise.all(
      report.files.map((file: { name: string }) =>
        read(`/v1/reports/${requested.body.id}/files/${file.name}`),
      ),
    );
    expect(files.length).toBeGreaterThan(1);
    expect(files.some((file) => file.text.includes('sales'))).toBe(true);
    expect(files.flatMap((file, i) => scanText(`report file ${i}`, file.text, CANARIES))).toEqual(
      [],
    );
    expect(scanText('logs', stack.logs(), CANARIES)).toEqual([]);
    if (mode === 'server')
      expect((await scanRedis(redisUrl(), stack.queuePrefix, CANARIES)).found).toEqual([]);
  });

  it('the analyst (ask and MCP) tells the read key nothing more about small teams or canaries', async () => {
    const answers: { where: string; text: string }[] = [];
    const client = new Client({ name: 'privacy-attacks', version: '1.0.0' });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(`${stack.baseUrl}/mcp`), {
        requestInit: { headers: { Authorization: `Bearer ${stack.tenant.readKey}` } },
      }),
    );
    const tool = async (name: string, args: Record<string, unknown>) => {
      const result = await client.callTool({ name, arguments: args });
      const text = JSON.stringify(result.content);
      answers.push({ where: `mcp ${name} ${JSON.stringify(args)}`, text });
      return { isError: result.isError === true, text };
    };
    /** The answer without the echo of the attacker's own question. */
    const ask = async (question: string) => {
      const response = await call(stack, '/v1/ask', {
        method: 'POST',
        key: stack.tenant.readKey,
        body: JSON.stringify({ question }),
      });
      expect(response.status, question).toBe(200);
      const { question: echoed, ...answer } = response.body;
      expect(echoed).toBe(question);
      const text = JSON.stringify(answer);
      answers.push({ where: `ask ${question}`, text });
      return text;
    };
    try {
      expect((await tool('describe_published_data', {})).isError).toBe(false);
      await tool('get_overview', {});
      await tool('get_failures', {});
      const teams = await tool('get_breakdown', { facet: 'team', limit: 50 });
      expect(teams.isError).toBe(false);
      expect(teams.text).toContain('sales');
      for (const facet of BREAKDOWN_FACETS) await tool('get_breakdown', { facet, limit: 50 });
      for (const interval of ['week', 'month'])
        for (const facet of ['cluster', ...TREND_FACETS])
          await tool('get_trend', { facet, interval });
      const tree = (await read('/v1/insights/clusters?level=0&limit=2000')).body.clusters;
      for (const cluster of tree) await tool('get_cluster', { cluster_id: cluster.id });
      await tool('list_clusters', {});
      // An existence oracle: a small team and a team that never existed get the same answer.
      for (const [name, args] of [
        ['get_trend', (team: string) => ({ facet: 'team', value: team })],
        ['search_clusters', (team: string) => ({ query: team })],
      ] as const) {
        const [legal, solo, never] = await Promise.all(
          ['legal', 'solo', 'finance'].map(async (team) =>
            (await tool(name, args(team))).text.replaceAll(team, '<team>'),
          ),
        );
        expect(legal, name).toBe(never);
        expect(solo, name).toBe(never);
      }
      // Positive control: the analyst does answer from the published team breakdown.
      const byTeam = JSON.parse(await ask('Which team has the most conversations?'));
      expect(byTeam.status).toBe('answered');
      expect(byTeam.answer).toContain('sales');
      for (const question of [
        'Which team had the fewest conversations?',
        'How many conversations per week?',
        'What are the top clusters?',
      ])
        await ask(question);
      const [legal, solo, never] = await Promise.all(
        ['legal', 'solo', 'finance'].map(async (team) =>
          (await ask(`How many conversations did the ${team} team have?`)).replaceAll(
            team,
            '<team>',
          ),
        ),
      );
      expect(legal).toBe(never);
      expect(solo).toBe(never);
      await ask(`How many conversations did the team ${CANARY_TEAM} have?`);
      await ask(`What did ${CONTENT.email} ask about?`);
    } finally {
      await client.close();
    }
    expect(answers.length).toBeGreaterThan(20);
    for (const { where, text } of answers) {
      for (const team of SMALL_TEAMS)
        expect(text.includes(`"${team}"`), `${where} names ${team}`).toBe(false);
      expect(
        scanText(where, text, [...CANARIES, ...Object.values(CONTENT), ...Object.values(AT_REST)]),
      ).toEqual([]);
    }
    expect(scanText('logs', stack.logs(), CANARIES)).toEqual([]);
  });

  it('keeps content, ids, metadata and the team canary out of every table and the data directory', async () => {
    // Content, conversation ids, metadata values, the team name: every one of them, anywhere.
    const secrets = [...Object.values(CONTENT), ...Object.values(AT_REST), ...CANARIES];
    // Positive control: the scan reads what is there.
    expect(await scanTables(stack.ownerDb, ['app'], ['acme'])).toContain('app.tenants: acme');
    expect(
      await scanTables(stack.ownerDb, ['app', 'insights', 'intake', 'sealed', 'public'], secrets),
    ).toEqual([]);
    // The ids were accepted (under their pseudonyms) and the metadata was not refused.
    expect(published.some(({ text }) => text.includes('"conversations":300'))).toBe(true);
    if (dataDir) {
      await stack.ownerDb.query('CHECKPOINT');
      const control = scanDirectory(dataDir, [stack.tenant.tenant.slug, 'support']);
      expect(control.found.length).toBeGreaterThan(1);
      const { files, found } = scanDirectory(dataDir, secrets);
      expect(files).toBeGreaterThan(100);
      expect(found).toEqual([]);
    }
    for (const { where, text } of published)
      expect(scanText(where, text, Object.values(AT_REST))).toEqual([]);
    expect(scanText('logs', stack.logs(), secrets)).toEqual([]);
    if (mode === 'server')
      expect((await scanRedis(redisUrl(), stack.queuePrefix, secrets)).found).toEqual([]);
  });

  // Finding 4: schedules accepted loopback, link-local and private targets (the loopback one got
  // the signed report) and the failure reason ("webhook answered HTTP <status>") probed ports.
  it('refuses webhook targets on private networks in any notation, and never contacts them', async () => {
    const admin = (path: string, method = 'GET', body?: unknown) =>
      call(stack, path, {
        method,
        key: stack.tenant.adminKey,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
    const schedule = {
      name: 'Weekly impact',
      type: 'impact',
      cron: '0 8 * * 1',
      timezone: 'UTC',
      period: { kind: 'last-week' },
      formats: ['csv'],
    };
    const local = `127.0.0.1:${receiver.port}`;
    for (const url of [
      `http://${local}/hook`,
      `http://127.1:${receiver.port}/hook`,
      `http://2130706433:${receiver.port}/hook`,
      `https://${local}/hook`,
      `https://0x7f.1:${receiver.port}/hook`,
      `https://[::ffff:127.0.0.1]:${receiver.port}/hook`,
      `https://localhost:${receiver.port}/hook`,
      'https://169.254.169.254/latest/meta-data/',
      'https://10.0.0.1/hook',
      'https://100.64.0.1/hook',
      'https://[fd00::1]/hook',
    ]) {
      const response = await admin('/v1/report-schedules', 'POST', {
        ...schedule,
        webhook_url: url,
      });
      expect(response.status, url).toBe(400);
      expect(response.body.error.field).toBe('webhook_url');
      // One of two fixed sentences: no status, no port, nothing the target said.
      expect([REFUSED_WEBHOOK_TARGET, 'must be an https URL']).toContain(
        response.body.error.message.replace(/^webhook_url: /, ''),
      );
    }
    // A schedule stored before the fix, pointing at the local receiver: its delivery is refused
    // at delivery time, with the same words whatever the target would have answered.
    const created = await admin('/v1/report-schedules', 'POST', {
      ...schedule,
      cron: '* * * * *',
      webhook_url: 'https://hooks.example.com/silhouette',
    });
    expect(created.status).toBe(201);
    await stack.ownerDb.query(
      `UPDATE app.report_schedules SET webhook_url = $2, created_at = now() - interval '90 seconds'
        WHERE id = $1`,
      [created.body.id, `http://${local}/hook`],
    );
    await stack.queue.enqueue('report-tick', {
      tenantId: stack.tenant.tenant.id,
      scheduleId: created.body.id,
    });
    await stack.queue.waitUntilIdle(60_000);
    const reports = (await admin(`/v1/reports?schedule=${created.body.id}`)).body.reports;
    expect(reports.length).toBeGreaterThan(0);
    const delivery = reports[0].deliveries.find((d: any) => d.channel === 'webhook');
    expect(delivery).toMatchObject({
      status: 'failed',
      attempts: 1,
      failure_reason: REFUSED_WEBHOOK_TARGET,
    });
    expect(receiver.hits).toBe(0);
  });

  // Last: it changes the data. Finding 5: the snapshot kept counting an erased person until some
  // other conversation was tagged.
  it('drops an erased person from the next publication, with nothing new to tag', async () => {
    const before = (await read('/v1/insights/overview')).body;
    expect(before).toMatchObject({ conversations: 300, distinct_users: 50 });
    const erasure = await call(stack, '/v1/admin/erasure', {
      method: 'POST',
      key: stack.tenant.adminKey,
      body: JSON.stringify({ user_id: 'person-0' }),
    });
    expect(erasure.status).toBe(202);
    await expect
      .poll(async () => (await read('/v1/insights/overview')).body.distinct_users, {
        timeout: 60_000,
        interval: 500,
      })
      .toBe(49);
    const after = (await read('/v1/insights/overview')).body;
    expect(after.conversations).toBe(294);
    expect(after.snapshot.version).toBeGreaterThan(before.snapshot.version);
    // The request the erasure left is settled by that publication.
    await stack.queue.waitUntilIdle(60_000);
    const owed = await stack.ownerDb.query('SELECT 1 FROM sealed.publication_requests');
    expect(owed.rows).toEqual([]);
  }, 120_000);
});

// The review ran `silhouette export` on an embedded install: the same commands, as processes.
describe('the review’s export and the operator’s evidence (command line, embedded)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'silhouette-attacks-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  // Threshold mode: the operator's evidence naming each suppressed cell is that mode's; in dp
  // mode a value never selected is not a cell at all (dp-attacks.int.spec.ts covers dp exports).
  const cli = embeddedCli(dir, 300_000, { PRIVACY_MODE: 'threshold' });

  it('exports counts of suppressed cells only; the operator’s evidence names them', async () => {
    await cli(['migrate']);
    await cli(['tenant', 'create', 'acme', '--json']);
    const input = join(dir, 'conversations.jsonl');
    writeFileSync(
      input,
      scenario()
        .map((record) => JSON.stringify(record))
        .join('\n'),
    );
    await cli(['ingest', input, '--tenant', 'acme', '--json']);
    await cli(['process', '--tenant', 'acme', '--json']);
    await cli(['export', '--tenant', 'acme', '--out', join(dir, 'export')]);
    const snapshotJson = readFileSync(join(dir, 'export', 'snapshot.json'), 'utf8');
    const exported = `${snapshotJson}\n${readFileSync(join(dir, 'export', 'clusters.csv'), 'utf8')}`;
    const document = JSON.parse(snapshotJson);
    expect(document.privacy.cells.suppressed).toBeGreaterThan(0);
    for (const team of SMALL_TEAMS) expect(exported).not.toContain(`"${team}"`);
    expect(JSON.stringify(document.privacy)).not.toMatch(/\d{4}-W\d{2}|[0-9a-f]{8}-[0-9a-f]{4}-/);
    expect(scanText('export', exported, CANARIES)).toEqual([]);
    // `grep -a` over the install's data directory, every command having exited: nothing.
    const secrets = [...Object.values(CONTENT), ...Object.values(AT_REST), ...CANARIES];
    expect(scanDirectory(join(dir, 'data'), ['acme']).found.length).toBeGreaterThan(0);
    expect(scanDirectory(join(dir, 'data'), secrets).found).toEqual([]);
    // The operator (owner access to the data directory) sees which cells, from the sealed schema.
    const { stdout } = await cli(['evidence', '--tenant', 'acme', '--json']);
    const operator = JSON.parse(stdout);
    expect(operator.snapshot_id).toBe(document.snapshot_id);
    const keys = operator.evidence.suppressedCells.map((cell: { key: string }) => cell.key);
    expect(keys).toEqual(expect.arrayContaining(SMALL_TEAMS));
    const bad = await cli(['evidence', '--tenant', 'acme', '--snapshot', 'nope']).then(
      () => undefined,
      (error: { code: number; stderr: string }) => error,
    );
    expect(bad?.code).toBe(2);
    expect(bad?.stderr).toMatch(/--snapshot: must be a snapshot id/);
  }, 400_000);
});
