/** Chooses the providers: OpenAI-compatible when an endpoint is configured, offline otherwise. */
import { embeddingsFromEndpoint, llmConfigured, type Env } from '@silhouette/config';
import {
  LlmTagger,
  OfflineTagger,
  StructuredLlmClient,
  type FacetTagger,
  type StructuredClientOptions,
} from '@silhouette/llm';
import type { Logger, Metrics } from '@silhouette/telemetry';
import { scrubPii } from '@silhouette/privacy';
import { OfflineEmbedder, OpenAiEmbedder } from '@silhouette/clustering';
import type { WorkerDeps } from '@silhouette/worker';

/** Where the clients report what they coerce and learn (both optional: tests, one-off tools). */
export interface ProviderTelemetry {
  metrics?: Metrics;
  logger?: Logger;
}

/** Settings shared by the tagging and clustering clients of one endpoint. */
function clientOptions(env: Env, telemetry: ProviderTelemetry): StructuredClientOptions {
  return {
    ...(env.OPENAI_BASE_URL ? { baseURL: env.OPENAI_BASE_URL } : {}),
    ...(env.OPENAI_API_KEY ? { apiKey: env.OPENAI_API_KEY } : {}),
    timeoutMs: env.LLM_TIMEOUT_MS,
    maxAttempts: env.LLM_MAX_ATTEMPTS,
    concurrency: env.LLM_CONCURRENCY,
    maxTokensParameter: env.LLM_MAX_TOKENS_PARAMETER,
    ...(env.LLM_STRUCTURED_OUTPUT !== 'auto'
      ? { structuredOutput: env.LLM_STRUCTURED_OUTPUT }
      : {}),
    onCoercion: ({ task, field }) => telemetry.metrics?.llmCoercions.inc({ task, field }),
    onCapabilityChange: (change) =>
      telemetry.logger?.info(
        { ...change },
        'the LLM endpoint needs another request form; using it from now on',
      ),
  };
}

export function createTagger(env: Env, telemetry: ProviderTelemetry = {}): FacetTagger {
  if (!llmConfigured(env)) return new OfflineTagger();
  // One client per process: its concurrency limit and token budget are shared by all tag jobs.
  const client = new StructuredLlmClient({
    ...clientOptions(env, telemetry),
    ...(env.LLM_TOKENS_PER_MINUTE ? { tokensPerMinute: env.LLM_TOKENS_PER_MINUTE } : {}),
  });
  return new LlmTagger({ client, model: env.TAG_MODEL });
}

export function createEmbedderFactory(env: Env): WorkerDeps['embedderFor'] {
  if (embeddingsFromEndpoint(env)) {
    const embedder = new OpenAiEmbedder({
      model: env.EMBEDDING_MODEL,
      dimension: env.EMBEDDING_DIMENSION,
      ...(env.OPENAI_BASE_URL ? { baseURL: env.OPENAI_BASE_URL } : {}),
      ...(env.OPENAI_API_KEY ? { apiKey: env.OPENAI_API_KEY } : {}),
      timeoutMs: env.LLM_TIMEOUT_MS,
      maxAttempts: env.LLM_MAX_ATTEMPTS,
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

export function createClusterLlm(
  env: Env,
  telemetry: ProviderTelemetry = {},
): WorkerDeps['clusterLlm'] {
  if (!llmConfigured(env)) return undefined;
  const client = new StructuredLlmClient(clientOptions(env, telemetry));
  return { client, nameModel: env.NAME_MODEL, auditModel: env.AUDIT_MODEL };
}

export function createScrubber(): (text: string) => { text: string; redactions: number } {
  return (text) => {
    const result = scrubPii(text);
    return { text: result.text, redactions: result.redactions };
  };
}
