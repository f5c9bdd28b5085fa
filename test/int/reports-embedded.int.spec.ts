/**
 * Reports in embedded mode (PGlite, in-process queue, the schedule on a timer) and through the
 * `silhouette` command line: tenant create, ingest, process and report, each a real process on
 * one embedded data directory.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { sgdRecords } from '../helpers/datasets';
import { offlineProviders } from '../helpers/providers';
import { call, startStack, type Stack } from '../helpers/stack';

const CLI = fileURLToPath(new URL('../../bin/silhouette.mjs', import.meta.url));
const WEEK_MS = 7 * 86_400_000;
const run = promisify(execFile);

/** SGD records spread over the six weeks before this one. */
function spreadRecords(count: number, users: number) {
  const now = Date.now();
  return sgdRecords(count, users).map((record, index) => ({
    ...record,
    started_at: new Date(
      now - WEEK_MS - (index % 6) * WEEK_MS - (index % 89) * 60_000,
    ).toISOString(),
  }));
}

describe('reports in embedded mode', () => {
  let stack: Stack | undefined;
  afterAll(async () => stack?.close());

  it('runs a schedule on the in-process timer, one report per schedule time', async () => {
    stack = await startStack({
      mode: 'embedded',
      worker: true,
      workerProviders: offlineProviders,
      env: { REPORT_MIN_INTERVAL_S: '1', PUBLISH_INTERVAL_S: '3600' },
    });
    const ingest = await call(stack, '/v1/conversations', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: JSON.stringify(spreadRecords(240, 30)),
    });
    expect(ingest.body.accepted).toBe(240);
    await stack.queue.waitUntilIdle(120_000);
    await stack.queue.enqueue('cluster-tenant', { tenantId: stack.tenant.tenant.id });
    await stack.queue.waitUntilIdle(120_000);

    const created = await call(stack, '/v1/report-schedules', {
      method: 'POST',
      key: stack.tenant.adminKey,
      body: JSON.stringify({
        name: 'Embedded impact',
        type: 'impact',
        cron: '*/2 * * * * *',
        period: { kind: 'custom', weeks: 4 },
        formats: ['html', 'csv'],
      }),
    });
    expect(created.status).toBe(201);
    const list = async () =>
      (
        await call(stack!, `/v1/reports?schedule=${created.body.id}`, {
          key: stack!.tenant.readKey,
        })
      ).body.reports as any[];
    await expect
      .poll(async () => (await list()).filter((r) => r.status === 'ready').length, {
        timeout: 30_000,
        interval: 300,
      })
      .toBeGreaterThanOrEqual(2);
    await call(stack, `/v1/report-schedules/${created.body.id}`, {
      method: 'DELETE',
      key: stack.tenant.adminKey,
    });
    expect(await stack.queue.scheduleIds()).toEqual([]);
    await stack.queue.waitUntilIdle(30_000);
    const slots = (await list()).map((r) => Date.parse(r.slot_at)).sort((a, b) => a - b);
    expect(new Set(slots).size).toBe(slots.length);
    for (let i = 1; i < slots.length; i += 1) expect(slots[i]! - slots[i - 1]!).toBe(2000);
    const report = (await list()).find((r) => r.status === 'ready');
    expect(report.title).toMatch(/^Assistant impact: 4 weeks/);
    const html = await call(
      stack,
      report.files.find((f: any) => f.format === 'html').download_url,
      {
        key: stack.tenant.readKey,
      },
    );
    expect(html.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(html.text).toContain('Top use cases by time saved');
    expect(html.text).toContain('Adoption by team');
  }, 240_000);
});

describe('silhouette report (command line, embedded)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'silhouette-cli-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const cli = (args: string[]) =>
    run(process.execPath, [CLI, ...args], {
      env: {
        ...process.env,
        DATABASE_URL: '',
        REDIS_URL: '',
        SILHOUETTE_DATA_DIR: join(dir, 'data'),
        LOG_LEVEL: 'silent',
        // Exact figures: this suite is about rendering; dp publishing has its own suites.
        PRIVACY_MODE: 'threshold',
      },
      timeout: 180_000,
    });

  it('renders HTML, PDF and CSV from the published snapshot, and names bad flags', async () => {
    await cli(['migrate']);
    await cli(['tenant', 'create', 'acme', '--json']);
    const input = join(dir, 'conversations.jsonl');
    writeFileSync(
      input,
      spreadRecords(240, 30)
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    await cli(['ingest', input, '--tenant', 'acme', '--json']);
    await cli(['process', '--tenant', 'acme', '--json']);
    const out = join(dir, 'report');
    const { stdout } = await cli([
      'report',
      '--tenant',
      'acme',
      '--type',
      'impact',
      '--period',
      'weeks:4',
      '--out',
      out,
      '--json',
    ]);
    const result = JSON.parse(stdout);
    expect(result.title).toMatch(/^Assistant impact: 4 weeks/);
    const names = readdirSync(out).sort();
    expect(names.some((name) => name.endsWith('.pdf'))).toBe(true);
    expect(names.some((name) => name.endsWith('.html'))).toBe(true);
    expect(names.filter((name) => name.endsWith('.csv')).length).toBe(4);
    const pdf = names.find((name) => name.endsWith('.pdf'))!;
    expect(readFileSync(join(out, pdf)).subarray(0, 5).toString()).toBe('%PDF-');
    const summary = readFileSync(
      join(
        out,
        names.find((n) => n.endsWith('summary.csv'))!,
      ),
      'utf8',
    );
    expect(summary.split('\r\n')[0]).toBe('metric,value,detail');

    for (const [args, message] of [
      [['--period', 'fortnight'], /--period: "fortnight" is not one of/],
      [['--period', '2026-11-17..2026-11-20'], /--period: .*contains no whole ISO week/],
      [['--formats', 'docx'], /--formats: "docx" is not one of html, pdf, csv/],
    ] as const) {
      const failure = await cli([
        'report',
        '--tenant',
        'acme',
        '--type',
        'quality',
        '--out',
        join(dir, 'bad'),
        ...args,
      ]).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      expect(failure?.code).toBe(2);
      expect(failure?.stderr).toMatch(message);
    }
    expect(existsSync(join(dir, 'bad'))).toBe(false);
  }, 300_000);
});
