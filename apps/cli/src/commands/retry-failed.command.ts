import type { Env } from '@silhouette/config';
import { ConversationStatusRepository } from '@silhouette/sealed';
import { drainIfEmbedded, requireTenant, withRuntime } from '../with-runtime';

/** `silhouette retry-failed [--tenant SLUG]`: dead-lettered conversations go back to the queue. */
export async function retryFailedCommand(
  env: Env,
  flags: { tenant?: string; json?: boolean },
): Promise<void> {
  await withRuntime(env, 'retry-failed', {}, async (runtime) => {
    const tenant = flags.tenant ? await requireTenant(runtime, flags.tenant) : undefined;
    const reset = await new ConversationStatusRepository(runtime.ownerDb).resetFailed(tenant?.id);
    // Failed BullMQ jobs keep their ids: retry them in place, then enqueue (deduped) for the rest.
    // With --tenant, only that tenant's dead letters (their payloads carry the tenant id).
    const retriedJobs = await runtime.queue.retryDeadLetters(tenant ? { tenantId: tenant.id } : {});
    await runtime.queue.enqueueMany('tag-conversation', reset);
    await drainIfEmbedded(runtime);
    if (flags.json)
      console.log(JSON.stringify({ conversations: reset.length, jobs_retried: retriedJobs }));
    else console.log(`re-enqueued ${reset.length} failed conversation(s)`);
  });
}
