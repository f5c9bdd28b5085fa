/**
 * `silhouette keys rotate-master [--json]`: re-wraps every tenant's private sealing keys under a
 * new master key. Where the keys come from follows the configuration of the master key itself:
 *
 * - SILHOUETTE_MASTER_KEY set (server mode, or embedded with an explicit key): set it to the NEW
 *   key and SILHOUETTE_PREVIOUS_MASTER_KEY to the old one, run this, then restart the workers with
 *   the new key (a worker still holding the old key cannot open keys it has not cached yet).
 * - Embedded mode with the generated key in SILHOUETTE_DATA_DIR/secrets.json: a new key is
 *   generated and stored there; the old one is kept beside it until the re-wrap has committed, so
 *   an interrupted rotation is finished by running the command again.
 *
 * Nothing here prints or logs key material: only key ids (non-secret fingerprints) and counts.
 */
import {
  beginStoredMasterKeyRotation,
  decodeKey,
  finishStoredMasterKeyRotation,
  masterKeyId,
  runMode,
  type Env,
  type MasterKeyPair,
} from '@silhouette/config';
import { TenantKeyring } from '@silhouette/sealed';
import { InputError, UsageError } from '../cli-error';
import { masterKeyFrom } from '../runtime';
import { withRuntime } from '../with-runtime';

const USAGE = 'usage: silhouette keys rotate-master [--json]';

function masterKeysForRotation(env: Env): MasterKeyPair & { stored: boolean } {
  if (env.SILHOUETTE_PREVIOUS_MASTER_KEY) {
    const previous = decodeKey(
      'SILHOUETTE_PREVIOUS_MASTER_KEY',
      env.SILHOUETTE_PREVIOUS_MASTER_KEY,
    );
    return {
      current: masterKeyFrom(env),
      previous: { key: previous, id: masterKeyId(previous) },
      stored: false,
    };
  }
  if (runMode(env) === 'embedded' && !env.SILHOUETTE_MASTER_KEY) {
    return { ...beginStoredMasterKeyRotation(env.SILHOUETTE_DATA_DIR), stored: true };
  }
  throw new UsageError(
    'keys rotate-master: set SILHOUETTE_MASTER_KEY to the new key and SILHOUETTE_PREVIOUS_MASTER_KEY to the key it replaces',
  );
}

export async function keysCommand(
  env: Env,
  args: string[],
  flags: { json?: boolean },
): Promise<void> {
  const [action, ...rest] = args;
  if (action !== 'rotate-master' || rest.length > 0) throw new UsageError(USAGE);
  await withRuntime(env, 'keys rotate-master', {}, async (runtime) => {
    const keys = masterKeysForRotation(env);
    if (keys.current.id === keys.previous.id) {
      throw new InputError(
        'SILHOUETTE_PREVIOUS_MASTER_KEY: same key as SILHOUETTE_MASTER_KEY, nothing to rotate',
      );
    }
    const keyring = new TenantKeyring(keys.current);
    // One transaction: every key moves to the new master key, or none does.
    const rewrapped = await runtime.ownerDb.transaction((tx) =>
      keyring.rewrapFrom(tx, keys.previous),
    );
    if (keys.stored) finishStoredMasterKeyRotation(env.SILHOUETTE_DATA_DIR);
    const others = await keyring.wrappedByOtherMasterKeys(runtime.ownerDb);
    if (flags.json) {
      console.log(
        JSON.stringify({
          master_key_id: keys.current.id,
          previous_master_key_id: keys.previous.id,
          rewrapped,
          wrapped_by_other_master_keys: others.map((o) => ({
            master_key_id: o.masterKeyId,
            keys: o.keys,
          })),
        }),
      );
    } else {
      console.log(
        `re-wrapped ${rewrapped} tenant key(s) from ${keys.previous.id} to ${keys.current.id}`,
      );
      for (const other of others) {
        console.log(
          `warning: ${other.keys} key(s) are wrapped by another master key, ${other.masterKeyId}`,
        );
      }
    }
  });
}
