/** Worker providers that tag through the scripted OpenAI-compatible server (embeddings offline). */
import type { Env } from '@silhouette/config';
import { LlmTagger, StructuredLlmClient } from '@silhouette/llm';
import type { WorkerDeps } from '@silhouette/worker';
import { offlineProviders } from './providers';
import type { ScriptedLlmServer } from './scripted-llm-server';

export function scriptedTaggerProviders(server: ScriptedLlmServer) {
  return (env: Env): Pick<WorkerDeps, 'tagger' | 'scrub' | 'embedderFor'> => ({
    ...offlineProviders(env),
    tagger: new LlmTagger({
      client: new StructuredLlmClient({
        baseURL: server.baseURL,
        apiKey: 'test',
        maxAttempts: 2,
        baseDelayMs: 5,
        maxDelayMs: 20,
        timeoutMs: 5000,
        concurrency: env.TAG_CONCURRENCY,
      }),
      model: env.TAG_MODEL,
    }),
  });
}
