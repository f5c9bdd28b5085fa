/** Readers for the public datasets in ../shared/data, shaped for ingest. */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the datasets are: SILHOUETTE_SHARED_DATA when set (e.g. from a git worktree elsewhere),
 * else ../shared/data beside the checkout, else beside the local checkout this one was cloned
 * from (`git clone . /tmp/x` leaves the data behind). Tests only: nothing at run time reads it.
 */
function sharedData(): string {
  const configured = process.env.SILHOUETTE_SHARED_DATA;
  if (configured) return `${configured.replace(/\/$/, '')}/`;
  const sibling = fileURLToPath(new URL('../../../shared/data/', import.meta.url));
  if (existsSync(sibling)) return sibling;
  try {
    const origin = execFileSync('git', ['config', '--get', 'remote.origin.url'], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      encoding: 'utf8',
    }).trim();
    const beside = join(dirname(origin.replace(/\/$/, '')), 'shared/data/');
    if (origin.startsWith('/') && existsSync(beside)) return beside;
  } catch {
    // No origin: the readers below fail naming the sibling path.
  }
  return sibling;
}

const DATA = sharedData();

interface SgdDialogue {
  dialogue_id: string;
  domains: string[];
  turns: { speaker: 'USER' | 'SYSTEM'; utterance: string }[];
}

/** The first `count` single-domain SGD dialogues as OpenAI-format records over `users` users. */
export function sgdRecords(count: number, users: number): Record<string, unknown>[] {
  const dialogues = readFileSync(`${DATA}sgd-dev/conversations.jsonl`, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as SgdDialogue)
    .filter((dialogue) => dialogue.domains.length === 1)
    .slice(0, count);
  return dialogues.map((dialogue, i) => ({
    id: `sgd-${dialogue.dialogue_id}`,
    user_id: `user-${i % users}`,
    metadata: { team: `team-${i % 4}` },
    messages: dialogue.turns.map((turn) => ({
      role: turn.speaker === 'USER' ? 'user' : 'assistant',
      content: turn.utterance,
    })),
  }));
}

interface PresidioSample {
  spans: { entity_type: string; entity_value: string }[];
}

/** PII values written by a third party (presidio-research synthetic set), by entity type. */
export function presidioValues(types: string[], perType: number): Record<string, string[]> {
  const samples = JSON.parse(
    readFileSync(`${DATA}presidio/synth_dataset_v2.json`, 'utf8'),
  ) as PresidioSample[];
  const values: Record<string, string[]> = Object.fromEntries(types.map((type) => [type, []]));
  for (const sample of samples) {
    for (const span of sample.spans) {
      const list = values[span.entity_type];
      if (
        list &&
        list.length < perType &&
        span.entity_value.trim().length >= 4 &&
        !list.includes(span.entity_value)
      )
        list.push(span.entity_value);
    }
  }
  return values;
}
