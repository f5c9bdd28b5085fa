/**
 * The dashboard in a real headless Chromium against a real stack: sign in with a read key, see
 * the tenant's real pipeline numbers, and never receive a byte of conversation text.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS_DIR, launchBrowser } from '../helpers/browser';
import { canaries, openaiRecord } from '../helpers/fixtures';
import { offlineProviders } from '../helpers/providers';
import { call, startStack, type Stack } from '../helpers/stack';

const DASHBOARD_DIR = fileURLToPath(new URL('../../dist/dashboard', import.meta.url));

describe('dashboard in headless Chromium', () => {
  let stack: Stack;
  let browser: Browser;
  const canary = canaries();

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
    await call(stack, '/v1/conversations', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: JSON.stringify(records),
    });
    await stack.queue.waitUntilIdle(30_000);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('signs in with a read key and shows the real numbers, with no conversation text in any response', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
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

    await page.getByLabel('API key').fill('sil_read_wrong-key-wrong-key-wrong-key-');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByRole('alert').textContent()).toMatch(/unknown or revoked/);

    await page.getByLabel('API key').fill(stack.tenant.readKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => page.getByTestId('kpi-conversations').textContent(), { timeout: 10_000 })
      .toBe('7');
    expect(await page.getByTestId('kpi-tagged').textContent()).toBe('7');
    // Default retention: content is deleted as soon as it is tagged.
    expect(await page.getByTestId('kpi-content-deleted').textContent()).toBe('7');
    await page.screenshot({ path: `${ARTIFACTS_DIR}/dashboard-pipeline.png`, fullPage: true });

    expect(bodies.length).toBeGreaterThan(3);
    for (const secret of Object.values(canary)) {
      expect(bodies.filter((body) => body.includes(secret))).toEqual([]);
    }
  });
});
