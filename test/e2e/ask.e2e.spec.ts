/**
 * The Ask view in a real headless Chromium against a published embedded stack: three questions
 * (typed, a suggestion, and one about an individual), each answer with its status, the refusal
 * with its reason, and a figure's link followed to the view that shows it. No response the page
 * receives holds a canary, and the page breaks none of the dashboard's CSP.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPublishedStack } from '../helpers/analyst-fixture';
import { ARTIFACTS_DIR, launchBrowser } from '../helpers/browser';
import { canaries, openaiRecord } from '../helpers/fixtures';
import { call, type Stack } from '../helpers/stack';

const DASHBOARD_DIR = fileURLToPath(new URL('../../dist/dashboard', import.meta.url));

describe('Ask view in headless Chromium', () => {
  let stack: Stack;
  let browser: Browser;
  const canary = canaries();

  beforeAll(async () => {
    if (!existsSync(`${DASHBOARD_DIR}/index.html`))
      throw new Error('dashboard not built: run `npm run build:dashboard` (npm test does)');
    const leaky = [0, 1].map((i) =>
      openaiRecord(`canary-${i}`, 'canary-person', `I am ${canary.name}, ${canary.email}`),
    );
    stack = await startPublishedStack('embedded', {
      extraRecords: leaky,
      dashboardDir: DASHBOARD_DIR,
    });
    browser = await launchBrowser();
  }, 300_000);
  afterAll(async () => {
    await browser?.close();
    await stack?.close();
  });

  it('answers three questions and follows a figure to its view', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const bodies: string[] = [];
    // The view runs under the dashboard's strict Content-Security-Policy (issue #10).
    const cspViolations: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text());
    });
    page.on('response', (response) => {
      void response.text().then(
        (text) => bodies.push(text),
        () => undefined,
      );
    });
    await page.goto(stack.baseUrl);
    await page.getByRole('radio', { name: 'API key' }).check();
    await page.getByRole('textbox', { name: 'API key' }).fill(stack.tenant.readKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('link', { name: 'Ask' }).click();
    await expect.poll(() => page.getByTestId('view-ask').isVisible()).toBe(true);

    const read = (path: string) => call(stack, path, { key: stack.tenant.readKey });
    const overview = (await read('/v1/insights/overview')).body;
    const teams = (await read('/v1/insights/breakdown?facet=team')).body.rows.filter(
      (r: any) => !r.is_other,
    );
    const topTeam = [...teams].sort((a: any, b: any) => b.conversations - a.conversations)[0];

    // 1. Typed.
    await page.getByLabel('Your question').fill('How many conversations were there?');
    await page.getByRole('button', { name: 'Ask', exact: true }).click();
    const answers = page.getByTestId('ask-answer');
    await expect.poll(() => answers.count()).toBe(1);
    expect(await answers.first().getByTestId('ask-text').textContent()).toContain(
      overview.conversations.toLocaleString('en-US'),
    );
    expect(await answers.first().getByTestId('ask-status').textContent()).toBe('Answered');

    // 2. A suggestion.
    await page.getByRole('button', { name: 'Which team has the most conversations?' }).click();
    await expect.poll(() => answers.count()).toBe(2);
    expect(await answers.first().getByTestId('ask-text').textContent()).toContain(
      `"${topTeam.value}"`,
    );

    // 3. About one person: refused, with the reason.
    await page.getByLabel('Your question').fill('What did user 12 ask about?');
    await page.getByRole('button', { name: 'Ask', exact: true }).click();
    await expect.poll(() => answers.count()).toBe(3);
    expect(await answers.first().getByTestId('ask-status').textContent()).toBe('Refused');
    expect(await answers.first().getByTestId('ask-reason').textContent()).toMatch(
      /at least 5 people/,
    );
    await page.screenshot({ path: `${ARTIFACTS_DIR}/ask-view.png`, fullPage: true });

    // Follow the team figure to the Breakdowns view that shows it.
    await answers.nth(1).getByRole('link').first().click();
    await expect.poll(() => page.getByTestId('view-breakdowns').isVisible()).toBe(true);
    expect(page.url()).toContain('view=breakdowns');
    expect(page.url()).toContain('facet=team');
    await expect
      .poll(() => page.getByText(topTeam.value, { exact: true }).first().isVisible())
      .toBe(true);
    await page.screenshot({ path: `${ARTIFACTS_DIR}/ask-followed-figure.png` });

    for (const value of Object.values(canary)) {
      expect(bodies.join('\n')).not.toContain(value);
    }
    expect(cspViolations).toEqual([]);
  });
});
