import type { Env } from '@silhouette/config';
import { provisionTenant, TenantExistsError, InvalidTenantError } from '@silhouette/sealed';
import { InputError, UsageError } from '../cli-error';
import { keyringFrom } from '../runtime';
import { withRuntime } from '../with-runtime';

/** `silhouette tenant create SLUG [--name NAME] [--json]`: prints the new keys (shown once). */
export async function tenantCommand(
  env: Env,
  args: string[],
  flags: { name?: string; json?: boolean },
): Promise<void> {
  const [action, slug] = args;
  if (action !== 'create')
    throw new UsageError('usage: silhouette tenant create SLUG [--name NAME] [--json]');
  if (!slug) throw new UsageError('tenant create: SLUG is required');
  await withRuntime(env, 'tenant create', {}, async (runtime) => {
    try {
      const created = await provisionTenant(runtime.ownerDb, keyringFrom(env), {
        slug,
        ...(flags.name ? { name: flags.name } : {}),
        kUsers: env.K_USERS,
        minConversations: env.MIN_CONVERSATIONS,
      });
      if (flags.json) {
        console.log(
          JSON.stringify({
            tenant: created.tenant.slug,
            admin_key: created.adminKey,
            ingest_key: created.ingestKey,
            read_key: created.readKey,
          }),
        );
      } else {
        console.log(
          `tenant ${created.tenant.slug} created; store these keys now, they are not shown again:`,
        );
        console.log(`  admin key:  ${created.adminKey}`);
        console.log(`  ingest key: ${created.ingestKey}`);
        console.log(`  read key:   ${created.readKey}`);
      }
    } catch (error) {
      if (error instanceof TenantExistsError || error instanceof InvalidTenantError)
        throw new InputError(error.message);
      throw error;
    }
  });
}
