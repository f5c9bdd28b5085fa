/**
 * After migrating: conversation ids stored in clear before migration 0008 are replaced by their
 * pseudonyms where their content is gone (libs/sealed, LegacyIdentifierRepository). Needs the
 * pseudonym secret; server-mode `migrate` runs without it are told what is left.
 */
import { ConfigError, resolveSecrets, type Env } from '@silhouette/config';
import type { Database } from '@silhouette/db';
import { Pseudonymizer } from '@silhouette/ingest';
import { LegacyIdentifierRepository, type LegacyRekeying } from '@silhouette/sealed';

export async function rekeyLegacyIds(
  env: Env,
  ownerDb: Database,
): Promise<LegacyRekeying | { skipped: string }> {
  let pseudonymizer: Pseudonymizer;
  try {
    pseudonymizer = new Pseudonymizer(
      resolveSecrets(env, { master: false, pseudonym: true }).pseudonymSecret!,
    );
  } catch (error) {
    if (error instanceof ConfigError) return { skipped: error.message };
    throw error;
  }
  return new LegacyIdentifierRepository(ownerDb).rekey((tenantId, externalId) =>
    pseudonymizer.conversationPseudonym(tenantId, externalId),
  );
}
