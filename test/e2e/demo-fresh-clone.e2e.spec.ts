/**
 * Issue #14's "done when": a fresh clone with nothing beside it runs `silhouette start --migrate`
 * (what `npm start` runs) and serves the demo. The repository is cloned with git into an empty
 * temporary directory, so no ../shared exists and nothing uncommitted comes along; its
 * node_modules is a link to this checkout's (installing packages is not what is being tested).
 * Embedded mode, a fresh data directory, no server-mode variables.
 *
 * Then, in Chromium, signed in with the demo's read key: at least 1,500 conversations, three
 * levels of named groups, a Failures view with failure areas, and suppressed cells that the
 * Breakdowns and Privacy views say were pooled or held back.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { keywordListVerdict, nameWords } from '@silhouette/clustering';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARTIFACTS_DIR, launchBrowser } from '../helpers/browser';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const K_USERS = 5;

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

interface Summary {
  id: string;
  name: string;
  level: number;
  conversations: number;
  is_other: boolean;
  parent_id?: string | null;
}

describe('the demo from a fresh clone with nothing beside it', () => {
  let root: string;
  let clone: string;
  let server: ChildProcess | undefined;
  let output = '';
  let baseUrl: string;
  let readKey: string;
  let browser: Browser;

  const read = async (path: string): Promise<any> => {
    const response = await fetch(`${baseUrl}${path}`, {
      headers: { authorization: `Bearer ${readKey}` },
    });
    expect(response.status, path).toBe(200);
    return response.json();
  };

  beforeAll(async () => {
    root = mkdtempSync(join(tmpdir(), 'silhouette-fresh-'));
    clone = join(root, 'silhouette');
    execFileSync('git', ['clone', '--quiet', REPO, clone]);
    symlinkSync(join(REPO, 'node_modules'), join(clone, 'node_modules'), 'dir');
    expect(existsSync(join(root, 'shared'))).toBe(false);

    const port = await freePort();
    baseUrl = `http://127.0.0.1:${port}`;
    const env: NodeJS.ProcessEnv = { ...process.env };
    // Embedded mode: no server-mode or LLM variables from the test services leak in.
    for (const name of Object.keys(env))
      if (/^(DATABASE_|API_DATABASE_|REDIS_|OPENAI_|SILHOUETTE_|QUEUE_PREFIX)/.test(name))
        delete env[name];
    server = spawn(process.execPath, ['bin/silhouette.mjs', 'start', '--migrate'], {
      cwd: clone,
      env: {
        ...env,
        PORT: String(port),
        HOST: '127.0.0.1',
        SILHOUETTE_DATA_DIR: join(root, 'data'),
        LOG_LEVEL: 'warn',
        PUBLISH_INTERVAL_S: '5',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    server.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));

    // The read key is printed once the demo tenant exists (the first start builds the dashboard).
    readKey = await waitFor('the demo keys on stdout', 240_000, async () => {
      if (server!.exitCode !== null) throw new Error(`silhouette start exited:\n${output}`);
      return /read key:\s+(sil_read_\S+)/.exec(output)?.[1];
    });
    // Tagging, clustering and publishing run in the same process; wait for a snapshot of it all.
    await waitFor('a published snapshot of 1,500+ conversations', 420_000, async () => {
      const response = await fetch(`${baseUrl}/v1/insights/overview`, {
        headers: { authorization: `Bearer ${readKey}` },
      });
      if (response.status !== 200) return undefined;
      const overview = (await response.json()) as { conversations?: number };
      return (overview.conversations ?? 0) >= 1500 ? true : undefined;
    });
    browser = await launchBrowser();
  }, 720_000);

  afterAll(async () => {
    await browser?.close();
    if (server && server.exitCode === null) {
      const exited = new Promise((resolve) => server!.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    }
    if (root) rmSync(root, { recursive: true, force: true });
  });

  it('starts without anything beside the clone and says nothing is missing', () => {
    expect(output).not.toMatch(/not found|shared\/data|ENOENT/);
    expect(output).toContain('demo tenant "demo"');
    const keys = JSON.parse(readFileSync(join(root, 'data', 'demo-keys.json'), 'utf8')) as {
      read_key: string;
    };
    expect(keys.read_key).toBe(readKey);
  });

  it('names every published group with a readable phrase, not a keyword list', async () => {
    // The check `npm run eval -- naming` counts (libs/clustering naming/name-readability.ts).
    const named: Summary[] = [];
    for (let level = 0; level < 3; level++) {
      const page = await read(`/v1/insights/clusters?level=${level}&limit=2000`);
      expect(page.next_cursor, `all of level ${level} in one page`).toBeNull();
      named.push(...(page.clusters as Summary[]).filter((c) => !c.is_other));
    }
    expect(named.length).toBeGreaterThan(10);
    const flagged = named
      .map((c) => ({ name: c.name, ...keywordListVerdict(c.name) }))
      .filter((verdict) => verdict.keywordList);
    expect(flagged).toEqual([]);
    for (const cluster of named) {
      expect(nameWords(cluster.name).length, cluster.name).toBeGreaterThan(0);
      expect(nameWords(cluster.name).length, cluster.name).toBeLessThanOrEqual(6);
    }
    // Siblings are told apart by their names.
    const siblings = new Map<string, string[]>();
    for (const cluster of named) {
      const key = `${cluster.level}/${cluster.parent_id ?? 'root'}`;
      siblings.set(key, [...(siblings.get(key) ?? []), cluster.name]);
    }
    for (const names of siblings.values()) expect(new Set(names).size).toBe(names.length);
  });

  it('shows 1,500+ conversations, three named levels, failure areas and suppressed cells', async () => {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    await page.goto(baseUrl);
    await page.getByRole('radio', { name: 'API key' }).check();
    await page.getByRole('textbox', { name: 'API key' }).fill(readKey);
    await page.getByRole('button', { name: 'Sign in' }).click();

    // Overview: the published conversation count.
    const overview = await read('/v1/insights/overview');
    expect(overview.conversations).toBeGreaterThanOrEqual(1500);
    // The deployment default is dp; the demo's sample data (invented people) is published exactly.
    expect(overview.snapshot.privacy_mode).toBe('threshold');
    expect((await read('/v1/privacy/budget')).mode).toBe('threshold');
    await expect
      .poll(() => page.getByTestId('overview-conversations').textContent(), { timeout: 20_000 })
      .toBe(overview.conversations.toLocaleString('en'));
    await shoot(page, 'overview');

    // Three levels, every published group named, drilled through in the Explore view.
    expect(overview.levels).toBe(3);
    const top = (await read('/v1/insights/clusters?level=0')).clusters as Summary[];
    const path: Summary[] = [];
    let level = top.filter((c) => !c.is_other);
    for (let depth = 0; depth < 3; depth++) {
      expect(level.length, `published groups at level ${depth}`).toBeGreaterThan(0);
      for (const cluster of level) expect(cluster.name.trim().length).toBeGreaterThan(0);
      const bySize = [...level].sort((a, b) => b.conversations - a.conversations);
      if (depth === 2) {
        path.push(bySize[0]!);
        break;
      }
      // Descend through the biggest group with published children: which groups' children
      // all pool depends on the tree, and k-means input order follows random pseudonymous ids.
      let children: Summary[] = [];
      for (const candidate of bySize) {
        children = (
          (await read(`/v1/insights/clusters?parent=${candidate.id}`)).clusters as Summary[]
        ).filter((c) => !c.is_other);
        if (children.length > 0) {
          path.push(candidate);
          break;
        }
      }
      level = children;
    }
    // The bottom of the path has no children: three levels, not more.
    expect((await read(`/v1/insights/clusters?parent=${path[2]!.id}`)).clusters).toEqual([]);
    await page
      .getByRole('navigation', { name: 'Main' })
      .getByRole('link', { name: 'Explore' })
      .click();
    await page.getByTestId('cluster-list').waitFor();
    await shoot(page, 'explore');
    for (const [depth, cluster] of path.entries()) {
      await page
        .getByTestId('cluster-list')
        .getByRole('button', { name: cluster.name, exact: true })
        .click();
      if (depth === path.length - 1) await page.getByTestId('cluster-detail').waitFor();
      else await page.getByRole('heading', { level: 2, name: cluster.name, exact: true }).waitFor();
    }
    const crumbs = await page.getByRole('navigation', { name: 'Breadcrumb' }).textContent();
    for (const cluster of path.slice(0, -1)) expect(crumbs).toContain(cluster.name);
    await shoot(page, 'cluster-detail');

    // Failures: clusters with a published failure impact, shown as bars and table rows.
    const failures = await read('/v1/insights/failures');
    const areas = (
      failures.clusters as { name: string; failure_impact_minutes: number | null }[]
    ).filter((c) => (c.failure_impact_minutes ?? 0) > 0);
    expect(areas.length).toBeGreaterThanOrEqual(2);
    await page.getByRole('link', { name: 'Failures' }).click();
    await page.getByTestId('failure-table').waitFor();
    const chart = await page.getByTestId('failure-chart').textContent();
    expect(chart).not.toContain('No cluster has a failure area');
    for (const area of areas.slice(0, 3)) expect(chart).toContain(area.name);
    await shoot(page, 'failures');

    // Suppression: the small teams are pooled in the team breakdown, and the evidence counts
    // the figures held back.
    const teams = await read('/v1/insights/breakdown?facet=team');
    const pooled = (teams.rows as { value: string; is_other: boolean }[]).find((r) => r.is_other);
    expect(pooled).toBeDefined();
    for (const small of ['legal', 'people', 'executive office'])
      expect(teams.rows.map((r: { value: string }) => r.value)).not.toContain(small);
    await page.getByRole('link', { name: 'Breakdowns' }).click();
    await page.getByTestId('breakdown-table').waitFor();
    expect(await page.getByTestId('breakdown-table').textContent()).toContain(
      `Other (pooled: includes groups under ${K_USERS} people)`,
    );
    await shoot(page, 'breakdowns');
    // Languages: German and French on their own; the two-person languages pooled (a misread
    // English message can lift one of them over the thresholds, so not all four are required).
    await page.getByRole('radio', { name: 'Language' }).click();
    await page.waitForURL(/facet=language/);
    const languages = await read('/v1/insights/breakdown?facet=language');
    const rows = languages.rows as { value: string; is_other: boolean }[];
    const shown = rows.filter((r) => !r.is_other).map((r) => r.value);
    expect(shown).toEqual(expect.arrayContaining(['en', 'de', 'fr']));
    expect(rows.some((r) => r.is_other)).toBe(true);
    expect(
      ['es', 'it', 'nl', 'pt'].filter((small) => !shown.includes(small)).length,
    ).toBeGreaterThan(0);
    await shoot(page, 'breakdowns-language');

    const { evidence } = await read('/v1/privacy/evidence');
    expect(evidence.cells.suppressed).toBeGreaterThan(0);
    expect(
      // The tenant's view counts suppressed cells per kind of scope, never naming one (#10).
      (evidence.suppressedByScope as { scope: string }[]).some((c) =>
        c.scope.startsWith('breakdown/'),
      ),
    ).toBe(true);
    await page.getByRole('link', { name: 'Privacy' }).click();
    await expect
      .poll(() => page.getByTestId('privacy-summary').textContent())
      .toMatch(/\d[\d,]* figures? (?:was|were) held back/);
    await shoot(page, 'privacy');
  }, 180_000);
});

/** Polls `check` until it returns a value, or fails naming what it waited for. */
async function waitFor<T>(
  what: string,
  timeoutMs: number,
  check: () => Promise<T | undefined>,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch((error: unknown) => {
      if (error instanceof Error && error.message.startsWith('silhouette start exited'))
        throw error;
      return undefined;
    });
    if (value !== undefined) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

async function shoot(page: Page, view: string): Promise<void> {
  await page.screenshot({ path: `${ARTIFACTS_DIR}/demo-fresh-clone-${view}.png` });
}
