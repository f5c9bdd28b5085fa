/**
 * `npm run bench -- clustering [--large] [--sizes 10000,100000] [--threads N] [--embed-size N]
 *   [--mlk-timeout SECONDS] [--no-embed]`
 *
 * Time and peak memory of clustering to a three-level hierarchy:
 *   base level   k = chooseK(n) (~30 items per cluster) with `clusterBaseLevel` (flat k-means when
 *                n·k·d is small, two-level k-means above);
 *   upper levels the k base centroids (weighted by cluster size) clustered into ~30, then those
 *                into ~6 groups.
 * Data: a seeded Gaussian mixture on the unit sphere, 200 true clusters of uneven size, in the
 * offline embedder's dimension (96). n = 10k and 100k by default, 1M with `--large`.
 *
 * The base level and the embedding run on `--threads` worker threads (default: one per core;
 * the result is the same for any count), the upper levels on the main thread, as in a full run.
 *
 * Reference: ml-kmeans (if unpacked in /tmp/mlk: `mkdir -p /tmp/mlk && cd /tmp/mlk && npm init -y &&
 * npm i ml-kmeans`) on the same data, at the same k as ours and at k = 200 (where both finish),
 * capped at 50 iterations and `--mlk-timeout` seconds (default 120) per run.
 * Also, on `--embed-size` texts (default 100k, banking77 cycled): OfflineEmbedder fit (20k-text
 * sample) + embedding, and offline names for a three-level tree as a full run makes them (terms
 * counted once per base cluster, merged up). The tree for naming assigns texts to base clusters
 * at random (chooseK(n) of them, ~20 conversations per user), which gives each cluster more
 * distinct terms than a topical cluster has: an upper bound on the naming time.
 *
 * Every measurement runs in its own child process, so the peak RSS reported
 * (`process.resourceUsage().maxRSS`) is that run's alone, data generation included.
 */
import { fork } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import {
  adjustedRandIndex,
  bestOfRestarts,
  chooseK,
  levelSizes,
  MAX_UPPER_RESTARTS,
  nameTree,
  type TreeMember,
  type TreeNode,
  clusterBaseLevel,
  clusterBaseLevelInParallel,
  defaultThreads,
  embedInParallel,
  gaussianRandom,
  kmeans,
  OfflineEmbedder,
  seededRandom,
  withWorkerPool,
  type KMeansResult,
} from '@silhouette/clustering';
import { OfflineTagger } from '@silhouette/llm';

const DIMENSION = 96; // OfflineEmbedder's default
/** As a full run does: worker threads from 20k conversations (starting them costs ~0.5 s). */
const PARALLEL_MIN_ROWS = 20_000;
const TRUE_CLUSTERS = 200;
const UPPER_LEVELS = [30, 6];
const MLK_PATH = '/tmp/mlk/node_modules/ml-kmeans/lib/index.js';
const MLK_MAX_ITERATIONS = 50;
const BANKING = [
  fileURLToPath(new URL('../../../shared/data/banking77/train.csv', import.meta.url)),
  fileURLToPath(new URL('../../../shared/data/banking77/test.csv', import.meta.url)),
];

type JobKind = 'ours' | 'ours-flat' | 'ml-kmeans' | 'embed' | 'names';

interface Job {
  kind: JobKind;
  n: number;
  k: number;
  threads: number;
}

interface JobResult {
  kind: JobKind;
  n: number;
  k: number;
  threads?: number;
  status: 'ok' | 'timeout' | 'failed';
  /** Seconds: base level, upper levels, total (excluding data generation). */
  baseSeconds?: number;
  upperSeconds?: number;
  totalSeconds?: number;
  iterations?: number;
  inertia?: number;
  /** ARI against the 200 true clusters (only meaningful when k = 200). */
  ari?: number;
  /** Embedding job: fit seconds, texts per second. */
  fitSeconds?: number;
  textsPerSecond?: number;
  /** CPU seconds of the process (all threads), excluding data generation. */
  cpuSeconds?: number;
  peakRssMb?: number;
  note?: string;
}

