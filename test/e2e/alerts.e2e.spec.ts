/**
 * Alerts and cost control in a real headless Chromium (issue #15): an admin creates an alert rule
 * through the Alerts view (its webhook secret shown once), the next publication makes it fire,
 * and the view shows the alert delivered while the local webhook receiver holds its
 * Slack-compatible body. The overview shows this month's LLM spend next to Clio's published cost.
 * No response the browser receives carries conversation text.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyWebhookSignature } from '@silhouette/reports';
import { ARTIFACTS_DIR, launchBrowser } from '../helpers/browser';
import { startWebhookReceiver } from '../helpers/delivery-sinks';
import { ScriptedLlmServer } from '../helpers/scripted-llm-server';
import { scriptedTaggerProviders } from '../helpers/scripted-providers';
import { call, startStack, type Stack } from '../helpers/stack';

const DASHBOARD_DIR = fileURLToPath(new URL('../../dist/dashboard', import.meta.url));
const SECRET_TEXT = 'Quarterly budget forecast for the Zephyrine account';

function records(prefix: string, count: number, extra = ''): Record<string, unknown>[] {
  return Array.from({ length: count }, (_, i) => ({
    id: `${prefix}-${i}`,
    user_id: `person-${i % 12}`,
    metadata: { team: i % 2 ? 'finance' : 'sales' },
    messages: [
      {
        role: 'user',
        content: `${SECRET_TEXT} ${prefix}-${i}: check the expense figures. ${extra}`,
      },
      { role: 'assistant', content: 'Here are the figures, summarised.' },
      { role: 'user', content: 'Thanks, that worked!' },
    ],
  }));
}

describe('alerts in headless Chromium', () => {
  let stack: Stack;
  let llm: ScriptedLlmServer;
  let browser: Browser;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;

  const ingestAndPublish = async (batch: Record<string, unknown>[]) => {
    const ingest = await call(stack, '/v1/conversations', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: JSON.stringify(batch),
    });
    expect(ingest.body.accepted).toBe(batch.length);
    await stack.queue.waitUntilIdle(60_000);
    await stack.queue.enqueue('cluster-tenant', { tenantId: stack.tenant.tenant.id });
    await stack.queue.waitUntilIdle(120_000);
  };

  beforeAll(async () => {
    if (!existsSync(`${DASHBOARD_DIR}/index.html`))
      throw new Error('dashboard not built: run `npm run build:dashboard` (npm test does)');
    llm = await ScriptedLlmServer.start({
      respond: (request) =>
        request.userText.includes('POISON') ? { content: 'no JSON here' } : undefined,
    });
    receiver = await startWebhookReceiver(() => 200);
    stack = await startStack({
      mode: 'embedded',
      worker: true,
      workerProviders: scriptedTaggerProviders(llm),
      dashboardDir: DASHBOARD_DIR,
      env: {
        TAG_MODEL: 'scripted-tagger',
        LLM_PRICES: JSON.stringify({ 'scripted-tagger': { input: 0.15, output: 0.6 } }),
        WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
        JOB_ATTEMPTS: '2',
      },
    });
    await ingestAndPublish(records('first', 60));
    browser = await launchBrowser();
  }, 240_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    await llm?.close();
    await new Promise<void>((resolve) => receiver?.server.close(() => resolve()));
  });

  it('creates a rule in the Alerts view and shows it firing at the next publication', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const bodies: string[] = [];
    page.on('response', (response) => {
      void response.text().then(
        (text) => bodies.push(text),
        () => undefined,
      );
    });
    await page.goto(stack.baseUrl);
    await page.getByRole('radio', { name: 'API key' }).check();
    await page.getByRole('textbox', { name: 'API key' }).fill(stack.tenant.adminKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => page.getByTestId('cost-spent').isVisible(), { timeout: 15_000 })
      .toBe(true);
    // The overview: this month's spend, per 1,000 conversations, next to Clio's $0.49.
    expect(await page.getByTestId('cost-spent').textContent()).toMatch(/^\$0\.\d+/);
    expect(await page.getByText('Clio (Anthropic, 2024): $0.49').count()).toBe(1);
    await page.screenshot({ path: `${ARTIFACTS_DIR}/alerts-overview-cost.png`, fullPage: true });

    await page.getByRole('link', { name: 'Alerts' }).click();
    await expect.poll(() => page.getByTestId('no-alerts').isVisible()).toBe(true);
    await page.getByLabel('Name').fill('Tagging health');
    await page.getByLabel('Fires when').selectOption('tagging_failures');
    await page.getByLabel('Above (% of processed conversations)').fill('5');
    await page.getByLabel('Webhook URL').fill(`${receiver.url}?from=dashboard`);
    await page.getByRole('button', { name: 'Create rule' }).click();
    await expect.poll(() => page.getByTestId('webhook-secret').isVisible()).toBe(true);
    const secret = (await page.getByTestId('webhook-secret-value').textContent())!.trim();
    expect(secret.length).toBeGreaterThan(20);
    await page.getByRole('button', { name: 'I have stored it' }).click();
    await expect.poll(() => page.getByTestId('alert-rule').count()).toBe(1);
    expect(await page.getByTestId('alert-rule').textContent()).toContain(
      'tagging failures above 5%',
    );

    // Twelve conversations the model cannot tag: the next publication crosses the rule.
    await ingestAndPublish([...records('second', 20), ...records('poison', 12, 'POISON')]);
    await expect.poll(() => page.getByTestId('alert-row').count(), { timeout: 30_000 }).toBe(1);
    await expect
      .poll(() => page.getByTestId('alert-state').textContent(), { timeout: 30_000 })
      .toBe('delivered');
    expect(await page.getByTestId('alert-row').textContent()).toMatch(
      /Tagging failures at [\d.]+%/,
    );
    await page.screenshot({ path: `${ARTIFACTS_DIR}/alerts-fired.png`, fullPage: true });

    const hook = receiver.calls.find((call) => call.url?.includes('from=dashboard'))!;
    const body = JSON.parse(hook.body);
    expect(body.text).toMatch(/^Silhouette alert "Tagging health"/);
    expect(
      verifyWebhookSignature(
        secret,
        String(hook.headers['x-silhouette-timestamp']),
        hook.body,
        String(hook.headers['x-silhouette-signature']),
      ),
    ).toBe(true);
    for (const text of bodies) expect(text).not.toContain('Zephyrine');
    expect(hook.body).not.toContain('Zephyrine');

    // A failure-rate rule on the issues map: the form offers the choice, and the issues map's
    // two levels bound the level.
    await page.getByLabel('Name').fill('Issues turning into blockers');
    await page.getByLabel('Fires when').selectOption('failure_rate_rise');
    await page.getByLabel('Rise of at least (percentage points)').fill('15');
    await page.getByLabel('Clusters watched').selectOption('issue');
    expect(await page.getByLabel('Tree level').getAttribute('max')).toBe('1');
    await page.getByLabel('Tree level').fill('1');
    await page.getByLabel('Webhook URL').fill('');
    await page.getByRole('button', { name: 'Create rule' }).click();
    await expect.poll(() => page.getByTestId('alert-rule').count()).toBe(2);
    expect(await page.getByTestId('alert-rule').allTextContents()).toContainEqual(
      expect.stringContaining('failure rate of issue clusters +15 points at level 1'),
    );
  });
});
