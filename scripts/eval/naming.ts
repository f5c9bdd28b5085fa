/**
 * `npm run eval -- naming [--k-users N] [--show N]`
 *
 * How readable and how accurate the offline cluster names are, on labelled public data run
 * through the production path: the offline tagger tags each item, the facet text is embedded
 * with the offline embedder, `buildHierarchy` builds the three-level tree (k = n/30 at the base,
 * 7 at the top), and `nameTree` names it. Each item counts as its own user, so a phrase needs
 * `k_users` (default 5) items behind it before it can name a cluster.
 *
 *   - banking77 test (3,080 questions): base clusters against their members' majority intent;
 *   - sgd-dev (2,098 dialogues): base clusters against the majority first intent
 *     ("ReserveRestaurant"), upper levels against the majority domain ("Restaurants");
 *   - mt-bench + vicuna (160 prompts): every level against the majority category;
 *   - oasst1-dev (381 real conversations, no labels): readability only.
 *
 * Figures per set and level:
 *   - label match: share of clusters whose name shares a content word with the majority label
 *     of its members (both sides split on "_", "-", spaces and camelCase, stop words dropped,
 *     compared by `stem`, so "Booking restaurant tables" matches "ReserveRestaurant" through
 *     "restaurant", and "Writing poems" matches "writing");
 *   - keyword-list-like: share of names `looksLikeKeywordList` flags (rules in
 *     libs/clustering/src/naming/name-readability.ts);
 *   - in brackets, the share whose name or published keywords share a content word with it
 *     (what the dashboard shows next to each other);
 *   - words: mean words per name.
 * "before" is the c-TF-IDF name (up to three terms joined by " · ", still the keywords), "after"
 * the readable name; both on the same tree.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  buildHierarchy,
  clusterTerms,
  mergeClusterTerms,
  nameFromTerms,
  nameTree,
  nameWords,
  OfflineEmbedder,
  packRows,
  stem,
  keywordListVerdict,
  type ClusterTerms,
  type Hierarchy,
  type TreeMember,
} from '@silhouette/clustering';
import { OfflineTagger } from '@silhouette/llm';
import type { CanonicalMessage } from '@silhouette/contracts';
import { parseCsv } from './clustering';

const DATA = new URL('../../../shared/data/', import.meta.url);
const path = (relative: string) => fileURLToPath(new URL(relative, DATA));

interface Item {
  messages: CanonicalMessage[];
  /** Label per tree level, top first; undefined where the set has none for that level. */
  labels: (string | undefined)[];
}

interface NamingSet {
  name: string;
  items: Item[];
}

const STOP = new Set(
  'a an and the of to in for on with by or at from my me i is are be get getting lookup look up'.split(
    ' ',
  ),
);

