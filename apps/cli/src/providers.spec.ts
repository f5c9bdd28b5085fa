import { parseEnv } from '@silhouette/config';
import { OfflineEmbedder, OpenAiEmbedder } from '@silhouette/clustering';
import { describe, expect, it } from 'vitest';
import { createEmbedderFactory } from './providers';

const texts = ['drafting a reply to a customer', 'debugging a python script', 'booking a table'];

describe('createEmbedderFactory', () => {
  it('uses the endpoint when one is configured, offline otherwise, and offline on request', async () => {
    const endpoint = { OPENAI_BASE_URL: 'http://127.0.0.1:9/v1' };
    const pick = async (vars: Record<string, string>) =>
      (await createEmbedderFactory(parseEnv(vars))(texts)).embedder;
    expect(await pick(endpoint)).toBeInstanceOf(OpenAiEmbedder);
    expect(await pick({})).toBeInstanceOf(OfflineEmbedder);
    // A chat-only endpoint paired with offline embeddings on purpose (never as a silent fallback).
    expect(await pick({ ...endpoint, EMBEDDING_PROVIDER: 'offline' })).toBeInstanceOf(
      OfflineEmbedder,
    );
    expect(await pick({ EMBEDDING_PROVIDER: 'openai' })).toBeInstanceOf(OpenAiEmbedder);
  });
});