export async function main(args: string[]): Promise<void> {
  const jobArg = valueOf(args, '--job');
  if (jobArg) {
    await runJob(JSON.parse(jobArg) as Job);
    return;
  }
  const sizes = (valueOf(args, '--sizes') ?? '10000,100000')
    .split(',')
    .map((s) => Number.parseInt(s, 10))
    .filter((s) => s > 0);
  if (args.includes('--large')) sizes.push(1_000_000);
  const threads = Number(valueOf(args, '--threads') ?? defaultThreads());
  const embedSize = Number(valueOf(args, '--embed-size') ?? 100_000);
  const mlkTimeoutMs = Number(valueOf(args, '--mlk-timeout') ?? 120) * 1000;
  const mlk = existsSync(MLK_PATH);

  const cpus = os.cpus();
  console.log(
    'Clustering benchmark: n items → three-level hierarchy (base k = chooseK(n), then ~30, ~6)',
  );
  console.log(`command: npm run bench -- clustering ${args.join(' ')}`.trimEnd());
  console.log(
    `machine: ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${(os.totalmem() / 2 ** 30).toFixed(1)} GiB, ${os.platform()} ${os.release()}, node ${process.version}, load avg ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}`,
  );
  console.log(
    `data: Gaussian mixture on the unit sphere, d = ${DIMENSION}, ${TRUE_CLUSTERS} true clusters, seed 1`,
  );
  console.log(
    `${threads} thread(s) for the base level and embedding; peak RSS per child process (data included)\n`,
  );

  const rows: JobResult[] = [];
  const print = (r: JobResult) => {
    rows.push(r);
    console.log(formatRow(r));
  };
  console.log(header());
  for (const n of sizes) {
    const k = chooseK(n);
    print(await runChild({ kind: 'ours', n, k, threads }));
    if (!mlk) {
      console.log(`  ml-kmeans not installed, skipped (n = ${n})`);
    } else if (n <= 100_000) {
      print(await runChild({ kind: 'ml-kmeans', n, k, threads: 1 }, mlkTimeoutMs));
    }
    if (n <= 100_000) {
      print(await runChild({ kind: 'ours-flat', n, k: TRUE_CLUSTERS, threads: 1 }));
      if (mlk)
        print(await runChild({ kind: 'ml-kmeans', n, k: TRUE_CLUSTERS, threads: 1 }, mlkTimeoutMs));
    }
  }
  if (!args.includes('--no-embed')) {
    console.log('');
    const embed = await runChild({ kind: 'embed', n: embedSize, k: 0, threads });
    if (embed.status === 'ok') {
      console.log(
        `OfflineEmbedder: fit on a 20,000-text sample ${embed.fitSeconds!.toFixed(1)} s, embed ${embedSize.toLocaleString('en')} texts on ${threads} thread(s) ${(embedSize / embed.textsPerSecond!).toFixed(1)} s (${Math.round(embed.textsPerSecond!)} texts/s), ${embed.cpuSeconds!.toFixed(1)} CPU s, peak RSS ${embed.peakRssMb!.toFixed(0)} MB`,
      );
    } else {
      console.log(`OfflineEmbedder: ${embed.status} ${embed.note ?? ''}`);
    }
    const names = await runChild({ kind: 'names', n: embedSize, k: 0, threads: 1 });
    if (names.status === 'ok') {
      console.log(
        `Offline names, 3 levels (${names.note}) for ${embedSize.toLocaleString('en')} texts: ${names.totalSeconds!.toFixed(1)} s, ${names.cpuSeconds!.toFixed(1)} CPU s, peak RSS ${names.peakRssMb!.toFixed(0)} MB`,
      );
    } else {
      console.log(`Offline names: ${names.status} ${names.note ?? ''}`);
    }
  }
  const failed = rows.filter((r) => r.status === 'failed' && r.kind !== 'ml-kmeans');
  if (failed.length > 0) process.exitCode = 1;
}

// ---------------------------------------------------------------------------------------------
// Child side

