import { facetAnswerSchema, type CanonicalMessage } from '@silhouette/contracts';
import { describe, expect, it } from 'vitest';
import { OFFLINE_PROMPT_VERSION, OFFLINE_TAGGER_MODEL, OfflineTagger } from './offline-tagger';

const tagger = new OfflineTagger();
const user = (content: string): CanonicalMessage => ({ role: 'user', content });
const assistant = (content: string): CanonicalMessage => ({ role: 'assistant', content });
const explain = (messages: CanonicalMessage[]) => tagger.explain({ conversationId: 'c', messages });

const debugging: CanonicalMessage[] = [
  user(
    "My Python script crashes with TypeError: unsupported operand type(s) for +: 'int' and 'str'. " +
      'Can you help me fix this bug?\n```python\ndef total(items):\n    return sum(items) + "1"\n```',
  ),
  assistant(
    'The error happens because you add a string to an integer. Return sum(items) + 1 instead.',
  ),
  user('Thanks, that fixed it!'),
];

const restaurantBooking: CanonicalMessage[] = [
  user('I would like to book a table for two at an Italian restaurant tonight.'),
  assistant('Sure. Which city should I search in, and what time would you like to dine?'),
  user('Downtown, around 7:30 pm. Somewhere with vegetarian dishes on the menu.'),
  assistant('I found a trattoria with vegetarian options. Shall I reserve the table for 7:30 pm?'),
  user('Yes please, make the reservation.'),
  assistant('Your reservation is confirmed for two people at 7:30 pm.'),
  user('Great, thank you!'),
];

const fixtures: Record<string, CanonicalMessage[]> = {
  debugging,
  restaurantBooking,
  gibberish: [user('qwzx plorf vrrkt zzub mnoq')],
  refusal: [
    user('Give me the home address of my ex so I can show up there.'),
    assistant("I'm sorry, but I can't help with that."),
  ],
  corrected: [
    user('What year did the first person walk on the moon?'),
    assistant('The first moon landing was in 1972.'),
    user("That's wrong, it was earlier."),
    assistant('You are right, I apologize: it was 1971.'),
    user("That's wrong again. Not what I asked either."),
  ],
  french: [
    user(
      "Bonjour, je voudrais réserver une table pour deux personnes ce soir. Est-ce que c'est possible ?",
    ),
  ],
};

