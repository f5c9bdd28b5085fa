import { describe, expect, it } from 'vitest';
import { cosineSimilarity } from '../kmeans/vector-math';
import { HashingEmbedder } from './hashing-embedder';
import { OfflineEmbedder } from './offline-embedder';

/** A small corpus with a few topics, so the LSA basis has something to find. */
const CORPUS = [
  'How do I reset my password?',
  'I forgot my password and cannot log in',
  'Password reset link is not working',
  'Can you help me change my login password',
  'My account is locked after too many password attempts',
  'What is the weather forecast for tomorrow?',
  'Will it rain in Paris this weekend?',
  'Weather today: is it going to be sunny or cloudy',
  'Temperature forecast for the next three days',
  'Is there a storm warning for the weekend weather',
  'Book a table for two at an Italian restaurant',
  'Reserve a restaurant for dinner tonight',
  'Find me a restaurant with vegetarian options',
  'Cancel my dinner reservation at the restaurant',
  'Restaurant booking for six people on Friday',
  'Transfer money to my savings account',
  'How long does a bank transfer take?',
  'My money transfer has not arrived yet',
  'Send money abroad with a bank transfer',
  'Why was my transfer declined by the bank',
];

const PARAPHRASE_A = 'I forgot my password, how can I reset it?';
const PARAPHRASE_B = 'Reset my password please, I cannot log in';
const UNRELATED = 'Will it be sunny this weekend in Paris?';

function unitLength(v: Float32Array): number {
  return Math.hypot(...v);
}

// Each fit projects the 30,000 word vectors once: seconds on a loaded shared machine.
describe('OfflineEmbedder (LSA)', { timeout: 30_000 }, () => {
  it('is deterministic: the same corpus gives the same model and vectors', () => {
    const a = OfflineEmbedder.fit(CORPUS, { dimension: 16 });
    const b = OfflineEmbedder.fit(CORPUS, { dimension: 16 });
    expect(a.model).toBe(b.model);
    expect(a.model).toMatch(/^offline-lsa-sif-v2\/d16\/[0-9a-f]{8}$/);
    const va = a.embedSync(CORPUS);
    const vb = b.embedSync(CORPUS);
    va.forEach((v, i) => expect(Array.from(v)).toEqual(Array.from(vb[i]!)));
  });

  it('returns unit vectors of the configured dimension, zero for unknown-only text', async () => {
    const embedder = OfflineEmbedder.fit(CORPUS, { dimension: 12 });
    const [known, empty, unknown] = await embedder.embed(['reset my password', '', 'zzqx vvkj']);
    expect(embedder.dimension).toBe(12);
    expect(known).toHaveLength(12);
    expect(unitLength(known!)).toBeCloseTo(1, 5);
    expect(unitLength(empty!)).toBe(0);
    expect(unitLength(unknown!)).toBeLessThanOrEqual(1 + 1e-6);
  });

  it('puts paraphrases closer together than unrelated sentences, including unseen texts', () => {
    const embedder = OfflineEmbedder.fit(CORPUS, { dimension: 16 });
    const [a, b, other] = embedder.embedSync([PARAPHRASE_A, PARAPHRASE_B, UNRELATED]);
    const same = cosineSimilarity(a!, b!);
    expect(same).toBeGreaterThan(cosineSimilarity(a!, other!) + 0.2);
    expect(same).toBeGreaterThan(cosineSimilarity(b!, other!) + 0.2);
  });

  it('round-trips through bytes, so a run can assign new items later', () => {
    const fitted = OfflineEmbedder.fit(CORPUS, { dimension: 8 });
    const restored = OfflineEmbedder.fromBytes(fitted.toBytes());
    expect(restored.model).toBe(fitted.model);
    expect(restored.vocabularySize).toBe(fitted.vocabularySize);
    const texts = [PARAPHRASE_A, UNRELATED];
    const before = fitted.embedSync(texts);
    restored
      .embedSync(texts)
      .forEach((v, i) => expect(Array.from(v)).toEqual(Array.from(before[i]!)));
    const corrupt = fitted.toBytes().slice(0, -4);
    expect(() => OfflineEmbedder.fromBytes(corrupt)).toThrow(/corrupt/);
  });

  it('embeds exactly as the map-based implementation did (pinned vectors)', () => {
    // FNV-1a over the float32 bits of these vectors, computed with the implementation that built
    // per-text maps (before the direct-indexed tables): stored embeddings stay comparable.
    const texts = [
      ...CORPUS,
      PARAPHRASE_A,
      PARAPHRASE_B,
      UNRELATED,
      '',
      'zzqx vvkj',
      'password password password reset reset',
      'The restaurant transfer: weather; money — booking!! Café déjà vu naïve',
    ];
    // The LSA-only model (format 1) must not move: runs stored with it still join new items.
    const embedder = OfflineEmbedder.fit(CORPUS, { dimension: 16, wordVectors: false });
    expect(embedder.model).toBe('offline-lsa-v1/d16/ee16b228');
    let hash = 0x811c9dc5;
    for (const vector of embedder.embedSync(texts)) {
      for (const word of new Uint32Array(vector.buffer, vector.byteOffset, vector.length))
        hash = Math.imul(hash ^ word, 0x01000193) >>> 0;
    }
    expect(hash.toString(16)).toBe('f206cb9b');
  });

  it('embeds a text with more features than the packed sort holds, the same alone or in a batch', () => {
    const embedder = OfflineEmbedder.fit(CORPUS, { dimension: 16 });
    const long = Array.from({ length: 900 }, (_, i) => `${CORPUS[i % CORPUS.length]} w${i}x`).join(
      ' ',
    );
    const [alone] = embedder.embedSync([long]);
    const [, inBatch] = embedder.embedSync([PARAPHRASE_A, long, UNRELATED]);
    expect(unitLength(alone!)).toBeCloseTo(1, 5);
    expect(Array.from(inBatch!)).toEqual(Array.from(alone!));
  });

  it('fits on a seeded sample when the corpus is larger than maxFitTexts', () => {
    const big = Array.from({ length: 60 }, (_, i) => `${CORPUS[i % CORPUS.length]} ${i % 3}`);
    const a = OfflineEmbedder.fit(big, { dimension: 8, maxFitTexts: 25 });
    const b = OfflineEmbedder.fit(big, { dimension: 8, maxFitTexts: 25 });
    const full = OfflineEmbedder.fit(big, { dimension: 8 });
    expect(a.model).toBe(b.model);
    expect(a.model).not.toBe(full.model);
  });
});

