/**
 * Scheduled reports in server mode (PostgreSQL, BullMQ on Redis, two worker instances):
 * exactly one report per schedule time with two workers ticking, missed times produced after
 * the workers come back, PDF checked with poppler's pdftotext/pdftoppm, e-mail to a local SMTP
 * sink with the attachments, a signed webhook, failures that retry and then show their reason,
 * and canary PII ingested at the start found in none of it.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { Writable } from 'node:stream';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Env } from '@silhouette/config';
import { BullmqQueueDriver, queuePolicies } from '@silhouette/queue';
import { verifyWebhookSignature } from '@silhouette/reports';
import { createLogger, Metrics } from '@silhouette/telemetry';
import { startWorker, type RunningWorker } from '@silhouette/worker';
import { ARTIFACTS_DIR, launchBrowser } from '../helpers/browser';
import { sgdRecords } from '../helpers/datasets';
import { startSmtpSink, startWebhookReceiver } from '../helpers/delivery-sinks';
import { canaries } from '../helpers/fixtures';
import { scanRedis, scanTables, scanText } from '../helpers/leak-scan';
import { offlineProviders } from '../helpers/providers';
import { redisUrl } from '../helpers/services';
import { call, startStack, type Stack } from '../helpers/stack';

const WEEK_MS = 7 * 86_400_000;

/** Everything the worker instances log, searched for canaries at the end. */
let workerLogText = '';
const workerLog = new Writable({
  write(chunk: Buffer, _encoding, callback) {
    workerLogText += chunk.toString('utf8');
    callback();
  },
});

interface RunningInstance {
  worker: RunningWorker;
  queue: BullmqQueueDriver;
}

/** One more worker process's worth of parts on the stack's database and Redis prefix. */
async function startInstance(stack: Stack, env: Env): Promise<RunningInstance> {
  const queue = new BullmqQueueDriver(redisUrl(), queuePolicies(env), stack.queuePrefix);
  const worker = await startWorker({
    env,
    db: stack.workerDb,
    queue,
    store: stack.store,
    logger: createLogger({ level: 'trace', destination: workerLog }),
    metrics: new Metrics({ defaultMetrics: false }),
    ...offlineProviders(env),
  });
  return { worker, queue };
}

async function stopInstance(instance: RunningInstance): Promise<void> {
  await instance.worker.stop();
  await instance.queue.close();
}

