import type { Env } from '@silhouette/config';
import { provisionTenant, TenantExistsError, InvalidTenantError } from '@silhouette/sealed';
import { InputError, UsageError } from '../cli-error';
import { keyringFrom } from '../runtime';
import { requireTenant, withRuntime } from '../with-runtime';

const USAGE =
  'usage: silhouette tenant create SLUG [--name NAME] [--json] | tenant rotate-key SLUG [--json]';

/**
 * `silhouette tenant create SLUG [--name NAME] [--json]`: prints the new keys (shown once).
 * `silhouette tenant rotate-key SLUG [--json]`: a new sealing key for new conversations.
 */
export async function tenantCommand(
  env: Env,
  args: string[],
  flags: { name?: string; json?: boolean },
): Promise<void> {
  const [action, slug] = args;
  if (action !== 'create' && action !== 'rotate-key') throw new UsageError(USAGE);
  if (!slug) throw new UsageError(`tenant ${action}: SLUG is required`);
  if (action === 'rotate-key') return rotateKey(env, slug, flags);
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

/**
 * The API seals new conversations with the tenant's active public key, read per batch, so the
 * new key applies at once. Older conversations keep their key id and the worker opens them with
 * the matching private key, which stays (wrapped by the master key) in sealed.tenant_private_keys.
 */
async function rotateKey(env: Env, slug: string, flags: { json?: boolean }): Promise<void> {
  await withRuntime(env, 'tenant rotate-key', {}, async (runtime) => {
    const tenant = await requireTenant(runtime, slug);
    const keyring = keyringFrom(env);
    const keyId = await runtime.ownerDb.transaction((tx) => keyring.rotate(tx, tenant.id));
    if (flags.json) console.log(JSON.stringify({ tenant: tenant.slug, key_id: keyId }));
    else
      console.log(
        `tenant ${tenant.slug}: new conversations are sealed with key ${keyId}; earlier ones still open with their own key`,
      );
  });
}