/** Content words of a label or a name, as stems. */
export function contentStems(text: string): Set<string> {
  const words = text
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .replace(/[_\-/&]+/g, ' ')
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => w.length > 1 && !STOP.has(w) && /^[a-z']+$/.test(w));
  return new Set(words.map(stem));
}

function nameMatchesLabel(name: string, label: string): boolean {
  const nameStems = contentStems(nameWords(name).join(' '));
  for (const s of contentStems(label)) if (nameStems.has(s)) return true;
  return false;
}

export async function main(args: string[]): Promise<void> {
  let kUsers = 5;
  let show = 0;
  for (let i = 0; i < args.length; i++) {
    if (args[i] === '--k-users') kUsers = Number.parseInt(args[++i] ?? '', 10);
    else if (args[i] === '--show') show = Number.parseInt(args[++i] ?? '', 10);
    else throw new Error(`unknown argument ${args[i]}`);
  }
  if (!Number.isInteger(kUsers) || kUsers < 1) throw new Error('--k-users: a positive integer');
  const tagger = new OfflineTagger();
  console.log(
    `Offline cluster names on labelled data (offline tagger → offline embedder → 3-level tree → names), k_users = ${kUsers}, one user per item\n`,
  );
  console.log(
    `${'set / level'.padEnd(30)} ${'clusters'.padStart(8)}  ${'label match before → after (+keywords)'.padEnd(38)} ${'keyword-list-like before → after'.padEnd(34)} words before → after`,
  );
  for (const set of [banking77(), sgd(), mtBench(), oasst1()]) {
    const members: TreeMember[] = [];
    for (const [index, item] of set.items.entries()) {
      const { facet } = await tagger.tag({
        conversationId: String(index),
        messages: item.messages,
      });
      members.push({
        text: `${facet.task_type}; ${facet.use_case}; ${facet.goal_summary}`,
        user: `u${index}`,
        useCase: facet.use_case,
        taskType: facet.task_type,
        domain: facet.domain,
      });
    }
    const texts = members.map((m) => m.text);
    const embedder = OfflineEmbedder.fit(texts);
    const tree = buildHierarchy(packRows(embedder.embedSync(texts)), embedder.dimension, {
      levels: 3,
      topK: 7,
      seed: 42,
    });
    const levels = treeNodes(tree);
    const after = nameTree(levels, members, kUsers);
    const before = termNames(tree, members, kUsers);
    for (let l = 0; l < levels.length; l++) {
      const nodes = levels[l]!;
      const labelled = nodes.filter((node) => set.items[node.members[0] ?? -1]?.labels[l]);
      let matchBefore = 0;
      let matchAfter = 0;
      let matchShown = 0;
      for (const node of labelled) {
        const label = majority(node.members.map((i) => set.items[i]!.labels[l]!));
        const b = nameMatchesLabel(before.get(node.id)!, label);
        const a = nameMatchesLabel(after.get(node.id)!.name, label);
        if (b) matchBefore++;
        if (a) matchAfter++;
        if (a || after.get(node.id)!.keywords.some((k) => nameMatchesLabel(k, label))) matchShown++;
        if (process.env.NAMING_MISSES && b && !a)
          console.log(
            `  miss ${label.padEnd(24)} ${before.get(node.id)!.padEnd(44)} ${after.get(node.id)!.name}`,
          );
      }
      const flagged = (names: string[]) =>
        names.filter((n) => keywordListVerdict(n).keywordList).length / names.length;
      const words = (names: string[]) =>
        names.reduce((sum, n) => sum + nameWords(n).length, 0) / names.length;
      const namesBefore = nodes.map((n) => before.get(n.id)!);
      const namesAfter = nodes.map((n) => after.get(n.id)!.name);
      const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
      const match =
        labelled.length > 0
          ? `${pct(matchBefore / labelled.length)} → ${pct(matchAfter / labelled.length)} (${pct(matchShown / labelled.length)})`
          : 'no label';
      console.log(
        `${`${set.name} / level ${l}`.padEnd(30)} ${String(nodes.length).padStart(8)}  ${match.padEnd(38)} ${`${pct(flagged(namesBefore))} → ${pct(flagged(namesAfter))}`.padEnd(34)} ${words(namesBefore).toFixed(1)} → ${words(namesAfter).toFixed(1)}`,
      );
      if (show > 0) {
        for (const node of nodes.slice(0, show)) {
          const label = node.members.length ? (set.items[node.members[0]!]!.labels[l] ?? '') : '';
          console.log(
            `    ${majority(node.members.map((i) => set.items[i]!.labels[l] ?? label)).padEnd(28)} ${before.get(node.id)!.padEnd(44)} ${after.get(node.id)!.name}   [${after.get(node.id)!.keywords.join(', ')}]`,
          );
        }
      }
    }
  }
}

function treeNodes(tree: Hierarchy) {
  const members: number[][][] = tree.levels.map((level) =>
    Array.from({ length: level.k }, () => []),
  );
  tree.assignments.forEach((cluster, index) => {
    let current = cluster;
    for (let level = tree.levels.length - 1; level >= 0; level--) {
      members[level]![current]!.push(index);
      if (level > 0) current = tree.levels[level]!.parents[current]!;
    }
  });
  return tree.levels.map((level, l) =>
    Array.from({ length: level.k }, (_, k) => ({
      id: `${l}/${k}`,
      parentId: l === 0 ? null : `${l - 1}/${level.parents[k]}`,
      members: members[l]![k]!,
    })),
  );
}

/** The c-TF-IDF names as shipped before readable names (up to three terms). */
function termNames(tree: Hierarchy, members: TreeMember[], kUsers: number): Map<string, string> {
  const out = new Map<string, string>();
  const nodes = treeNodes(tree);
  let below: ClusterTerms[] = [];
  for (let l = tree.levels.length - 1; l >= 0; l--) {
    let terms: ClusterTerms[];
    if (l === tree.levels.length - 1) {
      terms = nodes[l]!.map((node) =>
        clusterTerms(
          node.members.map((i) => members[i]!),
          kUsers,
        ),
      );
    } else {
      const children: ClusterTerms[][] = Array.from({ length: tree.levels[l]!.k }, () => []);
      tree.levels[l + 1]!.parents.forEach((parent, child) => children[parent]!.push(below[child]!));
      terms = children.map((parts) => mergeClusterTerms(parts, kUsers));
    }
    const named = nameFromTerms(
      nodes[l]!.map((node, k) => ({ id: node.id, terms: terms[k]! })),
      { kUsers },
    );
    for (const [id, name] of named) out.set(id, name.name);
    below = terms;
  }
  return out;
}

function majority(labels: string[]): string {
  const counts = new Map<string, number>();
  for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0] ?? '';
}

