/**
 * Alerts (issue #15, item 3) in both storage modes, with the real worker tagging through the
 * scripted OpenAI-compatible server: four rules, one of each kind, created after a first
 * publication; a second publication makes each fire exactly once (failure rate up in the
 * contract topic, a new translation topic, a team's minutes saved down week on week, tagging
 * failures above 5%); evaluating the same snapshot again and a third publication raise nothing
 * more. Webhooks reach a local receiver with a Slack-compatible `text` and a valid signature,
 * the e-mail reaches a local SMTP sink, and every compared figure is a published one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  alertListSchema,
  alertRuleViewSchema,
  isoWeekLabel,
  isoWeekStart,
} from '@silhouette/contracts';
import { verifyWebhookSignature } from '@silhouette/reports';
import { startSmtpSink, startWebhookReceiver, type WebhookCall } from '../helpers/delivery-sinks';
import { ScriptedLlmServer } from '../helpers/scripted-llm-server';
import { scriptedTaggerProviders } from '../helpers/scripted-providers';
import { call, startStack, type Stack } from '../helpers/stack';

const DAY_MS = 86_400_000;
const TOPICS = {
  finance: 'Can you check this budget forecast and the expense figures for our revenue?',
  legal: 'Please review this contract clause for liability and compliance.',
  marketing: 'Plan a marketing campaign for our brand newsletter.',
  translation: 'Please translate this paragraph, I need a translation into German.',
};
const THANKS = 'Thanks, that worked!';
const FAILED = "That doesn't work, the answer is wrong.";

/** A day (Wednesday noon) inside the ISO week `weeksAgo` weeks before now. */
function dayInWeek(weeksAgo: number): string {
  const week = isoWeekLabel(new Date(Date.now() - weeksAgo * 7 * DAY_MS));
  return new Date(isoWeekStart(week).getTime() + 2.5 * DAY_MS).toISOString();
}

let sequence = 0;
function conversation(
  user: number,
  topic: keyof typeof TOPICS,
  ending: string,
  startedAt: string,
  extra = '',
): Record<string, unknown> {
  sequence += 1;
  const team = user < 10 ? 'sales' : user < 20 ? 'engineering' : 'operations';
  return {
    id: `alerts-${sequence}`,
    user_id: `person-${user}`,
    started_at: startedAt,
    metadata: { team },
    messages: [
      { role: 'user', content: `${TOPICS[topic]} ${extra} (request ${sequence})` },
      { role: 'assistant', content: 'Here is a first answer with the details you asked for.' },
      { role: 'user', content: ending },
    ],
  };
}

