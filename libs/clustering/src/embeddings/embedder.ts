/**
 * The embeddings provider interface. Implementations: `OpenAiEmbedder` (any OpenAI-compatible
 * `/embeddings` endpoint) and the offline embedders in this folder (no network, deterministic).
 */

export interface Embedder {
  /** Identifies the vector space: vectors from embedders with different `model` must not be mixed. */
  readonly model: string;
  readonly dimension: number;
  /** One L2-normalised vector per text, in input order. */
  embed(texts: string[]): Promise<Float32Array[]>;
}

/** Unit-length copy of a vector as Float32Array (a zero vector stays zero). */
export function toUnitFloat32(values: ArrayLike<number>): Float32Array {
  const out = Float32Array.from(values);
  let sum = 0;
  for (let i = 0; i < out.length; i++) sum += out[i]! * out[i]!;
  if (sum > 0) {
    const scale = 1 / Math.sqrt(sum);
    for (let i = 0; i < out.length; i++) out[i]! *= scale;
  }
  return out;
}
