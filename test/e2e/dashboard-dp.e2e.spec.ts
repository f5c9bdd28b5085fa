/**
 * The dashboard in dp mode, in a real headless Chromium: noisy figures read "≈" with their 90%
 * noise interval on hover, and the Privacy view shows the month's budget (spent and remaining,
 * the same figures as GET /v1/privacy/budget) and the ledger of publications.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS_DIR, launchBrowser } from '../helpers/browser';
import { sgdRecords } from '../helpers/datasets';
import { offlineProviders } from '../helpers/providers';
import { call, startStack, type Stack } from '../helpers/stack';

const DASHBOARD_DIR = fileURLToPath(new URL('../../dist/dashboard', import.meta.url));
const WEEK_MS = 7 * 86_400_000;

describe('dashboard in dp mode', () => {
  let stack: Stack;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(`${DASHBOARD_DIR}/index.html`))
      throw new Error('dashboard not built: run `npm run build:dashboard` (npm test does)');
    stack = await startStack({
      mode: 'embedded',
      worker: true,
      workerProviders: offlineProviders,
      dashboardDir: DASHBOARD_DIR,
      env: { PRIVACY_MODE: 'dp', DP_EPSILON_PER_MONTH: '40', PUBLISH_INTERVAL_S: '3600' },
    });
    const now = Date.now();
    const records = sgdRecords(400, 50).map((record, index) => ({
      ...record,
      started_at: new Date(now - (Math.floor(index / 50) % 4) * WEEK_MS - 3_600_000).toISOString(),
    }));
    const ingest = await call(stack, '/v1/conversations', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: JSON.stringify(records),
    });
    expect(ingest.body.accepted).toBe(400);
    await stack.queue.waitUntilIdle(120_000);
    await stack.queue.enqueue('cluster-tenant', {
      tenantId: stack.tenant.tenant.id,
      release: 'requested',
    });
    await stack.queue.waitUntilIdle(120_000);
    browser = await launchBrowser();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('marks noisy figures with ≈ and their interval, and shows the budget and its ledger', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(stack.baseUrl);
    await page.getByRole('radio', { name: 'API key' }).check();
    await page.getByRole('textbox', { name: 'API key' }).fill(stack.tenant.readKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => page.getByTestId('overview-conversations').textContent(), { timeout: 15_000 })
      .toMatch(/^≈ [\d,]+$/);
    expect(await page.getByTestId('dp-note').textContent()).toMatch(/differential-privacy noise/);
    const api = (await call(stack, '/v1/insights/overview', { key: stack.tenant.readKey })).body;
    const approx = page.getByTestId('overview-conversations').locator('.approx');
    await approx.hover();
    expect(await approx.getAttribute('title')).toBe(
      `90% interval of the privacy noise: ${api.noise.conversations.low.toLocaleString('en')} to ${api.noise.conversations.high.toLocaleString('en')}`,
    );
    await page.screenshot({ path: `${ARTIFACTS_DIR}/dashboard-dp-overview.png` });

    await page.getByRole('link', { name: 'Privacy' }).click();
    await expect
      .poll(() => page.getByTestId('budget-spent').textContent(), { timeout: 10_000 })
      .toMatch(/Spent ε = [\d.]+ of 40/);
    const budget = (await call(stack, '/v1/privacy/budget', { key: stack.tenant.readKey })).body;
    expect(await page.getByTestId('budget-spent').textContent()).toContain(
      `Spent ε = ${budget.epsilon_spent.toLocaleString('en', { maximumFractionDigits: 2 })}`,
    );
    const rows = page.getByTestId('budget-ledger').locator('tbody tr');
    expect(await rows.count()).toBe(budget.publications.length);
    expect(await rows.first().textContent()).toContain('requested by an operator');
    expect(await page.getByTestId('dp-evidence').textContent()).toMatch(/discrete Gaussian/);
    await page.screenshot({ path: `${ARTIFACTS_DIR}/dashboard-dp-privacy.png`, fullPage: true });
  }, 120_000);
});
