/**
 * tag-conversation: open the sealed conversation, ask the tagger for the facet row, scrub every
 * free-text facet, copy the PII-gated metadata, store the row and mark the conversation tagged.
 * A conversation that grew is tagged again (its facet row replaced) once it has been idle. Idempotent: a conversation
 * already tagged with the current prompt version is left as it is.
 */
import type {
  CanonicalMessage,
  ConversationStats,
  CustomFacetDefinition,
  CustomFacetValue,
  FacetAnswer,
  JobPayload,
} from '@silhouette/contracts';
import { CustomFacetRepository, TenantRepository } from '@silhouette/db';
import {
  estimateTokens,
  LlmRequestError,
  taggerPromptVersion,
  type TaggingInput,
} from '@silhouette/llm';
import { UnrecoverableJobError } from '@silhouette/queue';
import {
  ContentUnavailableError,
  ConversationStatusRepository,
  FacetRepository,
  TaggingGateRepository,
  type FacetWrite,
  type LoadedConversation,
  type SealedContent,
} from '@silhouette/sealed';
import { budgetGuardFor, type BudgetGuard, type ModelUsage } from '../cost/budget-guard';
import type { WorkerDeps } from '../worker-deps';
import { facetMetadata } from './facet-metadata';
import { StatementBatcher } from './statement-batcher';

export function conversationStats(messages: CanonicalMessage[]): ConversationStats {
  let userTokens = 0;
  let assistantTokens = 0;
  let turns = 0;
  for (const message of messages) {
    if (message.role === 'user') {
      turns += 1;
      userTokens += estimateTokens(message.content);
    } else if (message.role === 'assistant') {
      assistantTokens += estimateTokens(message.content);
    }
  }
  return { turns, user_tokens: userTokens, assistant_tokens: assistantTokens };
}

const FREE_TEXT_FACETS = ['domain', 'task_type', 'use_case', 'goal_summary'] as const;

export function scrubFacet(
  facet: FacetAnswer,
  scrub: WorkerDeps['scrub'],
): { facet: FacetAnswer; redactions: number } {
  let redactions = 0;
  const scrubbed = { ...facet };
  for (const field of FREE_TEXT_FACETS) {
    const result = scrub(facet[field]);
    scrubbed[field] = result.text;
    redactions += result.redactions;
  }
  // The issue is free text like the others (issue #15).
  if (facet.issue) {
    const result = scrub(facet.issue);
    scrubbed.issue = result.text;
    redactions += result.redactions;
  }
  return { facet: scrubbed, redactions };
}

/** Free-text custom answers (`short_text`) are scrubbed like every free-text facet. */
export function scrubCustomAnswers(
  custom: Record<string, CustomFacetValue>,
  definitions: readonly CustomFacetDefinition[],
  scrub: WorkerDeps['scrub'],
): { custom: Record<string, CustomFacetValue>; redactions: number } {
  let redactions = 0;
  const out: Record<string, CustomFacetValue> = {};
  for (const definition of definitions) {
    const value = custom[definition.key] ?? null;
    if (definition.type === 'short_text' && typeof value === 'string' && value) {
      const result = scrub(value);
      out[definition.key] = result.text;
      redactions += result.redactions;
    } else {
      out[definition.key] = value;
    }
  }
  return { custom: out, redactions };
}

/** Tenant settings change rarely: a short-lived cache saves a query per job. */
class TenantSettingsCache {
  private readonly entries = new Map<
    string,
    { at: number; overrides: TaggingInput['minutesOverrides'] }
  >();
  private readonly facets = new Map<string, { at: number; definitions: CustomFacetDefinition[] }>();
  constructor(
    private readonly deps: WorkerDeps,
    private readonly ttlMs = 30_000,
  ) {}

  async minutesOverrides(tenantId: string): Promise<TaggingInput['minutesOverrides']> {
    const cached = this.entries.get(tenantId);
    if (cached && Date.now() - cached.at < this.ttlMs) return cached.overrides;
    const tenant = await new TenantRepository(this.deps.db).findById(tenantId);
    const overrides =
      tenant && Object.keys(tenant.minutesOverrides).length ? tenant.minutesOverrides : undefined;
    this.entries.set(tenantId, { at: Date.now(), overrides });
    return overrides;
  }

  /**
   * The tenant's custom facets; a definition change reaches running workers within the TTL, or at
   * once with `fresh` (which also refreshes the cache).
   */
  async customFacets(tenantId: string, fresh = false): Promise<CustomFacetDefinition[]> {
    const cached = this.facets.get(tenantId);
    if (!fresh && cached && Date.now() - cached.at < this.ttlMs) return cached.definitions;
    const definitions = await new CustomFacetRepository(this.deps.db).list(tenantId);
    this.facets.set(tenantId, { at: Date.now(), definitions });
    return definitions;
  }
}

/**
 * Spend of the calls answered together, recorded as one row update per tenant and model (the
 * same totals as one update per call, without every job queueing on that one row's lock). One
 * batcher per tenant and model, so that a batch is one statement: all recorded, or none.
 */
class SpendBatchers {
  private readonly batchers = new Map<string, StatementBatcher<ModelUsage, void>>();
  constructor(private readonly budget: BudgetGuard) {}

