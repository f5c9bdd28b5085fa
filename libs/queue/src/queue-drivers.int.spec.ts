import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import { redisUrl } from '../../../test/helpers/services';
import { BullmqQueueDriver } from './bullmq.driver';
import { InProcessQueueDriver } from './in-process.driver';
import {
  UnrecoverableJobError,
  type DeadLetter,
  type JobHandlers,
  type QueueDriver,
  type QueuePolicies,
} from './queue-driver';

const policies: QueuePolicies = {
  tagging: { attempts: 3, backoffMs: 20, concurrency: 4, lockMs: 30_000 },
  clustering: { attempts: 1, backoffMs: 20, concurrency: 1, lockMs: 30_000 },
  maintenance: { attempts: 2, backoffMs: 20, concurrency: 1, lockMs: 30_000 },
  reports: { attempts: 2, backoffMs: 20, concurrency: 2, lockMs: 30_000 },
};

type Kind = 'bullmq' | 'in-process';
function openDriver(kind: Kind, prefix: string): QueueDriver {
  return kind === 'bullmq'
    ? new BullmqQueueDriver(redisUrl(), policies, prefix)
    : new InProcessQueueDriver(policies);
}

function handlers(tag: JobHandlers['tag-conversation']): JobHandlers {
  return {
    'tag-conversation': tag,
    'cluster-tenant': async () => undefined,
    'erase-user': async () => undefined,
    'apply-retention': async () => undefined,
    'report-tick': async () => undefined,
    'render-report': async () => undefined,
    'deliver-report': async () => undefined,
    'evaluate-alerts': async () => undefined,
    'deliver-alert': async () => undefined,
  };
}

describe.each<Kind>(['bullmq', 'in-process'])('%s queue driver', (kind) => {
  let driver: QueueDriver | undefined;
  const prefix = `test-${randomBytes(4).toString('hex')}`;
  afterEach(async () => {
    await driver?.close();
    driver = undefined;
  });

  it('refuses to start when a job name has no handler', async () => {
    driver = openDriver(kind, prefix);
    const partial = { 'tag-conversation': async () => undefined } as unknown as JobHandlers;
    await expect(driver.startWorkers(partial)).rejects.toThrow(
      /no handler registered for job\(s\): cluster-tenant, erase-user, apply-retention/,
    );
  });

  it('rejects a payload that does not match the job schema, at enqueue', async () => {
    driver = openDriver(kind, prefix);
    await expect(
      driver.enqueue('tag-conversation', { tenantId: 'nope', conversationId: randomUUID() }),
    ).rejects.toThrow();
  });

  it('dedupes by deterministic job id, retries with backoff, then dead-letters with the reason', async () => {
    driver = openDriver(kind, `${prefix}-a`);
    const tenantId = randomUUID();
    const ok = randomUUID();
    const flaky = randomUUID();
    const broken = randomUUID();
    const unrecoverable = randomUUID();
    const runs = new Map<string, number>();
    const deadLetters: DeadLetter[] = [];
    await driver.enqueueMany('tag-conversation', [
      { tenantId, conversationId: ok },
      { tenantId, conversationId: ok }, // same id: deduplicated
      { tenantId, conversationId: flaky },
      { tenantId, conversationId: broken },
      { tenantId, conversationId: unrecoverable },
    ]);
    await driver.startWorkers(
      handlers(async ({ conversationId }) => {
        const attempt = (runs.get(conversationId) ?? 0) + 1;
        runs.set(conversationId, attempt);
        if (conversationId === flaky && attempt < 2) throw new Error('transient failure');
        if (conversationId === broken) throw new Error('always fails (code E_TEST)');
        if (conversationId === unrecoverable) throw new UnrecoverableJobError('gone for good');
      }),
      (dead) => {
        deadLetters.push(dead);
      },
    );
    await driver.waitUntilIdle(20_000);
    await expect.poll(() => deadLetters.length, { timeout: 5000 }).toBe(2);
    expect(runs.get(ok)).toBe(1);
    expect(runs.get(flaky)).toBe(2);
    expect(runs.get(broken)).toBe(3);
    expect(runs.get(unrecoverable)).toBe(1);
    const reasons = Object.fromEntries(
      deadLetters.map((dead) => [
        (dead.payload as { conversationId: string }).conversationId,
        dead.reason,
      ]),
    );
    expect(reasons[broken]).toBe('always fails (code E_TEST)');
    expect(reasons[unrecoverable]).toBe('gone for good');
    const counts = await driver.counts();
    expect(counts.tagging.failed).toBe(2);
    expect((await driver.deadLetters()).map((dead) => dead.reason).sort()).toEqual([
      'always fails (code E_TEST)',
      'gone for good',
    ]);
  });

  it('retries dead letters on request', async () => {
    driver = openDriver(kind, `${prefix}-b`);
    const tenantId = randomUUID();
    const conversationId = randomUUID();
    let healthy = false;
    let successes = 0;
    await driver.startWorkers(
      handlers(async () => {
        if (!healthy) throw new UnrecoverableJobError('downstream unavailable');
        successes += 1;
      }),
    );
    await driver.enqueue('tag-conversation', { tenantId, conversationId });
    await driver.waitUntilIdle(10_000);
    await expect
      .poll(async () => (await driver!.counts()).tagging.failed, { timeout: 5000 })
      .toBe(1);
    healthy = true;
    expect(await driver.retryDeadLetters()).toBe(1);
    await driver.waitUntilIdle(10_000);
    expect(successes).toBe(1);
    expect((await driver.counts()).tagging.failed).toBe(0);
  });

  it("retries one tenant's dead letters and leaves the other tenant's dead", async () => {
    driver = openDriver(kind, `${prefix}-c`);
    const tenantA = randomUUID();
    const tenantB = randomUUID();
    let healthy = false;
    const succeeded: string[] = [];
    await driver.startWorkers(
      handlers(async ({ tenantId }) => {
        if (!healthy) throw new UnrecoverableJobError('downstream unavailable');
        succeeded.push(tenantId);
      }),
    );
    await driver.enqueueMany('tag-conversation', [
      { tenantId: tenantA, conversationId: randomUUID() },
      { tenantId: tenantA, conversationId: randomUUID() },
      { tenantId: tenantB, conversationId: randomUUID() },
    ]);
    await driver.waitUntilIdle(10_000);
    await expect
      .poll(async () => (await driver!.counts()).tagging.failed, { timeout: 5000 })
      .toBe(3);
    healthy = true;
    expect(await driver.retryDeadLetters({ tenantId: tenantA })).toBe(2);
    await driver.waitUntilIdle(10_000);
    expect(succeeded).toEqual([tenantA, tenantA]);
    const dead = await driver.deadLetters();
    expect(dead.map((letter) => (letter.payload as { tenantId: string }).tenantId)).toEqual([
      tenantB,
    ]);
    expect(await driver.retryDeadLetters({ tenantId: tenantA })).toBe(0);
    expect(await driver.retryDeadLetters()).toBe(1);
    await driver.waitUntilIdle(10_000);
    expect(succeeded).toEqual([tenantA, tenantA, tenantB]);
  });
});

