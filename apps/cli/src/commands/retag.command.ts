import type { Env } from '@silhouette/config';
import { ConversationStatusRepository } from '@silhouette/sealed';
import { createTagger } from '../providers';
import { drainIfEmbedded, requireTenant, withRuntime } from '../with-runtime';

const PAGE = 1000;

/**
 * `silhouette retag --tenant SLUG [--json]`: enqueues a tag job for every conversation whose
 * facet row came from another prompt version (or is missing), as long as its content is still
 * retained. With the default retention (delete once tagged) there is nothing left to re-tag:
 * set `retention_days` on the tenant to keep content for re-tagging.
 */
export async function retagCommand(
  env: Env,
  flags: { tenant?: string; json?: boolean },
): Promise<void> {
  await withRuntime(env, 'retag', {}, async (runtime) => {
    const tenant = await requireTenant(runtime, flags.tenant);
    const promptVersion = createTagger(env).promptVersion;
    const statuses = new ConversationStatusRepository(runtime.ownerDb);
    let afterId: string | null = null;
    let enqueued = 0;
    for (;;) {
      const ids: string[] = await statuses.retaggable(tenant.id, promptVersion, afterId, PAGE);
      if (ids.length === 0) break;
      await runtime.queue.enqueueMany(
        'tag-conversation',
        ids.map((conversationId) => ({ tenantId: tenant.id, conversationId })),
      );
      enqueued += ids.length;
      afterId = ids[ids.length - 1]!;
    }
    await drainIfEmbedded(runtime);
    if (flags.json) console.log(JSON.stringify({ enqueued, prompt_version: promptVersion }));
    else
      console.log(
        `enqueued ${enqueued} conversation(s) for re-tagging with prompt version ${promptVersion}`,
      );
  });
}
