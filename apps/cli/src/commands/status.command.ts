import type { Env } from '@silhouette/config';
import { PipelineStatusRepository } from '@silhouette/db';
import { ConversationStatusRepository } from '@silhouette/sealed';
import { requireTenant, withRuntime } from '../with-runtime';

/** `silhouette status --tenant SLUG [--json]`: pipeline counts and the latest dead-letter reasons. */
export async function statusCommand(
  env: Env,
  flags: { tenant?: string; json?: boolean },
): Promise<void> {
  await withRuntime(env, 'status', {}, async (runtime) => {
    const tenant = await requireTenant(runtime, flags.tenant);
    const status = await new PipelineStatusRepository(runtime.ownerDb).forTenant(tenant.id);
    const failures = await new ConversationStatusRepository(runtime.ownerDb).failures(
      tenant.id,
      10,
    );
    const pending = status.accepted;
    const summary = {
      tenant: tenant.slug,
      accepted: status.total,
      tagged: status.tagged + status.embedded,
      embedded: status.embedded,
      failed: status.failed,
      pending,
      waiting_for_idle: status.waitingForIdle,
      paused_budget: status.pausedBudget,
      not_sampled: status.notSampled,
      content_deleted: status.contentDeleted,
      recent_failures: failures.map((failure) => ({
        conversation_id: failure.conversationId,
        reason: failure.reason,
        at: failure.at.toISOString(),
      })),
    };
    if (flags.json) {
      console.log(JSON.stringify(summary));
      return;
    }
    console.log(`tenant ${tenant.slug}`);
    console.log(
      `  accepted: ${summary.accepted}  tagged: ${summary.tagged}  embedded: ${summary.embedded}  failed: ${summary.failed}  pending: ${summary.pending}  waiting_for_idle: ${summary.waiting_for_idle}  paused_budget: ${summary.paused_budget}  not_sampled: ${summary.not_sampled}`,
    );
    console.log(`  content deleted by retention: ${summary.content_deleted}`);
    for (const failure of summary.recent_failures)
      console.log(`  failed ${failure.conversation_id}: ${failure.reason ?? 'unknown'}`);
  });
}
