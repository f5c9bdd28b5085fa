/**
 * The analyst over MCP, driven by the official SDK's own client: streamable HTTP at `/mcp` with a
 * read key (server and embedded modes), and `silhouette mcp --tenant SLUG` over stdio as a real
 * process (server mode on the test PostgreSQL; embedded mode on a data directory built by the CLI,
 * which also answers `silhouette ask`). Tool results hold only what the insights API shows the
 * key, with the same schemas and errors as the agent's tools, and no canary.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askAnswerSchema } from '@silhouette/contracts';
import { canaries, openaiRecord } from '../helpers/fixtures';
import {
  insightsApiView,
  numbersIn,
  startPublishedStack,
  weeklyRecords,
} from '../helpers/analyst-fixture';
import { call, type Stack } from '../helpers/stack';

const CLI = fileURLToPath(new URL('../../bin/silhouette.mjs', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const run = promisify(execFile);
const DATA_TOOLS = [
  'describe_published_data',
  'get_overview',
  'search_clusters',
  'get_cluster',
  'list_clusters',
  'get_breakdown',
  'get_trend',
  'get_failures',
  'compare_periods',
];

async function httpClient(stack: Stack, key: string): Promise<Client> {
  const client = new Client({ name: 'silhouette-test', version: '1.0.0' });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(`${stack.baseUrl}/mcp`), {
      requestInit: { headers: { Authorization: `Bearer ${key}` } },
    }),
  );
  return client;
}

const textOf = (result: any) => (result.content as { text: string }[]).map((c) => c.text).join('');

/** The checks every transport must pass, against the insights API of the same tenant. */
async function checkTools(client: Client, stack: Stack, secrets: string[]) {
  const listed = await client.listTools();
  expect(listed.tools.map((t) => t.name).sort()).toEqual([...DATA_TOOLS, 'ask'].sort());
  const breakdown = listed.tools.find((t) => t.name === 'get_breakdown')!;
  expect(breakdown.inputSchema.properties).toHaveProperty('facet');
  expect(breakdown.annotations?.readOnlyHint).toBe(true);

  const api = (await call(stack, '/v1/insights/overview', { key: stack.tenant.readKey })).body;
  const overview = JSON.parse(
    textOf(await client.callTool({ name: 'get_overview', arguments: {} })),
  );
  expect(overview.snapshot_id).toBe(api.snapshot.id);
  expect(overview.conversations).toBe(api.conversations);

  const bad = await client.callTool({ name: 'get_breakdown', arguments: { facet: 'country' } });
  expect(bad.isError).toBe(true);
  expect(textOf(bad)).toMatch(/no breakdown by "country"; it has department, domain/);
  const invalid = await client.callTool({ name: 'list_clusters', arguments: { limit: 'ten' } });
  expect(invalid.isError).toBe(true);
  expect(textOf(invalid)).toMatch(/limit/);

  const answer = askAnswerSchema.parse(
    JSON.parse(
      textOf(
        await client.callTool({
          name: 'ask',
          arguments: { question: 'How many conversations were there?' },
        }),
      ),
    ),
  );
  expect(answer.status).toBe('answered');
  expect(answer.figures[0]?.value).toBe(api.conversations);
  const refused = JSON.parse(
    textOf(await client.callTool({ name: 'ask', arguments: { question: 'What did user 7 ask?' } })),
  );
  expect(refused.status).toBe('refused');

  // Every number any data tool returns is one the insights API shows a read key.
  const published = numbersIn(await insightsApiView(stack));
  const outputs: string[] = [];
  const top = JSON.parse(
    textOf(await client.callTool({ name: 'list_clusters', arguments: { limit: 50 } })),
  );
  for (const [name, args] of [
    ['describe_published_data', {}],
    ['get_overview', {}],
    ['list_clusters', { level: 1, sort_by: 'minutes_saved', limit: 50 }],
    ['get_cluster', { cluster_id: top.clusters[0].cluster_id }],
    ['get_breakdown', { facet: 'team' }],
    ['get_breakdown', { facet: 'language', sort_by: 'distinct_users' }],
    ['get_failures', {}],
    ['search_clusters', { query: top.clusters[0].name }],
  ] as const) {
    const text = textOf(await client.callTool({ name, arguments: args }));
    outputs.push(text);
    if (name === 'describe_published_data') continue; // counts of weeks and levels, not figures
    // A row's rank and a list's level or length are positions and counts, not published figures.
    const values = [...numbersIn(JSON.parse(text), new Set(), new Set(['rank', 'level', 'total']))];
    for (const value of values) expect(published.has(value), `${name}: ${value}`).toBe(true);
  }
  const everything = outputs.join('\n');
  for (const secret of secrets) expect(everything).not.toContain(secret);
}