async function runJob(job: Job): Promise<void> {
  const started = performance.now();
  let result: JobResult;
  if (job.kind === 'embed') {
    result = await embedJob(job);
  } else if (job.kind === 'names') {
    result = await namesJob(job);
  } else {
    const { data, labels } = gaussianMixture(job.n, DIMENSION, TRUE_CLUSTERS, 1);
    const cpu0 = cpuSeconds();
    const t0 = performance.now();
    if (job.kind === 'ml-kmeans') {
      result = await mlKmeansJob(job, data, labels, t0);
    } else {
      const base: KMeansResult =
        job.kind === 'ours'
          ? job.threads > 1 && job.n >= PARALLEL_MIN_ROWS
            ? await withWorkerPool(job.threads, (pool) =>
                clusterBaseLevelInParallel(data, DIMENSION, { k: job.k, seed: 1 }, pool),
              )
            : clusterBaseLevel(data, DIMENSION, { k: job.k, seed: 1 })
          : kmeans(data, DIMENSION, { k: job.k, seed: 1, maxIterations: MLK_MAX_ITERATIONS });
      const t1 = performance.now();
      let upperSeconds: number | undefined;
      if (job.kind === 'ours') {
        // Upper levels: centroids weighted by their cluster sizes, as the hierarchy will do.
        let centroids = base.centroids;
        let weights = base.sizes;
        for (const target of UPPER_LEVELS) {
          // As `buildHierarchy` does: the best of several restarts where they are affordable.
          const level = bestOfRestarts(
            centroids,
            DIMENSION,
            Math.min(target, weights.length),
            1,
            weights,
            MAX_UPPER_RESTARTS,
          );
          centroids = level.centroids;
          weights = level.sizes;
        }
        upperSeconds = (performance.now() - t1) / 1000;
      }
      result = {
        kind: job.kind,
        n: job.n,
        k: base.k,
        threads: job.threads,
        status: 'ok',
        baseSeconds: (t1 - t0) / 1000,
        upperSeconds,
        totalSeconds: (performance.now() - t0) / 1000,
        cpuSeconds: cpuSeconds() - cpu0,
        iterations: base.iterations,
        inertia: inertiaToMeans(data, base.assignments, base.k),
        ari: job.k === TRUE_CLUSTERS ? adjustedRandIndex(labels, base.assignments) : undefined,
      };
    }
  }
  result.peakRssMb = process.resourceUsage().maxRSS / 1024;
  result.note ??= `wall ${((performance.now() - started) / 1000).toFixed(1)} s incl. data`;
  console.log(JSON.stringify(result));
}

async function mlKmeansJob(
  job: Job,
  data: Float32Array,
  labels: Int32Array,
  t0: number,
): Promise<JobResult> {
  // Loaded by absolute path from a scratch install: never a dependency of the repo.
  const { kmeans: mlKmeans } = (await import(MLK_PATH)) as {
    kmeans: (
      data: number[][],
      k: number,
      options: { seed?: number; maxIterations?: number; initialization?: string },
    ) => { clusters: number[]; centroids: number[][]; iterations: number };
  };
  const rows = Array.from({ length: job.n }, (_, i) =>
    Array.from(data.subarray(i * DIMENSION, (i + 1) * DIMENSION)),
  );
  const start = performance.now();
  const result = mlKmeans(rows, job.k, {
    seed: 1,
    maxIterations: MLK_MAX_ITERATIONS,
    initialization: 'kmeans++',
  });
  const seconds = (performance.now() - start) / 1000;
  const inertia = inertiaToMeans(data, Int32Array.from(result.clusters), job.k);
  return {
    kind: 'ml-kmeans',
    n: job.n,
    k: job.k,
    status: 'ok',
    baseSeconds: seconds,
    totalSeconds: seconds,
    iterations: result.iterations,
    inertia,
    ari: job.k === TRUE_CLUSTERS ? adjustedRandIndex(labels, result.clusters) : undefined,
    note: `conversion to number[][] ${((start - t0) / 1000).toFixed(1)} s not counted`,
  };
}

/**
 * Sum of squared Euclidean distances to each cluster's mean: the same yardstick for spherical
 * (unit centroids) and Euclidean k-means, so inertia is comparable across methods.
 */
function inertiaToMeans(data: Float32Array, assignments: Int32Array, k: number): number {
  const d = DIMENSION;
  const sums = new Float64Array(k * d);
  const counts = new Float64Array(k);
  assignments.forEach((c, i) => {
    counts[c]!++;
    for (let j = 0; j < d; j++) sums[c * d + j]! += data[i * d + j]!;
  });
  let total = 0;
  assignments.forEach((c, i) => {
    for (let j = 0; j < d; j++) total += (data[i * d + j]! - sums[c * d + j]! / counts[c]!) ** 2;
  });
  return total;
}