function banking77(): NamingSet {
  const rows = parseCsv(readFileSync(path('banking77/test.csv'), 'utf8')).slice(1);
  return {
    name: 'banking77',
    items: rows
      .filter((r) => r.length >= 2 && r[0])
      .map((r) => ({
        messages: [{ role: 'user', content: r[0]! }],
        labels: [undefined, undefined, r[1]!],
      })),
  };
}

function sgd(): NamingSet {
  const dialogues = readFileSync(path('sgd-dev/conversations.jsonl'), 'utf8')
    .split('\n')
    .filter((line) => line.trim())
    .map(
      (line) =>
        JSON.parse(line) as {
          domains: string[];
          intents: string[];
          turns: { speaker: string; utterance: string }[];
        },
    );
  // The domain of an intent, from the dialogues with a single domain.
  const domainOf = new Map<string, string>();
  for (const d of dialogues)
    if (d.domains.length === 1) for (const intent of d.intents) domainOf.set(intent, d.domains[0]!);
  return {
    name: 'sgd-dev',
    items: dialogues.map((d) => {
      const intent = d.intents[0]!;
      const domain = domainOf.get(intent) ?? d.domains[0]!;
      return {
        messages: d.turns.map((t) => ({
          role: t.speaker === 'USER' ? ('user' as const) : ('assistant' as const),
          content: t.utterance,
        })),
        labels: [domain, domain, intent],
      };
    }),
  };
}

/** oasst1-dev: real human/assistant conversations, no labels (readability only). */
function oasst1(): NamingSet {
  return {
    name: 'oasst1-dev',
    items: readFileSync(path('oasst1-dev/conversations.jsonl'), 'utf8')
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => ({
        messages: (JSON.parse(line) as { messages: CanonicalMessage[] }).messages,
        labels: [undefined, undefined, undefined],
      })),
  };
}

function mtBench(): NamingSet {
  const items: Item[] = [];
  for (const file of ['mt-bench/mt_bench_question.jsonl', 'mt-bench/vicuna_bench_question.jsonl']) {
    for (const line of readFileSync(path(file), 'utf8').split('\n')) {
      if (!line.trim()) continue;
      const q = JSON.parse(line) as { category: string; turns: string[] };
      items.push({
        messages: q.turns.map((content) => ({ role: 'user' as const, content })),
        labels: [q.category, q.category, q.category],
      });
    }
  }
  return { name: 'mt-bench + vicuna', items };
}
