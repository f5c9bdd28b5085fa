/** Public surface of the OpenAI-compatible structured-output client. */
export {
  StructuredLlmClient,
  type CompletionRequest,
  type CompletionResult,
  type StructuredClientOptions,
} from './structured-client';
export {
  LlmError,
  LlmOutputError,
  LlmRequestError,
  LlmUnavailableError,
  type LlmErrorCode,
  type OutputIssueSummary,
} from './errors';
export {
  LruResponseCache,
  responseCacheKey,
  type ResponseCache,
  type ResponseCacheKeyParts,
} from './response-cache';
export { dropNullOptionals, toStrictJsonSchema, type JsonSchema } from './json-schema';
export type {
  ModelPrice,
  PriceTable,
  UsageCounters,
  UsageStats,
  UsageStatsRow,
} from './usage-stats';
// Retry policy shared with the OpenAI-compatible embedder in libs/clustering.
export {
  backoffDelayMs,
  classifyFailure,
  sleep,
  type BackoffPolicy,
  type FailureClass,
} from './retry';
export {
  ToolChatClient,
  type ChatMessage,
  type ChatTool,
  type ToolChatClientOptions,
  type ToolChatRequest,
  type ToolChatResult,
} from './tool-chat-client';
