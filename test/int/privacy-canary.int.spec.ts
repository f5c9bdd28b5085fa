/**
 * Privacy invariant 1, end to end: canary strings ingested in conversations (and as user ids)
 * never appear in logs, queue payloads (Redis), any non-sealed table, the facet rows, or an API
 * response, in either run mode, after the worker has processed everything.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canaries } from '../helpers/fixtures';
import { scanRedis, scanTables, scanText } from '../helpers/leak-scan';
import { offlineProviders } from '../helpers/providers';
import { redisUrl } from '../helpers/services';
import { call, startStack, TEST_METRICS_TOKEN, type Stack } from '../helpers/stack';

describe.each(['server', 'embedded'] as const)('canary PII through the %s pipeline', (mode) => {
  let stack: Stack;
  const canary = canaries();
  const secrets = Object.values(canary);
  const responses: string[] = [];

  beforeAll(async () => {
    stack = await startStack({
      mode,
      worker: true,
      workerProviders: offlineProviders,
      env: { METRICS_TOKEN: TEST_METRICS_TOKEN },
    });
    const records = Array.from({ length: 12 }, (_, i) => ({
      id: `canary-${i}`,
      user_id: i % 2 ? canary.email : `${canary.name}-${i % 3}`,
      messages: [
        {
          role: 'user',
          content: `Hi, I am ${canary.name}, email ${canary.email}, phone ${canary.phone}. Please draft a reply to my landlord.`,
        },
        {
          role: 'assistant',
          content: `Sure ${canary.name}. Card ${canary.card} and token ${canary.secret} noted.`,
        },
        { role: 'user', content: `Thanks! Also my api key is ${canary.secret}.` },
      ],
      metadata: { team: 'support' },
    }));
    const ingest = await call(stack, '/v1/conversations', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: JSON.stringify(records),
    });
    responses.push(ingest.text);
    expect(ingest.body).toMatchObject({ accepted: 12 });
    await stack.queue.waitUntilIdle(60_000);
    for (const path of ['/v1/status', '/v1/tenant', '/v1/admin/audit-log']) {
      responses.push((await call(stack, path, { key: stack.tenant.adminKey })).text);
    }
    // The operator's view too: `/metrics` answers the metrics token only.
    const metrics = await call(stack, '/metrics', { key: TEST_METRICS_TOKEN });
    expect(metrics.status).toBe(200);
    responses.push(metrics.text);
  });
  afterAll(async () => stack?.close());

  it('tags every conversation (so the whole pipeline really ran)', async () => {
    const status = await call(stack, '/v1/status', { key: stack.tenant.adminKey });
    expect(status.body).toMatchObject({ conversations: 12, failed: 0, accepted: 0 });
    const facets = await stack.ownerDb.query<{ n: number }>(
      'SELECT count(*)::integer AS n FROM sealed.facets',
    );
    expect(Number(facets.rows[0]!.n)).toBe(12);
  });

  it('leaves no canary in any non-sealed table, nor in the facet rows', async () => {
    // Positive control: the scanner does see what is there.
    expect(await scanTables(stack.ownerDb, ['app'], ['acme'])).toContain('app.tenants: acme');
    expect(
      await scanTables(stack.ownerDb, ['app', 'insights', 'intake', 'public'], secrets),
    ).toEqual([]);
    const facetLeaks = await scanTables(stack.ownerDb, ['sealed'], secrets);
    // The only sealed table allowed to hold them is the encrypted one, and not even there in clear.
    expect(facetLeaks).toEqual([]);
  });

  it('leaves no canary in logs or API responses', () => {
    expect(stack.logs().length).toBeGreaterThan(0);
    expect(scanText('logs', stack.logs(), secrets)).toEqual([]);
    expect(responses.flatMap((text, i) => scanText(`response ${i}`, text, secrets))).toEqual([]);
  });

  if (mode === 'server') {
    it('leaves no canary in Redis (queue payloads, job state)', async () => {
      const { keys, found } = await scanRedis(redisUrl(), stack.queuePrefix, secrets);
      expect(keys).toBeGreaterThan(0);
      expect(found).toEqual([]);
    });
  }
});