describe.each(['server', 'embedded'] as const)('alerts (%s mode)', (mode) => {
  let stack: Stack;
  let llm: ScriptedLlmServer;
  let receiver: Awaited<ReturnType<typeof startWebhookReceiver>>;
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  const secrets = new Map<string, string>();
  const rules = new Map<string, string>();

  const admin = (path: string, init: { method?: string; body?: unknown } = {}) =>
    call(stack, path, {
      key: stack.tenant.adminKey,
      ...(init.method ? { method: init.method } : {}),
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
    });
  const ingest = async (records: Record<string, unknown>[]) => {
    const response = await call(stack, '/v1/conversations', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: JSON.stringify(records),
    });
    expect(response.body.accepted).toBe(records.length);
    await stack.queue.waitUntilIdle(120_000);
  };
  const publish = async (full = false) => {
    await stack.queue.enqueue('cluster-tenant', { tenantId: stack.tenant.tenant.id, full });
    await stack.queue.waitUntilIdle(120_000);
    return (await admin('/v1/insights/overview')).body;
  };
  const alerts = async () => {
    const body = (await admin('/v1/alerts?limit=500')).body;
    expect(alertListSchema.parse(body)).toEqual(body);
    return body.alerts as any[];
  };
  const createRule = async (name: string, body: Record<string, unknown>) => {
    const response = await admin('/v1/admin/alerts', { method: 'POST', body: { name, ...body } });
    expect(response.status).toBe(201);
    expect(alertRuleViewSchema.parse(response.body)).toEqual(response.body);
    rules.set(name, response.body.id);
    if (response.body.webhook_secret) secrets.set(response.body.id, response.body.webhook_secret);
    return response.body;
  };

  let v2: any;
  let firstRound: any[];
  beforeAll(async () => {
    llm = await ScriptedLlmServer.start({
      // A model that keeps answering garbage for these: tagging fails for good (dead-lettered).
      respond: (request) =>
        request.userText.includes('POISON') ? { content: 'not json at all' } : undefined,
    });
    receiver = await startWebhookReceiver(() => 200);
    smtp = await startSmtpSink();
    stack = await startStack({
      mode,
      worker: true,
      workerProviders: scriptedTaggerProviders(llm),
      env: {
        TAG_MODEL: 'scripted-tagger',
        WEBHOOK_ALLOW_HOSTS: '127.0.0.1',
        SMTP_URL: `smtp://127.0.0.1:${smtp.port}`,
        JOB_ATTEMPTS: '2',
      },
    });

    // Two closed weeks: sales (finance) saves far less in the last one; the others hold steady.
    const prior = dayInWeek(2);
    const closed = dayInWeek(1);
    const batchA: Record<string, unknown>[] = [];
    for (let i = 0; i < 30; i++) batchA.push(conversation(i % 10, 'finance', THANKS, prior));
    for (let i = 0; i < 10; i++) batchA.push(conversation(i, 'finance', THANKS, closed));
    for (const [weekDay, count] of [
      [prior, 20],
      [closed, 20],
    ] as const) {
      for (let i = 0; i < count; i++)
        batchA.push(conversation(10 + (i % 10), 'legal', THANKS, weekDay));
      for (let i = 0; i < count; i++)
        batchA.push(conversation(20 + (i % 10), 'marketing', THANKS, weekDay));
    }
    await ingest(batchA);
    const v1 = await publish();
    expect(v1.snapshot.version).toBe(1);
    const baseLevel = Math.max(0, (v1.levels ?? 1) - 1);

    await createRule('Contract failures', {
      params: { kind: 'failure_rate_rise', level: 0, points: 10, baseline: 'previous_publication' },
      webhook_url: `${receiver.url}?rule=failures`,
    });
    await createRule('New topics', {
      params: {
        kind: 'new_cluster',
        level: baseLevel,
        min_conversations: 10,
        baseline: 'previous_publication',
      },
      webhook_url: `${receiver.url}?rule=new`,
    });
    await createRule('Team savings', {
      params: { kind: 'minutes_saved_drop', scope: 'team', percent: 30 },
      recipients: ['product-team@example.com'],
    });
    await createRule('Tagging health', {
      params: { kind: 'tagging_failures', percent: 5, min_conversations: 10 },
      webhook_url: `${receiver.url}?rule=tagging`,
    });

    // This week: the contract topic starts failing, a translation topic appears, and a dozen
    // conversations cannot be tagged at all.
    const now = new Date().toISOString();
    const batchB: Record<string, unknown>[] = [];
    for (let i = 0; i < 40; i++) batchB.push(conversation(10 + (i % 20), 'legal', FAILED, now));
    for (let i = 0; i < 40; i++) batchB.push(conversation(i % 30, 'translation', THANKS, now));
    for (let i = 0; i < 12; i++)
      batchB.push(conversation(i % 30, 'marketing', THANKS, now, 'POISON'));
    await ingest(batchB);
    v2 = await publish(true);
    expect(v2.snapshot.version).toBe(2);
    firstRound = await alerts();
  }, 600_000);

  afterAll(async () => {
    await stack?.close();
    await llm?.close();
    await new Promise<void>((resolve) => receiver?.server.close(() => resolve()));
    await new Promise<void>((resolve) => smtp?.server.close(() => resolve()));
  });

  it('fires every rule at the publication that crosses it, once per subject', async () => {
    const byRule = (name: string) =>
      firstRound.filter((alert) => alert.rule_id === rules.get(name));
    // The base level grows from 4 to 7 clusters with the new topic: which ids are new is the
    // stable-id matching's call, so the rule's contract is checked against the first snapshot.
    const created = byRule('New topics');
    expect(created.length).toBeGreaterThanOrEqual(1);
    const v1 = await stack.ownerDb.query<{ cluster_id: string }>(
      `SELECT c.cluster_id FROM insights.clusters c JOIN insights.snapshots s ON s.id = c.snapshot_id
        WHERE s.tenant_id = $1 AND s.version = 1
        UNION SELECT unnest(pooled_clusters)::uuid FROM insights.snapshots
        WHERE tenant_id = $1 AND version = 1`,
      [stack.tenant.tenant.id],
    );
    const known = new Set(v1.rows.map((row) => row.cluster_id));
    for (const alert of created) {
      expect(known.has(alert.subject.key)).toBe(false);
      expect(alert.figures.conversations).toBeGreaterThanOrEqual(10);
    }
    expect(byRule('Team savings')).toHaveLength(1);
    expect(byRule('Tagging health')).toHaveLength(1);
    expect(byRule('Contract failures').length).toBeGreaterThanOrEqual(1);
    for (const alert of firstRound) {
      expect(alert.snapshot_id).toBe(v2.snapshot.id);
      expect(alert.message).toContain(alert.rule_name);
    }
    const keys = firstRound.map((alert) => `${alert.rule_id}/${alert.subject.key}/${alert.period}`);
    expect(new Set(keys).size).toBe(keys.length);

    const team = byRule('Team savings')[0];
    expect(team.subject.label).toBe('sales');
    expect(team.period).toBe(isoWeekLabel(new Date(Date.now() - 7 * DAY_MS)));
    expect(team.figures.drop_percent).toBeGreaterThanOrEqual(30);
    const tagging = byRule('Tagging health')[0];
    expect(tagging.figures.failed).toBe(12);
    expect(tagging.figures.failed_percent).toBeGreaterThan(5);
  });

  it('compares published figures only', async () => {
    const top = (await admin('/v1/insights/clusters?level=0&limit=2000')).body.clusters;
    for (const alert of firstRound.filter((a) => a.kind === 'failure_rate_rise')) {
      const cluster = top.find((c: any) => c.id === alert.subject.key);
      expect(cluster).toBeDefined();
      expect(alert.figures.current).toBe(cluster.failure_rate);
      expect(alert.subject.label).toBe(cluster.name);
      expect(alert.figures.change_points).toBeGreaterThanOrEqual(10);
    }
    const [created] = firstRound.filter((a) => a.kind === 'new_cluster');
    const detail = (await admin(`/v1/insights/clusters/${created.subject.key}`)).body;
    expect(detail.conversations).toBe(created.figures.conversations);
    expect(detail.name).toBe(created.subject.label);
    // The team figures are the published weekly cells of the team series.
    const [team] = firstRound.filter((a) => a.kind === 'minutes_saved_drop');
    const trend = await stack.ownerDb.query<{ bucket: string; minutes_saved_total: number }>(
      `SELECT bucket, minutes_saved_total FROM insights.trends
        WHERE snapshot_id = $1 AND facet = 'team' AND interval = 'week' AND value = 'sales'`,
      [v2.snapshot.id],
    );
    const published = new Map(
      trend.rows.map((row) => [row.bucket, Number(row.minutes_saved_total)]),
    );
    expect(team.figures.current_minutes).toBe(published.get(team.figures.week));
    expect(team.figures.previous_minutes).toBe(published.get(team.figures.previous_week));
  });

  it('delivers a Slack-compatible, signed webhook and an e-mail', async () => {
    const hooks = (query: string) =>
      receiver.calls.filter((hook: WebhookCall) => hook.url?.includes(query));
    for (const [name, query] of [
      ['Contract failures', 'rule=failures'],
      ['New topics', 'rule=new'],
      ['Tagging health', 'rule=tagging'],
    ] as const) {
      const ruleId = rules.get(name)!;
      const raised = firstRound.filter((alert) => alert.rule_id === ruleId);
      const received = hooks(query);
      expect(received).toHaveLength(raised.length);
      for (const hook of received) {
        const body = JSON.parse(hook.body);
        expect(typeof body.text).toBe('string');
        expect(body.event).toBe('alert.raised');
        expect(raised.map((alert) => alert.message)).toContain(body.text);
        const verified = verifyWebhookSignature(
          secrets.get(ruleId)!,
          String(hook.headers['x-silhouette-timestamp']),
          hook.body,
          String(hook.headers['x-silhouette-signature']),
        );
        expect(verified).toBe(true);
        expect(
          verifyWebhookSignature(
            'wrong-secret',
            String(hook.headers['x-silhouette-timestamp']),
            hook.body,
            String(hook.headers['x-silhouette-signature']),
          ),
        ).toBe(false);
      }
    }
    const mail = smtp.mails.filter((m) => m.parsed.subject === 'Silhouette alert: Team savings');
    expect(mail).toHaveLength(1);
    expect(mail[0]!.parsed.text).toContain('sales');
    const states = (await alerts()).map((alert) => alert.state);
    expect(new Set(states)).toEqual(new Set(['delivered']));
    // A read key sees the alerts and their state, not where they were sent.
    const asReader = (await call(stack, '/v1/alerts', { key: stack.tenant.readKey })).body;
    expect(asReader.alerts.length).toBe(firstRound.length);
    for (const alert of asReader.alerts) expect(alert.deliveries).toEqual([]);
  });

  it('raises nothing again: the same snapshot re-evaluated, then a third publication', async () => {
    const deliveredBefore = receiver.calls.length;
    await stack.queue.enqueue('evaluate-alerts', {
      tenantId: stack.tenant.tenant.id,
      snapshotId: v2.snapshot.id,
    });
    await stack.queue.waitUntilIdle(60_000);
    expect((await alerts()).map((a) => a.id).sort()).toEqual(firstRound.map((a) => a.id).sort());
    const v3 = await publish();
    expect(v3.snapshot.version).toBe(3);
    await stack.queue.waitUntilIdle(60_000);
    expect((await alerts()).map((a) => a.id).sort()).toEqual(firstRound.map((a) => a.id).sort());
    expect(receiver.calls.length).toBe(deliveredBefore);
  });

  it('validates rules and keeps them per tenant', async () => {
    const bad = await admin('/v1/admin/alerts', {
      method: 'POST',
      body: { name: 'x', params: { kind: 'failure_rate_rise', points: 500 } },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.field).toBe('params.points');
    const refused = await admin('/v1/admin/alerts', {
      method: 'POST',
      body: {
        name: 'Metadata',
        params: { kind: 'new_cluster', min_conversations: 5 },
        webhook_url: 'http://169.254.169.254/latest',
      },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.error.field).toBe('webhook_url');
    const personal = await admin('/v1/admin/alerts', {
      method: 'POST',
      body: {
        name: 'Tell jane.doe@example.com',
        params: { kind: 'new_cluster', min_conversations: 5 },
      },
    });
    expect(personal.status).toBe(400);
    expect(personal.body.error.field).toBe('name');
    const other = await stack.createTenant('other-co');
    const ruleId = rules.get('New topics')!;
    const foreign = await call(stack, `/v1/admin/alerts/${ruleId}`, { key: other.adminKey });
    expect(foreign.status).toBe(404);
    expect((await call(stack, '/v1/alerts', { key: other.readKey })).body.alerts).toEqual([]);
    const patched = await admin(`/v1/admin/alerts/${ruleId}`, {
      method: 'PATCH',
      body: { enabled: false },
    });
    expect(patched.body.enabled).toBe(false);
    expect(patched.body.webhook_secret).toBeUndefined();
    expect((await admin(`/v1/admin/alerts/${ruleId}`, { method: 'DELETE' })).status).toBe(204);
    // Its alerts stay listed.
    expect((await alerts()).some((alert) => alert.rule_id === ruleId)).toBe(true);
  });
});
