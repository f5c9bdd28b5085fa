import type { Env } from '@silhouette/config';
import { backlogEstimate } from '@silhouette/api';
import { requireTenant, withRuntime } from '../with-runtime';

const usd = (value: number | null) => (value === null ? 'unpriced' : `$${value.toFixed(4)}`);

/**
 * `silhouette estimate --tenant SLUG [--json]`: tokens and cost of tagging the tenant's backlog,
 * naming and auditing, before anything is sent (the same figures as `GET /v1/admin/estimate`).
 */
export async function estimateCommand(
  env: Env,
  flags: { tenant?: string; json?: boolean },
): Promise<void> {
  await withRuntime(env, 'estimate', {}, async (runtime) => {
    const tenant = await requireTenant(runtime, flags.tenant);
    const estimate = await backlogEstimate(runtime.apiDb, env, tenant.id);
    if (flags.json) {
      console.log(JSON.stringify({ tenant: tenant.slug, ...estimate }));
      return;
    }
    const { backlog } = estimate;
    console.log(`tenant ${tenant.slug} (${estimate.provider})`);
    console.log(
      `  backlog: ${backlog.conversations} conversations, ${backlog.in_sample} in the sample (rate ${backlog.sample_rate})`,
    );
    for (const line of estimate.lines)
      console.log(
        `  ${line.task.padEnd(6)} ${line.model}: ${line.calls} calls, ${line.prompt_tokens} prompt + ${line.completion_tokens} completion tokens, ${usd(line.usd)}`,
      );
    console.log(
      `  total: ${estimate.total.prompt_tokens} prompt + ${estimate.total.completion_tokens} completion tokens, ${usd(estimate.total.usd)}`,
    );
    if (estimate.unpriced_models.length)
      console.log(`  no price for: ${estimate.unpriced_models.join(', ')} (set LLM_PRICES)`);
    for (const assumption of estimate.assumptions) console.log(`  - ${assumption}`);
  });
}
