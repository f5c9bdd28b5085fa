export * from './tagging/tagger';
export * from './openai';
export {
  LlmTagger,
  TAG_TASK,
  applyMinutesOverrides,
  type LlmTaggerOptions,
} from './tagging/llm-tagger';
export { TAG_PROMPT_VERSION, TAG_SCHEMA_NAME, tagPromptOverheadTokens } from './tagging/prompt';
export {
  estimateTokens,
  truncateConversation,
  clipText,
  type TruncatedConversation,
} from './tagging/truncate';
export * from './offline';
