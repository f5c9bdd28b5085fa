/**
 * The offline facet tagger, used when no LLM endpoint is configured: no network, deterministic,
 * transparent heuristics, and honest about being weaker than a model. It abstains ("other", low
 * confidence) rather than guessing.
 *
 *  - domain, task_type: weighted vocabulary of a documented taxonomy (taxonomy.ts), scored by
 *    taxonomy-classifier.ts;
 *  - use_case, goal_summary: composed from a closed vocabulary (use-case-composer.ts);
 *  - outcome, failure_reasons, user_frustration: conversation signals (conversation-signals.ts),
 *    which also say which signal fired where (`explain().signals.evidence`);
 *  - issue: composed from the conversation signals (issue-composer.ts);
 *  - custom facets: `enum` and `boolean` ones by the admin's keyword rules only, the rest
 *    unanswered (custom-facet-rules.ts);
 *  - language: scripts, English stop words, then franc's trigrams (language-detector.ts);
 *  - minutes: the per-task-type table (tagging-tables.ts, minutes-estimator.ts);
 *  - confidence: geometric mean of the domain and task confidences, lowered for non-English text
 *    and for outcomes inferred without an explicit end signal.
 *
 * `explain()` returns the same facet plus the scores behind it (labels and numbers only, never
 * conversation text), for the evaluation script and for anyone asking "why this label?".
 */
import { createHash } from 'node:crypto';
import {
  customAnswerSchema,
  facetAnswerSchema,
  type CustomFacetDefinition,
  type CustomFacetValue,
  type FacetAnswer,
} from '@silhouette/contracts';
import type { FacetTagger, TaggingInput, TaggingResult } from '../tagging/tagger';
import { analyzeConversationSignals, type ConversationSignals } from './conversation-signals';
import { answerByRules } from './custom-facet-rules';
import { composeIssue } from './issue-composer';
import { detectLanguage, type LanguageGuess } from './language-detector';
import { estimateMinutes, normalizeMinutesOverrides } from './minutes-estimator';
import { prepareConversation } from './prepared-conversation';
import {
  IMPLICIT_OUTCOME_CONFIDENCE_FACTOR,
  LANGUAGE_SAMPLE_CHARS,
  MAX_LABEL_CONFIDENCE,
  MIN_OVERALL_CONFIDENCE,
  NON_ENGLISH_CONFIDENCE_FACTOR,
} from './tagging-tables';
import { DOMAIN_TAXONOMY, TASK_TYPE_TAXONOMY } from './taxonomy';
import { TaxonomyClassifier, type LabelDecision } from './taxonomy-classifier';
import { composeGoalSummary, composeUseCase } from './use-case-composer';

export const OFFLINE_TAGGER_MODEL = 'offline-heuristics-v1';
/** Bump whenever the taxonomy, tables or heuristics change: facet rows are keyed by it. */
export const OFFLINE_PROMPT_VERSION = 'offline-4';
/** Confidence factor when a conversation did not fully succeed and no signal says why. */
const UNEXPLAINED_ISSUE_CONFIDENCE_FACTOR = 0.6;

export interface OfflineTagExplanation {
  readonly facet: FacetAnswer;
  readonly custom: Record<string, CustomFacetValue>;
  readonly domain: LabelDecision;
  readonly taskType: LabelDecision;
  readonly language: LanguageGuess;
  readonly signals: ConversationSignals;
}

/** Keyword rules change answers, so they are part of the offline version (unlike a model's). */
export function offlinePromptVersion(customFacets: readonly CustomFacetDefinition[]): string {
  if (customFacets.length === 0) return OFFLINE_PROMPT_VERSION;
  const hash = createHash('sha256')
    .update(
      JSON.stringify(
        [...customFacets]
          .sort((a, b) => a.slot - b.slot)
          .map((d) => [d.slot, d.key, d.type, d.values ?? null, d.rules ?? null]),
      ),
    )
    .digest('hex')
    .slice(0, 10);
  return `${OFFLINE_PROMPT_VERSION}+r${hash}`;
}

type TaxonomyName = 'domain' | 'taskType';

let sharedClassifier: TaxonomyClassifier<TaxonomyName> | undefined;