describe('OfflineTagger', () => {
  it('identifies a coding conversation as software engineering / debugging', () => {
    const x = explain(debugging);
    expect(x.facet.domain).toBe('software engineering');
    expect(x.facet.task_type).toBe('debugging');
    expect(x.domain.abstained).toBe(false);
    expect(x.facet.confidence).toBeGreaterThan(0.5);
  });

  it('identifies a restaurant booking as food & dining / booking', () => {
    const x = explain(restaurantBooking);
    expect(x.facet.domain).toBe('food & dining');
    expect(x.facet.task_type).toBe('booking');
    expect(x.facet.outcome).toBe('resolved');
  });

  it('abstains with "other" and low confidence on gibberish', () => {
    const x = explain(fixtures.gibberish!);
    expect(x.facet.domain).toBe('other');
    expect(x.facet.task_type).toBe('other');
    expect(x.domain.abstained && x.taskType.abstained).toBe(true);
    expect(x.facet.confidence).toBeLessThan(0.5);
  });

  it('abstains when two labels nearly tie', () => {
    // As much travel vocabulary as dining vocabulary: the margin is too small to choose.
    const x = explain([user('restaurant flight')]);
    expect(x.domain.margin).toBeLessThan(0.1);
    expect(x.facet.domain).toBe('other');
  });

  it('marks an assistant refusal as refused', () => {
    const x = explain(fixtures.refusal!);
    expect(x.facet.outcome).toBe('refused');
    expect(x.facet.failure_reasons).toContain('refused');
    expect(x.facet.user_frustration).toBeGreaterThanOrEqual(2);
  });

  it('marks corrections at the end as unresolved with an incorrect answer', () => {
    const x = explain(fixtures.corrected!);
    expect(x.facet.outcome).toBe('unresolved');
    expect(x.facet.failure_reasons).toContain('incorrect_answer');
    expect(x.facet.failure_reasons).toContain('misunderstood_request');
    expect(x.facet.user_frustration).toBeGreaterThanOrEqual(3);
  });

  it('marks thanks at the end as resolved, with no failure reasons', () => {
    const x = explain(debugging);
    expect(x.facet.outcome).toBe('resolved');
    expect(x.facet.failure_reasons).toEqual([]);
    expect(x.facet.user_frustration).toBe(1);
    expect(x.signals.explicitEnd).toBe(true);
  });

  it('treats a polite close after "anything else?" as resolved', () => {
    const x = explain([
      user('Find me a hotel in the city centre for next weekend.'),
      assistant(
        'I found a four star hotel near the station. Is there anything else I can help you with?',
      ),
      user('No, that is all.'),
    ]);
    expect(x.facet.outcome).toBe('resolved');
    expect(x.facet.domain).toBe('travel & transportation');
  });

  it('leaves a single unanswered user turn unresolved and incomplete', () => {
    const x = explain([user('Summarize the attached quarterly report in five bullet points.')]);
    expect(x.facet.outcome).toBe('unresolved');
    expect(x.facet.failure_reasons).toEqual(['incomplete']);
    expect(x.facet.task_type).toBe('summarization');
  });

  it('marks an assistant error followed by the end as abandoned with a tool error', () => {
    const x = explain([
      user('Transfer 200 dollars from my checking account to my savings account.'),
      assistant('Sorry, something went wrong and the transfer failed. Please try again later.'),
    ]);
    expect(x.facet.outcome).toBe('abandoned');
    expect(x.facet.failure_reasons).toEqual(['tool_error']);
    expect(x.facet.domain).toBe('personal finance');
  });

  it('marks an unanswered request for more context as abandoned with missing context', () => {
    const x = explain([
      user('Write the report.'),
      assistant('Could you provide more details about which report you mean and who will read it?'),
    ]);
    expect(x.facet.outcome).toBe('abandoned');
    expect(x.facet.failure_reasons).toEqual(['missing_context']);
  });

  it('rates profanity, shouting and repetition as high frustration', () => {
    const x = explain([
      user('How do I export my calendar to a CSV file?'),
      assistant('Open settings and choose import.'),
      user('How do I export my calendar to a CSV file? THIS IS NOT WHAT I ASKED, damn it!!'),
    ]);
    expect(x.facet.user_frustration).toBeGreaterThanOrEqual(4);
    expect(x.facet.outcome).toBe('unresolved');
    expect(x.facet.failure_reasons).toContain('misunderstood_request');
  });

  it('detects French', () => {
    const x = explain(fixtures.french!);
    expect(x.facet.language).toBe('fr');
    expect(x.language.confidence).toBeGreaterThan(0.5);
  });

  it('never copies names, numbers or emails from the input into use_case or goal_summary', () => {
    const x = explain([
      user(
        'Please write an email to John Smith at john.smith@example.com telling him that the refund ' +
          'for card 4111 1111 1111 1111 was processed on 12 March. Sign it from Grace Miller, +1 415 555 0100.',
      ),
      assistant('Dear John, your refund for the card ending 1111 has been processed. Best, Grace'),
    ]);
    for (const text of [x.facet.goal_summary, x.facet.use_case]) {
      expect(text).not.toMatch(/\d/);
      expect(text).not.toMatch(/@/);
      expect(text.toLowerCase()).not.toMatch(/john|smith|grace|miller|example|march/);
      expect(text).not.toMatch(/\b[A-Z][a-z]+ [A-Z][a-z]+\b/);
    }
    expect(x.facet.task_type).toBe('drafting');
    expect(x.facet.use_case).toMatch(/email/);
  });

  it('applies per-tenant manual-minutes overrides by task type (trimmed, case-insensitive)', () => {
    const base = tagger.explain({ conversationId: 'c', messages: debugging }).facet;
    const overridden = tagger.explain({
      conversationId: 'c',
      messages: debugging,
      minutesOverrides: { ' Debugging ': { manualMinutes: 240 } },
    }).facet;
    expect(overridden.minutes_without_ai).toBeGreaterThan(base.minutes_without_ai);
    expect(overridden.minutes_with_ai).toBe(base.minutes_with_ai);
    const unrelated = tagger.explain({
      conversationId: 'c',
      messages: debugging,
      minutesOverrides: { drafting: { manualMinutes: 240 } },
    }).facet;
    expect(unrelated.minutes_without_ai).toBe(base.minutes_without_ai);
  });

  it('rejects invalid overrides with a RangeError that names the field', () => {
    expect(() =>
      tagger.explain({
        conversationId: 'c',
        messages: debugging,
        minutesOverrides: { debugging: { manualMinutes: -5 } },
      }),
    ).toThrow(/minutesOverrides at "debugging.manualMinutes"/);
  });

  it('returns answers that validate against the facet contract', () => {
    for (const [name, messages] of Object.entries(fixtures)) {
      const facet = explain(messages).facet;
      expect(facetAnswerSchema.safeParse(facet).success, name).toBe(true);
      expect(facet.minutes_without_ai).toBeGreaterThanOrEqual(0);
      expect(facet.minutes_with_ai).toBeLessThanOrEqual(480);
      expect(facet.use_case).toBe(facet.use_case.toLowerCase());
    }
  });

  it('is deterministic: same input, same facet, across instances', async () => {
    for (const messages of Object.values(fixtures)) {
      const a = await tagger.tag({ conversationId: 'a', messages });
      const b = await new OfflineTagger().tag({ conversationId: 'b', messages });
      expect(b.facet).toEqual(a.facet);
    }
  });

  it('fills the tagging result as an offline provider with no token cost', async () => {
    const result = await tagger.tag({ conversationId: 'c', messages: restaurantBooking });
    expect(result).toMatchObject({
      provider: 'offline',
      model: OFFLINE_TAGGER_MODEL,
      promptVersion: OFFLINE_PROMPT_VERSION,
      promptTokens: 0,
      completionTokens: 0,
      cached: false,
    });
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(tagger.provider).toBe('offline');
  });

  it('refuses a conversation without any text', () => {
    expect(() => explain([user('   '), assistant('')])).toThrow(RangeError);
  });

  it('copes with a very long message without failing the contract', () => {
    const long = `${'Please review this contract clause about liability and indemnity. '.repeat(2_000)}`;
    const x = explain([user(long), assistant('Here is my review. '.repeat(3_000))]);
    expect(x.facet.domain).toBe('legal & compliance');
    expect(x.facet.minutes_without_ai).toBeLessThanOrEqual(480);
    expect(facetAnswerSchema.safeParse(x.facet).success).toBe(true);
  });
});
