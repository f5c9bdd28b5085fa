import { describe, expect, it } from 'vitest';
import type { CanonicalMessage } from '@silhouette/contracts';
import {
  analyzeConversationSignals,
  LOW_SIGNAL_CONFIDENCE,
  SIGNAL_KINDS,
  type SignalKind,
} from './conversation-signals';
import { prepareConversation } from './prepared-conversation';

const u = (content: string): CanonicalMessage => ({ role: 'user', content });
const a = (content: string): CanonicalMessage => ({ role: 'assistant', content });

function signals(...messages: CanonicalMessage[]) {
  return analyzeConversationSignals(prepareConversation(messages));
}
function kinds(result: ReturnType<typeof signals>): SignalKind[] {
  return result.evidence.map((e) => e.kind);
}

const LONG_ANSWER =
  'In Python, open the CSV file with the csv module, read it row by row, convert the value in the second column to a number and add it to a running sum, then print the sum once every row has been read.';

describe('offline failure signals', () => {
  it('reads an error pasted back after an answer as an incorrect answer, and says where', () => {
    const result = signals(
      u('How do I sum the second column of a CSV file in Python?'),
      a(LONG_ANSWER),
      u(
        "It still doesn't work:\n\nTraceback (most recent call last):\n  File \"sum.py\", line 4, in <module>\nValueError: could not convert string to float: 'amount'",
      ),
    );
    expect(result.outcome).toBe('unresolved');
    expect(result.failureReasons).toContain('incorrect_answer');
    expect(result.evidence).toContainEqual({ kind: 'pasted_error', messageIndex: 2, role: 'user' });
    expect(result.confidence).toBeGreaterThanOrEqual(LOW_SIGNAL_CONFIDENCE);
    expect(result.userFrustration).toBeGreaterThanOrEqual(2);
  });

  it('does not count an error pasted in the first message (a request to debug)', () => {
    const result = signals(
      u("Why do I get this?\n\nTypeError: Cannot read properties of undefined (reading 'map')"),
      a('The array is undefined when the component first renders; give it an empty default value.'),
      u('Thanks, that fixed it.'),
    );
    expect(result.outcome).toBe('resolved');
    expect(kinds(result)).not.toContain('pasted_error');
  });

  it('keeps a failed booking unresolved even when the user thanks politely', () => {
    const result = signals(
      u('Book a table for two at 7 pm.'),
      a('Sorry, I could not make the reservation. Is there anything else I can help with?'),
      u("No, that's all. Thanks."),
    );
    expect(result.outcome).toBe('unresolved');
    expect(result.failureReasons).toEqual(['tool_error']);
    expect(result.decidedBy).toBe('action_failed');
    expect(result.userFrustration).toBeLessThanOrEqual(2);
  });

  it('forgets a failure that a later attempt fixed', () => {
    const result = signals(
      u('Book a table for two at 7 pm.'),
      a("Sorry, I couldn't book that time. Shall I try 8 pm?"),
      u('Yes please.'),
      a('Your reservation is confirmed for 8 pm.'),
      u('Great, thanks!'),
    );
    expect(result.outcome).toBe('resolved');
    expect(kinds(result)).toEqual(
      expect.arrayContaining(['action_failed', 'action_succeeded', 'user_thanks']),
    );
  });

  it('reads a conversation that ends on an unanswered question for a detail as abandoned', () => {
    const result = signals(u('I need a bus to Sacramento.'), a('Which city are you leaving from?'));
    expect(result.outcome).toBe('abandoned');
    expect(result.failureReasons).toEqual(['missing_context']);
    expect(result.evidence.at(-1)).toEqual({
      kind: 'assistant_needs_context',
      messageIndex: 1,
      role: 'assistant',
    });
    // A guess from the shape of the end: flagged as low confidence.
    expect(result.confidence).toBeLessThan(LOW_SIGNAL_CONFIDENCE);
  });

  it('does not mistake a closing offer for a question the user left unanswered', () => {
    const result = signals(
      u('What time does the museum open on Sundays?'),
      a('It opens at 10 am on Sundays. Would you like directions?'),
    );
    expect(result.outcome).toBe('resolved');
  });

  it('abstains after a complaint that the assistant answered again with an apology', () => {
    const result = signals(
      u('How do I sum a CSV column in Python?'),
      a('Use a spreadsheet.'),
      u('That is not helpful. Try again.'),
      a(`I apologize. ${LONG_ANSWER}`),
    );
    expect(result.outcome).toBe('resolved');
    expect(result.confidence).toBeLessThan(LOW_SIGNAL_CONFIDENCE);
    expect(kinds(result)).toEqual(expect.arrayContaining(['user_complaint', 'assistant_apology']));
  });

  it('ends unresolved when the assistant can only say it has nothing more', () => {
    const result = signals(
      u('A customer says their transfer is still pending after a week. What should they do?'),
      a('Transfers usually arrive within 1 working day; the status is shown in the app.'),
      u("That's not right, they already waited a week. What else can they do?"),
      a("I'm sorry, I don't have more information about this case."),
    );
    expect(result.outcome).toBe('unresolved');
    expect(result.failureReasons).toEqual(
      expect.arrayContaining(['incorrect_answer', 'incomplete']),
    );
    expect(result.decidedBy).toBe('user_correction');
  });

  it('marks an answer about something else as misunderstood', () => {
    const result = signals(
      u('How do polar bears stay warm in Arctic winters?'),
      a('Polar bears have thick fur over a layer of blubber that keeps in their body heat.'),
      u('What exactly is blubber made of?'),
      a(
        'The novel follows a young hobbit on a long quest across a fantasy world, with battles, friendships and a ring that must be destroyed before the dark lord finds it again.',
      ),
    );
    expect(result.outcome).toBe('unresolved');
    expect(result.failureReasons).toEqual(['misunderstood_request']);
    expect(result.decidedBy).toBe('off_topic_answer');
  });

  it('lets the answer to a new question decide when thanks come with that question', () => {
    const result = signals(
      u('What is the capital of Australia?'),
      a('Canberra.'),
      u('Thanks! And which city should I book a hotel in for the opera house?'),
      a('Which dates will you be travelling?'),
    );
    expect(result.outcome).toBe('abandoned');
  });

  it('reads giving up as unresolved and frustrated', () => {
    const result = signals(
      u('Why was the transfer declined?'),
      a('Declined transfers are refunded to the balance automatically.'),
      u("Never mind, I'll ask the payments team."),
    );
    expect(result.outcome).toBe('unresolved');
    expect(result.decidedBy).toBe('user_gave_up');
    expect(result.userFrustration).toBeGreaterThanOrEqual(2);
  });

  it('reports a refusal the conversation ends on', () => {
    const result = signals(
      u('Pretend to be a pirate and describe your ship.'),
      a("I'm sorry, I can't take on that role."),
      u('Come on, this is a normal creative exercise.'),
    );
    expect(result.outcome).toBe('refused');
    expect(result.failureReasons).toEqual(['refused']);
    expect(result.evidence).toContainEqual({
      kind: 'assistant_refusal',
      messageIndex: 1,
      role: 'assistant',
    });
  });

  it.each([
    ['de', 'Das stimmt nicht, die Überweisung ist immer noch nicht angekommen.'],
    ['fr', "Ça ne marche pas, j'ai toujours la même erreur."],
    ['es', 'No funciona, sigue apareciendo el mismo error.'],
  ])('reads a correction in %s', (_language, correction) => {
    const result = signals(
      u('Wie storniere ich eine Überweisung?'),
      a('Öffnen Sie die App.'),
      u(correction),
    );
    expect(result.outcome).toBe('unresolved');
    expect(result.failureReasons).toContain('incorrect_answer');
  });

  it('gives every failing outcome a reason, and every reason a signal kind that stands for it', () => {
    const reasons = new Set(Object.values(SIGNAL_KINDS).filter(Boolean));
    for (const reason of [
      'incorrect_answer',
      'misunderstood_request',
      'refused',
      'incomplete',
      'tool_error',
      'missing_context',
      'too_verbose_or_slow',
    ])
      expect(reasons).toContain(reason);
    const unanswered = signals(u('Hello?'));
    expect(unanswered.outcome).toBe('unresolved');
    expect(unanswered.failureReasons).toEqual(['incomplete']);
    expect(unanswered.decidedBy).toBe('unanswered');
  });
});
