/**
 * Counts what a clustering run's model calls (naming, hierarchy, privacy auditor) and embedding
 * requests cost, per task and model, so the run can record them against its tenant. The
 * process's client and embedder are shared by every tenant; wrapping them per run keeps each
 * tenant's spend apart.
 */
import { OpenAiEmbedder, type Embedder } from '@silhouette/clustering';
import { estimateTokens, type LlmCall } from '@silhouette/llm';
import type { WorkerDeps } from '../worker-deps';
import type { BudgetGuard, ModelUsage } from './budget-guard';

export class RunSpend {
  private readonly usage = new Map<string, ModelUsage>();

  private add(task: string, model: string, calls: number, prompt: number, completion: number) {
    const key = `${task}\u0000${model}`;
    const entry = this.usage.get(key) ?? {
      task,
      model,
      calls: 0,
      promptTokens: 0,
      completionTokens: 0,
    };
    entry.calls += calls;
    entry.promptTokens += prompt;
    entry.completionTokens += completion;
    this.usage.set(key, entry);
  }

  /**
   * An endpoint embedder whose requests count here. Its tokens are estimated from the texts as
   * the cost estimate counts them (the embedder does not return the server's usage); offline
   * embedders send nothing and are returned as they are.
   */
  private trackEmbedder(embedder: Embedder): Embedder {
    if (!(embedder instanceof OpenAiEmbedder)) return embedder;
    return {
      model: embedder.model,
      dimension: embedder.dimension,
      embed: async (texts) => {
        const vectors = await embedder.embed(texts);
        this.add(
          'embed',
          embedder.model,
          Math.ceil(texts.length / embedder.batchSize),
          texts.reduce((sum, text) => sum + estimateTokens(text.length === 0 ? ' ' : text), 0),
          0,
        );
        return vectors;
      },
    };
  }

  /** `deps` whose cluster LLM and embedder count their calls here (unchanged offline). */
  track(deps: WorkerDeps): WorkerDeps {
    const embedderFor: WorkerDeps['embedderFor'] = async (texts, previousState) => {
      const made = await deps.embedderFor(texts, previousState);
      return { ...made, embedder: this.trackEmbedder(made.embedder) };
    };
    if (!deps.clusterLlm) return { ...deps, embedderFor };
    const inner = deps.clusterLlm.client;
    const client: LlmCall = {
      complete: async (request) => {
        const result = await inner.complete(request);
        if (!result.cached)
          this.add(
            request.task,
            request.model,
            1,
            result.usage.promptTokens,
            result.usage.completionTokens,
          );
        return result;
      },
    };
    return { ...deps, embedderFor, clusterLlm: { ...deps.clusterLlm, client } };
  }

  async record(budget: BudgetGuard, tenantId: string): Promise<void> {
    for (const usage of this.usage.values()) await budget.record(tenantId, usage);
    this.usage.clear();
  }
}

/**
 * A tenant job whose model calls are recorded as the tenant's spend when it ends (succeeded or
 * not: the calls were made either way). The processor is built per job around tracking deps.
 */
export function withRunSpend<P extends { tenantId: string }, C>(
  deps: WorkerDeps,
  budget: BudgetGuard,
  processor: (deps: WorkerDeps) => (payload: P, context: C) => Promise<void>,
): (payload: P, context: C) => Promise<void> {
  return async (payload, context) => {
    const spend = new RunSpend();
    try {
      await processor(spend.track(deps))(payload, context);
    } finally {
      await spend.record(budget, payload.tenantId);
    }
  };
}
