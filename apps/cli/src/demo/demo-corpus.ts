/**
 * The demo corpus shipped in the repository (apps/cli/demo-corpus/corpus.jsonl.gz): public
 * conversations and a few written by this project, one JSON object a line, gzip-compressed.
 * `scripts/demo/build-demo-corpus.ts` assembles it from ../shared/data on our machines; at run
 * time only this file is read, so a clone with nothing beside it has the full demo.
 * ATTRIBUTION.md beside the file says where each record comes from, under which licence, and
 * what was written or changed.
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { canonicalMessageSchema } from '@silhouette/contracts';

export const DEMO_CORPUS_FILE = fileURLToPath(
  new URL('../../demo-corpus/corpus.jsonl.gz', import.meta.url),
);

export const DEMO_SOURCES = [
  'oasst1',
  'sgd',
  'banking77',
  'mt-bench',
  'vicuna-bench',
  'written',
] as const;

/** What the demo company uses a record for: it decides which team asks it. */
export const DEMO_TOPICS = [
  'code',
  'writing',
  'numbers',
  'general',
  'support',
  'travel',
  'creative',
] as const;
export type DemoTopic = (typeof DEMO_TOPICS)[number];

/** How a record differs from its source (ATTRIBUTION.md explains each). */
export const DEMO_EDITS = [
  'none',
  'answer-written',
  'failure-turn-added',
  'cut-short',
  'refusal-written',
  'written',
] as const;

export const demoCorpusRecordSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
    source: z.enum(DEMO_SOURCES),
    /** The record in its source: a dialogue id, a CSV line, a question id. */
    source_ref: z.string().min(1),
    topic: z.enum(DEMO_TOPICS),
    /** BCP-47 primary tag of the user's text. */
    language: z.string().regex(/^[a-z]{2,3}$/),
    edit: z.enum(DEMO_EDITS),
    messages: z.array(canonicalMessageSchema).min(1),
  })
  .strict();
export type DemoCorpusRecord = z.infer<typeof demoCorpusRecordSchema>;

/** Serialises records the way the committed file stores them. */
export function encodeDemoCorpus(records: readonly DemoCorpusRecord[]): string {
  return records.map((record) => JSON.stringify(record)).join('\n') + '\n';
}

/** Parses the corpus; a bad line names its number and field (the file is ours, but check it). */
export function parseDemoCorpus(text: string): DemoCorpusRecord[] {
  const records: DemoCorpusRecord[] = [];
  const ids = new Set<string>();
  text.split('\n').forEach((line, index) => {
    if (!line.trim()) return;
    const parsed = demoCorpusRecordSchema.safeParse(JSON.parse(line));
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      throw new Error(
        `demo corpus line ${index + 1}: ${issue.path.join('.') || '(record)'}: ${issue.message}`,
      );
    }
    if (ids.has(parsed.data.id))
      throw new Error(`demo corpus line ${index + 1}: id: duplicate ${parsed.data.id}`);
    ids.add(parsed.data.id);
    records.push(parsed.data);
  });
  return records;
}

export function readDemoCorpus(file = DEMO_CORPUS_FILE): DemoCorpusRecord[] {
  return parseDemoCorpus(gunzipSync(readFileSync(file)).toString('utf8'));
}
