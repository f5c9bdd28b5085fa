/**
 * `silhouette eval-clusters --input FILE.jsonl --text-field text --label-field label
 *   [--parent-label-field domain] [--k N] [--parent-k M] [--out assignments.jsonl]`
 *
 * Embeds and clusters labelled texts with the production code (offline embedder, k-means,
 * hierarchy by clustering centroids) and prints NMI / ARI / accuracy per level as JSON.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import {
  buildHierarchy,
  chooseK,
  OfflineEmbedder,
  packRows,
  scoreClustering,
} from '@silhouette/clustering';
import { InputError, UsageError } from '../cli-error';
import { progressFor, type ProgressOptions, type ProgressReporter } from '../progress';

/** Texts embedded per step of the progress line. */
const EMBED_SLICE = 5000;

export interface EvalClustersFlags {
  input?: string;
  textField?: string;
  labelField?: string;
  parentLabelField?: string;
  k?: string;
  parentK?: string;
  out?: string;
  /** Progress as JSON lines even on a terminal. */
  json?: boolean;
}

function positiveInt(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1)
    throw new UsageError(`--${name}: must be a positive integer`);
  return parsed;
}

export async function evalClustersCommand(
  flags: EvalClustersFlags,
  progressOptions: ProgressOptions = {},
): Promise<Record<string, unknown>> {
  if (!flags.input) throw new UsageError('--input: required (a JSON lines file)');
  const textField = flags.textField ?? 'text';
  const labelField = flags.labelField ?? 'label';
  let content: string;
  try {
    content = readFileSync(flags.input, 'utf8');
  } catch {
    throw new InputError(`--input: cannot read ${flags.input}`);
  }
  const records = content
    .split('\n')
    .map((line, index) => ({ line, index }))
    .filter(({ line }) => line.trim())
    .map(({ line, index }) => {
      let value: Record<string, unknown>;
      try {
        value = JSON.parse(line) as Record<string, unknown>;
      } catch {
        throw new InputError(`--input: line ${index + 1} is not valid JSON`);
      }
      if (typeof value[textField] !== 'string')
        throw new InputError(`--input: line ${index + 1}: "${textField}" must be a string`);
      if (value[labelField] === undefined)
        throw new InputError(`--input: line ${index + 1}: "${labelField}" is missing`);
      return value;
    });
  if (records.length < 2) throw new InputError('--input: needs at least two records');
  const texts = records.map((record) => record[textField] as string);
  const labels = records.map((record) => String(record[labelField]));
  const parentLabels = flags.parentLabelField
    ? records.map((record) => String(record[flags.parentLabelField!]))
    : undefined;

  const k = positiveInt('k', flags.k) ?? Math.min(texts.length, Math.max(1, chooseK(texts.length)));
  const parentK =
    positiveInt('parent-k', flags.parentK) ??
    (parentLabels ? new Set(parentLabels).size : undefined);
  const started = performance.now();
  const progress = progressFor(flags, progressOptions);
  try {
    return await evaluate(flags, { texts, labels, parentLabels, k, parentK, started }, progress);
  } finally {
    progress.close();
  }
}

async function evaluate(
  flags: EvalClustersFlags,
  input: {
    texts: string[];
    labels: string[];
    parentLabels: string[] | undefined;
    k: number;
    parentK: number | undefined;
    started: number;
  },
  progress: ProgressReporter,
): Promise<Record<string, unknown>> {
  const { texts, labels, parentLabels, k, parentK, started } = input;
  const fitting = progress.stage('fitting the embedder', texts.length);
  const embedder = OfflineEmbedder.fit(texts);
  fitting.update(texts.length);
  fitting.finish();
  const embedding = progress.stage('embedding', texts.length);
  const vectors: Float32Array[] = [];
  // In slices, so that the live line moves on large files.
  for (let i = 0; i < texts.length; i += EMBED_SLICE) {
    vectors.push(...(await embedder.embed(texts.slice(i, i + EMBED_SLICE))));
    embedding.update(vectors.length);
  }
  embedding.finish();
  const clustering = progress.stage('clustering');
  const tree = buildHierarchy(packRows(vectors), embedder.dimension, {
    levels: parentK ? 2 : 1,
    baseK: k,
    ...(parentK ? { topK: parentK } : {}),
  });
  clustering.update(texts.length);
  clustering.finish({ k: tree.levels[tree.levels.length - 1]!.k });
  const base = tree.levels[tree.levels.length - 1]!;
  const clusters = Array.from(tree.assignments);
  const parents = parentK ? clusters.map((cluster) => base.parents[cluster]!) : undefined;

  const levels: Record<string, unknown>[] = [
    { level: 'base', n: texts.length, k: base.k, ...rounded(scoreClustering(labels, clusters)) },
  ];
  if (parentLabels && parents) {
    levels.push({
      level: 'parent',
      n: texts.length,
      k: tree.levels[0]!.k,
      ...rounded(scoreClustering(parentLabels, parents)),
    });
  }
  if (flags.out) {
    writeFileSync(
      flags.out,
      clusters
        .map((cluster, index) =>
          JSON.stringify({
            index,
            label: labels[index],
            parent_label: parentLabels?.[index] ?? null,
            cluster,
            parent_cluster: parents?.[index] ?? null,
          }),
        )
        .join('\n') + '\n',
    );
  }
  return {
    embedder: embedder.model,
    dimension: embedder.dimension,
    seconds: Number(((performance.now() - started) / 1000).toFixed(2)),
    levels,
  };
}

function rounded(scores: { nmi: number; ari: number; acc: number }) {
  return {
    nmi: Number(scores.nmi.toFixed(4)),
    ari: Number(scores.ari.toFixed(4)),
    acc: Number(scores.acc.toFixed(4)),
  };
}
