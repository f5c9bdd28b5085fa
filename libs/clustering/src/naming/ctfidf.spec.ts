import { containsPii, createSeededRandom } from '@silhouette/privacy';
import { describe, expect, it } from 'vitest';
import {
  clusterTerms,
  FALLBACK_NAME,
  mergeClusterTerms,
  nameClusters,
  nameFromTerms,
  nameParents,
  type ClusterMember,
  type ClusterName,
  type NamingInput,
} from './ctfidf';
import { contentPhrases } from './text-terms';

const TOPICS: Record<string, string[]> = {
  restaurants: [
    'planning; restaurant booking for a team dinner; book a table at a restaurant',
    'scheduling; restaurant booking for friday evening; find a restaurant with vegetarian menu',
    'planning; reservations at an italian restaurant; compare restaurant menus and prices',
    'travel; restaurant booking near the conference venue; reservations for six people',
    'writing; email to confirm restaurant reservations; restaurant booking details',
    'planning; choose a restaurant for a client lunch; restaurant booking and reservations',
  ],
  flights: [
    'travel; booking flights to berlin; compare flight prices and airlines',
    'travel; change a flight reservation; rebook flights after a cancellation',
    'planning; cheapest flights for a business trip; airline baggage rules',
    'travel; flight delay compensation claim; airline refund request',
    'travel; booking flights with layovers; compare airlines for a conference trip',
    'planning; airport transfer and flights itinerary; choose an airline seat',
  ],
  python: [
    'debugging; fixing a type error in a python function; python traceback explained',
    'coding; python bug in a pandas script; fix the python error',
    'debugging; python import error in a module; resolve a python bug',
    'debugging; type error when calling a python function; unit test failing',
    'coding; refactor python function that raises a type error; python bug fix',
    'debugging; python script crashes with a traceback; fix python bug in loop',
  ],
};

interface TestCluster {
  id: string;
  members: ClusterMember[];
}

/** Six users (by default), each using every phrasing of the topic once. */
function topicCluster(id: string, topic: string, users = 6, userPrefix = topic): TestCluster {
  const members: ClusterMember[] = [];
  const texts = TOPICS[topic]!;
  for (let u = 0; u < users; u++)
    for (let i = 0; i < texts.length; i++)
      members.push({ text: texts[(i + u) % texts.length]!, user: `${userPrefix}-user-${u}` });
  return { id, members };
}

function threeTopics(): TestCluster[] {
  return [
    topicCluster('rest', 'restaurants'),
    topicCluster('fly', 'flights'),
    topicCluster('py', 'python'),
  ];
}

/** Every word that may appear in a name or description, i.e. everything but template words. */
function nameWords(n: ClusterName): string[] {
  return n.terms.flatMap((t) => t.split(' '));
}

/** Distinct users of the cluster whose text contains the term as adjacent content words. */
function usersOfTerm(cluster: NamingInput, term: string): number {
  const users = new Set<string>();
  for (const m of cluster.members) {
    for (const phrase of contentPhrases(m.text)) {
      const surfaces = phrase.map((w) => w.surface).join(' ');
      const keys = phrase.map((w) => w.key).join(' ');
      if (` ${surfaces} `.includes(` ${term} `) || ` ${keys} `.includes(` ${term} `))
        users.add(m.user);
    }
  }
  return users.size;
}

function shuffled<T>(items: readonly T[], seed: number): T[] {
  return createSeededRandom(seed).shuffle([...items]);
}

