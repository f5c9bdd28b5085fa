/**
 * The dashboard in a real headless Chromium against a real stack with a published snapshot: sign
 * in with a user account (and with a key), see the tenant's real numbers, walk every view (overview, explore down to a
 * base cluster, failures, breakdowns, privacy) in light and dark themes, and never receive a byte
 * of conversation text.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
    const status = (await read('/v1/status')).body as { conversations: number };
    const overview = (await read('/v1/insights/overview')).body as { conversations: number };
    expect(status.conversations).toBe(307);
    expect(overview.conversations).toBeGreaterThan(0);

    await page.getByLabel('Password').fill(account.password);
    await page.screenshot({ path: `${ARTIFACTS_DIR}/dashboard-sign-in-account.png` });
    await page.getByRole('button', { name: 'Sign in' }).click();

    // The session lives in an httpOnly cookie: no script on the page can read it or a credential.
    await expect
      .poll(() => page.getByTestId('kpi-conversations').isVisible(), { timeout: 15_000 })
      .toBe(true);
    expect(await page.getByTestId('signed-in-user').textContent()).toBe(account.email);
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

    // Overview: the pipeline card and the snapshot KPIs show the API's numbers.
    await expect
      .poll(() => page.getByTestId('kpi-conversations').textContent(), { timeout: 10_000 })
      .toBe(status.conversations.toLocaleString('en'));
    expect(await page.getByTestId('kpi-tagged').textContent()).toBe('307');
    // Default retention: content is deleted as soon as it is tagged.
    expect(await page.getByTestId('kpi-content-deleted').textContent()).toBe('307');
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
  }, 120_000);
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

async function shoot(page: Page, view: string): Promise<void> {
  await page.screenshot({ path: `${ARTIFACTS_DIR}/dashboard-${view}.png` });
}
