/**
 * Creating a tenant needs the master key (to wrap its first sealing key), so it is an operator
 * action on the sealed side (CLI, embedded start), never an API call.
 */
import {
  ApiKeyRepository,
  TENANT_SLUG,
  TenantRepository,
  type Database,
  type Tenant,
} from '@silhouette/db';
import type { TenantKeyring } from './keyring';

export interface ProvisionedTenant {
  tenant: Tenant;
  adminKey: string;
  ingestKey: string;
  readKey: string;
}

export class TenantExistsError extends Error {
  readonly code = 'tenant_exists';
}

export class InvalidTenantError extends Error {
  readonly code = 'invalid_tenant';
}

export async function provisionTenant(
  db: Database,
  keyring: TenantKeyring,
  input: { slug: string; name?: string; kUsers: number; minConversations: number },
): Promise<ProvisionedTenant> {
  if (!TENANT_SLUG.test(input.slug)) {
    throw new InvalidTenantError(
      'slug: use 2-63 lowercase letters, digits and dashes, starting with a letter or digit',
    );
  }
  return db.transaction(async (tx) => {
    const tenants = new TenantRepository(tx);
    if (await tenants.findBySlug(input.slug))
      throw new TenantExistsError(`tenant "${input.slug}" already exists`);
    const tenant = await tenants.insert({
      slug: input.slug,
      name: input.name ?? input.slug,
      kUsers: input.kUsers,
      minConversations: input.minConversations,
    });
    await keyring.createKey(tx, tenant.id);
    const keys = new ApiKeyRepository(tx);
    const admin = await keys.create(tenant.id, 'admin', 'created with the tenant');
    const ingest = await keys.create(tenant.id, 'ingest', 'created with the tenant');
    const read = await keys.create(tenant.id, 'read', 'created with the tenant');
    return { tenant, adminKey: admin.key, ingestKey: ingest.key, readKey: read.key };
  });
}
