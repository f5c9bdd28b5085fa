/**
 * The tasks a clustering worker runs, as plain functions of their input, so the single-threaded
 * path and the workers call the same code. Typed arrays backed by a SharedArrayBuffer are read in
 * place; results travel back by transfer, not copy.
 */
import { OfflineEmbedder } from '../embeddings/offline-embedder';
import { assignToNearest, type KMeansResult } from '../kmeans/kmeans';
import { gatherRows, solveFineProblem, type FineKMeansOptions } from '../kmeans/two-level-kmeans';

export type WorkerTask =
  /** Nearest centroid of rows [start, end) of `data` (shared). */
  | {
      kind: 'nearest';
      data: Float32Array;
      dimension: number;
      start: number;
      end: number;
      centroids: Float32Array;
    }
  /** One fine k-means problem of two-level k-means over the listed rows of `data` (shared). */
  | {
      kind: 'fine';
      data: Float32Array;
      dimension: number;
      rows: Int32Array;
      k: number;
      seed: number;
      weights: Float64Array | undefined;
      options: FineKMeansOptions;
    }
  /** Keep a fitted offline embedder (its `toBytes()` form) under `key` for later `embed` tasks. */
  | { kind: 'load-embedder'; key: string; bytes: Uint8Array }
  /** Embed `texts` with a loaded embedder: one packed texts × dimension array. */
  | { kind: 'embed'; key: string; texts: string[] };

export type WorkerReply =
  | { id: number; result: unknown; error?: undefined }
  | { id: number; error: string; result?: undefined };

const embedders = new Map<string, OfflineEmbedder>();

export function runTask(task: WorkerTask): { result: unknown; transfer: ArrayBuffer[] } {
  switch (task.kind) {
    case 'nearest': {
      const d = task.dimension;
      const rows = task.data.subarray(task.start * d, task.end * d);
      const { assignments } = assignToNearest(rows, d, task.centroids);
      return { result: assignments, transfer: [assignments.buffer as ArrayBuffer] };
    }
    case 'fine': {
      const sub = gatherRows(task.data, task.dimension, task.rows);
      const result = solveFineProblem(sub, task.dimension, task, task.options, task.weights);
      return { result, transfer: kmeansBuffers(result) };
    }
    case 'load-embedder':
      embedders.set(task.key, OfflineEmbedder.fromBytes(task.bytes));
      return { result: true, transfer: [] };
    case 'embed': {
      const embedder = embedders.get(task.key);
      if (!embedder) throw new Error(`no embedder loaded under ${task.key}`);
      const packed = packVectors(embedder.embedSync(task.texts), embedder.dimension);
      return { result: packed, transfer: [packed.buffer as ArrayBuffer] };
    }
  }
}

function kmeansBuffers(result: KMeansResult): ArrayBuffer[] {
  return [result.assignments.buffer, result.centroids.buffer, result.sizes.buffer].filter(
    (buffer): buffer is ArrayBuffer => buffer instanceof ArrayBuffer,
  );
}

function packVectors(vectors: readonly Float32Array[], d: number): Float32Array {
  const out = new Float32Array(vectors.length * d);
  vectors.forEach((v, i) => out.set(v, i * d));
  return out;
}
