/** Chooses the providers: OpenAI-compatible when an endpoint is configured, offline otherwise. */
import { llmConfigured, type Env } from '@silhouette/config';
import { LlmTagger, OfflineTagger, StructuredLlmClient, type FacetTagger } from '@silhouette/llm';
import { scrubPii } from '@silhouette/privacy';
import { OfflineEmbedder, OpenAiEmbedder } from '@silhouette/clustering';
import type { WorkerDeps } from '@silhouette/worker';

export function createTagger(env: Env): FacetTagger {
  if (!llmConfigured(env)) return new OfflineTagger();
  // One client per process: its concurrency limit and token budget are shared by all tag jobs.
  const client = new StructuredLlmClient({
    ...(env.OPENAI_BASE_URL ? { baseURL: env.OPENAI_BASE_URL } : {}),
    ...(env.OPENAI_API_KEY ? { apiKey: env.OPENAI_API_KEY } : {}),
    timeoutMs: env.LLM_TIMEOUT_MS,
    maxAttempts: env.LLM_MAX_ATTEMPTS,
    concurrency: env.LLM_CONCURRENCY,
    ...(env.LLM_TOKENS_PER_MINUTE ? { tokensPerMinute: env.LLM_TOKENS_PER_MINUTE } : {}),
    maxTokensParameter: env.LLM_MAX_TOKENS_PARAMETER,
  });
  return new LlmTagger({ client, model: env.TAG_MODEL });
}

export function createEmbedderFactory(env: Env): WorkerDeps['embedderFor'] {
  if (llmConfigured(env)) {
    const embedder = new OpenAiEmbedder({
      model: env.EMBEDDING_MODEL,
      dimension: env.EMBEDDING_DIMENSION,
      ...(env.OPENAI_BASE_URL ? { baseURL: env.OPENAI_BASE_URL } : {}),
      ...(env.OPENAI_API_KEY ? { apiKey: env.OPENAI_API_KEY } : {}),
    });
    return async () => ({ embedder });
  }
  return async (texts, previousState) => {
    const embedder = previousState
      ? OfflineEmbedder.fromBytes(previousState)
      : OfflineEmbedder.fit(texts);
    return { embedder, state: Buffer.from(embedder.toBytes()) };
  };
}

export function createClusterLlm(env: Env): WorkerDeps['clusterLlm'] {
  if (!llmConfigured(env)) return undefined;
  const client = new StructuredLlmClient({
    ...(env.OPENAI_BASE_URL ? { baseURL: env.OPENAI_BASE_URL } : {}),
    ...(env.OPENAI_API_KEY ? { apiKey: env.OPENAI_API_KEY } : {}),
    timeoutMs: env.LLM_TIMEOUT_MS,
    maxAttempts: env.LLM_MAX_ATTEMPTS,
    concurrency: env.LLM_CONCURRENCY,
    maxTokensParameter: env.LLM_MAX_TOKENS_PARAMETER,
  });
  return { client, nameModel: env.NAME_MODEL, auditModel: env.AUDIT_MODEL };
}

export function createScrubber(): (text: string) => { text: string; redactions: number } {
  return (text) => {
    const result = scrubPii(text);
    return { text: result.text, redactions: result.redactions };
  };
}
