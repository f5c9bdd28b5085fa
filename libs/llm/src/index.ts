export * from './tagging/tagger';
export * from './openai';
export {
  LlmTagger,
  TAG_TASK,
  applyMinutesOverrides,
  type LlmTaggerOptions,
} from './tagging/llm-tagger';
export {
  MAX_PROMPT_OVERHEAD_TOKENS,
  TAG_PROMPT_VERSION,
  TAG_SCHEMA_NAME,
  tagPrompt,
  tagPromptOverheadTokens,
} from './tagging/prompt';
export { countPromptTokens, PROMPT_TOKENIZER } from './tagging/prompt-tokens';
export {
  estimateTokens,
  truncateConversation,
  clipText,
  type TruncatedConversation,
} from './tagging/truncate';
export * from './offline';
export { type LlmCall, MAX_ITEMS_PER_PROMPT } from './clustering/llm-steps';
export {
  nameClustersWithLlm,
  CLUSTER_NAMING_PROMPT_VERSION,
  CLUSTER_NAMING_TASK,
  MAX_CLUSTER_NAME_WORDS,
  type ClusterToName,
  type ClusterNaming,
  type NameClustersOptions,
} from './clustering/name-clusters';
export {
  proposeParents,
  HIERARCHY_PROMPT_VERSION,
  MAX_TARGET_PARENTS,
  type ChildCluster,
  type ParentCluster,
  type ParentLevel,
  type ProposeParentsOptions,
} from './clustering/build-parents';
export {
  auditTexts,
  AUDIT_PROMPT_VERSION,
  AUDIT_BATCH_SIZE,
  AUDIT_TASK,
  type AuditScore,
  type AuditVerdict,
  type TextToAudit,
} from './clustering/privacy-auditor';
export {
  prepareTagConversation,
  estimateTagConversationTokens,
  DEFAULT_MAX_CONVERSATION_TOKENS,
} from './tagging/llm-tagger';
export * from './cost/llm-cost-estimate';
