/**
 * Ask over a snapshot the real worker publishes in `dp` mode (the default), in both storage
 * modes: answers cite the published noisy values as the insights API shows them, each with the
 * 90% noise interval the API shows beside it, say "about", and hold nothing a read key cannot
 * read through the insights API (no canary). The other Ask suites pin threshold mode, where exact
 * figures are the point.
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
  weeklyRecords,
} from '../helpers/analyst-fixture';
import type { Stack } from '../helpers/stack';

describe.each(['embedded', 'server'] as const)('ask over a dp publication (%s)', (mode) => {
  let stack: Stack;
  const canary = canaries();

  beforeAll(async () => {
    const leaky = [0, 1, 2].map((i) =>
      openaiRecord(
        `canary-${i}`,
        'canary-person',
        `My name is ${canary.name}, email ${canary.email}. Fix my python error ${canary.secret}`,
      ),
    );
    // Twice the people of the threshold suites and the largest monthly ε: at the default ε the
    // overview of 40 (or 80) people was withheld in about half the publications, leaving
    // nothing to ask about. The point here is how the analyst carries noisy figures.
    const more = weeklyRecords(360, 40).map((record) => ({
      ...record,
      id: `${String(record['id'])}-b`,
      user_id: `b-${String(record['user_id'])}`,
    }));
    stack = await startPublishedStack(mode, {
      env: { PRIVACY_MODE: 'dp', DP_EPSILON_PER_MONTH: '100' },
      extraRecords: [...more, ...leaky],
    });
  }, 400_000);
  afterAll(async () => stack?.close());

  const get = async (path: string) =>
    (await callRetrying(stack, path, { key: stack.tenant.readKey })).body;

  it('cites the noisy published figures with their noise intervals, said "about"', async () => {
    const overview = await get('/v1/insights/overview');
    expect(overview.snapshot.privacy_mode).toBe('dp');
    expect(typeof overview.conversations, JSON.stringify(overview).slice(0, 800)).toBe('number');
    expect(overview.noise?.conversations).toBeDefined();

    const answer = askAnswerSchema.parse(
      (await ask(stack, 'How many conversations were there?')).body,
    );
    expect(answer.status).toBe('answered');
    expect(answer.answer).toContain(`about ${overview.conversations.toLocaleString('en-US')}`);
    const figure = answer.figures.find((f) => f.value === overview.conversations)!;
    expect(figure.interval).toEqual(overview.noise.conversations);

    const clusters = (await get('/v1/insights/clusters?level=0&limit=100')).clusters.filter(
      (c: { is_other: boolean }) => !c.is_other,
    ) as { name: string; conversations: number; noise?: Record<string, unknown> }[];
    expect(clusters.length).toBeGreaterThan(0);
    const ranked = askAnswerSchema.parse(
      (await ask(stack, 'Top 3 clusters at level 0 by conversations')).body,
    );
    expect(ranked.status).toBe('answered');
    expect(ranked.answer).toMatch(/about \d/);
    const top = [...clusters].sort((a, b) => b.conversations - a.conversations)[0]!;
    expect(ranked.answer).toContain(`"${top.name}"`);
    const cited = ranked.figures.find(
      (f) => f.value === top.conversations && f.link?.cluster !== undefined,
    );
    expect(cited?.interval).toEqual(top.noise?.['conversations']);
  });

  it('shows nothing a read key cannot read through the insights API, and no canary', async () => {
    const view = await insightsApiView(stack);
    const numbers = numbersIn(view);
    const strings = [...stringsIn(view)];
    const responses: string[] = [];
    for (const question of [
      'How many conversations were there?',
      'How much time did it save?',
      'What is the failure rate?',
      'Top 5 clusters by minutes saved',
      'Which clusters fail most?',
      'Is usage growing?',
      'How many people used it in the last 2 weeks?',
    ]) {
      const response = await ask(stack, question);
      responses.push(response.text);
      const answer = askAnswerSchema.parse(response.body);
      expect(answer.status, `${question}: ${answer.reason}`).not.toBe('refused');
      for (const figure of answer.figures) {
        if (figure.tool === 'calculate' || figure.tool === 'compare_periods') continue;
        expect(numbers.has(figure.value), `${question}: ${figure.label}`).toBe(true);
        if (figure.interval) {
          expect(numbers.has(figure.interval.low), `${question}: ${figure.label} low`).toBe(true);
          expect(numbers.has(figure.interval.high), `${question}: ${figure.label} high`).toBe(true);
        }
      }
      for (const quoted of answer.answer.match(/"[^"]+"/g) ?? []) {
        expect(strings.includes(quoted.slice(1, -1)), `${question}: ${quoted}`).toBe(true);
      }
    }
    const everything = responses.join('\n') + stack.logs();
    for (const value of Object.values(canary)) expect(everything).not.toContain(value);
  });
});
