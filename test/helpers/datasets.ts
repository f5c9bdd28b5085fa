/** Readers for the public datasets in ../shared/data, shaped for ingest. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// SILHOUETTE_SHARED_DATA points elsewhere, e.g. from a git worktree that is not a sibling of it.
const DATA = process.env.SILHOUETTE_SHARED_DATA
  ? `${process.env.SILHOUETTE_SHARED_DATA.replace(/\/$/, '')}/`
  : fileURLToPath(new URL('../../../shared/data/', import.meta.url));

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
