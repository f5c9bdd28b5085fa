export {
  OfflineTagger,
  OFFLINE_PROMPT_VERSION,
  OFFLINE_TAGGER_MODEL,
  offlinePromptVersion,
  type OfflineTagExplanation,
} from './offline-tagger';
export { DOMAIN_TAXONOMY, TASK_TYPE_TAXONOMY, type TaxonomyEntry } from './taxonomy';
export {
  ABSTAIN_LABEL,
  MANUAL_MINUTES,
  minutesOverridesSchema,
  type MinutesOverrides,
} from './tagging-tables';
export { detectLanguage, type LanguageGuess } from './language-detector';
export type { LabelDecision } from './taxonomy-classifier';
export {
  analyzeConversationSignals,
  LOW_SIGNAL_CONFIDENCE,
  SIGNAL_KINDS,
  type ConversationSignal,
  type ConversationSignals,
  type SignalKind,
} from './conversation-signals';
export { prepareConversation, type PreparedConversation } from './prepared-conversation';
// The one text normaliser; libs/clustering's offline embedder uses it too.
export {
  normalizeText,
  normalizedWords,
  stem,
  STOP_WORDS,
  tokenize,
  wordTokens,
} from './text-normalizer';