describe.each<Kind>(['bullmq', 'in-process'])('%s dead letters discarded on request', (kind) => {
  it('lets a dead-lettered id run again after discardDeadLetter (enqueue alone does not, on BullMQ)', async () => {
    const driver = openDriver(kind, `test-${randomBytes(4).toString('hex')}-d`);
    try {
      const tenantId = randomUUID();
      let runs = 0;
      await driver.startWorkers({
        ...handlers(async () => undefined),
        'cluster-tenant': async () => {
          runs += 1;
          if (runs === 1) throw new UnrecoverableJobError('endpoint refused the request');
        },
      });
      await driver.enqueue('cluster-tenant', { tenantId });
      await expect
        .poll(async () => (await driver.counts()).clustering.failed, { timeout: 5000 })
        .toBe(1);
      expect(await driver.discardDeadLetter('cluster-tenant', { tenantId: randomUUID() })).toBe(
        false,
      );
      expect(await driver.discardDeadLetter('cluster-tenant', { tenantId })).toBe(true);
      expect((await driver.counts()).clustering.failed).toBe(0);
      await driver.enqueue('cluster-tenant', { tenantId });
      await driver.waitUntilIdle(10_000);
      expect(runs).toBe(2);
      expect(await driver.discardDeadLetter('cluster-tenant', { tenantId })).toBe(false);
    } finally {
      await driver.close();
    }
  });
});

describe.each<Kind>(['bullmq', 'in-process'])('%s repeatable jobs', (kind) => {
  it('fire on the cron, are listed, leave the queue idle between runs and stop when removed', async () => {
    const driver = openDriver(kind, `test-${randomBytes(4).toString('hex')}`);
    const tenantId = randomUUID();
    const scheduleId = randomUUID();
    const ticks: string[] = [];
    try {
      await driver.startWorkers({
        ...handlers(async () => undefined),
        'report-tick': async (payload) => {
          ticks.push(payload.scheduleId);
        },
      });
      const id = `report-schedule__${scheduleId}`;
      await driver.upsertSchedule(id, { cron: '* * * * * *', timezone: 'UTC' }, 'report-tick', {
        tenantId,
        scheduleId,
      });
      expect(await driver.scheduleIds()).toEqual([id]);
      await expect.poll(() => ticks.length, { timeout: 5000, interval: 100 }).toBeGreaterThan(1);
      // The next run waiting in the scheduler does not count as work (process, tests).
      await driver.waitUntilIdle(5000);
      await driver.removeSchedule(id);
      expect(await driver.scheduleIds()).toEqual([]);
      await new Promise((resolve) => setTimeout(resolve, 300));
      const after = ticks.length;
      await new Promise((resolve) => setTimeout(resolve, 2200));
      expect(ticks.length).toBe(after);
      expect(new Set(ticks)).toEqual(new Set([scheduleId]));
    } finally {
      await driver.close();
    }
  });

  it('rejects an invalid cron expression and keeps nothing', async () => {
    const driver = openDriver(kind, `test-${randomBytes(4).toString('hex')}`);
    try {
      await expect(
        driver.upsertSchedule(
          'report-schedule__bad',
          { cron: '61 * * * *', timezone: 'UTC' },
          'report-tick',
          { tenantId: randomUUID(), scheduleId: randomUUID() },
        ),
      ).rejects.toThrow();
      expect(await driver.scheduleIds()).toEqual([]);
    } finally {
      await driver.close();
    }
  });
});

describe('BullMQ payloads in Redis', () => {
  it('carry ids only', async () => {
    const prefix = `test-${randomBytes(4).toString('hex')}`;
    const driver = new BullmqQueueDriver(redisUrl(), policies, prefix);
    const tenantId = randomUUID();
    const conversationId = randomUUID();
    await driver.enqueue('tag-conversation', { tenantId, conversationId });
    const redis = new Redis(redisUrl());
    try {
      const data = await redis.hget(
        `${prefix}:tagging:tag-conversation__${tenantId}__${conversationId}`,
        'data',
      );
      expect(JSON.parse(data!)).toEqual({ tenantId, conversationId });
    } finally {
      redis.disconnect();
      await driver.close();
    }
  });
});
