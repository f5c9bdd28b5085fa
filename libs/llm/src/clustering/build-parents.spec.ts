/**
 * The hierarchizer over real HTTP against a scripted model that proposes, dedupes, assigns and
 * renames by keyword, recording what each step was shown.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  fastRetryClient,
  ScriptedLlmServer,
  type ScriptedReply,
  type ScriptedRequest,
} from '../../../../test/helpers/scripted-llm-server';
import { mulberry32 } from '@silhouette/privacy';
import {
  ASSIGN_PARENTS_SCHEMA_NAME,
  DEDUPE_PARENTS_SCHEMA_NAME,
  PROPOSE_PARENTS_SCHEMA_NAME,
  RENAME_PARENT_SCHEMA_NAME,
  neighbourhoods,
  proposeParents,
  type ChildCluster,
} from './build-parents';
import { MAX_ITEMS_PER_PROMPT } from './llm-steps';

type ChatBody = { messages: { role: string; content: string }[] };

const TOPICS = [
  { keyword: 'python', parent: 'Software debugging' },
  { keyword: 'budget', parent: 'Financial planning' },
  { keyword: 'email', parent: 'Writing emails' },
];

let server: ScriptedLlmServer;

const client = () => fastRetryClient(server);

function listItems(text: string): string[] {
  return [...text.matchAll(/^\d+\. (.*)$/gm)].map((m) => m[1]!);
}

/** Assignment prompt → per child line, its options as [index, name] in the order shown. */
function assignmentBlocks(text: string): { child: string; options: [number, string][] }[] {
  const blocks: { child: string; options: [number, string][] }[] = [];
  for (const line of text.split('\n')) {
    const child = /^\d+\. (.*)$/.exec(line);
    const option = /^\s+\[(\d+)\] (.*)$/.exec(line);
    if (child) blocks.push({ child: child[1]!, options: [] });
    else if (option) blocks.at(-1)!.options.push([Number(option[1]), option[2]!]);
  }
  return blocks;
}

function topicOf(text: string): (typeof TOPICS)[number] | undefined {
  return TOPICS.find((t) => text.toLowerCase().includes(t.keyword));
}

/** Keyword model. Dedupe adds a category nobody fits; "orphan" children get no assignment. */
function hierarchyModel(request: ScriptedRequest): ScriptedReply | undefined {
  const text = request.userText;
  const reply = (value: unknown): ScriptedReply => ({ content: JSON.stringify(value) });
  switch (request.schemaName) {
    case PROPOSE_PARENTS_SCHEMA_NAME: {
      const topics = [...new Set(listItems(text).map((i) => topicOf(i)))];
      return reply({
        parents: topics.map((t) => ({
          name: t?.parent ?? 'Other tasks',
          description: `Tasks about ${t?.keyword ?? 'anything else'}.`,
        })),
      });
    }
    case DEDUPE_PARENTS_SCHEMA_NAME: {
      const max = Number(/at most (\d+)/.exec(text)![1]);
      const byName = new Map(
        [...listItems(text), 'Astronomy questions: Questions about stars.'].map((item) => {
          const [name, description] = item.split(': ');
          return [name!, description!] as const;
        }),
      );
      return reply({
        categories: [...byName].slice(0, max).map(([name, description]) => ({ name, description })),
      });
    }
    case ASSIGN_PARENTS_SCHEMA_NAME: {
      const assignments = assignmentBlocks(text).flatMap(({ child, options }, cluster) => {
        if (child.includes('orphan')) return [];
        if (child.includes('confused')) return [{ cluster, category: 77 }];
        const wanted = topicOf(child)?.parent;
        const chosen = options.find(([, name]) => name === wanted) ?? options[0]!;
        return [{ cluster, category: chosen[0] }];
      });
      return reply({ assignments });
    }
    case RENAME_PARENT_SCHEMA_NAME: {
      const first = listItems(text)[0]!;
      return reply({
        name: `Renamed ${topicOf(first)?.parent ?? 'Other tasks'}`,
        description: 'Users did related work. The assistant helped.',
      });
    }
    default:
      return undefined;
  }
}

/** Children of three topics with centroids near one axis per topic (seeded jitter). */
function topicChildren(perTopic: number): ChildCluster[] {
  const random = mulberry32(7);
  return TOPICS.flatMap((topic, t) =>
    Array.from({ length: perTopic }, (_, i) => {
      const centroid = new Float32Array(8).map(() => (random() - 0.5) * 0.1);
      centroid[t] = 1;
      return {
        id: `tenant-x:${topic.keyword}-${i}`,
        name: `${topic.keyword} task ${i}`,
        description: `Users asked about ${topic.keyword} item ${i}.`,
        centroid,
      };
    }),
  );
}

function recordedPrompts(schemaName?: string): string[] {
  return server
    .requestsTo('chat')
    .filter(
      (r) =>
        schemaName === undefined ||
        (r.body as { response_format: { json_schema: { name: string } } }).response_format
          .json_schema.name === schemaName,
    )
    .map((r) => (r.body as ChatBody).messages.find((m) => m.role === 'user')!.content);
}

beforeEach(async () => {
  server = await ScriptedLlmServer.start({ respond: hierarchyModel });
});

afterEach(async () => {
  await server.close();
});