describe('nameClusters (c-TF-IDF)', () => {
  it('names each synthetic cluster by its distinctive words', () => {
    const names = nameClusters(threeTopics(), { kUsers: 5 });
    expect(names.get('rest')!.name).toMatch(/restaurant/);
    expect(names.get('fly')!.name).toMatch(/flight/);
    expect(names.get('py')!.name).toMatch(/python/);
    // No name borrows another topic's signature word.
    expect(names.get('rest')!.name).not.toMatch(/flight|python/);
    expect(names.get('fly')!.name).not.toMatch(/restaurant|python/);
    expect(names.get('py')!.name).not.toMatch(/restaurant|flight/);
    for (const n of names.values()) {
      expect(n.terms.length).toBeGreaterThanOrEqual(2);
      expect(n.terms.length).toBeLessThanOrEqual(3);
      expect(n.description).toMatch(/^Conversations mostly about /);
      for (const t of n.terms) expect(n.description).toContain(t);
    }
  });

  it('prefers a bigram over its unigrams and never repeats a word in a name', () => {
    const names = nameClusters(threeTopics(), { kUsers: 5 });
    expect(names.get('rest')!.terms[0]).toBe('restaurant booking');
    expect(names.get('rest')!.terms).not.toContain('restaurant');
    for (const n of names.values()) {
      const words = nameWords(n);
      expect(new Set(words).size).toBe(words.length);
    }
  });

  it('never uses a word that fewer than kUsers distinct users used, however often', () => {
    const clusters = threeTopics();
    const py = clusters[2]!;
    // One user hammers a rare, possibly identifying word 50 times.
    for (let i = 0; i < 50; i++)
      py.members.push({ text: 'debugging; zorblax pipeline zorblax failure', user: 'py-user-0' });
    // Four users (one short of kUsers) share another word, many times each.
    for (let u = 0; u < 4; u++)
      for (let i = 0; i < 20; i++)
        py.members.push({ text: 'coding; quokka deployment', user: `py-user-${u}` });
    const names = nameClusters(clusters, { kUsers: 5, maxTerms: 10 });
    const all = JSON.stringify([...names.values()]);
    expect(all).not.toMatch(/zorblax|quokka/);
    // Every published term, in every cluster, was used by at least kUsers distinct users.
    for (const cluster of clusters)
      for (const term of names.get(cluster.id)!.terms)
        expect(usersOfTerm(cluster, term)).toBeGreaterThanOrEqual(5);
  });

  it('admits the same word once kUsers distinct users use it (the rule is exactly k)', () => {
    const clusters = threeTopics();
    for (let u = 0; u < 5; u++)
      for (let i = 0; i < 20; i++)
        clusters[2]!.members.push({ text: 'coding; quokka deployment', user: `py-user-${u}` });
    const names = nameClusters(clusters, { kUsers: 5 });
    expect(names.get('py')!.name).toMatch(/quokka/);
  });

  it('keeps PII out of names even when enough users typed it', () => {
    const clusters = threeTopics();
    for (let u = 0; u < 6; u++) {
      for (let i = 0; i < 10; i++) {
        clusters[0]!.members.push({
          text: `writing; email to Olga Krylova about the restaurant booking; reply to olga.krylova@example.com or call +1 415 555 0133`,
          user: `rest-user-${u}`,
        });
        clusters[1]!.members.push({
          text: 'travel; flight refund for olga krylova; send card 4111 1111 1111 1111 to the airline',
          user: `fly-user-${u}`,
        });
      }
    }
    const names = nameClusters(clusters, { kUsers: 5, maxTerms: 10 });
    for (const n of names.values()) {
      expect(containsPii(n.name)).toBe(false);
      expect(containsPii(n.description)).toBe(false);
      expect(`${n.name} ${n.description}`).not.toMatch(/olga|krylova|example|4111|0133/i);
    }
    expect(names.get('rest')!.name).toMatch(/restaurant/);
  });

  it('gives siblings distinct names, adding a distinctive term to clusters that collide', () => {
    const vegan = topicCluster('rest-a', 'restaurants', 6, 'a');
    const wine = topicCluster('rest-b', 'restaurants', 6, 'b');
    for (let u = 0; u < 6; u++) {
      vegan.members.push({ text: 'planning; vegan options', user: `a-user-${u}` });
      wine.members.push({ text: 'planning; wine pairing', user: `b-user-${u}` });
    }
    const twins = [topicCluster('twin-1', 'python'), topicCluster('twin-2', 'python')];
    const names = nameClusters([vegan, wine, ...twins, topicCluster('fly', 'flights')], {
      kUsers: 5,
      maxTerms: 2,
    });
    const all = [...names.values()].map((n) => n.name);
    expect(new Set(all).size).toBe(all.length);
    expect(names.get('rest-a')!.name).toMatch(/vegan/);
    expect(names.get('rest-b')!.name).toMatch(/wine/);
    // Identical clusters cannot be told apart by their words: an ordinal, in id order.
    expect(names.get('twin-2')!.name).toBe(`${names.get('twin-1')!.name} (2)`);
  });

  it('falls back to a generic name when no term meets the k-user rule', () => {
    const lonely: NamingInput = {
      id: 'lonely',
      members: ['alpha beta', 'gamma delta', 'epsilon zeta', 'eta theta'].map((text, u) => ({
        text,
        user: `u${u}`,
      })),
    };
    const empty: NamingInput = { id: 'silent', members: [] };
    const names = nameClusters([lonely, empty, ...threeTopics()], { kUsers: 5 });
    expect(names.get('lonely')).toMatchObject({ name: FALLBACK_NAME, terms: [] });
    expect(names.get('lonely')!.description).toMatch(/^Varied requests/);
    expect(names.get('silent')!.name).toBe(`${FALLBACK_NAME} (2)`);
    expect(names.get('py')!.name).toMatch(/python/);
  });

  it('drops stop words and tokens with digits', () => {
    const cluster: NamingInput = {
      id: 'c',
      members: Array.from({ length: 6 }, (_, u) => ({
        text: 'the and of; error 404 in v2 release; for with about; invoice totals',
        user: `u${u}`,
      })),
    };
    const n = nameClusters([cluster, topicCluster('fly', 'flights')], { kUsers: 5, maxTerms: 10 });
    const words = nameWords(n.get('c')!);
    expect(words).toContain('invoice');
    for (const w of words) expect(w).not.toMatch(/\d|^(the|and|of|for|with|about)$/);
  });

  it('is deterministic: input order and member order do not matter', () => {
    const base = nameClusters(threeTopics(), { kUsers: 5 });
    for (let seed = 1; seed <= 5; seed++) {
      const clusters = shuffled(threeTopics(), seed).map((c) => ({
        id: c.id,
        members: shuffled(c.members, seed * 7),
      }));
      const again = nameClusters(clusters, { kUsers: 5 });
      expect([...again.entries()].sort()).toEqual([...base.entries()].sort());
    }
  });

  it('rejects bad options', () => {
    expect(() => nameClusters([], { kUsers: 0 })).toThrow(RangeError);
    expect(() => nameClusters([], { kUsers: 5, maxTerms: 0 })).toThrow(RangeError);
    expect(() =>
      nameClusters([topicCluster('x', 'python'), topicCluster('x', 'flights')], { kUsers: 5 }),
    ).toThrow(/duplicate/);
  });
});

