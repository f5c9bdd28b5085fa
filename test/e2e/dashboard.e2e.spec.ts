/**
 * The dashboard in a real headless Chromium against a real stack with a published snapshot: sign
 * in with a user account (and with a key), see the tenant's real numbers, walk every view (overview, explore down to a
 * base cluster, failures, breakdowns, privacy) in light and dark themes, and never receive a byte
 * of conversation text. As an admin: generate a report, download its files, manage a schedule
 * through the form and open the privacy evidence of the report's snapshot.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ReportRepository } from '@silhouette/db';
import { ARTIFACTS_DIR, launchBrowser } from '../helpers/browser';
import { sgdRecords } from '../helpers/datasets';
import { canaries, openaiRecord } from '../helpers/fixtures';
import { offlineProviders } from '../helpers/providers';
import { call, startStack, type Stack } from '../helpers/stack';

const DASHBOARD_DIR = fileURLToPath(new URL('../../dist/dashboard', import.meta.url));

describe('dashboard in headless Chromium', () => {
  let stack: Stack;
  let browser: Browser;
  const canary = canaries();
  const account = { email: 'analyst@example.com', password: 'a long enough passphrase' };

  beforeAll(async () => {
    if (!existsSync(`${DASHBOARD_DIR}/index.html`))
      throw new Error('dashboard not built: run `npm run build:dashboard` (npm test does)');
    stack = await startStack({
      mode: 'embedded',
      worker: true,
      workerProviders: offlineProviders,
      dashboardDir: DASHBOARD_DIR,
    });
    const records = Array.from({ length: 7 }, (_, i) =>
      openaiRecord(
        `e2e-${i}`,
        `user-${i}`,
        `My name is ${canary.name} (${canary.email}); fix my Python script please ${canary.secret}`,
      ),
    );
    for (const batch of [records, sgdRecords(300, 40)]) {
      const ingest = await call(stack, '/v1/conversations', {
        method: 'POST',
        key: stack.tenant.ingestKey,
        body: JSON.stringify(batch),
      });
      expect(ingest.status).toBeLessThan(300);
    }
    await stack.queue.waitUntilIdle(60_000);
    await stack.queue.enqueue('cluster-tenant', { tenantId: stack.tenant.tenant.id });
    await stack.queue.waitUntilIdle(120_000);
    const created = await call(stack, '/v1/admin/users', {
      method: 'POST',
      key: stack.tenant.adminKey,
      body: JSON.stringify({ ...account, scope: 'read' }),
    });
    expect(created.status).toBe(201);
    browser = await launchBrowser();
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('signs in with a user account and shows the real numbers, with no conversation text in any response', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const violations = cspViolations(page);
    const bodies: string[] = [];
    page.on('response', (response) => {
      void response.text().then(
        (text) => bodies.push(text),
        () => undefined,
      );
    });
    await page.goto(stack.baseUrl);
    await expect.poll(() => page.getByTestId('service-status').textContent()).toContain('ready');
    await page.screenshot({ path: `${ARTIFACTS_DIR}/dashboard-sign-in.png` });

    // A wrong API key, then a wrong password: each explained in words.
    await page.getByRole('radio', { name: 'API key' }).check();
    await page
      .getByRole('textbox', { name: 'API key' })
      .fill('sil_read_wrong-key-wrong-key-wrong-key-');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/unknown or revoked/);
    await page.getByRole('radio', { name: 'User account' }).check();
    await page.getByLabel('Organisation').fill(stack.tenant.tenant.slug);
    await page.getByLabel('Email').fill(account.email);
    await page.getByLabel('Password').fill('not the password at all');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toMatch(/email or password is wrong/);

    const read = (path: string) => call(stack, path, { key: stack.tenant.readKey });
    // Raw pipeline counts are for admins and ingest keys only (issue #10).
    expect((await read('/v1/status')).status).toBe(403);
    const overview = (await read('/v1/insights/overview')).body as { conversations: number };
    expect(overview.conversations).toBeGreaterThan(0);

    await page.getByLabel('Password').fill(account.password);
    await page.screenshot({ path: `${ARTIFACTS_DIR}/dashboard-sign-in-account.png` });
    await page.getByRole('button', { name: 'Sign in' }).click();

    // The session lives in an httpOnly cookie: no script on the page can read it or a credential.
    await expect
      .poll(() => page.getByTestId('overview-conversations').isVisible(), { timeout: 15_000 })
      .toBe(true);
    expect(await page.getByTestId('signed-in-user').textContent()).toBe(account.email);
    expect(await page.getByTestId('kpi-conversations').count()).toBe(0);
    expect(await page.evaluate(() => document.cookie)).not.toContain('silhouette_session');
    const storage = await page.evaluate(
      () => JSON.stringify(sessionStorage) + JSON.stringify(localStorage),
    );
    expect(storage).not.toContain(account.password);
    expect(storage).not.toContain(account.email);
    // The audit log names the user behind the dashboard's requests.
    const audit = await call(stack, '/v1/admin/audit-log?limit=50', {
      key: stack.tenant.adminKey,
    });
    expect(
      (audit.body.entries as { actor: string; action: string }[]).some(
        (entry) => entry.actor.startsWith('user:') && entry.action === 'GET /v1/insights/overview',
      ),
    ).toBe(true);

    // Overview: the snapshot KPIs show the API's numbers; a read user gets no pipeline card.
    await expect
      .poll(() => page.getByTestId('overview-conversations').textContent())
      .toBe(overview.conversations.toLocaleString('en'));
    expect(page.url()).not.toContain('view=');
    await shoot(page, 'overview');

    // Explore: drill from the top level down to a base cluster through the list's buttons.
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Explore' })
      .click();
    await page.getByTestId('cluster-list').waitFor();
    expect(page.url()).toContain('view=explore');
    await shoot(page, 'explore');
    await page
      .getByRole('region', { name: 'Cluster map' })
      .screenshot({ path: `${ARTIFACTS_DIR}/dashboard-map.png` });
    // The 2-D map shows every top-level group as a focusable point.
    const mapPoints = page.getByRole('group', { name: /Map of the groups/ }).getByRole('button');
    expect(await mapPoints.count()).toBeGreaterThan(0);
    // A path from the top to a base cluster through published (not pooled) clusters.
    const drilled = await pathToBase(read);
    expect(drilled.length).toBeGreaterThanOrEqual(2);
    for (const [depth, name] of drilled.entries()) {
      await page.getByTestId('cluster-list').getByRole('button', { name, exact: true }).click();
      await page.waitForURL(/node=/);
      const last = depth === drilled.length - 1;
      if (last) await page.getByTestId('cluster-detail').waitFor();
      else await page.getByRole('heading', { level: 2, name, exact: true }).waitFor();
      if (depth === 0) await shoot(page, 'explore-level-2');
    }
    const detail = page.getByTestId('cluster-detail');
    await detail.waitFor();
    expect(await detail.getByRole('heading', { level: 2 }).textContent()).toBe(drilled.at(-1));
    // The breadcrumb names every level above.
    const crumbs = await page.getByRole('navigation', { name: 'Breadcrumb' }).textContent();
    for (const name of drilled.slice(0, -1)) expect(crumbs).toContain(name);
    // The cluster's keywords (c-TF-IDF terms) are shown apart from its readable name.
    const nodeId = new URL(page.url()).searchParams.get('node')!;
    const { keywords } = (await read(`/v1/insights/clusters/${nodeId}`)).body as {
      keywords: string[];
    };
    expect(keywords.length).toBeGreaterThan(0);
    const chips = detail.getByTestId('cluster-detail-keywords').locator('.keyword');
    expect(await chips.allTextContents()).toEqual(keywords);
    await shoot(page, 'cluster-detail');
    // The URL is shareable: loading it again shows the same cluster.
    await page.goto(page.url());
    await page.getByTestId('cluster-detail').waitFor();
    expect(
      await page.getByTestId('cluster-detail').getByRole('heading', { level: 2 }).textContent(),
    ).toBe(drilled.at(-1));

    // A second snapshot with more conversations, so the failures have a trend to show.
    const more = await call(stack, '/v1/conversations', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: JSON.stringify(sgdRecords(400, 40).slice(300)),
    });
    expect(more.body.accepted).toBe(100);
    await stack.queue.waitUntilIdle(60_000);
    await stack.queue.enqueue('cluster-tenant', { tenantId: stack.tenant.tenant.id });
    await stack.queue.waitUntilIdle(120_000);

    // Failures: ranked table and chart, each row's trend since the previous snapshot in words
    // (and an arrow when a published impact moved); filtering by a reason keeps only clusters with it.
    await page.getByRole('link', { name: 'Failures' }).click();
    await page.getByTestId('failure-table').waitFor();
    await page.getByTestId('failure-chart').waitFor();
    const failures = (await read('/v1/insights/failures')).body as {
      previous_snapshot: { version: number };
      clusters: {
        trend: { status: string; failure_impact_minutes: { change: number | null } | null };
      }[];
    };
    expect(failures.previous_snapshot).not.toBeNull();
    await expect
      .poll(() => page.getByRole('main').textContent())
      .toContain(
        `compare with the previous snapshot (version ${failures.previous_snapshot.version}`,
      );
    const cells = await page.getByTestId('failure-trend').allTextContents();
    expect(cells).toHaveLength(failures.clusters.length);
    for (const [index, cluster] of failures.clusters.entries()) {
      const change = cluster.trend.failure_impact_minutes?.change ?? null;
      const expected =
        cluster.trend.status === 'new'
          ? /^new group$/
          : cluster.trend.status === 'was_pooled'
            ? /^newly shown/
            : change === null
              ? /^not comparable$/
              : change === 0
                ? /no change$/
                : change > 0
                  ? /^▲ \+.* more failure impact$/
                  : /^▼ −.* less failure impact$/;
      expect(cells[index]).toMatch(expected);
    }
    expect(failures.clusters.some((cluster) => cluster.trend.status !== 'no_previous')).toBe(true);
    await shoot(page, 'failures');
    const reasons = await page
      .locator('#reason option')
      .evaluateAll((options) =>
        options.map((option) => (option as HTMLOptionElement).value).filter(Boolean),
      );
    if (reasons.length > 0) {
      await page.getByLabel('Failure reason').selectOption(reasons[0]!);
      await page.waitForURL(/reason=/);
    }

    // Breakdowns: team (default) and language, with pooled rows explained.
    await page.getByRole('link', { name: 'Breakdowns' }).click();
    await page.getByTestId('breakdown-table').waitFor();
    const teams = (await read('/v1/insights/breakdown?facet=team')).body as {
      rows: { value: string; is_other: boolean }[];
    };
    const table = await page.getByTestId('breakdown-table').textContent();
    for (const row of teams.rows)
      expect(table).toContain(
        row.is_other ? 'Other (pooled: includes groups under 5 people)' : row.value,
      );
    await shoot(page, 'breakdowns');
    await page.getByRole('radio', { name: 'Language' }).click();
    await page.waitForURL(/facet=language/);
    await page.getByTestId('breakdown-table').waitFor();

    // Trends: per week by domain, and per month.
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Trends' })
      .click();
    await page.getByRole('table').waitFor();
    expect(await page.getByRole('table').locator('tbody tr').count()).toBeGreaterThan(0);
    await page.getByRole('radio', { name: 'per month' }).click();
    await page.waitForURL(/reason=month/);
    await page.getByRole('table').waitFor();
    await shoot(page, 'trends');

    // Privacy: the evidence in plain language.
    await page.getByRole('link', { name: 'Privacy' }).click();
    await expect
      .poll(() => page.getByTestId('privacy-summary').textContent())
      .toContain('Groups smaller than 5 people or 10 conversations are never shown');
    await shoot(page, 'privacy');

    // Reports: a read key sees the list (empty so far) and a note instead of the admin forms.
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Reports' })
      .click();
    await page.getByTestId('reports-read-only').waitFor();
    await page.getByTestId('reports-empty').waitFor();
    expect(await page.getByRole('form', { name: 'Generate a report now' }).count()).toBe(0);
    expect(await page.getByTestId('schedule-form').count()).toBe(0);

    // Dark theme, kept across reloads.
    await page.getByTestId('theme-toggle').click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await page.getByRole('link', { name: 'Overview' }).click();
    await page.getByTestId('overview-conversations').waitFor();
    await shoot(page, 'overview-dark');
    await page.goto(`${stack.baseUrl}/?view=explore`);
    await page.getByTestId('cluster-list').waitFor();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe('dark');
    await shoot(page, 'explore-dark');

    // Sign out, then in again with a read key (the other way in).
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('radio', { name: 'API key' }).check();
    await page.getByRole('textbox', { name: 'API key' }).fill(stack.tenant.readKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('overview-conversations').waitFor();
    expect(await page.getByTestId('signed-in-user').count()).toBe(0);
    expect(
      await page.evaluate(() => JSON.stringify(sessionStorage) + JSON.stringify(localStorage)),
    ).not.toContain(stack.tenant.readKey);

    expect(bodies.length).toBeGreaterThan(10);
    for (const secret of Object.values(canary)) {
      expect(bodies.filter((body) => body.includes(secret))).toEqual([]);
    }
    // The strict Content-Security-Policy (issue #10) blocked nothing the dashboard needs.
    expect(violations).toEqual([]);
  }, 120_000);

  it('lets an admin generate a report, download its files, manage schedules and open its evidence', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    const violations = cspViolations(page);
    const bodies: string[] = [];
    page.on('response', (response) => {
      void response.text().then(
        (text) => bodies.push(text),
        () => undefined,
      );
    });
    const admin = (path: string) => call(stack, path, { key: stack.tenant.adminKey });
    // A report the worker gave up on, recorded as the worker records it when Chromium is missing
    // (that path itself is covered in reports.int.spec.ts): the dashboard must say why.
    const tenantId = stack.tenant.tenant.id;
    const repository = new ReportRepository(stack.workerDb);
    const { report: broken } = await repository.createOnce({
      tenantId,
      scheduleId: null,
      type: 'impact',
      formats: ['pdf'],
      period: { kind: 'last-week' },
      slotAt: new Date(Date.now() - 60_000),
      idempotencyKey: `e2e:${randomUUID()}`,
    });
    await repository.claim(tenantId, broken.id);
    await repository.fail(
      tenantId,
      broken.id,
      'Chromium not found at /nonexistent/chromium; PDF reports need it (set CHROMIUM_PATH or install chromium)',
    );

    await page.goto(stack.baseUrl);
    await page.getByRole('radio', { name: 'API key' }).check();
    await page.getByRole('textbox', { name: 'API key' }).fill(stack.tenant.adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('overview-conversations').waitFor({ timeout: 15_000 });
    // An admin sees the pipeline card, with the API's counts.
    const status = (await admin('/v1/status')).body as {
      conversations: number;
      tagged: number;
      embedded: number;
      content_deleted: number;
    };
    expect(status.conversations).toBeGreaterThanOrEqual(307);
    await expect
      .poll(() => page.getByTestId('kpi-conversations').textContent(), { timeout: 10_000 })
      .toBe(status.conversations.toLocaleString('en'));
    const tagged = status.tagged + status.embedded;
    expect(tagged).toBe(status.conversations);
    expect(await page.getByTestId('kpi-tagged').textContent()).toBe(tagged.toLocaleString('en'));
    // Default retention: content is deleted as soon as it is tagged.
    expect(await page.getByTestId('kpi-content-deleted').textContent()).toBe(
      status.content_deleted.toLocaleString('en'),
    );
    expect(status.content_deleted).toBe(status.conversations);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Reports', exact: true }).click();
    await page.waitForURL(/view=reports/);
    expect(await page.getByTestId('reports-read-only').count()).toBe(0);
    const failedRow = page.locator(`[data-testid="report-row"][data-report-id="${broken.id}"]`);
    expect(await failedRow.getAttribute('data-status')).toBe('failed');
    expect(await failedRow.getByTestId('report-status').textContent()).toBe('Failed');
    const failure = await failedRow.getByTestId('report-failure').textContent();
    expect(failure).toContain('The PDF could not be printed');
    expect(failure).toContain('Tried 1 time.');
    expect(await failedRow.getByRole('link').count()).toBe(0); // no files, no evidence

    // Generate a report now: quality, the last 4 weeks, every format.
    const generate = page.getByRole('form', { name: 'Generate a report now' });
    await generate.getByRole('radio', { name: /^Quality/ }).check();
    await generate.getByLabel('Period').selectOption('custom');
    await generate.getByLabel('Number of weeks').fill('4');
    await generate.getByRole('checkbox', { name: 'PDF' }).check();
    const requested = page.waitForResponse(
      (response) =>
        response.url().endsWith('/v1/reports') && response.request().method() === 'POST',
    );
    await generate.getByRole('button', { name: 'Generate report' }).click();
    const reportId = ((await (await requested).json()) as { id: string }).id;
    expect((await requested).status()).toBe(202);
    await page.getByTestId('report-requested').waitFor();
    const row = page.locator(`[data-testid="report-row"][data-report-id="${reportId}"]`);
    await row.waitFor();
    // The list polls by itself until the worker has rendered it.
    await expect
      .poll(() => row.getAttribute('data-status'), { timeout: 90_000, interval: 500 })
      .toBe('ready');
    expect(await row.getByTestId('report-status').textContent()).toBe('Ready');
    const report = (await admin(`/v1/reports/${reportId}`)).body as {
      title: string;
      snapshot_id: string;
      files: { name: string; format: string; download_url: string }[];
    };
    expect(await row.textContent()).toContain(report.title);
    expect(report.files.map((file) => file.format)).toEqual(
      expect.arrayContaining(['html', 'pdf', 'csv']),
    );
    // One link per file, to the API's download path.
    const links = row.getByRole('list', { name: 'Files' }).getByRole('link');
    expect(await links.count()).toBe(report.files.length);
    expect(await links.allTextContents()).toEqual(
      expect.arrayContaining(['HTML report', 'PDF report', 'CSV: failure hot spots']),
    );
    for (const file of report.files)
      expect(await row.locator(`a[href="${file.download_url}"]`).getAttribute('data-format')).toBe(
        file.format,
      );
    // The session cookie authorises a download; each file comes with its own content type.
    const fetched = await page.evaluate(
      async (urls) =>
        Promise.all(
          urls.map(async (url) => {
            const response = await fetch(url, { credentials: 'same-origin' });
            const bytes = new Uint8Array(await response.arrayBuffer());
            return {
              status: response.status,
              type: response.headers.get('content-type'),
              disposition: response.headers.get('content-disposition'),
              head: String.fromCharCode(...bytes.slice(0, 5)),
            };
          }),
        ),
      ['html', 'pdf'].map((format) => report.files.find((f) => f.format === format)!.download_url),
    );
    expect(fetched[0]).toMatchObject({ status: 200, type: 'text/html; charset=utf-8' });
    expect(fetched[0]!.disposition).toMatch(/^attachment/);
    expect(fetched[1]).toMatchObject({ status: 200, type: 'application/pdf', head: '%PDF-' });
    // A plain click downloads the file under its name.
    const csv = report.files.find((file) => file.format === 'csv')!;
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      row.locator(`a[href="${csv.download_url}"]`).click(),
    ]);
    expect(download.suggestedFilename()).toBe(csv.name);
    await page.screenshot({ path: `${ARTIFACTS_DIR}/dashboard-reports.png`, fullPage: true });

    // A schedule through the form: the API's field error first, shown next to the cron field.
    const form = page.getByTestId('schedule-form');
    const name = 'Weekly impact (e2e)';
    await form.getByLabel('Name').fill(name);
    await form.getByLabel('When (cron)').fill('61 8 * * 1');
    await form.getByLabel('Time zone').fill('Europe/Berlin');
    await form.getByLabel('E-mail recipients (optional)').fill('it-lead@acme.example');
    await form.getByLabel('Webhook URL (optional)').fill('https://hooks.acme.example/silhouette');
    await form.getByRole('button', { name: 'Add schedule' }).click();
    const cronError = page.getByTestId('schedule-cron-error');
    await cronError.waitFor();
    expect(await cronError.textContent()).toMatch(/cron/i);
    expect(await form.getByLabel('When (cron)').getAttribute('aria-invalid')).toBe('true');
    // Focus moves to the field at fault.
    expect(await page.evaluate(() => document.activeElement?.id)).toBe('schedule-cron');
    await form.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${ARTIFACTS_DIR}/dashboard-report-schedule-form.png` });
    expect(
      ((await admin('/v1/report-schedules')).body as { schedules: unknown[] }).schedules,
    ).toEqual([]);

    await form.getByLabel('When (cron)').fill('0 8 * * 1');
    await form.getByRole('button', { name: 'Add schedule' }).click();
    await page.getByTestId('schedule-created').waitFor();
    expect(await cronError.count()).toBe(0);
    const scheduleRow = page.getByTestId('schedule-row').filter({ hasText: name });
    await scheduleRow.waitFor();
    expect(await scheduleRow.getByTestId('schedule-next').textContent()).toMatch(/^Next: /);
    // The webhook secret is shown once, right after creation.
    const secret = await page.getByTestId('webhook-secret-value').textContent();
    expect(secret?.length).toBeGreaterThan(30);
    const scheduleId = (await scheduleRow.getAttribute('data-schedule-id'))!;
    expect((await admin(`/v1/report-schedules/${scheduleId}`)).body).toMatchObject({
      name,
      type: 'impact',
      cron: '0 8 * * 1',
      timezone: 'Europe/Berlin',
      recipients: ['it-lead@acme.example'],
      enabled: true,
    });
    await page
      .getByRole('region', { name: 'Schedules' })
      .screenshot({ path: `${ARTIFACTS_DIR}/dashboard-report-schedules.png` });
    await page.getByRole('button', { name: 'I have stored it' }).click();
    expect(await page.getByTestId('webhook-secret').count()).toBe(0);

    // Switch it off, then delete it (after confirming).
    const toggle = scheduleRow.getByRole('switch', { name: `Enabled: ${name}` });
    await toggle.click();
    await expect.poll(() => toggle.getAttribute('aria-checked')).toBe('false');
    expect(await scheduleRow.getByTestId('schedule-next').textContent()).toMatch(/^Off/);
    expect((await admin(`/v1/report-schedules/${scheduleId}`)).body.enabled).toBe(false);
    page.once('dialog', (dialog) => void dialog.accept());
    await scheduleRow.getByRole('button', { name: `Delete ${name}` }).click();
    await page.getByTestId('schedules-empty').waitFor();
    expect((await admin(`/v1/report-schedules/${scheduleId}`)).status).toBe(404);

    // The report's evidence link opens the Privacy view for its snapshot.
    await row.getByRole('link', { name: 'Privacy evidence' }).click();
    await page.waitForURL(/view=privacy/);
    expect(new URL(page.url()).searchParams.get('snapshot')).toBe(report.snapshot_id);
    await page.getByTestId('privacy-snapshot').waitFor();
    await page.getByTestId('privacy-summary').waitFor();
    const evidence = (await admin(`/v1/privacy/evidence?snapshot=${report.snapshot_id}`)).body as {
      snapshot: { version: number };
    };
    expect(await page.getByTestId('privacy-snapshot').textContent()).toContain(
      `snapshot version ${evidence.snapshot.version}`,
    );
    await page.screenshot({ path: `${ARTIFACTS_DIR}/dashboard-privacy-snapshot.png` });

    // The Reports page in the dark theme too.
    await page.getByTestId('theme-toggle').click();
    await nav.getByRole('link', { name: 'Reports', exact: true }).click();
    await row.waitFor();
    await page.screenshot({ path: `${ARTIFACTS_DIR}/dashboard-reports-dark.png`, fullPage: true });

    // Paging: a page more of newer (finished) reports pushes ours to the second page.
    for (let i = 0; i < 20; i += 1) {
      const { report: newer } = await repository.createOnce({
        tenantId,
        scheduleId: null,
        type: 'quality',
        formats: ['csv'],
        period: { kind: 'last-week' },
        slotAt: new Date(),
        idempotencyKey: `e2e:${randomUUID()}`,
      });
      await repository.claim(tenantId, newer.id);
      await repository.fail(tenantId, newer.id, 'nothing has been published for this tenant yet');
    }
    await page.getByRole('button', { name: 'Refresh' }).click();
    await expect.poll(() => page.getByTestId('report-row').count()).toBe(20);
    expect(await row.count()).toBe(0);
    await page.getByRole('button', { name: 'Show older reports' }).click();
    await row.waitFor();
    expect(await row.getAttribute('data-status')).toBe('ready');
    await expect
      .poll(() => page.getByRole('button', { name: 'Show older reports' }).count())
      .toBe(0);

    expect(bodies.some((body) => body.includes(reportId))).toBe(true);
    for (const secretValue of Object.values(canary)) {
      expect(bodies.filter((body) => body.includes(secretValue))).toEqual([]);
    }
    // The strict Content-Security-Policy (issue #10) blocked nothing the dashboard needs.
    expect(violations).toEqual([]);
  }, 180_000);
});

interface Summary {
  id: string;
  name: string;
  is_other: boolean;
  conversations: number;
}

/** Names from a top-level cluster down to a base cluster (one without children), biggest first. */
async function pathToBase(read: (path: string) => Promise<{ body: any }>): Promise<string[]> {
  const children = async (parent?: string): Promise<Summary[]> =>
    (
      (
        await read(
          parent ? `/v1/insights/clusters?parent=${parent}` : '/v1/insights/clusters?level=0',
        )
      ).body as { clusters: Summary[] }
    ).clusters
      .filter((cluster) => !cluster.is_other)
      .sort((a, b) => b.conversations - a.conversations);
  const walk = async (nodes: Summary[], path: string[]): Promise<string[] | undefined> => {
    for (const node of nodes) {
      const below = await children(node.id);
      const all = (await read(`/v1/insights/clusters?parent=${node.id}`)).body
        .clusters as Summary[];
      if (all.length === 0) return [...path, node.name];
      const found = await walk(below, [...path, node.name]);
      if (found) return found;
    }
    return undefined;
  };
  const path = await walk(await children(), []);
  if (!path) throw new Error('no published path to a base cluster');
  return path;
}

/** What Chromium reports as blocked by the page's Content-Security-Policy. */
function cspViolations(page: Page): string[] {
  const found: string[] = [];
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) found.push(message.text());
  });
  page.on('pageerror', (error) => {
    if (/Content Security Policy/i.test(error.message)) found.push(error.message);
  });
  return found;
}

async function shoot(page: Page, view: string): Promise<void> {
  await page.screenshot({ path: `${ARTIFACTS_DIR}/dashboard-${view}.png` });
}