/** Compiled once per process: every tagger instance shares the same immutable tables. */
function classifier(): TaxonomyClassifier<TaxonomyName> {
  sharedClassifier ??= new TaxonomyClassifier<TaxonomyName>({
    domain: DOMAIN_TAXONOMY,
    taskType: TASK_TYPE_TAXONOMY,
  });
  return sharedClassifier;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

export class OfflineTagger implements FacetTagger {
  readonly provider = 'offline' as const;
  readonly promptVersion = OFFLINE_PROMPT_VERSION;
  readonly model = OFFLINE_TAGGER_MODEL;
  private readonly classifier = classifier();

  promptVersionFor(customFacets: readonly CustomFacetDefinition[]): string {
    return offlinePromptVersion(customFacets);
  }

  async tag(input: TaggingInput): Promise<TaggingResult> {
    const started = performance.now();
    const { facet, custom } = this.explain(input);
    return {
      facet,
      custom,
      provider: this.provider,
      model: this.model,
      promptVersion: this.promptVersionFor(input.customFacets ?? []),
      promptTokens: 0,
      completionTokens: 0,
      latencyMs: Math.round((performance.now() - started) * 1000) / 1000,
      cached: false,
    };
  }

  /** Synchronous tagging with the evidence behind each label. */
  explain(input: TaggingInput): OfflineTagExplanation {
    const overrides = normalizeMinutesOverrides(input.minutesOverrides);
    const conversation = prepareConversation(input.messages);
    if (conversation.messages.length === 0) {
      throw new RangeError(`conversation ${input.conversationId} has no message with text to tag`);
    }
    const decisions = this.classifier.classify(conversation);
    const domain = decisions.domain.label;
    const taskType = decisions.taskType.label;

    const userText = conversation.messages
      .filter((m) => m.role === 'user')
      .map((m) => m.raw)
      .join('\n')
      .slice(0, LANGUAGE_SAMPLE_CHARS);
    const language = detectLanguage(
      userText.length > 0 ? userText : conversation.messages.map((m) => m.raw).join('\n'),
    );
    const signals = analyzeConversationSignals(conversation);

    const context = {
      taskType,
      domain,
      taxonomyVocabulary: this.classifier.vocabulary,
      capitalisedAllowed: this.classifier.singleWordTerms,
    };
    const useCase = composeUseCase(conversation, context);
    const goalSummary = composeGoalSummary(useCase, context);
    const minutes = estimateMinutes(
      {
        taskType,
        assistantWords: conversation.assistantWords,
        userWords: conversation.userWords,
        userTurns: conversation.userTurns,
      },
      overrides,
    );

    let confidence = Math.sqrt(decisions.domain.confidence * decisions.taskType.confidence);
    if (language.language !== 'en') confidence *= NON_ENGLISH_CONFIDENCE_FACTOR;
    if (!signals.explicitEnd) confidence *= IMPLICIT_OUTCOME_CONFIDENCE_FACTOR;
    const issue = composeIssue(signals);
    if (issue.unexplained) confidence *= UNEXPLAINED_ISSUE_CONFIDENCE_FACTOR;
    confidence = round2(
      Math.min(MAX_LABEL_CONFIDENCE, Math.max(MIN_OVERALL_CONFIDENCE, confidence)),
    );

    // Validated like an LLM answer: a heuristic bug must fail loudly, not store a bad row.
    const facet = facetAnswerSchema.parse({
      domain,
      task_type: taskType,
      use_case: useCase,
      goal_summary: goalSummary,
      minutes_without_ai: minutes.minutesWithoutAi,
      minutes_with_ai: minutes.minutesWithAi,
      outcome: signals.outcome,
      failure_reasons: signals.failureReasons,
      issue: issue.issue,
      user_frustration: signals.userFrustration,
      language: language.language,
      confidence,
    });
    const custom: Record<string, CustomFacetValue> = {};
    for (const definition of input.customFacets ?? []) {
      const answer = answerByRules(definition, conversation);
      custom[definition.key] =
        answer === null ? null : customAnswerSchema(definition).parse(answer);
    }
    return {
      facet,
      custom,
      domain: decisions.domain,
      taskType: decisions.taskType,
      language,
      signals,
    };
  }
}
