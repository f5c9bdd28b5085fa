/**
 * What tagging a backlog, naming its clusters and auditing the published texts would cost,
 * computed before anything is sent (issue #15, item 4).
 *
 * Tagging is counted the way the tagger builds each prompt: the conversation part was measured
 * at ingest by `estimateTagConversationTokens` (clipping and middle-out truncation included),
 * and the fixed part is `tagPromptOverheadTokens()` per call. Completion tokens are the tenant's
 * mean so far, or a typical facet answer before the first. Naming and auditing depend on a
 * clustering that has not run yet, so they follow the run's structure (about 30 conversations per
 * base cluster, one naming call each, the upper levels built in neighbourhoods, the auditor in
 * batches of 50 texts) with typical text lengths: an order of magnitude, stated as such.
 * Embeddings (when an endpoint embeds) are one full run's "task; use case; goal" texts: those of
 * conversations already tagged as counted, the backlog's at the tenant's mean text length so far.
 */
import { AUDIT_BATCH_SIZE, AUDIT_SYSTEM_PROMPT } from '../clustering/privacy-auditor';
import { CLUSTER_NAMING_SYSTEM_PROMPT } from '../clustering/name-clusters';
import { tagPromptOverheadTokens } from '../tagging/prompt';
import { estimateTokens } from '../tagging/truncate';

/**
 * Assumed answer length until a tenant has answers to average: the compact tag-v3 answer averages
 * 46 tokens from the scripted server (`npm run bench -- estimate`); models write fuller text, so
 * half as much again.
 */
export const TYPICAL_TAG_COMPLETION_TOKENS = 70;
/** Conversations per base cluster (k = n / 30 in the clustering run). */
const CONVERSATIONS_PER_BASE_CLUSTER = 30;
/** One member or contrast line in a naming prompt, or one embedded text: "task; use case; goal". */
export const TYPICAL_FACET_TEXT_TOKENS = 40;
const TYPICAL_ITEM_TOKENS = TYPICAL_FACET_TEXT_TOKENS;
/** Inputs per embeddings request (the OpenAI-compatible embedder's batch size). */
const EMBEDDING_BATCH_SIZE = 256;
const NAMING_ITEMS = 60;
const NAMING_COMPLETION_TOKENS = 90;
/** A proposed or renamed parent: name and description. */
const NAMING_NAME_TOKENS = 60;
/** Children per neighbourhood when parents are proposed, and children per assignment call. */
const NEIGHBOURHOOD = 40;
const PARENT_LINE_TOKENS = 30;
const AUDIT_TEXT_TOKENS = 25;
const AUDIT_ANSWER_TOKENS_PER_TEXT = 12;
/** Goal statements published per cluster, at most (each audited). */
const GOALS_PER_CLUSTER = 3;

export interface CostEstimateInput {
  /** Conversations to tag (inside the sample) and the sum of their ingest-time token counts. */
  conversationsToTag: number;
  conversationTokens: number;
  /** Conversations already tagged (clustering covers them as well). */
  alreadyTagged: number;
  /** The tenant's mean completion tokens so far, if any. */
  meanCompletionTokens: number | null;
  models: { tag: string; name: string; audit: string };
  /** USD per million tokens by model. */
  prices: Record<string, { input: number; output: number }>;
  /** Tree shape (CLUSTER_LEVELS, CLUSTER_TOP_K). */
  levels: number;
  topK: number;
  /** Fixed prompt tokens of one facet call; default the tagger's own. */
  tagOverheadTokens?: number;
  /**
   * Embeddings through an OpenAI-compatible endpoint: the model, the texts of the conversations
   * already tagged, and the backlog that will have texts once tagged (by a model or offline).
   * Absent when the offline embedder is used (nothing is sent).
   */
  embedding?: {
    model: string;
    taggedTexts: number;
    taggedTextTokens: number;
    backlogTexts: number;
  };
}

export interface CostEstimateLine {
  task: 'tag' | 'embed' | 'name' | 'audit';
  model: string;
  calls: number;
  promptTokens: number;
  completionTokens: number;
  usd: number | null;
}

export interface CostEstimate {
  lines: CostEstimateLine[];
  total: { promptTokens: number; completionTokens: number; usd: number | null };
  unpricedModels: string[];
}