/** CPU time of this process so far, all threads. */
function cpuSeconds(): number {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
}

/**
 * Offline names and keywords for every level of a three-level tree over n texts, as
 * `runClustering` makes them (`nameTree`: phrase and term statistics once per base cluster, merged
 * into parents). The facets come from the offline tagger run once per distinct banking77 question.
 */
async function namesJob(job: Job): Promise<JobResult> {
  const members = await bankingMembers(job.n);
  const kUsers = 5;
  const [topK, midK, baseK] = levelSizes(chooseK(job.n), 3, 7) as [number, number, number];
  const random = seededRandom(3);
  const baseOf = Int32Array.from({ length: job.n }, () => Math.floor(random() * baseK));
  const midOf = Int32Array.from({ length: baseK }, () => Math.floor(random() * midK));
  const topOf = Int32Array.from({ length: midK }, () => Math.floor(random() * topK));
  const baseMembers: number[][] = Array.from({ length: baseK }, () => []);
  baseOf.forEach((c, i) => baseMembers[c]!.push(i));
  const levels: TreeNode[][] = [
    Array.from({ length: topK }, (_, c) => ({ id: `t${c}`, parentId: null, members: [] })),
    Array.from({ length: midK }, (_, c) => ({
      id: `m${c}`,
      parentId: `t${topOf[c]}`,
      members: [],
    })),
    baseMembers.map((list, c) => ({ id: `b${c}`, parentId: `m${midOf[c]}`, members: list })),
  ];
  const cpu0 = cpuSeconds();
  const t0 = performance.now();
  const named = nameTree(levels, members, kUsers).size;
  return {
    kind: 'names',
    n: job.n,
    k: named,
    status: 'ok',
    totalSeconds: (performance.now() - t0) / 1000,
    cpuSeconds: cpuSeconds() - cpu0,
    note: `${topK} / ${midK} / ${baseK} clusters, random tree`,
  };
}

/** n tree members from banking77 questions (cycled), tagged offline once per distinct text. */
async function bankingMembers(n: number): Promise<TreeMember[]> {
  const texts = bankingCorpus(Math.min(n, 13_083));
  const tagger = new OfflineTagger();
  const users = Math.max(1, Math.round(n / 20));
  const facets: Omit<TreeMember, 'user'>[] = [];
  for (const [index, text] of texts.entries()) {
    const { facet } = await tagger.tag({
      conversationId: String(index),
      messages: [{ role: 'user', content: text }],
    });
    facets.push({
      text: `${facet.task_type}; ${facet.use_case}; ${facet.goal_summary}`,
      useCase: facet.use_case,
      taskType: facet.task_type,
      domain: facet.domain,
    });
  }
  return Array.from({ length: n }, (_, i) => ({
    ...facets[i % facets.length]!,
    user: `user-${i % users}`,
  }));
}

/** n banking77 questions, cycled. */
export function bankingCorpus(n: number): string[] {
  const texts: string[] = [];
  for (const file of BANKING) {
    for (const line of readFileSync(file, 'utf8').split('\n').slice(1)) {
      const text = line.startsWith('"')
        ? line.slice(1, line.lastIndexOf('"'))
        : line.slice(0, line.lastIndexOf(','));
      if (text.length > 0) texts.push(text.replace(/""/g, '"'));
    }
  }
  return Array.from({ length: n }, (_, i) => texts[i % texts.length]!);
}

async function embedJob(job: Job): Promise<JobResult> {
  const corpus = bankingCorpus(job.n);
  const cpu0 = cpuSeconds();
  const t0 = performance.now();
  const embedder = OfflineEmbedder.fit(corpus);
  const t1 = performance.now();
  if (job.threads > 1)
    await withWorkerPool(job.threads, (pool) => embedInParallel(embedder, corpus, pool));
  else embedder.embedSync(corpus);
  const t2 = performance.now();
  return {
    kind: 'embed',
    n: job.n,
    k: 0,
    status: 'ok',
    fitSeconds: (t1 - t0) / 1000,
    textsPerSecond: job.n / ((t2 - t1) / 1000),
    cpuSeconds: cpuSeconds() - cpu0,
  };
}

