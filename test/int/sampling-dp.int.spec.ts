/**
 * Sampling under differential privacy (issue #15, item 5 with #11), in both storage modes: a
 * tenant tagging a 50% sample publishes noisy figures scaled by 1 / rate, every interval combines
 * the sampling error with the privacy noise (wider than the noise alone, around the published
 * value), and the exact sample sizes (tagged, considered) are nowhere in what a reader sees.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clusterDetailResponseSchema, overviewResponseSchema } from '@silhouette/contracts';
import { sgdRecords } from '../helpers/datasets';
import { offlineProviders } from '../helpers/providers';
import { call, startStack, type Stack } from '../helpers/stack';

const WEEK_MS = 7 * 86_400_000;
const RECORDS = 480;

/** SGD records over the three weeks before this one and this one. */
function spreadRecords(count: number, users: number) {
  const now = Date.now();
  return sgdRecords(count, users).map((record, index) => ({
    ...record,
    started_at: new Date(
      now - (Math.floor(index / users) % 4) * WEEK_MS - (index % 89) * 60_000,
    ).toISOString(),
  }));
}

describe.each(['embedded', 'server'] as const)('sampling in dp mode (%s mode)', (mode) => {
  let stack: Stack;
  const admin = (path: string, init: { method?: string; body?: unknown } = {}) =>
    call(stack, path, {
      key: stack.tenant.adminKey,
      ...(init.method ? { method: init.method } : {}),
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });

  beforeAll(async () => {
    stack = await startStack({
      mode,
      worker: true,
      workerProviders: offlineProviders,
      env: { PRIVACY_MODE: 'dp', PUBLISH_INTERVAL_S: '3600', DP_EPSILON_PER_MONTH: '60' },
    });
    expect(
      (await admin('/v1/admin/cost', { method: 'PATCH', body: { sample_rate: 0.5 } })).status,
    ).toBe(200);
    // The worker reads cost settings at most a second old.
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    const response = await call(stack, '/v1/conversations', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: JSON.stringify(spreadRecords(RECORDS, 60)),
    });
    expect(response.body.accepted).toBe(RECORDS);
    await stack.queue.waitUntilIdle(180_000);
    await stack.queue.enqueue('cluster-tenant', {
      tenantId: stack.tenant.tenant.id,
      release: 'requested',
    });
    await stack.queue.waitUntilIdle(180_000);
  }, 400_000);
  afterAll(async () => stack?.close());

  it('scales the noisy figures by 1 / rate, with intervals of sampling and noise together', async () => {
    const status = (await admin('/v1/status')).body;
    const tagged = status.tagged + status.embedded;
    expect(status.not_sampled).toBeGreaterThan(0);
    expect(tagged + status.not_sampled).toBe(RECORDS);

    const response = await call(stack, '/v1/insights/overview', { key: stack.tenant.readKey });
    expect(response.status).toBe(200);
    const overview = overviewResponseSchema.parse(response.body);
    expect(overview.snapshot.privacy_mode).toBe('dp');
    expect(overview.published).toBe(true);
    expect(overview.sample).toEqual({
      rate: 0.5,
      factor: 2,
      method: expect.stringContaining('privacy noise'),
    });
    // Exact sample sizes are exact counts: not in anything a reader gets.
    expect(JSON.stringify(response.body)).not.toMatch(/"sampled"|"population"/);

    const total = overview.conversations!;
    const noise = overview.noise!['conversations']!;
    const sampling = overview.sampling!.conversations;
    expect(noise.low).toBeLessThanOrEqual(total);
    expect(noise.high).toBeGreaterThanOrEqual(total);
    // Both errors: wider than the noise alone on each side, around the published value.
    expect(sampling.low).toBeLessThan(noise.low);
    expect(sampling.high).toBeGreaterThan(noise.high);
    // The truth (every conversation considered) is far inside three half-widths.
    const half = (sampling.high - sampling.low) / 2;
    console.log(
      `[${mode}] dp + 50% sample: published ${total} conversations, 90% interval ${sampling.low}–${sampling.high} (noise alone ${noise.low}–${noise.high}); truth ${RECORDS}; tagged ${tagged}`,
    );
    expect(Math.abs(total - RECORDS)).toBeLessThan(3 * half);

    const clusters = (await admin('/v1/insights/clusters?level=0')).body.clusters;
    expect(clusters.length).toBeGreaterThan(0);
    for (const summary of clusters.filter((c: { is_other?: boolean }) => !c.is_other)) {
      const detail = clusterDetailResponseSchema.parse(
        (await admin(`/v1/insights/clusters/${summary.id}`)).body,
      );
      const interval = detail.metrics.sampling!.conversations;
      expect(interval.low).toBeLessThanOrEqual(detail.conversations);
      expect(interval.high).toBeGreaterThanOrEqual(detail.conversations);
    }
  });
});
