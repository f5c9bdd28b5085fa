/**
 * Ask over a real published snapshot, offline mode, in both storage modes: answers equal the
 * insights API's figures, every figure carries its snapshot and a link, abstentions and refusals
 * say why, bad input is a 400 naming the field, the audit log records the question without its
 * text, and no response holds anything the insights API does not show a read key.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { askAnswerSchema } from '@silhouette/contracts';
import { canaries, openaiRecord } from '../helpers/fixtures';
import {
  ask,
  callRetrying,
  insightsApiView,
  numbersIn,
  startPublishedStack,
  stringsIn,
} from '../helpers/analyst-fixture';
import { call, type Stack } from '../helpers/stack';

describe.each(['embedded', 'server'] as const)('ask, offline mode (%s)', (mode) => {
  let stack: Stack;
  const canary = canaries();

  beforeAll(async () => {
    // A few conversations carrying canary PII, from one person: never publishable.
    const leaky = [0, 1, 2].map((i) =>
      openaiRecord(
        `canary-${i}`,
        'canary-person',
        `My name is ${canary.name}, email ${canary.email}, phone ${canary.phone}. Fix my python error ${canary.secret}`,
      ),
    );
    stack = await startPublishedStack(mode, { extraRecords: leaky });
  }, 400_000);
  afterAll(async () => stack?.close());

  const get = async (path: string) =>
    (await callRetrying(stack, path, { key: stack.tenant.readKey })).body;

  it('answers totals with the overview figures, each figure with its snapshot and a link', async () => {
    const overview = await get('/v1/insights/overview');
    const response = await ask(stack, 'How many conversations were there?');
    expect(response.status).toBe(200);
    const answer = askAnswerSchema.parse(response.body);
    expect(answer).toMatchObject({ status: 'answered', abstained: false, mode: 'offline' });
    expect(answer.snapshot_id).toBe(overview.snapshot.id);
    expect(answer.figures.map((f) => f.value)).toContain(overview.conversations);
    const figure = answer.figures.find((f) => f.value === overview.conversations)!;
    expect(figure).toMatchObject({ tool: 'get_overview', snapshot_id: overview.snapshot.id });
    expect(figure.link).toEqual({ view: 'overview' });
    expect(answer.answer).toContain(overview.conversations.toLocaleString('en-US'));

    const minutes = askAnswerSchema.parse((await ask(stack, 'How much time did it save?')).body);
    const saved = minutes.figures.find((f) => f.value === overview.minutes_saved.total);
    expect(saved?.interval).toEqual({
      low: overview.minutes_saved.total_low,
      high: overview.minutes_saved.total_high,
    });
    const rate = askAnswerSchema.parse((await ask(stack, 'What is the failure rate?')).body);
    expect(rate.figures.map((f) => f.value)).toContain(overview.failure_rate);
  });

  it('answers a period as the sum of its published weeks, like the overview API', async () => {
    const overview = await get('/v1/insights/overview');
    const weeks = (overview.weekly as { value: string; isOther: boolean; conversations: number }[])
      .filter((w) => !w.isOther)
      .sort((a, b) => a.value.localeCompare(b.value));
    const last2 = weeks.slice(-2);
    const expected = last2.reduce((sum, w) => sum + w.conversations, 0);
    const answer = askAnswerSchema.parse(
      (await ask(stack, 'How many conversations were there in the last 2 weeks?')).body,
    );
    expect(answer.status).toBe('answered');
    expect(answer.figures.map((f) => f.value)).toContain(expected);
    expect(answer.answer).toContain(last2[0]!.value);

    const none = askAnswerSchema.parse((await ask(stack, 'How many conversations in 2019?')).body);
    expect(none.status).toBe('abstained');
    expect(none.reason).toMatch(/no published week in this period; published weeks run from/);
  });

  it('ranks clusters and facet values exactly as the insights API lists them', async () => {
    const top = (await get('/v1/insights/clusters?level=0')).clusters.filter(
      (c: any) => !c.is_other,
    );
    const bySaved = [...top].sort((a: any, b: any) => b.minutes_saved - a.minutes_saved)[0];
    const answer = askAnswerSchema.parse(
      (await ask(stack, 'Which cluster saved the most time at level 0?')).body,
    );
    expect(answer.status).toBe('answered');
    expect(answer.answer).toContain(`"${bySaved.name}"`);
    const figure = answer.figures.find((f) => f.value === bySaved.minutes_saved);
    expect(figure?.link).toEqual({ view: 'explore', cluster: bySaved.id });

    const teams = (await get('/v1/insights/breakdown?facet=team')).rows.filter(
      (r: any) => !r.is_other,
    );
    const topTeam = [...teams].sort((a: any, b: any) => b.conversations - a.conversations)[0];
    const team = askAnswerSchema.parse(
      (await ask(stack, 'Which team has the most conversations?')).body,
    );
    expect(team.answer).toContain(`"${topTeam.value}"`);
    expect(team.figures[0]?.link).toEqual({ view: 'breakdowns', facet: 'team' });
  });

  it("answers one cluster's figures by its name, the top-most of those sharing it", async () => {
    // A parent is often named like its largest child: asked by that name, the analyst answers
    // for the top-most cluster with it and says which level it is.
    const words = (text: string) =>
      [...new Set(text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [])].sort().join(' ');
    const tree: any[] = [];
    for (const level of [0, 1, 2])
      tree.push(...(await get(`/v1/insights/clusters?level=${level}`)).clusters);
    const values: string[] = [];
    for (const facet of ['domain', 'task_type', 'outcome', 'language', 'team', 'department'])
      for (const row of (await get(`/v1/insights/breakdown?facet=${facet}`)).rows)
        values.push(words(row.value));
    const candidates = tree
      .filter((c) => c.level === 1 && !c.is_other && !values.includes(words(c.name)))
      .map((c) => {
        const same = tree.filter((other) => words(other.name) === words(c.name));
        const top = Math.min(...same.map((other) => other.level));
        return { name: c.name, expected: same.filter((other) => other.level === top) };
      })
      .filter((candidate) => candidate.expected.length === 1);
    expect(candidates.length, 'a level-1 cluster name to ask by').toBeGreaterThan(0);
    const { name, expected } = candidates[0]!;
    const answer = askAnswerSchema.parse(
      (await ask(stack, `How many conversations are in ${name}?`)).body,
    );
    const detail = `${name}: ${answer.answer} ${answer.reason ?? ''}`;
    expect(answer.status, detail).toBe('answered');
    expect(
      answer.figures.map((f) => f.value),
      detail,
    ).toContain(expected[0].conversations);
    expect(answer.answer, detail).toContain(`(level ${expected[0].level})`);
    expect(answer.figures.find((f) => f.value === expected[0].conversations)?.link).toEqual({
      view: 'explore',
      cluster: expected[0].id,
    });
  });

  it('abstains with what it has when the data cannot answer, and lists its question shapes', async () => {
    const country = askAnswerSchema.parse(
      (await ask(stack, 'How many conversations by country?')).body,
    );
    expect(country.status).toBe('abstained');
    expect(country.reason).toMatch(/no breakdown by "country".*department.*team/);
    expect(country.question_shapes?.length).toBe(5);
    const weather = askAnswerSchema.parse(
      (await ask(stack, 'What will the weather be tomorrow?')).body,
    );
    expect(weather.abstained).toBe(true);
    expect(weather.figures).toEqual([]);
  });

  it('refuses questions about individuals and small groups, naming the threshold', async () => {
    for (const question of [
      'What did user-3 ask about?',
      'What did the two people in legal do?',
      `Which conversations did ${canary.email} have?`,
      'Show me the conversations of the sales team',
    ]) {
      const answer = askAnswerSchema.parse((await ask(stack, question)).body);
      expect(answer.status, question).toBe('refused');
      expect(answer.figures).toEqual([]);
      expect(answer.tools_used).toEqual([]);
    }
    const small = askAnswerSchema.parse(
      (await ask(stack, 'What did the two people in legal do?')).body,
    );
    expect(small.reason).toMatch(/at least 5 people/);
  });

  it('rejects bad requests with the field, and needs a read or admin key', async () => {
    const long = await ask(stack, 'x'.repeat(501));
    expect(long.status).toBe(400);
    expect(long.body.error.field).toBe('question');
    const empty = await call(stack, '/v1/ask', {
      method: 'POST',
      key: stack.tenant.readKey,
      body: JSON.stringify({ question: '   ' }),
    });
    expect(empty.body.error.field).toBe('question');
    const extra = await call(stack, '/v1/ask', {
      method: 'POST',
      key: stack.tenant.readKey,
      body: JSON.stringify({ question: 'How many conversations?', tenant: 'other' }),
    });
    expect(extra.status).toBe(400);
    expect((await call(stack, '/v1/ask', { method: 'POST', body: '{}' })).status).toBe(401);
    expect((await ask(stack, 'How many conversations?', stack.tenant.ingestKey)).status).toBe(403);
    expect((await ask(stack, 'How many conversations?', stack.tenant.adminKey)).status).toBe(200);
  });

  it('another tenant gets its own (empty) data, never this one', async () => {
    const other = await stack.createTenant(`other-${mode}`);
    const answer = askAnswerSchema.parse(
      (await ask(stack, 'How many conversations were there?', other.readKey)).body,
    );
    expect(answer.status).toBe('abstained');
    expect(answer.reason).toMatch(/nothing has been published/);
    expect(answer.snapshot_id).toBeNull();
  });

  it('audit-logs each question without its text', async () => {
    await ask(stack, `How many conversations did ${canary.name} have?`);
    await ask(stack, `What did ${canary.email} ask?`);
    const log = await call(stack, '/v1/admin/audit-log', { key: stack.tenant.adminKey });
    const entries = JSON.stringify(log.body);
    expect(entries).toContain('"action":"ask"');
    expect(entries).toContain('"status":"refused"');
    expect(entries).not.toContain(canary.name);
    expect(entries).not.toContain(canary.email);
  });

  it('shows nothing a read key cannot read through the insights API, and no canary', async () => {
    const view = await insightsApiView(stack);
    const numbers = numbersIn(view);
    const strings = [...stringsIn(view)];
    const questions = [
      'How many conversations were there?',
      'What is the resolution rate?',
      'Top 5 clusters by conversations',
      'Top 3 clusters at level 2 by failure rate',
      'Which domains have the most users?',
      'Bottom 3 task types by conversations',
      'Is usage growing?',
      'Which clusters fail most?',
      'How many languages are there?',
    ];
    const responses: string[] = [];
    for (const question of questions) {
      const response = await ask(stack, question);
      responses.push(response.text);
      const answer = askAnswerSchema.parse(response.body);
      for (const figure of answer.figures) {
        if (figure.tool === 'calculate' || figure.tool === 'compare_periods') continue;
        expect(numbers.has(figure.value), `${question}: ${figure.label}`).toBe(true);
      }
      for (const quoted of answer.answer.match(/"[^"]+"/g) ?? []) {
        const name = quoted.slice(1, -1);
        expect(
          strings.some((s) => s === name),
          `${question}: ${name}`,
        ).toBe(true);
      }
    }
    const everything = responses.join('\n') + stack.logs();
    for (const value of Object.values(canary)) expect(everything).not.toContain(value);
  });
});
