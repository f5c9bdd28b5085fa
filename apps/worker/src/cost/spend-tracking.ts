/**
 * Counts what a clustering run's model calls (naming, hierarchy, privacy auditor) cost, per task
 * and model, so the run can record them against its tenant. The process's client is shared by
 * every tenant; wrapping it per run keeps each tenant's spend apart.
 */
import type { LlmCall } from '@silhouette/llm';
import type { WorkerDeps } from '../worker-deps';
import type { BudgetGuard, ModelUsage } from './budget-guard';

export class RunSpend {
  private readonly usage = new Map<string, ModelUsage>();

  /** `deps` whose cluster LLM counts its calls here (unchanged offline). */
  track(deps: WorkerDeps): WorkerDeps {
    if (!deps.clusterLlm) return deps;
    const inner = deps.clusterLlm.client;
    const client: LlmCall = {
      complete: async (request) => {
        const result = await inner.complete(request);
        if (!result.cached) {
          const key = `${request.task}\u0000${request.model}`;
          const entry = this.usage.get(key) ?? {
            task: request.task,
            model: request.model,
            calls: 0,
            promptTokens: 0,
            completionTokens: 0,
          };
          entry.calls += 1;
          entry.promptTokens += result.usage.promptTokens;
          entry.completionTokens += result.usage.completionTokens;
          this.usage.set(key, entry);
        }
        return result;
      },
    };
    return { ...deps, clusterLlm: { ...deps.clusterLlm, client } };
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
