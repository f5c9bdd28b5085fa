/**
 * Builds the Ask service from the environment: LLM mode when an OpenAI-compatible endpoint is
 * configured (`ASK_MODEL`, defaulting to `TAG_MODEL`), the offline parser otherwise. Retries and
 * timeouts are the tagger's settings (`LLM_TIMEOUT_MS`, `LLM_MAX_ATTEMPTS`).
 */
import { llmConfigured, type Env } from '@silhouette/config';
import type { Queryable } from '@silhouette/db';
import { ToolChatClient } from '@silhouette/llm';
import { LlmAnalyst } from './agent/llm-analyst';
import { AskService } from './ask.service';

export function createAskService(db: Queryable, env: Env): AskService {
  if (!llmConfigured(env)) return new AskService({ db });
  const client = new ToolChatClient({
    ...(env.OPENAI_BASE_URL ? { baseURL: env.OPENAI_BASE_URL } : {}),
    ...(env.OPENAI_API_KEY ? { apiKey: env.OPENAI_API_KEY } : {}),
    timeoutMs: env.LLM_TIMEOUT_MS,
    maxAttempts: env.LLM_MAX_ATTEMPTS,
    maxTokensParameter: env.LLM_MAX_TOKENS_PARAMETER,
  });
  return new AskService({
    db,
    llm: new LlmAnalyst({
      client,
      model: env.ASK_MODEL ?? env.TAG_MODEL,
      maxSteps: env.ASK_MAX_STEPS,
      maxTokens: env.ASK_MAX_TOKENS,
    }),
  });
}
