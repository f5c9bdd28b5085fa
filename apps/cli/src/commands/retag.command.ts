import type { Env } from '@silhouette/config';
import { CustomFacetRepository, type Queryable } from '@silhouette/db';
import { taggerPromptVersion, type FacetTagger } from '@silhouette/llm';
import type { QueueDriver } from '@silhouette/queue';
import { ConversationStatusRepository } from '@silhouette/sealed';
import { createTagger } from '../providers';
import { drainIfEmbedded, requireTenant, withRuntime } from '../with-runtime';

const PAGE = 1000;

/**
 * Enqueues a tag job for every retained conversation of the tenant whose facet row came from
 * another prompt version (or is missing). The version includes the tenant's custom facet
 * definitions, so changing one makes every earlier row re-taggable.
 */
export async function enqueueRetag(options: {
  db: Queryable;
  queue: QueueDriver;
  tagger: Pick<FacetTagger, 'promptVersion' | 'promptVersionFor'>;
  tenantId: string;
}): Promise<{ enqueued: number; promptVersion: string }> {
  const customFacets = await new CustomFacetRepository(options.db).list(options.tenantId);
  const promptVersion = taggerPromptVersion(options.tagger, customFacets);
  const statuses = new ConversationStatusRepository(options.db);
  let afterId: string | null = null;
  let enqueued = 0;
  for (;;) {
    const ids: string[] = await statuses.retaggable(options.tenantId, promptVersion, afterId, PAGE);
    if (ids.length === 0) break;
    await options.queue.enqueueMany(
      'tag-conversation',
      ids.map((conversationId) => ({ tenantId: options.tenantId, conversationId })),
    );
    enqueued += ids.length;
    afterId = ids[ids.length - 1]!;
  }
  return { enqueued, promptVersion };
}

/**
 * `silhouette retag --tenant SLUG [--json]`: see `enqueueRetag`. Only conversations whose content
 * is still retained can be re-tagged: with the default retention (delete once tagged) there is
 * nothing left, so set `retention_days` on the tenant to keep content for re-tagging.
 */
export async function retagCommand(
  env: Env,
  flags: { tenant?: string; json?: boolean },
): Promise<void> {
  await withRuntime(env, 'retag', {}, async (runtime) => {
    const tenant = await requireTenant(runtime, flags.tenant);
    const { enqueued, promptVersion } = await enqueueRetag({
      db: runtime.ownerDb,
      queue: runtime.queue,
      tagger: createTagger(env),
      tenantId: tenant.id,
    });
    await drainIfEmbedded(runtime);
    if (flags.json) console.log(JSON.stringify({ enqueued, prompt_version: promptVersion }));
    else
      console.log(
        `enqueued ${enqueued} conversation(s) for re-tagging with prompt version ${promptVersion}`,
      );
  });
}