  record(tenantId: string, usage: ModelUsage): Promise<void> {
    const key = JSON.stringify([tenantId, usage.task, usage.model]);
    let batcher = this.batchers.get(key);
    if (!batcher) {
      batcher = new StatementBatcher<ModelUsage, void>(async (items) => {
        const total = items.reduce((sum, item) => ({
          ...sum,
          calls: sum.calls + item.calls,
          promptTokens: sum.promptTokens + item.promptTokens,
          completionTokens: sum.completionTokens + item.completionTokens,
        }));
        await this.budget.record(tenantId, total);
        return items.map(() => undefined);
      });
      this.batchers.set(key, batcher);
    }
    return batcher.add(usage);
  }
}

export function tagConversationProcessor(deps: WorkerDeps) {
  const settings = new TenantSettingsCache(deps);
  const budget = budgetGuardFor(deps);
  const gate = new TaggingGateRepository(deps.db);
  // The concurrent jobs' loads, spend records and saves, each batched into one statement.
  const loads = new StatementBatcher<
    { tenantId: string; conversationId: string },
    LoadedConversation | undefined
  >((keys) => deps.store.loadMany(keys));
  const spend = new SpendBatchers(budget);
  const facets = new FacetRepository(deps.db);
  const saves = new StatementBatcher<FacetWrite, void>(async (rows) => {
    await facets.saveManyAndMarkTagged(rows);
    return rows.map(() => undefined);
  });
  return async (payload: JobPayload<'tag-conversation'>): Promise<void> => {
    const { tenantId, conversationId } = payload;
    const conversation = await loads.add({ tenantId, conversationId });
    if (!conversation) throw new UnrecoverableJobError('conversation no longer exists (erased)');
    // It grew after this job was enqueued: the reconciler enqueues it again once it is idle.
    if (conversation.status === 'waiting_for_idle') return;
    // Outside the sample for good, or parked for budget (resuming enqueues it again).
    if (conversation.status === 'not_sampled' || conversation.status === 'paused_budget') return;
    const upToDate = (definitions: CustomFacetDefinition[]) =>
      conversation.facetPromptVersion === taggerPromptVersion(deps.tagger, definitions) &&
      conversation.facetRevision === conversation.revision;
    let customFacets = await settings.customFacets(tenantId);
    // Up to date by the cached definitions? A re-tag right after a definition change would be
    // skipped on a stale cache, so look again before deciding (re-runs are rare, new rows are not).
    if (upToDate(customFacets)) customFacets = await settings.customFacets(tenantId, true);
    if (upToDate(customFacets)) {
      // Already tagged with this prompt (a re-run): make sure the status says so, change nothing else.
      await new ConversationStatusRepository(deps.db).markTagged(tenantId, conversationId);
      return;
    }
    // Sampling first: a conversation outside the tenant's sample is never sent anywhere.
    const { sampleRate } = await budget.settings(tenantId);
    if (await gate.excludeUnlessSampled(tenantId, conversationId, sampleRate)) return;
    // Budget: a model call costs money; the offline tagger does not.
    if (deps.tagger.provider === 'openai-compatible') {
      const decision = await budget.decide(tenantId);
      if (!decision.allowed) {
        await gate.pauseForBudget(tenantId, conversationId);
        return;
      }
    }
    let content: SealedContent;
    try {
      content = await conversation.content();
    } catch (error) {
      if (error instanceof ContentUnavailableError) throw new UnrecoverableJobError(error.message);
      throw error;
    }
    let result;
    try {
      const minutesOverrides = await settings.minutesOverrides(tenantId);
      result = await deps.tagger.tag({
        conversationId,
        messages: content.messages,
        ...(minutesOverrides ? { minutesOverrides } : {}),
        ...(customFacets.length ? { customFacets } : {}),
      });
    } catch (error) {
      // The endpoint refused the request itself (bad key, unknown model): retrying cannot help
      // until the operator fixes the configuration and runs `silhouette retry-failed`.
      if (error instanceof LlmRequestError) throw new UnrecoverableJobError(error.message);
      throw error;
    }
    // Spend is recorded as soon as the model answered, before the row is saved: a failed save
    // retries the job, and the retry's call (if not served from the cache) costs again.
    if (result.provider === 'openai-compatible' && !result.cached)
      await spend.record(tenantId, {
        task: 'tag',
        model: result.model,
        calls: 1,
        promptTokens: result.promptTokens,
        completionTokens: result.completionTokens,
      });
    const { facet, redactions } = scrubFacet(result.facet, deps.scrub);
    const custom = scrubCustomAnswers(result.custom ?? {}, customFacets, deps.scrub);
    const metadata = facetMetadata(content.metadata);
    await saves.add({
      conversationId,
      tenantId,
      promptVersion: result.promptVersion,
      revision: conversation.revision,
      provider: result.provider,
      model: result.model,
      facet,
      custom: custom.custom,
      stats: conversationStats(content.messages),
      metadata: metadata.values,
      redactions: redactions + metadata.withheld + custom.redactions,
      promptTokens: result.promptTokens,
      completionTokens: result.completionTokens,
      latencyMs: result.latencyMs,
    });
  };
}
