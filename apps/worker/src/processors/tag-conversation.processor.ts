/**
 * tag-conversation: open the sealed conversation, ask the tagger for the facet row, scrub every
 * free-text facet, store the row and mark the conversation tagged. Idempotent: a conversation
 * already tagged with the current prompt version is left as it is.
 */
import type {
  CanonicalMessage,
  ConversationStats,
  FacetAnswer,
  JobPayload,
} from '@silhouette/contracts';
import { estimateTokens, LlmRequestError } from '@silhouette/llm';
import { UnrecoverableJobError } from '@silhouette/queue';
import {
  ContentUnavailableError,
  ConversationStatusRepository,
  FacetRepository,
} from '@silhouette/sealed';
import type { WorkerDeps } from '../worker-deps';

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
  return { facet: scrubbed, redactions };
}

export function tagConversationProcessor(deps: WorkerDeps) {
  return async (payload: JobPayload<'tag-conversation'>): Promise<void> => {
    const { tenantId, conversationId } = payload;
    const statuses = new ConversationStatusRepository(deps.db);
    const facets = new FacetRepository(deps.db);
    const status = await statuses.statusOf(tenantId, conversationId);
    if (status === undefined)
      throw new UnrecoverableJobError('conversation no longer exists (erased)');
    if ((await facets.promptVersionOf(conversationId)) === deps.tagger.promptVersion) {
      await statuses.markTagged(tenantId, conversationId);
      return;
    }
    let conversation;
    try {
      conversation = await deps.store.open(tenantId, conversationId);
    } catch (error) {
      if (error instanceof ContentUnavailableError) throw new UnrecoverableJobError(error.message);
      throw error;
    }
    let result;
    try {
      result = await deps.tagger.tag({ conversationId, messages: conversation.messages });
    } catch (error) {
      // The endpoint refused the request itself (bad key, unknown model): retrying cannot help
      // until the operator fixes the configuration and runs `silhouette retry-failed`.
      if (error instanceof LlmRequestError) throw new UnrecoverableJobError(error.message);
      throw error;
    }
    const { facet, redactions } = scrubFacet(result.facet, deps.scrub);
    await deps.db.transaction(async (tx) => {
      await new FacetRepository(tx).upsert({
        conversationId,
        tenantId,
        promptVersion: result.promptVersion,
        provider: result.provider,
        model: result.model,
        facet,
        stats: conversationStats(conversation.messages),
        redactions,
        promptTokens: result.promptTokens,
        completionTokens: result.completionTokens,
        latencyMs: result.latencyMs,
      });
      await new ConversationStatusRepository(tx).markTagged(tenantId, conversationId);
    });
  };
}