describe('nameParents', () => {
  it('names a parent from the union of its children, with the k-user rule at its own level', () => {
    // Each child alone has only 3 users of "travel" topics; together they reach kUsers.
    const parents = [
      {
        id: 'travel',
        children: [
          topicCluster('f1', 'flights', 3, 'f1'),
          topicCluster('f2', 'flights', 3, 'f2'),
          topicCluster('r1', 'restaurants', 3, 'r1'),
          topicCluster('r2', 'restaurants', 3, 'r2'),
        ],
      },
      { id: 'code', children: [topicCluster('p1', 'python', 6, 'p')] },
    ];
    const children = nameClusters(parents[0]!.children, { kUsers: 5 });
    for (const n of children.values()) expect(n.name).toMatch(/^Miscellaneous/);
    const names = nameParents(parents, { kUsers: 5 });
    expect(names.get('travel')!.name).toMatch(/flight|restaurant/);
    expect(names.get('code')!.name).toMatch(/python/);
    expect(names.get('travel')!.name).not.toBe(names.get('code')!.name);
  });
});

describe('term statistics counted once and merged up the tree', () => {
  it('names parents from merged child statistics exactly as from their members', () => {
    // Children below kUsers on their own; some users shared between children.
    const children = [
      topicCluster('f1', 'flights', 3, 'f'),
      topicCluster('f2', 'flights', 4, 'f'),
      topicCluster('r1', 'restaurants', 3, 'r1'),
      topicCluster('r2', 'restaurants', 2, 'r2'),
      topicCluster('p1', 'python', 6, 'p'),
      topicCluster('p2', 'python', 2, 'q'),
    ];
    const parents = [
      { id: 'flights', children: children.slice(0, 2) },
      { id: 'food', children: children.slice(2, 4) },
      { id: 'code', children: children.slice(4) },
    ];
    for (const kUsers of [1, 3, 5, 7]) {
      const childTerms = new Map(children.map((c) => [c.id, clusterTerms(c.members, kUsers)]));
      expect(
        nameFromTerms(
          children.map((c) => ({ id: c.id, terms: childTerms.get(c.id)! })),
          { kUsers },
        ),
      ).toEqual(nameClusters(children, { kUsers }));
      const merged = parents.map((p) => ({
        id: p.id,
        terms: mergeClusterTerms(
          p.children.map((c) => childTerms.get(c.id)!),
          kUsers,
        ),
      }));
      expect(nameFromTerms(merged, { kUsers })).toEqual(nameParents(parents, { kUsers }));
    }
  });
});