describe('scheduled reports', () => {
  let stack: Stack;
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let webhook: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let webhookStatus = 200;
  let workers: RunningInstance[] = [];
  let workerEnv: Env;
  const canary = canaries();
  const canaryValues = Object.values(canary);
  const responses: string[] = [];

  const admin = (path: string, init: { method?: string; body?: unknown } = {}) =>
    call(stack, path, {
      key: stack.tenant.adminKey,
      ...(init.method ? { method: init.method } : {}),
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    }).then((response) => {
      responses.push(response.text);
      return response;
    });

  const reportsOf = async (scheduleId: string) => {
    const list = await admin(`/v1/reports?schedule=${scheduleId}&limit=200`);
    return list.body.reports as any[];
  };

  beforeAll(async () => {
    smtp = await startSmtpSink();
    webhook = await startWebhookReceiver(() => webhookStatus);
    stack = await startStack({
      mode: 'server',
      env: {
        REPORT_MIN_INTERVAL_S: '1',
        // The local webhook receiver: loopback is refused unless the operator allows it.
        WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
        SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
        REPORT_MAIL_FROM: 'Silhouette <reports@silhouette.test>',
        JOB_BACKOFF_MS: '50',
        RECONCILE_INTERVAL_S: '3600',
        PUBLISH_INTERVAL_S: '3600',
      },
    });
    workerEnv = stack.env;
    workers = [await startInstance(stack, workerEnv), await startInstance(stack, workerEnv)];

    // 420 conversations over the six weeks before this one, 42 people in 4 teams, with
    // canary PII written into some of them (it must never reach a report).
    const now = Date.now();
    const records = sgdRecords(420, 42).map((record, index) => ({
      ...record,
      started_at: new Date(
        now - WEEK_MS - (index % 6) * WEEK_MS - (index % 97) * 60_000,
      ).toISOString(),
      messages:
        index % 10 === 0
          ? [
              ...(record.messages as { role: string; content: string }[]),
              {
                role: 'user',
                content: `I am ${canary.name}, mail ${canary.email}, phone ${canary.phone}, card ${canary.card}, token ${canary.secret}`,
              },
            ]
          : record.messages,
    }));
    const ingest = await call(stack, '/v1/conversations', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: JSON.stringify(records),
    });
    expect(ingest.body.accepted).toBe(420);
    await stack.queue.waitUntilIdle(180_000);
    await stack.queue.enqueue('cluster-tenant', { tenantId: stack.tenant.tenant.id });
    await stack.queue.waitUntilIdle(180_000);
  }, 400_000);

  afterAll(async () => {
    for (const instance of workers) await stopInstance(instance).catch(() => undefined);
    await stack?.close();
    await new Promise<void>((resolve) => (smtp ? smtp.server.close(() => resolve()) : resolve()));
    await new Promise((resolve) => webhook?.server.close(resolve));
  });

  it('validates schedules and names the field; other tenants get 404', async () => {
    const base = {
      name: 'Weekly impact',
      type: 'impact',
      cron: '0 8 * * 1',
      timezone: 'Europe/Berlin',
      period: { kind: 'last-week' },
      formats: ['html', 'pdf', 'csv'],
      recipients: ['it-lead@acme.example'],
    };
    for (const [patch, field] of [
      [{ cron: '61 8 * * 1' }, 'cron'],
      [{ cron: 'every monday' }, 'cron'],
      [{ timezone: 'Mars/Olympus' }, 'timezone'],
      [{ type: 'gossip' }, 'type'],
      [{ period: { kind: 'custom', weeks: 0 } }, 'period.weeks'],
      [{ formats: ['docx'] }, 'formats.0'],
      [{ recipients: ['not-an-address'] }, 'recipients.0'],
      [{ webhook_url: 'http://example.com/hook' }, 'webhook_url'],
      [{ surprise: true }, 'surprise'],
    ] as const) {
      const response = await admin('/v1/report-schedules', {
        method: 'POST',
        body: { ...base, ...patch },
      });
      expect(response.status, JSON.stringify(patch)).toBe(400);
      expect(response.body.error.field, JSON.stringify(patch)).toBe(field);
    }
    const created = await admin('/v1/report-schedules', { method: 'POST', body: base });
    expect(created.status).toBe(201);
    expect(created.body.next_run_at).toMatch(/T0[67]:00:00/); // 08:00 Berlin is 06:00 or 07:00 UTC
    expect(created.body).not.toHaveProperty('webhook_secret');
    const patched = await admin(`/v1/report-schedules/${created.body.id}`, {
      method: 'PATCH',
      body: { enabled: false },
    });
    expect(patched.body).toMatchObject({ enabled: false, next_run_at: null, cron: '0 8 * * 1' });
    const other = await stack.createTenant('globex');
    const foreign = await call(stack, `/v1/report-schedules/${created.body.id}`, {
      key: other.adminKey,
    });
    expect(foreign.status).toBe(404);
    const readOnly = await call(stack, '/v1/report-schedules', { key: stack.tenant.readKey });
    expect(readOnly.status).toBe(403);
    expect(
      (await admin(`/v1/report-schedules/${created.body.id}`, { method: 'DELETE' })).status,
    ).toBe(204);
    expect((await admin(`/v1/report-schedules/${created.body.id}`)).status).toBe(404);
  });

  it('produces exactly one report per schedule time with two workers, and the missed ones after an outage', async () => {
    const created = await admin('/v1/report-schedules', {
      method: 'POST',
      body: {
        name: 'Every two seconds',
        type: 'impact',
        cron: '*/2 * * * * *',
        timezone: 'UTC',
        period: { kind: 'last-week' },
        formats: ['html', 'csv'],
      },
    });
    expect(created.status).toBe(201);
    const scheduleId = created.body.id as string;
    await expect
      .poll(async () => (await reportsOf(scheduleId)).length, { timeout: 30_000, interval: 500 })
      .toBeGreaterThanOrEqual(3);

    // Both workers down for more than two schedule times.
    for (const instance of workers) await stopInstance(instance);
    workers = [];
    const stoppedAt = Date.now();
    const beforeOutage = (await reportsOf(scheduleId)).length;
    await new Promise((resolve) => setTimeout(resolve, 5_000));
    expect((await reportsOf(scheduleId)).length).toBe(beforeOutage); // nobody ran meanwhile
    workers = [await startInstance(stack, workerEnv), await startInstance(stack, workerEnv)];
    await expect
      .poll(
        async () =>
          (await reportsOf(scheduleId)).some(
            (report) => Date.parse(report.slot_at) > stoppedAt + 6_000,
          ),
        { timeout: 30_000, interval: 500 },
      )
      .toBe(true);
    expect((await admin(`/v1/report-schedules/${scheduleId}`, { method: 'DELETE' })).status).toBe(
      204,
    );
    await stack.queue.waitUntilIdle(60_000);

    const reports = await reportsOf(scheduleId);
    const slots = reports.map((report) => Date.parse(report.slot_at)).sort((a, b) => a - b);
    // One report per time, and every time from the first to the last: none missing, none twice.
    expect(new Set(slots).size).toBe(slots.length);
    for (let i = 1; i < slots.length; i += 1) expect(slots[i]! - slots[i - 1]!).toBe(2000);
    expect(slots.some((slot) => slot > stoppedAt && slot < stoppedAt + 4_000)).toBe(true);
    await expect
      .poll(async () => (await reportsOf(scheduleId)).every((r) => r.status === 'ready'), {
        timeout: 60_000,
      })
      .toBe(true);
    const sample = (await reportsOf(scheduleId))[0];
    expect(sample.files.map((file: any) => file.format).sort()).toEqual([
      'csv',
      'csv',
      'csv',
      'csv',
      'html',
    ]);
  }, 180_000);

  it('renders a PDF with the expected pages and text, delivers it by e-mail and signed webhook', async () => {
    const created = await admin('/v1/report-schedules', {
      method: 'POST',
      body: {
        name: 'Quality for the product team',
        type: 'quality',
        cron: '*/3 * * * * *',
        timezone: 'UTC',
        period: { kind: 'custom', weeks: 4 },
        formats: ['html', 'pdf', 'csv'],
        recipients: ['product-team@acme.example'],
        webhook_url: webhook.url,
      },
    });
    expect(created.status).toBe(201);
    const secret = created.body.webhook_secret as string;
    expect(secret.length).toBeGreaterThan(30);
    const scheduleId = created.body.id as string;
    await expect
      .poll(
        async () =>
          (await reportsOf(scheduleId)).some(
            (report) =>
              report.status === 'ready' &&
              report.deliveries.length === 2 &&
              report.deliveries.every((d: any) => d.status === 'delivered'),
          ),
        { timeout: 60_000, interval: 500 },
      )
      .toBe(true);
    await admin(`/v1/report-schedules/${scheduleId}`, { method: 'DELETE' });
    const report = (await reportsOf(scheduleId)).find((r) => r.status === 'ready')!;
    expect(report.title).toMatch(/^Assistant quality: 4 weeks/);

    const pdfFile = report.files.find((file: any) => file.format === 'pdf');
    const pdf = await fetch(`${stack.baseUrl}${pdfFile.download_url}`, {
      headers: { Authorization: `Bearer ${stack.tenant.readKey}` },
    });
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    const bytes = Buffer.from(await pdf.arrayBuffer());
    expect(bytes.subarray(0, 5).toString()).toBe('%PDF-');
    const dir = mkdtempSync(join(tmpdir(), 'silhouette-report-'));
    writeFileSync(join(dir, 'report.pdf'), bytes);
    const info = execFileSync('pdfinfo', [join(dir, 'report.pdf')], { encoding: 'utf8' });
    const pages = Number(/Pages:\s+(\d+)/.exec(info)![1]);
    expect(pages).toBeGreaterThanOrEqual(1);
    expect(pages).toBeLessThanOrEqual(6);
    // Lines wrap wherever the layout puts them: compare with whitespace collapsed.
    const text = execFileSync('pdftotext', [join(dir, 'report.pdf'), '-'], {
      encoding: 'utf8',
    }).replace(/\s+/g, ' ');
    for (const expected of [
      'Assistant quality: 4 weeks',
      'Failure hot spots, ranked by impact',
      'Outcomes in this period',
      'How this is measured',
      'Privacy',
      `fewer than ${stack.env.K_USERS} people`,
      '/v1/privacy/evidence?snapshot=',
    ])
      expect(text).toContain(expected);
    // The evidence link names the report's snapshot (hyphens may fall at a line end).
    expect(text.replace(/[\s-]/g, '')).toContain(report.snapshot_id.replaceAll('-', ''));
    expect(scanText('pdf', text, canaryValues)).toEqual([]);
    // Artefacts: the first PDF page as PNG, and the HTML report as a screenshot.
    mkdirSync(ARTIFACTS_DIR, { recursive: true }); // a fresh clone has no artefact folder yet
    execFileSync('pdftoppm', [
      '-png',
      '-r',
      '80',
      '-f',
      '1',
      '-l',
      '1',
      '-singlefile',
      join(dir, 'report.pdf'),
      join(ARTIFACTS_DIR, 'report-quality-pdf-page1'),
    ]);
    const htmlFile = report.files.find((file: any) => file.format === 'html');
    const html = await (
      await fetch(`${stack.baseUrl}${htmlFile.download_url}`, {
        headers: { Authorization: `Bearer ${stack.tenant.readKey}` },
      })
    ).text();
    expect(scanText('html', html, canaryValues)).toEqual([]);
    const browser = await launchBrowser();
    try {
      const page = await browser.newPage({ viewport: { width: 1000, height: 1400 } });
      await page.setContent(html);
      await page.screenshot({
        path: join(ARTIFACTS_DIR, 'report-quality-html.png'),
        fullPage: true,
      });
    } finally {
      await browser.close();
    }

    // E-mail: HTML body, the PDF and CSVs attached, nothing sensitive inside.
    const mail = smtp.mails.find((m) => m.parsed.subject === report.title)!;
    expect(mail).toBeDefined();
    expect(mail.parsed.from?.text).toContain('reports@silhouette.test');
    const attachments = mail.parsed.attachments.map((a) => a.filename!).sort();
    expect(attachments.some((name) => name.endsWith('.pdf'))).toBe(true);
    expect(attachments.filter((name) => name.endsWith('.csv')).length).toBeGreaterThanOrEqual(4);
    expect(mail.parsed.html).toContain('Failure hot spots');
    expect(scanText('email', mail.raw, canaryValues)).toEqual([]);
    for (const attachment of mail.parsed.attachments)
      expect(
        scanText(attachment.filename!, attachment.content.toString('utf8'), canaryValues),
      ).toEqual([]);

    // Webhook: signed with the secret shown once; carries the files.
    const hook = webhook.calls.find((c) => JSON.parse(c.body).report.id === report.id)!;
    expect(
      verifyWebhookSignature(
        secret,
        String(hook.headers['x-silhouette-timestamp']),
        hook.body,
        String(hook.headers['x-silhouette-signature']),
      ),
    ).toBe(true);
    expect(
      verifyWebhookSignature(
        'wrong',
        String(hook.headers['x-silhouette-timestamp']),
        hook.body,
        String(hook.headers['x-silhouette-signature']),
      ),
    ).toBe(false);
    const payload = JSON.parse(hook.body);
    expect(payload.files.map((file: any) => file.format)).toContain('pdf');
    expect(scanText('webhook', hook.body, canaryValues)).toEqual([]);
  }, 180_000);

  it('retries a failing delivery with backoff, then shows it failed with the reason', async () => {
    webhookStatus = 500;
    const created = await admin('/v1/report-schedules', {
      method: 'POST',
      body: {
        name: 'Broken receiver',
        type: 'impact',
        cron: '*/3 * * * * *',
        timezone: 'UTC',
        period: { kind: 'last-month' },
        formats: ['csv'],
        webhook_url: webhook.url,
      },
    });
    const scheduleId = created.body.id as string;
    await expect
      .poll(
        async () =>
          (await reportsOf(scheduleId)).some((report) => report.deliveries[0]?.status === 'failed'),
        { timeout: 60_000, interval: 500 },
      )
      .toBe(true);
    await admin(`/v1/report-schedules/${scheduleId}`, { method: 'DELETE' });
    webhookStatus = 200;
    const failed = (await reportsOf(scheduleId)).find((r) => r.deliveries[0]?.status === 'failed')!;
    expect(failed.status).toBe('ready'); // the report itself is complete
    expect(failed.deliveries[0]).toMatchObject({
      channel: 'webhook',
      attempts: 4,
      failure_reason: 'webhook answered HTTP 500',
    });
  }, 120_000);

  it('marks a report failed with its reason when it cannot be rendered, storing no file', async () => {
    for (const instance of workers) await stopInstance(instance);
    workers = [
      await startInstance(stack, { ...workerEnv, CHROMIUM_PATH: '/nonexistent/chromium' }),
    ];
    try {
      const requested = await admin('/v1/reports', {
        method: 'POST',
        body: { type: 'impact', period: { kind: 'last-week' }, formats: ['html', 'pdf'] },
      });
      expect(requested.status).toBe(202);
      await expect
        .poll(async () => (await admin(`/v1/reports/${requested.body.id}`)).body.status, {
          timeout: 30_000,
        })
        .toBe('failed');
      const report = (await admin(`/v1/reports/${requested.body.id}`)).body;
      expect(report.failure_reason).toMatch(/Chromium not found/);
      expect(report.files).toEqual([]);
    } finally {
      for (const instance of workers) await stopInstance(instance);
      workers = [await startInstance(stack, workerEnv)];
    }
    const bad = await admin('/v1/reports', { method: 'POST', body: { type: 'impact' } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('period');
  }, 60_000);

  it('pages reports created in the same instant without skipping or repeating one', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i += 1) {
      const requested = await admin('/v1/reports', {
        method: 'POST',
        body: { type: 'impact', period: { kind: 'last-week' }, formats: ['csv'] },
      });
      ids.push(requested.body.id);
    }
    await stack.ownerDb.query(
      `UPDATE insights.reports SET created_at = '2100-01-01T00:00:00.123456Z'
        WHERE id IN (SELECT jsonb_array_elements_text($1::jsonb)::uuid)`,
      [JSON.stringify(ids)],
    );
    const seen: string[] = [];
    let before: string | null = null;
    for (let page = 0; page < 3; page += 1) {
      const list = await admin(`/v1/reports?limit=1${before ? `&before=${before}` : ''}`);
      seen.push(list.body.reports[0].id);
      before = list.body.next_before;
    }
    expect(seen.sort()).toEqual([...ids].sort());
    expect((await admin('/v1/reports?before=yesterday')).body.error.field).toBe('before');
  });

  it('leaks no canary into any report, response, table outside sealed, log or Redis key', async () => {
    expect(responses.flatMap((text) => scanText('api response', text, canaryValues))).toEqual([]);
    expect(await scanTables(stack.ownerDb, ['app', 'insights', 'intake'], canaryValues)).toEqual(
      [],
    );
    expect(scanText('api logs', stack.logs(), canaryValues)).toEqual([]);
    expect(workerLogText).toContain('report rendered');
    expect(scanText('worker logs', workerLogText, canaryValues)).toEqual([]);
    const redis = await scanRedis(redisUrl(), stack.queuePrefix, canaryValues);
    expect(redis.keys).toBeGreaterThan(0);
    expect(redis.found).toEqual([]);
  });
});