/**
 * n unit vectors around `clusters` random unit centres with uneven sizes (weights uniform in
 * [0.2, 1.8]); per-dimension noise 0.1, so a point's cosine to its centre is about 0.7, like
 * real text embeddings of one topic.
 */
export function gaussianMixture(
  n: number,
  d: number,
  clusters: number,
  seed: number,
): { data: Float32Array; labels: Int32Array } {
  const uniform = seededRandom(seed);
  const gaussian = gaussianRandom(uniform);
  const centres = new Float32Array(clusters * d);
  for (let c = 0; c < clusters; c++) {
    let norm = 0;
    for (let j = 0; j < d; j++) {
      const v = gaussian();
      centres[c * d + j] = v;
      norm += v * v;
    }
    for (let j = 0; j < d; j++) centres[c * d + j]! /= Math.sqrt(norm);
  }
  const cumulative = new Float64Array(clusters);
  let total = 0;
  for (let c = 0; c < clusters; c++) cumulative[c] = total += 0.2 + 1.6 * uniform();
  const data = new Float32Array(n * d);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const target = uniform() * total;
    let c = 0;
    while (c < clusters - 1 && cumulative[c]! < target) c++;
    labels[i] = c;
    let norm = 0;
    for (let j = 0; j < d; j++) {
      const v = centres[c * d + j]! + 0.1 * gaussian();
      data[i * d + j] = v;
      norm += v * v;
    }
    const scale = 1 / Math.sqrt(norm);
    for (let j = 0; j < d; j++) data[i * d + j]! *= scale;
  }
  return { data, labels };
}

// ---------------------------------------------------------------------------------------------
// Parent side

function runChild(job: Job, timeoutMs = 30 * 60_000): Promise<JobResult> {
  const execArgv = ['--import', 'tsx', '--max-old-space-size=6144'];
  return new Promise((resolve) => {
    const child = fork(fileURLToPath(import.meta.url), ['--job', JSON.stringify(job)], {
      execArgv,
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line && code === 0) resolve(JSON.parse(line) as JobResult);
      else if (signal === 'SIGKILL') {
        resolve({
          ...job,
          status: 'timeout',
          note: `stopped after ${(timeoutMs / 1000).toFixed(0)} s`,
        });
      } else resolve({ ...job, status: 'failed', note: `exit ${code ?? signal}` });
    });
  });
}

function header(): string {
  return `${'method'.padEnd(22)} ${'n'.padStart(9)} ${'k'.padStart(6)} ${'base s'.padStart(8)} ${'upper s'.padStart(8)} ${'total s'.padStart(8)} ${'CPU s'.padStart(8)} ${'iter'.padStart(5)} ${'SSE/means'.padStart(10)} ${'ARI'.padStart(6)} ${'peak RSS'.padStart(9)}  note`;
}

function formatRow(r: JobResult): string {
  const label =
    r.kind === 'ours'
      ? `ours (3 levels, ${r.n >= PARALLEL_MIN_ROWS ? r.threads : 1} thr)`
      : r.kind === 'ours-flat'
        ? `ours flat, ${MLK_MAX_ITERATIONS} it max`
        : `ml-kmeans, ${MLK_MAX_ITERATIONS} it max`;
  const num = (v: number | undefined, digits: number) =>
    v === undefined ? '–' : v.toFixed(digits);
  return [
    label.padEnd(22),
    String(r.n).padStart(9),
    String(r.k).padStart(6),
    (r.status === 'ok' ? num(r.baseSeconds, 2) : r.status).padStart(8),
    num(r.upperSeconds, 2).padStart(8),
    num(r.totalSeconds, 2).padStart(8),
    num(r.cpuSeconds, 1).padStart(8),
    num(r.iterations, 0).padStart(5),
    num(r.inertia, 1).padStart(10),
    num(r.ari, 3).padStart(6),
    (r.peakRssMb === undefined ? '–' : `${r.peakRssMb.toFixed(0)} MB`).padStart(9),
    ` ${r.note ?? ''}`,
  ].join(' ');
}

function valueOf(args: string[], name: string): string | undefined {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
}

// Child-process mode: this file is forked directly (not through scripts/bench.ts) for each job.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main(process.argv.slice(2));
}