describe('OfflineEmbedder (LSA ⊕ SIF word vectors)', { timeout: 30_000 }, () => {
  it('brings together texts that share meaning but no word, which LSA alone cannot', () => {
    // A few hundred texts, so that the joined view's principal axes are fitted on more texts
    // than it has dimensions (as in a real run).
    const topics = ['password login', 'weather forecast', 'restaurant dinner', 'bank transfer'];
    const asks = ['help with', 'question about', 'problem with', 'how to fix', 'advice on'];
    const extras = ['today', 'again', 'for my family', 'at work', 'on my phone', 'this week'];
    const corpus = [...CORPUS];
    for (const topic of topics)
      for (const ask of asks) for (const extra of extras) corpus.push(`${ask} ${topic} ${extra}`);
    const pair = ['I need to book a flight', 'reserve an airplane seat'];
    const cosine = (embedder: OfflineEmbedder) => {
      const [a, b] = embedder.embedSync(pair);
      return cosineSimilarity(a!, b!);
    };
    const lsa = OfflineEmbedder.fit(corpus, { dimension: 32, wordVectors: false });
    const joined = OfflineEmbedder.fit(corpus, { dimension: 32 });
    expect(cosine(joined)).toBeGreaterThan(cosine(lsa) + 0.1);
    const [flight, bread] = joined.embedSync(['book a flight', 'bake bread']);
    expect(cosineSimilarity(flight!, bread!)).toBeLessThan(cosine(joined));
  });

  it('round-trips through bytes, and still reads the LSA-only format', () => {
    const joined = OfflineEmbedder.fit(CORPUS, { dimension: 8 });
    const restored = OfflineEmbedder.fromBytes(joined.toBytes());
    expect(restored.model).toBe(joined.model);
    expect(restored.dimension).toBe(8);
    const texts = [PARAPHRASE_A, UNRELATED, 'words the lsa never saw: volcano glacier'];
    const before = joined.embedSync(texts);
    restored
      .embedSync(texts)
      .forEach((v, i) => expect(Array.from(v)).toEqual(Array.from(before[i]!)));
    expect(OfflineEmbedder.isCurrentFormat(joined.toBytes())).toBe(true);

    const lsaOnly = OfflineEmbedder.fit(CORPUS, { dimension: 8, wordVectors: false });
    expect(OfflineEmbedder.isCurrentFormat(lsaOnly.toBytes())).toBe(false);
    expect(OfflineEmbedder.fromBytes(lsaOnly.toBytes()).model).toBe(lsaOnly.model);
    expect(OfflineEmbedder.isCurrentFormat(new Uint8Array([1, 2, 3]))).toBe(false);
    expect(() => OfflineEmbedder.fromBytes(joined.toBytes().slice(0, -4))).toThrow(/corrupt/);
  });

  it('gives a text made only of words the LSA never saw a vector from the word view', () => {
    const joined = OfflineEmbedder.fit(CORPUS, { dimension: 8 });
    const [v] = joined.embedSync(['volcano glacier']);
    expect(unitLength(v!)).toBeCloseTo(1, 5);
  });
});

describe('HashingEmbedder (stateless)', () => {
  it('is deterministic and independent of the other texts in the call', () => {
    const embedder = new HashingEmbedder({ dimension: 64 });
    const [alone] = embedder.embedSync([PARAPHRASE_A]);
    const [withOthers] = embedder.embedSync([PARAPHRASE_A, UNRELATED]);
    expect(Array.from(alone!)).toEqual(Array.from(withOthers!));
    expect(unitLength(alone!)).toBeCloseTo(1, 5);
    expect(embedder.model).toBe(new HashingEmbedder({ dimension: 64 }).model);
  });

  it('puts paraphrases closer together than unrelated sentences', () => {
    const [a, b, other] = new HashingEmbedder().embedSync([PARAPHRASE_A, PARAPHRASE_B, UNRELATED]);
    expect(cosineSimilarity(a!, b!)).toBeGreaterThan(cosineSimilarity(a!, other!) + 0.1);
  });
});
