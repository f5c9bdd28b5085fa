/**
 * `npm run bench -- hierarchy [--sizes 10000,100000] [--threads N]`
 *
 * The production tree builder (base k = chooseK(n), then ~26 and 7 groups) on synthetic
 * embeddings in the offline embedder's dimension (96): time and peak RSS, each size in a child
 * process of its own. `buildHierarchyInParallel` on N worker threads (default: one per core), or
 * `buildHierarchy` with `--threads 1`; both give the same tree. Excludes embedding and LLM time.
 * Target: 100k in ≤ 60 s, ≤ 4 GB.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  buildHierarchy,
  buildHierarchyInParallel,
  defaultThreads,
  gaussianRandom,
  seededRandom,
  withWorkerPool,
} from '@silhouette/clustering';
import { machine } from './common';

const D = 96;
const PARALLEL_MIN_ROWS = 20_000;
const TRUE_CLUSTERS = 200;

function syntheticEmbeddings(n: number): Float32Array {
  const random = seededRandom(11);
  const gaussian = gaussianRandom(random);
  const centres = Array.from({ length: TRUE_CLUSTERS }, () =>
    Float32Array.from({ length: D }, () => gaussian()),
  );
  const data = new Float32Array(n * D);
  for (let i = 0; i < n; i++) {
    const centre = centres[Math.floor(random() * TRUE_CLUSTERS)]!;
    let norm = 0;
    for (let j = 0; j < D; j++) {
      const value = centre[j]! + 0.6 * gaussian();
      data[i * D + j] = value;
      norm += value * value;
    }
    const scale = 1 / Math.sqrt(norm);
    for (let j = 0; j < D; j++) data[i * D + j]! *= scale;
  }
  return data;
}

async function child(n: number, threads: number): Promise<void> {
  const data = syntheticEmbeddings(n);
  const cpu = process.cpuUsage();
  const started = performance.now();
  // As a full run does: worker threads from 20k conversations (starting them costs ~0.5 s).
  const tree =
    threads > 1 && n >= PARALLEL_MIN_ROWS
      ? await withWorkerPool(threads, (pool) => buildHierarchyInParallel(data, D, {}, pool))
      : buildHierarchy(data, D, {});
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  process.send!({
    n,
    seconds,
    cpuSeconds: (used.user + used.system) / 1e6,
    ks: tree.levels.map((level) => level.k),
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  });
}

export async function main(args: string[]): Promise<void> {
  const sizesFlag = args.indexOf('--sizes');
  const sizes = sizesFlag >= 0 ? args[sizesFlag + 1]!.split(',').map(Number) : [10_000, 100_000];
  const threadsFlag = args.indexOf('--threads');
  const threads = threadsFlag >= 0 ? Number(args[threadsFlag + 1]) : defaultThreads();
  const results: {
    n: number;
    seconds: number;
    cpuSeconds: number;
    ks: number[];
    maxRssMb: number;
  }[] = [];
  for (const n of sizes) {
    results.push(
      await new Promise((resolve, reject) => {
        const worker = fork(
          fileURLToPath(import.meta.url),
          ['--child', String(n), '--threads', String(threads)],
          {
            execArgv: ['--import', 'tsx'],
          },
        );
        worker.once('message', (message) => resolve(message as (typeof results)[number]));
        worker.once(
          'exit',
          (code) => code !== 0 && reject(new Error(`child for n=${n} exited ${code}`)),
        );
      }),
    );
  }
  console.log(`machine: ${machine()}`);
  console.log(
    `command: npm run bench -- hierarchy --sizes ${sizes.join(',')} --threads ${threads}`,
  );
  // CPU seconds (all threads) are the steadier figure on a shared machine.
  console.log('| conversations | levels (k, top first) | seconds | CPU seconds | peak RSS |');
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
