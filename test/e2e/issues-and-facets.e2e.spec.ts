/**
 * Issue #15 in a real headless Chromium: an admin defines a custom facet in Settings (a bad value
 * is refused next to its field), conversations are tagged by the scripted OpenAI-compatible model
 * (issue and custom answers in one call) and published, the facet's breakdown shows the API's
 * numbers, and the Failures view shows the issues map beside the topic ranking, each issue group
 * with the topic clusters it occurs in. No response carries the canary PII.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS_DIR, launchBrowser } from '../helpers/browser';
import { scriptedLlmProviders } from '../helpers/providers';
import { ScriptedLlmServer } from '../helpers/scripted-llm-server';
import { call, startStack, type Stack } from '../helpers/stack';

const DASHBOARD_DIR = fileURLToPath(new URL('../../dist/dashboard', import.meta.url));
const CANARY_EMAIL = 'ines.okafor.canary@example.com';

const TOPICS = [
  'I get an error and a stack trace when my python script runs',
  'Please check the budget forecast and the expense figures',
  'Translate this paragraph, a translation into German please',
  'Write a reply email to a customer complaint about a refund',
];
const ENDINGS = [
  { assistant: 'Here is the answer.', user: 'That does not work, still broken.' },
  { assistant: 'Here is a first part.', user: 'Hmm, and the other part' },
  { assistant: 'Here is the answer.', user: 'Thanks, perfect!' },
];

function records() {
  return Array.from({ length: 180 }, (_, i) => {
    const ending = ENDINGS[Math.floor(i / TOPICS.length) % ENDINGS.length]!;
    const area = i % 3 === 0 ? 'security' : 'billing';
    const pii = i % 9 === 0 ? ` Write to Ines Okafor at ${CANARY_EMAIL}.` : '';
    return {
      id: `e2e-im-${i}`,
      user_id: `user-${i % 30}`,
      messages: [
        { role: 'user', content: `${TOPICS[i % TOPICS.length]}, case ${i}, ${area}.${pii}` },
        { role: 'assistant', content: ending.assistant },
        { role: 'user', content: ending.user },
      ],
    };
  });
}

describe('issues map and custom facets in headless Chromium', () => {
  let stack: Stack;
  let server: ScriptedLlmServer;
  let browser: Browser;

  beforeAll(async () => {
    if (!existsSync(`${DASHBOARD_DIR}/index.html`))
      throw new Error('dashboard not built: run `npm run build:dashboard` (npm test does)');
    server = await ScriptedLlmServer.start({ mode: 'leak_pii' });
    stack = await startStack({
      mode: 'embedded',
      worker: true,
      workerProviders: scriptedLlmProviders(server),
      dashboardDir: DASHBOARD_DIR,
      // Exact figures under the thresholds (the differential-privacy publication of #11 does not
      // carry the issues map and custom facets yet; see the README).
      env: { PRIVACY_MODE: 'threshold' },
    });
    browser = await launchBrowser();
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
    await server?.close();
  });

  it('defines a custom facet in Settings, sees its breakdown and the issues map in Failures', async () => {
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
    await page.getByRole('link', { name: 'Settings' }).click();
    await expect
      .poll(() => page.getByTestId('prompt-budget').textContent())
      .toMatch(/of 400 tokens/);

    // A bad key is refused next to its field; then the facet is defined.
    await page.getByLabel('Key', { exact: true }).fill('Product Area');
    await page.getByLabel('Question').fill('Which product area?');
    await page.getByLabel('Values').fill('billing, security');
    await page.getByRole('button', { name: 'Add facet' }).click();
    await expect
      .poll(() => page.getByTestId('facet-key-error').textContent())
      .toMatch(/lowercase letters/i);
    await page.getByLabel('Key', { exact: true }).fill('area');
    await page.getByRole('button', { name: 'Add facet' }).click();
    await expect.poll(() => page.getByTestId('facet-saved').textContent()).toContain('area');
    expect(await page.getByTestId('facet-table').textContent()).toContain('Which product area?');
    await page.screenshot({ path: `${ARTIFACTS_DIR}/dashboard-settings-facets.png` });
    const definitions = await call(stack, '/v1/admin/facets', { key: stack.tenant.adminKey });
    expect(definitions.body.facets).toEqual([
      expect.objectContaining({ key: 'area', type: 'enum', values: ['billing', 'security'] }),
    ]);

    // A short-text facet, defined through the API, is grouped into its own map.
    const blocker = await call(stack, '/v1/admin/facets', {
      method: 'POST',
      key: stack.tenant.adminKey,
      body: JSON.stringify({
        key: 'blocker',
        question: 'What blocked the user?',
        type: 'short_text',
      }),
    });
    expect(blocker.status).toBe(201);

    // Conversations arrive, are tagged in one call each and published.
    const ingest = await call(stack, '/v1/conversations', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: JSON.stringify(records()),
    });
    expect(ingest.body.accepted).toBe(180);
    await stack.queue.waitUntilIdle(120_000);
    await stack.queue.enqueue('cluster-tenant', { tenantId: stack.tenant.tenant.id });
    await stack.queue.waitUntilIdle(180_000);

    // The custom facet's breakdown, with the API's numbers.
    const api = await call(stack, '/v1/insights/breakdown?facet=custom:area', {
      key: stack.tenant.readKey,
    });
    const billing = (api.body.rows as { value: string; conversations: number }[]).find(
      (row) => row.value === 'billing',
    )!;
    expect(billing.conversations).toBeGreaterThan(0);
    await page.getByRole('link', { name: 'Breakdowns' }).click();
    await page.getByRole('radio', { name: 'Which product area?' }).click();
    await expect
      .poll(() => page.getByTestId('breakdown-table').textContent(), { timeout: 10_000 })
      .toContain('billing');
    const row = page.getByTestId('breakdown-table').locator('tr', { hasText: 'billing' });
    expect(await row.locator('td').nth(1).textContent()).toBe(
      billing.conversations.toLocaleString('en'),
    );
    await page.screenshot({ path: `${ARTIFACTS_DIR}/dashboard-custom-facet-breakdown.png` });
    // The short-text facet's answers, grouped (never one by one).
    const blockerMap = await call(stack, '/v1/insights/map?name=custom:blocker', {
      key: stack.tenant.readKey,
    });
    const blockerGroups = (blockerMap.body.clusters as { level: number; name: string }[]).filter(
      (c) => c.level === 0,
    );
    expect(blockerGroups.length).toBeGreaterThan(0);
    await page.getByRole('radio', { name: 'What blocked the user?' }).click();
    await expect
      .poll(() => page.getByTestId('issues-map').textContent(), { timeout: 10_000 })
      .toContain(blockerGroups[0]!.name);
    await page.screenshot({ path: `${ARTIFACTS_DIR}/dashboard-short-text-facet-map.png` });
    // Its trend, per month.
    await page.getByRole('link', { name: 'Trends' }).click();
    await page.getByRole('radio', { name: 'Which product area?' }).click();
    await page.getByRole('radio', { name: 'per month' }).click();
    await expect
      .poll(() => page.getByTestId('trend-table').textContent(), { timeout: 10_000 })
      .toContain('billing');

    // Failures: "what goes wrong" beside "where", each issue group with its topic clusters.
    const map = await call(stack, '/v1/insights/map?name=issues', { key: stack.tenant.readKey });
    const groups = (
      map.body.clusters as { level: number; is_other: boolean; name: string }[]
    ).filter((c) => c.level === 0 && !c.is_other);
    expect(groups.length).toBeGreaterThan(0);
    await page.getByRole('link', { name: 'Failures' }).click();
    await expect
      .poll(() => page.getByTestId('issues-map').isVisible(), { timeout: 10_000 })
      .toBe(true);
    expect(await page.getByTestId('failure-chart').isVisible()).toBe(true);
    const text = await page.getByTestId('issues-map').textContent();
    for (const group of groups) expect(text).toContain(group.name);
    await page.getByTestId('issue-group').first().locator('summary').click();
    await expect
      .poll(() => page.getByTestId('issue-topics').first().textContent())
      .toMatch(/Occurs in:/);
    await page.screenshot({
      path: `${ARTIFACTS_DIR}/dashboard-failures-issues-map.png`,
      fullPage: true,
    });
    // A topic link opens the topic cluster.
    await page.getByTestId('issue-topics').first().getByRole('link').first().click();
    await expect.poll(() => page.url()).toContain('cluster=');
    // The topic cluster's detail shows the custom facet per cluster (a gated breakdown).
    await expect
      .poll(() => page.getByTestId('custom-facet-area').isVisible(), { timeout: 10_000 })
      .toBe(true);
    await page.screenshot({ path: `${ARTIFACTS_DIR}/dashboard-cluster-custom-facet.png` });

    await page.waitForTimeout(300);
    for (const body of bodies) {
      expect(body).not.toContain(CANARY_EMAIL);
      expect(body).not.toContain('Okafor');
    }
  }, 480_000);
});
