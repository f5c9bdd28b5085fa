/**
 * Demo data for embedded `start`: the public Schema-Guided Dialogue dev split (../shared/data),
 * mapped to OpenAI-format conversations with synthetic pseudonymous users spread across teams
 * and the last eight weeks, so every view has something real to show.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const DEFAULT_DEMO_DATA = fileURLToPath(
  new URL('../../../../../shared/data/sgd-dev/conversations.jsonl', import.meta.url),
);

const TEAMS = ['sales', 'support', 'engineering', 'finance', 'operations', 'marketing'];
const USERS = 80;
const WEEKS = 8;

interface SgdDialogue {
  dialogue_id: string;
  turns: { speaker: 'USER' | 'SYSTEM'; utterance: string }[];
}

function hashNumber(text: string): number {
  return createHash('sha256').update(text).digest().readUInt32BE(0);
}

export function demoConversations(
  file = DEFAULT_DEMO_DATA,
  now = new Date(),
): string[] | undefined {
  if (!existsSync(file)) return undefined;
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map((line) => {
      const dialogue = JSON.parse(line) as SgdDialogue;
      const h = hashNumber(dialogue.dialogue_id);
      const user = h % USERS;
      const minutesAgo = (h >>> 8) % (WEEKS * 7 * 24 * 60);
      return JSON.stringify({
        id: `sgd-${dialogue.dialogue_id}`,
        user_id: `demo-user-${String(user).padStart(3, '0')}`,
        started_at: new Date(now.getTime() - minutesAgo * 60_000).toISOString(),
        metadata: {
          team: TEAMS[user % TEAMS.length],
          department: user % 2 ? 'commercial' : 'operations',
          product: 'assistant',
        },
        messages: dialogue.turns.map((turn) => ({
          role: turn.speaker === 'USER' ? 'user' : 'assistant',
          content: turn.utterance,
        })),
      });
    });
}