describe('neighbourhoods', () => {
  it('partitions children into groups of at most the size, keeping close centroids together', () => {
    const children = topicChildren(16);
    const groups = neighbourhoods(children, 16, mulberry32(3));

    expect(groups.flat().sort((a, b) => a - b)).toEqual(children.map((_, i) => i));
    expect(groups.every((g) => g.length <= 16 && g.length > 0)).toBe(true);
    // Median splits are balanced, so a topic may straddle two groups but never scatter further.
    const topicOfIndex = (i: number) => Math.floor(i / 16);
    for (let t = 0; t < TOPICS.length; t++) {
      expect(groups.filter((g) => g.some((i) => topicOfIndex(i) === t)).length).toBeLessThanOrEqual(
        2,
      );
    }
    for (const group of groups)
      expect(new Set(group.map(topicOfIndex)).size).toBeLessThanOrEqual(2);
  });
});

describe('proposeParents', () => {
  it('gives every child exactly one parent, renames parents and drops empty ones', async () => {
    const children = topicChildren(30);
    children[5]!.name = 'orphan python task'; // no answer: falls back to token overlap
    children[35]!.name = 'confused budget task'; // invalid index: falls back too

    const level = await proposeParents(client(), 'scripted-hierarchizer', children, {
      targetParents: 5,
      neighbourhoodSize: 20,
      seed: 11,
    });

    expect(level.assignment.size).toBe(children.length);
    const parentIds = new Set(level.parents.map((p) => p.id));
    for (const child of children) expect(parentIds.has(level.assignment.get(child.id)!)).toBe(true);
    // 'Astronomy questions' was a candidate but got no child: dropped.
    expect(level.parents.map((p) => p.name).sort()).toEqual([
      'Renamed Financial planning',
      'Renamed Software debugging',
      'Renamed Writing emails',
    ]);
    expect(level.parents.map((p) => p.id)).toEqual(['p0', 'p1', 'p2']);
    const byName = new Map(level.parents.map((p) => [p.id, p.name]));
    for (const child of children) {
      const topic = topicOf(child.name)!;
      expect(byName.get(level.assignment.get(child.id)!)).toBe(`Renamed ${topic.parent}`);
    }
    expect(recordedPrompts(DEDUPE_PARENTS_SCHEMA_NAME)).toHaveLength(1);
    expect(recordedPrompts(RENAME_PARENT_SCHEMA_NAME)).toHaveLength(3);
  });

  it('shows each child the candidates in its own shuffled order', async () => {
    await proposeParents(client(), 'scripted-hierarchizer', topicChildren(10), {
      targetParents: 4,
      neighbourhoodSize: 10,
    });

    const blocks = recordedPrompts(ASSIGN_PARENTS_SCHEMA_NAME).flatMap(assignmentBlocks);
    expect(blocks).toHaveLength(30);
    const orders = new Set(blocks.map((b) => b.options.map(([i]) => i).join(',')));
    expect(orders.size).toBeGreaterThan(5);
    // Every child saw every candidate exactly once.
    const candidateCount = blocks[0]!.options.length;
    for (const block of blocks) {
      expect(new Set(block.options.map(([i]) => i)).size).toBe(candidateCount);
    }
  });

  it('keeps every prompt within 100 items, chunking the dedupe when proposals exceed it', async () => {
    const random = mulberry32(5);
    const children: ChildCluster[] = Array.from({ length: 250 }, (_, i) => ({
      id: `tenant-y:cluster-${i}`,
      name: `topic ${i}`,
      description: `Users asked about area ${i}.`,
      centroid: new Float32Array(4).map(() => random()),
    }));
    // Proposals here are one per child line: 'topic N' is not a keyword topic.
    server.respond = (request) =>
      request.schemaName === PROPOSE_PARENTS_SCHEMA_NAME
        ? {
            content: JSON.stringify({
              parents: listItems(request.userText).map((item) => ({
                name: item.split(':')[0]!,
                description: 'A group.',
              })),
            }),
          }
        : hierarchyModel(request);

    const level = await proposeParents(client(), 'scripted-hierarchizer', children, {
      targetParents: 50,
      neighbourhoodSize: 2,
    });

    expect(level.assignment.size).toBe(250);
    expect(level.parents.length).toBeLessThanOrEqual(50);
    // 128 neighbourhoods → 128 proposals → two chunks, then one final merge.
    expect(recordedPrompts(DEDUPE_PARENTS_SCHEMA_NAME)).toHaveLength(3);
    for (const prompt of recordedPrompts()) {
      const items = prompt.split('\n').filter((l) => /^\s*(?:\d+\.|\[\d+\]) /.test(l));
      expect(items.length).toBeLessThanOrEqual(MAX_ITEMS_PER_PROMPT);
    }
  });

  it('sends only names and descriptions: no child ids, no centroids', async () => {
    const children = topicChildren(4);
    await proposeParents(client(), 'scripted-hierarchizer', children, { targetParents: 3 });

    const bodies = JSON.stringify(server.requests.map((r) => r.body));
    expect(bodies).not.toContain('tenant-x');
    const given = new Set(children.map((c) => `${c.name}: ${c.description}`));
    for (const prompt of recordedPrompts(PROPOSE_PARENTS_SCHEMA_NAME)) {
      for (const item of listItems(prompt)) expect(given.has(item)).toBe(true);
    }
  });

  it('is deterministic for a seed', async () => {
    const children = topicChildren(12);
    const run = () =>
      proposeParents(client(), 'scripted-hierarchizer', children, {
        targetParents: 3,
        neighbourhoodSize: 10,
        seed: 4,
      });
    const first = await run();
    const firstPrompts = recordedPrompts();
    server.resetRecording();
    const second = await run();

    expect(second).toEqual(first);
    expect(recordedPrompts()).toEqual(firstPrompts);
  });
});
