/**
 * Token, call and cost counters per (task, model). Pure numbers: safe to export as metrics.
 */

/** USD per one million tokens. */
export interface ModelPrice {
  inputPerMillion: number;
  outputPerMillion: number;
}

export type PriceTable = Record<string, ModelPrice>;

export interface UsageCounters {
  /** `complete()` invocations (cache hits included). */
  calls: number;
  /** HTTP requests sent (first tries, retries and repairs). */
  requests: number;
  retries: number;
  repairs: number;
  /** Over-long fields cut to their limit instead of failing the answer. */
  coercions: number;
  cacheHits: number;
  /** `complete()` invocations that threw. */
  errors: number;
  promptTokens: number;
  completionTokens: number;
}

export interface UsageStatsRow extends UsageCounters {
  task: string;
  model: string;
  /** undefined when the price table has no entry for the model. */
  costUsd: number | undefined;
}

export interface UsageStats {
  rows: UsageStatsRow[];
  totals: UsageCounters & { costUsd: number; unpricedModels: string[] };
}

export function emptyCounters(): UsageCounters {
  return {
    calls: 0,
    requests: 0,
    retries: 0,
    repairs: 0,
    coercions: 0,
    cacheHits: 0,
    errors: 0,
    promptTokens: 0,
    completionTokens: 0,
  };
}

export function costUsd(
  price: ModelPrice | undefined,
  promptTokens: number,
  completionTokens: number,
): number | undefined {
  if (!price) return undefined;
  return (
    (promptTokens * price.inputPerMillion + completionTokens * price.outputPerMillion) / 1_000_000
  );
}

export class UsageLedger {
  private readonly counters = new Map<string, { task: string; model: string; c: UsageCounters }>();

  constructor(private readonly prices: PriceTable = {}) {}

  /** Mutable counters for one (task, model). */
  for(task: string, model: string): UsageCounters {
    const key = `${task}\u0000${model}`;
    let entry = this.counters.get(key);
    if (!entry) {
      entry = { task, model, c: emptyCounters() };
      this.counters.set(key, entry);
    }
    return entry.c;
  }

  snapshot(): UsageStats {
    const rows: UsageStatsRow[] = [...this.counters.values()]
      .map(({ task, model, c }) => ({
        task,
        model,
        ...c,
        costUsd: costUsd(this.prices[model], c.promptTokens, c.completionTokens),
      }))
      .sort((a, b) => a.task.localeCompare(b.task) || a.model.localeCompare(b.model));
    const totals = { ...emptyCounters(), costUsd: 0, unpricedModels: [] as string[] };
    for (const row of rows) {
      for (const key of Object.keys(emptyCounters()) as (keyof UsageCounters)[]) {
        totals[key] += row[key];
      }
      if (row.costUsd === undefined) {
        if (!totals.unpricedModels.includes(row.model)) totals.unpricedModels.push(row.model);
      } else {
        totals.costUsd += row.costUsd;
      }
    }
    return { rows, totals };
  }
}
