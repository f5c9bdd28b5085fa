import { describe, expect, it } from 'vitest';
import { bootstrapInterval, mulberry32 } from '@silhouette/privacy';
import { applyDpSample, applySample, DpSampleScale, SampleScale } from './apply-sample';

describe('sampled figures', () => {
  // A known population, sampled at 25% again and again: the 90% intervals must cover the true
  // cell figures about 90% of the time (the estimator is what publishing applies).
  it('gives 90% intervals that cover the true count and minutes about 90% of the time', () => {
    const random = mulberry32(42);
    const population = Array.from({ length: 2000 }, () => ({
      inCell: random() < 0.2,
      minutes: random() < 0.3 ? 0 : Math.round(5 + random() * 55),
    }));
    const trueCount = population.filter((row) => row.inCell).length;
    const trueMinutes = population.filter((row) => row.inCell).reduce((s, r) => s + r.minutes, 0);
    let countCovered = 0;
    let minutesCovered = 0;
    const trials = 300;
    for (let trial = 0; trial < trials; trial++) {
      const sample = population.filter(() => random() < 0.25);
      const cell = sample.filter((row) => row.inCell).map((row) => row.minutes);
      const scale = new SampleScale({ rate: 0.25, sampled: sample.length, population: 2000 });
      const count = scale.countInterval(cell.length);
      if (count.low <= trueCount && trueCount <= count.high) countCovered++;
      const total = cell.reduce((s, m) => s + m, 0);
      const boot = bootstrapInterval(cell, { statistic: 'sum', seed: trial });
      const minutes = scale.minutesInterval(total, boot.low, boot.high, cell.length);
      if (minutes.low <= trueMinutes && trueMinutes <= minutes.high) minutesCovered++;
    }
    console.log(
      `sampled 90% intervals, ${trials} trials: count coverage ${countCovered / trials}, minutes coverage ${minutesCovered / trials}`,
    );
    expect(countCovered / trials).toBeGreaterThan(0.85);
    expect(countCovered / trials).toBeLessThan(0.96);
    // Minutes combine sampling with the bootstrap's spread: conservative, never under-covering.
    expect(minutesCovered / trials).toBeGreaterThan(0.85);
  });

  // dp mode: the sampled count and minutes carry Gaussian noise, the intervals combine both.
  it('covers the truth at least 90% of the time with sampling and privacy noise (dp mode)', () => {
    const random = mulberry32(7);
    const gaussian = () =>
      Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
    const clip = 60;
    const population = Array.from({ length: 2000 }, () => ({
      inCell: random() < 0.2,
      minutes: random() < 0.3 ? 0 : Math.round(5 + random() * 55),
    }));
    const trueCount = population.filter((row) => row.inCell).length;
    const trueMinutes = population.filter((row) => row.inCell).reduce((s, r) => s + r.minutes, 0);
    const scale = new DpSampleScale(0.25, clip);
    const [sigmaCount, sigmaMinutes] = [8, 300];
    let countCovered = 0;
    let minutesCovered = 0;
    const trials = 300;
    for (let trial = 0; trial < trials; trial++) {
      const cell = population.filter((row) => row.inCell && random() < 0.25);
      const noisyCount = Math.max(0, Math.round(cell.length + sigmaCount * gaussian()));
      const total = cell.reduce((s, r) => s + r.minutes, 0);
      const noisyMinutes = Math.max(0, Math.round(total + sigmaMinutes * gaussian()));
      const count = scale.countInterval(noisyCount, {
        low: noisyCount - 1.645 * sigmaCount,
        high: noisyCount + 1.645 * sigmaCount,
      });
      if (count.low <= trueCount && trueCount <= count.high) countCovered++;
      const minutes = scale.minutesInterval(
        noisyMinutes,
        noisyMinutes - 1.645 * sigmaMinutes,
        noisyMinutes + 1.645 * sigmaMinutes,
      );
      if (minutes.low <= trueMinutes && trueMinutes <= minutes.high) minutesCovered++;
    }
    console.log(
      `dp sampled 90% intervals, ${trials} trials: count coverage ${countCovered / trials}, minutes coverage ${minutesCovered / trials}`,
    );
    expect(countCovered / trials).toBeGreaterThan(0.85);
    expect(countCovered / trials).toBeLessThan(0.97);
    // Σx² bounded by the clip: wide rather than short.
    expect(minutesCovered / trials).toBeGreaterThan(0.88);
  });

  it('publishes no exact sample sizes in dp mode, and scales noise intervals with their figures', () => {
    const draft = {
      tenantId: 't',
      runId: 'r',
      periodStart: null,
      periodEnd: null,
      overview: {
        published: true,
        conversations: 100,
        noise: { conversations: { low: 90, high: 110 }, minutes_saved: { low: 800, high: 1200 } },
        minutes_saved: { total: 1000, total_low: 800, total_high: 1200 },
      },
      clusters: [],
      breakdowns: [
        {
          facet: 'language',
          value: 'en',
          isOther: false,
          conversations: 50,
          distinctUsers: 9,
          minutesSavedTotal: 500,
          noise: { conversations: { low: 45, high: 55 } },
        },
      ],
      trends: [],
      evidence: {},
    } as unknown as Parameters<typeof applyDpSample>[0];
    const scaled = applyDpSample(draft, { rate: 0.25, maxMinutesPerConversation: 60 });
    const overview = scaled.overview as Record<string, any>;
    expect(overview['conversations']).toBe(400);
    expect(overview['sample']).toEqual({
      rate: 0.25,
      factor: 4,
      method: expect.stringContaining('privacy noise'),
    });
    expect(overview['noise'].conversations).toEqual({ low: 360, high: 440 });
    expect(overview['minutes_saved'].total).toBe(4000);
    // Wider than the noise alone (±800 scaled), by the sampling error.
    const sampling = overview['sampling'];
    expect(sampling.conversations.low).toBeLessThan(360);
    expect(sampling.conversations.high).toBeGreaterThan(440);
    expect(sampling.minutes_saved.low).toBeLessThan(3200);
    expect(scaled.breakdowns[0]).toMatchObject({
      conversations: 200,
      distinctUsers: 9,
      noise: { conversations: { low: 180, high: 220 } },
    });
    // A fully tagged tenant is left alone.
    expect(applyDpSample(draft, { rate: 1, maxMinutesPerConversation: 60 })).toBe(draft);
  });

  it('scales the issues map, its topic cells and per-cluster custom parts like every count', () => {
    const row = (value: string, conversations: number, noise?: object) => ({
      value,
      isOther: false,
      conversations,
      distinctUsers: 7,
      minutesSavedTotal: 10 * conversations,
      ...(noise ? { noise } : {}),
    });
    const draft = {
      tenantId: 't',
      runId: 'r',
      periodStart: null,
      periodEnd: null,
      overview: { published: true, conversations: 100 },
      evidence: {},
      clusters: [
        {
          clusterId: 'c',
          level: 0,
          parentId: null,
          isOther: false,
          name: 'n',
          description: '',
          keywords: [],
          conversations: 60,
          distinctUsers: 8,
          minutesSavedTotal: 600,
          metrics: {
            custom: { area: [row('dining', 40), row('travel', 20)] },
            custom_means: { rating: 3.5 },
          },
          goals: [],
          lineage: { kind: 'new', sources: [] },
        },
      ],
      breakdowns: [],
      trends: [],
      mapClusters: [
        {
          map: 'issues',
          clusterId: 'i',
          level: 0,
          parentId: null,
          isOther: false,
          name: 'Wrong answer',
          description: '',
          keywords: [],
          conversations: 30,
          distinctUsers: 9,
          metrics: {
            outcomes: [row('unresolved', 30)],
            failure_rate: 0.5,
            failure_impact_minutes: 120,
            topics: [{ cluster_id: 'c', name: 'n', conversations: 20, distinct_users: 6 }],
            noise: { conversations: { low: 25, high: 35 } },
          },
        },
      ],
    } as unknown as Parameters<typeof applyDpSample>[0];
    const scaled = applyDpSample(draft, { rate: 0.5, maxMinutesPerConversation: 60 });
    const cluster = scaled.clusters[0]!.metrics as Record<string, any>;
    expect(cluster['custom'].area.map((r: { conversations: number }) => r.conversations)).toEqual([
      80, 40,
    ]);
    expect(cluster['custom_means']).toEqual({ rating: 3.5 });
    const issue = scaled.mapClusters![0]!;
    expect(issue.conversations).toBe(60);
    expect(issue.distinctUsers).toBe(9);
    const metrics = issue.metrics as Record<string, any>;
    expect(metrics['outcomes'][0].conversations).toBe(60);
    expect(metrics['topics'][0]).toMatchObject({ conversations: 40, distinct_users: 6 });
    expect(metrics['failure_rate']).toBe(0.5);
    expect(metrics['failure_impact_minutes']).toBe(240);
    expect(metrics['noise'].conversations).toEqual({ low: 50, high: 70 });
    // Sampling and noise combined: wider than the scaled noise interval alone.
    expect(metrics['sampling'].conversations.low).toBeLessThan(50);
    expect(metrics['sampling'].conversations.high).toBeGreaterThan(70);
  });

  it('leaves a fully tagged tenant and closed frozen weeks as they were', () => {
    const draft = {
      tenantId: 't',
      runId: 'r',
      periodStart: null,
      periodEnd: null,
      overview: {
        published: true,
        conversations: 100,
        weekly: [
          {
            value: '2026-W01',
            isOther: false,
            conversations: 40,
            distinctUsers: 8,
            minutesSavedTotal: 400,
          },
          {
            value: '2026-W02',
            isOther: false,
            conversations: 60,
            distinctUsers: 9,
            minutesSavedTotal: 600,
          },
        ],
        minutes_saved: {
          total: 1000,
          total_low: 900,
          total_high: 1100,
          mean: 10,
          mean_low: 9,
          mean_high: 11,
        },
        failure_rate: 0.2,
      },
      evidence: {},
      clusters: [],
      breakdowns: [
        {
          facet: 'team',
          value: 'a',
          isOther: false,
          conversations: 50,
          distinctUsers: 6,
          minutesSavedTotal: 500,
        },
      ],
      trends: [
        {
          facet: 'all',
          interval: 'week' as const,
          bucket: '2026-W01',
          value: 'all',
          isOther: false,
          conversations: 40,
          distinctUsers: 8,
          minutesSavedTotal: 400,
        },
        {
          facet: 'all',
          interval: 'week' as const,
          bucket: '2026-W02',
          value: 'all',
          isOther: false,
          conversations: 60,
          distinctUsers: 9,
          minutesSavedTotal: 600,
        },
      ],
    };
    expect(applySample(draft, { rate: 1, sampled: 100, population: 100 }, new Set())).toBe(draft);
    const scaled = applySample(
      draft,
      { rate: 0.5, sampled: 100, population: 200 },
      new Set(['2026-W01']),
    );
    expect(scaled.overview['conversations']).toBe(200);
    expect(scaled.overview['failure_rate']).toBe(0.2);
    const weekly = scaled.overview['weekly'] as { value: string; conversations: number }[];
    expect(weekly.map((row) => row.conversations)).toEqual([40, 120]);
    expect(scaled.trends.map((row) => row.conversations)).toEqual([40, 120]);
    expect(scaled.breakdowns[0]).toMatchObject({
      conversations: 100,
      minutesSavedTotal: 1000,
      distinctUsers: 6,
    });
    expect(scaled.overview['sample']).toMatchObject({
      rate: 0.5,
      sampled: 100,
      population: 200,
      factor: 2,
    });
  });
});
