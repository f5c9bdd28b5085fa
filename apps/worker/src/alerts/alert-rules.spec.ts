import { describe, expect, it } from 'vitest';
import { alertRuleParamsSchema, createAlertRuleSchema } from '@silhouette/contracts';
import {
  alertText,
  evaluateFailureRateRise,
  evaluateMinutesSavedDrop,
  evaluateNewCluster,
  evaluateTaggingFailures,
  publishedFailureRate,
  slackEscape,
  type ClusterFigures,
} from './alert-rules';

const cluster = (id: string, failureRate: number | null, extra: Partial<ClusterFigures> = {}) => ({
  id,
  name: `Cluster ${id}`,
  isOther: false,
  conversations: 40,
  failureRate,
  ...extra,
});

describe('alert rules on published figures', () => {
  it('reads a failure rate only when some outcome was published as itself', () => {
    expect(
      publishedFailureRate({
        failure_rate: 0.3,
        outcomes: [{ isOther: false }, { isOther: true }],
      }),
    ).toBe(0.3);
    expect(publishedFailureRate({ failure_rate: 0.3, outcomes: [{ isOther: true }] })).toBeNull();
    expect(publishedFailureRate({ outcomes: [{ isOther: false }] })).toBeNull();
  });

  it('fires on a rise of at least the threshold, between figures published on both sides', () => {
    const params = {
      kind: 'failure_rate_rise',
      map: 'topic',
      level: 0,
      points: 10,
      baseline: 'previous_week',
    } as const;
    const fired = evaluateFailureRateRise(
      params,
      [
        cluster('a', 0.35),
        cluster('b', 0.19),
        cluster('c', 0.9),
        cluster('d', 0.5, { isOther: true }),
      ],
      [cluster('a', 0.2), cluster('b', 0.1), cluster('c', null), cluster('d', 0)],
      '2026-W49',
      'last week',
    );
    expect(fired.map((alert) => alert.subjectKey)).toEqual(['a']);
    expect(fired[0]!.figures).toMatchObject({ current: 0.35, previous: 0.2, change_points: 15 });
    // No earlier publication: nothing to compare, nothing fires.
    expect(evaluateFailureRateRise(params, [cluster('a', 1)], undefined, 'W', '')).toEqual([]);
    expect(fired[0]!.message).toMatch(/^Failure rate rose in "Cluster a": 20% → 35%/);
  });

  it('watches issue clusters the same way, and says so', () => {
    const params = alertRuleParamsSchema.parse({
      kind: 'failure_rate_rise',
      map: 'issue',
      level: 1,
      points: 20,
      baseline: 'previous_publication',
    });
    if (params.kind !== 'failure_rate_rise') throw new Error('kind');
    const fired = evaluateFailureRateRise(
      params,
      [cluster('i1', 0.75), cluster('i2', 0.6), cluster('pooled', 1, { isOther: true })],
      [cluster('i1', 0.5), cluster('i2', 0.45), cluster('pooled', 0)],
      '2026-W49',
      'the previous publication (version 3)',
    );
    expect(fired.map((alert) => alert.subjectKey)).toEqual(['i1']);
    expect(fired[0]!.figures).toMatchObject({ current: 0.75, previous: 0.5, change_points: 25 });
    expect(fired[0]!.message).toBe(
      'Failure rate rose in issue cluster "Cluster i1": 50% → 75% (+25 points, alert at 20) since the previous publication (version 3).',
    );
  });

  it('validates the map of a failure-rate rule, naming the field', () => {
    const parse = (params: Record<string, unknown>) =>
      createAlertRuleSchema.safeParse({
        name: 'Rule',
        params: { kind: 'failure_rate_rise', points: 5, ...params },
      });
    // A rule stored before the field existed reads as a topic rule.
    expect(parse({}).data?.params).toMatchObject({ map: 'topic', level: 0 });
    const unknown = parse({ map: 'issues' });
    expect(unknown.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['params.map']);
    expect(unknown.error?.issues[0]?.message).toBe('one of "topic", "issue"');
    // The issues map has two levels; the topic tree may have more.
    const deep = parse({ map: 'issue', level: 2 });
    expect(deep.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['params.level']);
    expect(parse({ map: 'topic', level: 2 }).success).toBe(true);
    expect(parse({ map: 'issue', level: 1 }).success).toBe(true);
    // Only failure-rate rules take a map.
    const other = createAlertRuleSchema.safeParse({
      name: 'Rule',
      params: { kind: 'new_cluster', min_conversations: 5, map: 'issue' },
    });
    expect(other.success).toBe(false);
  });

  it('calls a cluster new only when it was neither published nor pooled before', () => {
    const params = {
      kind: 'new_cluster',
      level: 2,
      min_conversations: 20,
      baseline: 'previous_week',
    } as const;
    const fired = evaluateNewCluster(
      params,
      [
        cluster('old', 0),
        cluster('pooled', 0),
        cluster('new', 0),
        cluster('small', 0, { conversations: 12 }),
      ],
      { clusters: [cluster('old', 0)], pooledIds: ['pooled'] },
      'W',
      'last week',
    );
    expect(fired.map((alert) => alert.subjectKey)).toEqual(['new']);
    expect(evaluateNewCluster(params, [cluster('new', 0)], undefined, 'W', '')).toEqual([]);
  });

  it("compares the last closed week's minutes with the week before", () => {
    const publishedAt = new Date('2026-12-09T12:00:00Z'); // 2026-W50
    const cells = [
      { bucket: '2026-W48', value: 'sales', isOther: false, minutesSavedTotal: 400 },
      { bucket: '2026-W49', value: 'sales', isOther: false, minutesSavedTotal: 100 },
      { bucket: '2026-W48', value: 'support', isOther: false, minutesSavedTotal: 400 },
      { bucket: '2026-W49', value: 'support', isOther: false, minutesSavedTotal: 380 },
      { bucket: '2026-W49', value: 'new-team', isOther: false, minutesSavedTotal: 10 },
      { bucket: '2026-W48', value: '(other)', isOther: true, minutesSavedTotal: 100 },
      { bucket: '2026-W49', value: '(other)', isOther: true, minutesSavedTotal: 0 },
    ];
    const fired = evaluateMinutesSavedDrop(
      { kind: 'minutes_saved_drop', scope: 'team', percent: 50 },
      cells,
      publishedAt,
      (value) => value,
    );
    expect(fired).toHaveLength(1);
    expect(fired[0]).toMatchObject({ subjectKey: 'sales', period: '2026-W49' });
    expect(fired[0]!.figures).toMatchObject({ drop_percent: 75, previous_week: '2026-W48' });
  });

  it('counts tagging failures among processed conversations, above a minimum', () => {
    const params = { kind: 'tagging_failures', percent: 5, min_conversations: 20 } as const;
    expect(evaluateTaggingFailures(params, { failed: 2, tagged: 8, embedded: 0 }, 'W')).toEqual([]);
    expect(evaluateTaggingFailures(params, { failed: 1, tagged: 19, embedded: 0 }, 'W')).toEqual(
      [],
    );
    const fired = evaluateTaggingFailures(params, { failed: 3, tagged: 10, embedded: 27 }, 'W');
    expect(fired[0]!.figures).toMatchObject({ failed: 3, processed: 40, failed_percent: 7.5 });
  });

  it('escapes published names for Slack so they cannot mention or link', () => {
    expect(slackEscape('<!channel> & <https://x.example|click>')).toBe(
      '&lt;!channel&gt; &amp; &lt;https://x.example|click&gt;',
    );
    const [alert] = evaluateNewCluster(
      { kind: 'new_cluster', level: 0, min_conversations: 1, baseline: 'previous_week' },
      [cluster('x', 0, { name: '<!here> tricks' })],
      { clusters: [], pooledIds: [] },
      'W',
      'last week',
    );
    expect(alertText('Rule <b>', alert!)).not.toMatch(/[<>]/);
  });
});
