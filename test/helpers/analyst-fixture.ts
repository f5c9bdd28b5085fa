/**
 * A published tenant for the Ask tests: SGD conversations spread over six ISO weeks and four
 * teams, tagged, clustered and published by the real worker (offline providers), in either
 * storage mode. The API's Ask service follows the stack's env (LLM mode with OPENAI_BASE_URL).
 */
import { expect } from 'vitest';
import { sgdRecords } from './datasets';
import { offlineProviders } from './providers';
import { call, startStack, type Stack } from './stack';

const WEEK_MS = 7 * 86_400_000;

/** SGD records with start times over the last `weeks` weeks and a department per team. */
export function weeklyRecords(count: number, users: number, weeks = 6): Record<string, unknown>[] {
  const now = Date.now();
  return sgdRecords(count, users).map((record, i) => {
    const team = (record['metadata'] as { team: string }).team;
    // More conversations in later weeks, so "growing" has a true answer.
    const spread = ((i * 7919) % count) / count;
    const week = Math.min(weeks - 1, Math.floor(Math.sqrt(spread) * weeks));
    return {
      ...record,
      started_at: new Date(
        now - (weeks - 1 - week) * WEEK_MS - ((i * 37) % 5) * 3_600_000,
      ).toISOString(),
      metadata: {
        team,
        department: team === 'team-0' || team === 'team-1' ? 'commercial' : 'operations',
      },
    };
  });
}

export async function startPublishedStack(
  mode: 'server' | 'embedded',
  options: {
    env?: Record<string, string>;
    extraRecords?: Record<string, unknown>[];
    dashboardDir?: string;
  } = {},
): Promise<Stack> {
  const stack = await startStack({
    mode,
    worker: true,
    workerProviders: offlineProviders,
    env: options.env ?? {},
    ...(options.dashboardDir ? { dashboardDir: options.dashboardDir } : {}),
  });
  const extraRecords = options.extraRecords ?? [];
  const records = [...weeklyRecords(360, 40), ...extraRecords];
  const response = await call(stack, '/v1/conversations', {
    method: 'POST',
    key: stack.tenant.ingestKey,
    body: JSON.stringify(records),
  });
  expect(response.body.accepted).toBe(records.length);
  await stack.queue.waitUntilIdle(180_000);
  await stack.queue.enqueue('cluster-tenant', { tenantId: stack.tenant.tenant.id });
  await stack.queue.waitUntilIdle(180_000);
  // Let both ends' keep-alive timers, late after the busy pipeline, close the idle sockets.
  await new Promise((resolve) => setTimeout(resolve, 250));
  const overview = await callRetrying(stack, '/v1/insights/overview', {
    key: stack.tenant.readKey,
  });
  expect(overview.status).toBe(200);
  return stack;
}

/**
 * `call`, retried once when the connection fails: in embedded mode the pipeline blocks the event
 * loop for seconds, so the client may reuse a kept-alive socket the server has just closed.
 */
export const callRetrying: typeof call = async (stack, path, init) => {
  try {
    return await call(stack, path, init);
  } catch {
    return call(stack, path, init);
  }
};

/** POST /v1/ask with a key. */
export function ask(stack: Stack, question: string, key = stack.tenant.readKey) {
  return callRetrying(stack, '/v1/ask', {
    method: 'POST',
    key,
    body: JSON.stringify({ question }),
  });
}

/** Every number anywhere in a JSON value, except under `skip` keys (positions and counts of rows). */
export function numbersIn(
  value: unknown,
  out = new Set<number>(),
  skip: ReadonlySet<string> = new Set(),
): Set<number> {
  if (typeof value === 'number') out.add(value);
  else if (Array.isArray(value)) for (const item of value) numbersIn(item, out, skip);
  else if (value && typeof value === 'object')
    for (const [key, item] of Object.entries(value)) if (!skip.has(key)) numbersIn(item, out, skip);
  return out;
}

/** Every string anywhere in a JSON value. */
export function stringsIn(value: unknown, out = new Set<string>()): Set<string> {
  if (typeof value === 'string') out.add(value);
  else if (Array.isArray(value)) for (const item of value) stringsIn(item, out);
  else if (value && typeof value === 'object')
    for (const item of Object.values(value)) stringsIn(item, out);
  return out;
}

/** What a read key can read through the insights API: every endpoint, every cluster, every facet. */
export async function insightsApiView(stack: Stack): Promise<unknown[]> {
  const get = async (path: string) =>
    (await callRetrying(stack, path, { key: stack.tenant.readKey })).body;
  const bodies: unknown[] = [await get('/v1/insights/overview')];
  const overview = bodies[0] as { levels?: number };
  for (let level = 0; level < (overview.levels ?? 3); level++) {
    const list = (await get(`/v1/insights/clusters?level=${level}&limit=2000`)) as {
      clusters: { id: string }[];
    };
    bodies.push(list);
    for (const cluster of list.clusters)
      bodies.push(await get(`/v1/insights/clusters/${cluster.id}`));
  }
  for (const facet of ['domain', 'task_type', 'outcome', 'language', 'team', 'department']) {
    bodies.push(await get(`/v1/insights/breakdown?facet=${facet}`));
  }
  for (const facet of ['domain', 'task_type', 'cluster']) {
    for (const interval of ['week', 'month']) {
      bodies.push(await get(`/v1/insights/trends?facet=${facet}&interval=${interval}`));
    }
  }
  bodies.push(await get('/v1/insights/failures'));
  return bodies;
}