describe.each(['server', 'embedded'] as const)('MCP over streamable HTTP (%s)', (mode) => {
  let stack: Stack;
  const canary = canaries();

  beforeAll(async () => {
    const leaky = [0, 1].map((i) =>
      openaiRecord(
        `canary-${i}`,
        'canary-person',
        `I am ${canary.name}, mail ${canary.email} ${canary.secret}`,
      ),
    );
    stack = await startPublishedStack(mode, { extraRecords: leaky });
  }, 400_000);
  afterAll(async () => stack?.close());

  it('lists and runs the analyst tools for the read key, nothing more than the insights API', async () => {
    const client = await httpClient(stack, stack.tenant.readKey);
    try {
      await checkTools(client, stack, Object.values(canary));
    } finally {
      await client.close();
    }
    expect(stack.logs()).not.toContain(canary.email);
    // The MCP `ask` calls are audit-logged like POST /v1/ask, without their text.
    const log = JSON.stringify(
      (await call(stack, '/v1/admin/audit-log', { key: stack.tenant.adminKey })).body,
    );
    expect(log).toContain('"action":"mcp ask"');
    expect(log).not.toContain('How many conversations were there?');
  });

  it('needs a read or admin key, and a key reads only its own tenant', async () => {
    await expect(httpClient(stack, 'sil_not-a-key')).rejects.toThrow(/unauthenticated/);
    await expect(httpClient(stack, stack.tenant.ingestKey)).rejects.toThrow(
      /needs a key with scope read or admin/,
    );
    const other = await stack.createTenant(`mcp-other-${mode}`);
    const client = await httpClient(stack, other.readKey);
    try {
      const result = await client.callTool({ name: 'get_overview', arguments: {} });
      expect(result.isError).toBe(true);
      expect(textOf(result)).toMatch(/nothing has been published/);
    } finally {
      await client.close();
    }
  });
});

describe('silhouette mcp over stdio (server mode)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startPublishedStack('server');
  }, 400_000);
  afterAll(async () => stack?.close());

  it('serves the same tools to the SDK client over stdin/stdout', async () => {
    const env = Object.fromEntries(
      Object.entries({
        ...process.env,
        DATABASE_URL: stack.env.DATABASE_URL,
        REDIS_URL: stack.env.REDIS_URL,
        LOG_LEVEL: 'warn',
      }).filter((entry): entry is [string, string] => typeof entry[1] === 'string'),
    );
    const client = new Client({ name: 'silhouette-test', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [CLI, 'mcp', '--tenant', 'acme'],
        env,
        cwd: ROOT,
        stderr: 'pipe',
      }),
    );
    try {
      await checkTools(client, stack, []);
    } finally {
      await client.close();
    }
  }, 120_000);
});

describe('silhouette ask and mcp (command line, embedded data directory)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'silhouette-ask-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const env = {
    ...process.env,
    DATABASE_URL: '',
    REDIS_URL: '',
    SILHOUETTE_DATA_DIR: join(dir, 'data'),
    LOG_LEVEL: 'silent',
    // The answer's exact figure is the point here: threshold mode (dp is the default).
    PRIVACY_MODE: 'threshold',
  };
  const cli = (args: string[]) => run(process.execPath, [CLI, ...args], { env, timeout: 180_000 });

  it('answers a question, rejects a bad one, and serves MCP over stdio', async () => {
    await cli(['migrate']);
    await cli(['tenant', 'create', 'acme', '--json']);
    const input = join(dir, 'conversations.jsonl');
    writeFileSync(
      input,
      weeklyRecords(240, 30)
        .map((r) => JSON.stringify(r))
        .join('\n'),
    );
    await cli(['ingest', input, '--tenant', 'acme', '--json']);
    await cli(['process', '--tenant', 'acme', '--json']);

    const { stdout } = await cli([
      'ask',
      '--tenant',
      'acme',
      '--json',
      'How many conversations were there?',
    ]);
    const answer = askAnswerSchema.parse(JSON.parse(stdout));
    expect(answer).toMatchObject({ status: 'answered', mode: 'offline' });
    expect(answer.figures[0]?.value).toBe(240);
    const human = await cli(['ask', '--tenant', 'acme', 'How many conversations by country?']);
    expect(human.stdout).toMatch(
      /abstained: the published data does not say: no breakdown by "country"/,
    );
    expect(human.stdout).toMatch(/question shapes/);
    await expect(cli(['ask', '--tenant', 'acme', 'x'.repeat(501)])).rejects.toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/question: at most 500 characters/),
    });

    const client = new Client({ name: 'silhouette-test', version: '1.0.0' });
    await client.connect(
      new StdioClientTransport({
        command: process.execPath,
        args: [CLI, 'mcp', '--tenant', 'acme'],
        env: Object.fromEntries(
          Object.entries(env).filter((e): e is [string, string] => typeof e[1] === 'string'),
        ),
        cwd: ROOT,
        stderr: 'pipe',
      }),
    );
    try {
      const tools = await client.listTools();
      expect(tools.tools.map((t) => t.name)).toContain('ask');
      const overview = JSON.parse(
        textOf(await client.callTool({ name: 'get_overview', arguments: {} })),
      );
      expect(overview.conversations).toBe(240);
    } finally {
      await client.close();
    }
  }, 300_000);
});
