/**
 * `npm run bench -- issues-map [--sizes 25000,100000] [--threads N]`
 *
 * What one issues map costs a publication (issue #15), computed as `runTextMap` does it: the
 * offline embedding fitted on the texts and applied to them, the two-level tree (6 groups over
 * chooseK(n) base clusters), stable ids against no previous run, and offline names from terms
 * used by at least 5 people; worker threads from 20k texts, as in a run. banking77 questions
 * (cycled) stand in for issue texts: short and varied, from 2,000 people. Each size runs in a
 * child process of its own. Excludes the database reads and writes.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  buildHierarchy,
  buildHierarchyInParallel,
  chooseK,
  defaultThreads,
  embedInParallel,
  OfflineEmbedder,
  packRows,
  withWorkerPool,
  nameTree,
} from '@silhouette/clustering';
import type { FacetRow } from '@silhouette/sealed';
import {
  nodeMembers,
  PARALLEL_MIN_ROWS,
  stableIds,
} from '../../apps/worker/src/clustering/run-clustering';
import { mapMembers } from '../../apps/worker/src/clustering/run-text-map';
import { bankingCorpus } from './clustering';
import { machine } from './common';

const LEVELS = 2;
const TOP_K = 6;
const K_USERS = 5;

interface Result {
  n: number;
  seconds: number;
  cpuSeconds: number;
  ks: number[];
  named: number;
  maxRssMb: number;
}

async function child(n: number, threads: number): Promise<void> {
  const texts = bankingCorpus(n);
  const rows = texts.map((_, i) => ({ conversationId: `c${i}`, user: `u${i % 2000}` }) as FacetRow);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const parallel = threads > 1 && n >= PARALLEL_MIN_ROWS;
  const embedder = OfflineEmbedder.fit(texts);
  const d = embedder.dimension;
  const options = { levels: LEVELS, topK: TOP_K, seed: 42, baseK: chooseK(n) };
  const tree = parallel
    ? await withWorkerPool(threads, async (pool) => {
        const vectors = await embedInParallel(embedder, texts, pool);
        return buildHierarchyInParallel(packRows(vectors, d, true), d, options, pool);
      })
    : buildHierarchy(packRows(embedder.embedSync(texts), d), d, options);
  const members = nodeMembers(tree);
  const { ids } = stableIds(tree, members, [[], []], rows, { compareCentroids: true });
  // The maps' offline names: readable names and keywords by the topic tree's nameTree.
  const names = nameTree(
    tree.levels.map((level, l) =>
      ids[l]!.map((id, k) => ({
        id,
        parentId: l === 0 ? null : ids[l - 1]![level.parents[k]!]!,
        members: members[l]![k]!,
      })),
    ),
    mapMembers(rows, texts),
    K_USERS,
  );
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const result: Result = {
    n,
    seconds,
    cpuSeconds: (used.user + used.system) / 1e6,
    ks: tree.levels.map((level) => level.k),
    named: names.size,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  };
  process.send!(result);
}

export async function main(args: string[]): Promise<void> {
  const sizesFlag = args.indexOf('--sizes');
  const sizes = sizesFlag >= 0 ? args[sizesFlag + 1]!.split(',').map(Number) : [25_000, 100_000];
  const threadsFlag = args.indexOf('--threads');
  const threads = threadsFlag >= 0 ? Number(args[threadsFlag + 1]) : defaultThreads();
  const results: Result[] = [];
  for (const n of sizes) {
    results.push(
      await new Promise<Result>((resolve, reject) => {
        const worker = fork(
          fileURLToPath(import.meta.url),
          ['--child', String(n), '--threads', String(threads)],
          { execArgv: ['--import', 'tsx'] },
        );
        worker.once('message', (message) => resolve(message as Result));
        worker.once(
          'exit',
          (code) => code !== 0 && reject(new Error(`child for n=${n} exited ${code}`)),
        );
      }),
    );
  }
  console.log(`machine: ${machine()}`);
  console.log(
    `command: npm run bench -- issues-map --sizes ${sizes.join(',')} --threads ${threads}`,
  );
  console.log('| issue texts | levels (k, top first) | seconds | CPU seconds | peak RSS |');
  console.log('|---:|---|---:|---:|---:|');
  for (const r of results)
    console.log(
      `| ${r.n} | ${r.ks.join(' / ')} | ${r.seconds.toFixed(1)} | ${r.cpuSeconds.toFixed(1)} | ${Math.round(r.maxRssMb)} MB |`,
    );
}

if (process.argv.includes('--child'))
  await child(
    Number(process.argv[process.argv.indexOf('--child') + 1]),
    Number(process.argv[process.argv.indexOf('--threads') + 1]),
  );