/** Sizes of the levels above the base: geometric between the base and the top (7/48/333). */
export function treeLevelSizes(baseClusters: number, levels: number, topK: number): number[] {
  const sizes = [baseClusters];
  if (levels <= 1 || baseClusters <= topK) return sizes;
  const ratio = Math.pow(baseClusters / topK, 1 / (levels - 1));
  for (let level = 1; level < levels; level++)
    sizes.push(Math.max(topK, Math.round(baseClusters / Math.pow(ratio, level))));
  return sizes;
}

export function estimateLlmCost(input: CostEstimateInput): CostEstimate {
  const line = (
    task: CostEstimateLine['task'],
    model: string,
    calls: number,
    promptTokens: number,
    completionTokens: number,
  ): CostEstimateLine => {
    const price = input.prices[model];
    return {
      task,
      model,
      calls: Math.round(calls),
      promptTokens: Math.round(promptTokens),
      completionTokens: Math.round(completionTokens),
      usd: price
        ? (promptTokens * price.input + completionTokens * price.output) / 1_000_000
        : null,
    };
  };

  const tagCalls = input.conversationsToTag;
  const overhead = input.tagOverheadTokens ?? tagPromptOverheadTokens();
  const completion = input.meanCompletionTokens ?? TYPICAL_TAG_COMPLETION_TOKENS;
  const lines = [
    line(
      'tag',
      input.models.tag,
      tagCalls,
      input.conversationTokens + tagCalls * overhead,
      tagCalls * completion,
    ),
  ];

  const conversations = input.alreadyTagged + input.conversationsToTag;
  if (input.embedding) {
    // A full run embeds every tagged conversation's text; the backlog's are not written yet.
    const { model, taggedTexts, taggedTextTokens, backlogTexts } = input.embedding;
    const perText = taggedTexts > 0 ? taggedTextTokens / taggedTexts : TYPICAL_FACET_TEXT_TOKENS;
    lines.push(
      line(
        'embed',
        model,
        Math.ceil((taggedTexts + backlogTexts) / EMBEDDING_BATCH_SIZE),
        taggedTextTokens + backlogTexts * perText,
        0,
      ),
    );
  }
  if (conversations > 0) {
    const base = Math.max(1, Math.round(conversations / CONVERSATIONS_PER_BASE_CLUSTER));
    const sizes = treeLevelSizes(base, input.levels, input.topK);
    const namingSystem = estimateTokens(CLUSTER_NAMING_SYSTEM_PROMPT);
    let nameCalls = base;
    let namePrompt = base * (namingSystem + NAMING_ITEMS * TYPICAL_ITEM_TOKENS);
    let nameCompletion = base * NAMING_COMPLETION_TOKENS;
    // Each upper level: propose per neighbourhood, one dedupe, assign per neighbourhood, rename each parent.
    for (let level = 1; level < sizes.length; level++) {
      const children = sizes[level - 1]!;
      const parents = sizes[level]!;
      const neighbourhoods = Math.ceil(children / NEIGHBOURHOOD);
      const calls = 2 * neighbourhoods + 1 + parents;
      nameCalls += calls;
      namePrompt +=
        calls * namingSystem +
        2 * children * PARENT_LINE_TOKENS +
        neighbourhoods * parents * PARENT_LINE_TOKENS +
        parents * (children / parents) * PARENT_LINE_TOKENS;
      nameCompletion += neighbourhoods * 300 + 300 + children * 8 + parents * NAMING_NAME_TOKENS;
    }
    lines.push(line('name', input.models.name, nameCalls, namePrompt, nameCompletion));

    const clusters = sizes.reduce((sum, size) => sum + size, 0);
    const texts = clusters * (2 + GOALS_PER_CLUSTER);
    const auditCalls = Math.ceil(texts / AUDIT_BATCH_SIZE);
    lines.push(
      line(
        'audit',
        input.models.audit,
        auditCalls,
        auditCalls * estimateTokens(AUDIT_SYSTEM_PROMPT) + texts * AUDIT_TEXT_TOKENS,
        texts * AUDIT_ANSWER_TOKENS_PER_TEXT,
      ),
    );
  }

  const unpriced = [
    ...new Set(lines.filter((l) => l.usd === null && l.calls > 0).map((l) => l.model)),
  ];
  return {
    lines,
    total: {
      promptTokens: lines.reduce((sum, l) => sum + l.promptTokens, 0),
      completionTokens: lines.reduce((sum, l) => sum + l.completionTokens, 0),
      usd: unpriced.length ? null : lines.reduce((sum, l) => sum + (l.usd ?? 0), 0),
    },
    unpricedModels: unpriced,
  };
}
