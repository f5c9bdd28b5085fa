/**
 * `npm run bench -- hierarchy [--sizes 10000,100000]`
 *
 * The production tree builder (`buildHierarchy`: base k = chooseK(n), then ~26 and 7 groups) on
 * synthetic embeddings in the offline embedder's dimension (96): time and peak RSS, each size in
 * a child process of its own. Excludes embedding and LLM time. Target: 100k in ≤ 60 s, ≤ 4 GB.
 */
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { buildHierarchy, gaussianRandom, seededRandom } from '@silhouette/clustering';
import { machine } from './common';

const D = 96;
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

async function child(n: number): Promise<void> {
  const data = syntheticEmbeddings(n);
  const started = performance.now();
  const tree = buildHierarchy(data, D, {});
  const seconds = (performance.now() - started) / 1000;
  process.send!({
    n,
    seconds,
    ks: tree.levels.map((level) => level.k),
    maxRssMb: process.resourceUsage().maxRSS / 1024,
  });
}

export async function main(args: string[]): Promise<void> {
  const sizesFlag = args.indexOf('--sizes');
  const sizes = sizesFlag >= 0 ? args[sizesFlag + 1]!.split(',').map(Number) : [10_000, 100_000];
  const results: { n: number; seconds: number; ks: number[]; maxRssMb: number }[] = [];
  for (const n of sizes) {
    results.push(
      await new Promise((resolve, reject) => {
        const worker = fork(fileURLToPath(import.meta.url), ['--child', String(n)], {
          execArgv: ['--import', 'tsx'],
        });
        worker.once('message', (message) => resolve(message as (typeof results)[number]));
        worker.once(
          'exit',
          (code) => code !== 0 && reject(new Error(`child for n=${n} exited ${code}`)),
        );
      }),
    );
  }
  console.log(`machine: ${machine()}`);
  console.log(`command: npm run bench -- hierarchy --sizes ${sizes.join(',')}`);
  console.log('| conversations | levels (k, top first) | seconds | peak RSS |');
  console.log('|---:|---|---:|---:|');
  for (const r of results)
    console.log(
      `| ${r.n} | ${r.ks.join(' / ')} | ${r.seconds.toFixed(1)} | ${Math.round(r.maxRssMb)} MB |`,
    );
}

if (process.argv.includes('--child'))
  await child(Number(process.argv[process.argv.indexOf('--child') + 1]));
