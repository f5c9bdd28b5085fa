/** Small builders for conversations in each ingest format, and canary strings for privacy tests. */
import { randomBytes } from 'node:crypto';

export function openaiRecord(
  id: string,
  userId: string,
  text = 'How do I reverse a list in Python?',
  extra: Record<string, unknown> = {},
) {
  return {
    id,
    user_id: userId,
    messages: [
      { role: 'system', content: 'You are a helpful assistant.' },
      { role: 'user', content: text },
      { role: 'assistant', content: 'Use reversed(items) or items[::-1].' },
      { role: 'user', content: 'Thanks, that worked!' },
    ],
    ...extra,
  };
}

export function anthropicRecord(
  id: string,
  userId: string,
  text = 'Summarise this quarterly report for me.',
) {
  return {
    id,
    user_id: userId,
    system: 'Be concise.',
    messages: [
      { role: 'user', content: [{ type: 'text', text }] },
      {
        role: 'assistant',
        content: [{ type: 'text', text: 'Revenue grew while costs stayed flat.' }],
      },
    ],
  };
}

export function sharegptRecord(
  id: string,
  userId: string,
  text = 'Write a short poem about autumn.',
) {
  return {
    id,
    user_id: userId,
    conversations: [
      { from: 'human', value: text },
      { from: 'gpt', value: 'Leaves fall softly, gold and red.' },
    ],
  };
}

/** Unique strings that must never leave the sealed store. */
export function canaries() {
  const tag = randomBytes(4).toString('hex');
  return {
    name: `Zorblax Quintavius${tag}`,
    email: `canary.${tag}@leak-test.example`,
    phone: `+1 415 555 ${String(1000 + (parseInt(tag.slice(0, 4), 16) % 9000))}`,
    card: '4111 1111 1111 1111',
    secret: `CANARY-${tag}-${randomBytes(8).toString('hex')}`,
  };
}

export const toJsonl = (records: unknown[]) =>
  records.map((record) => JSON.stringify(record)).join('\n');
