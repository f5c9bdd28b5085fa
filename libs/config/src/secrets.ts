/**
 * Secrets for embedded mode: generated once into the data directory (mode 0600) when the
 * environment does not provide them. Server mode must provide them explicitly.
 */
import { createHmac, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError, runMode, type Env } from './env';

export interface Secrets {
  masterKey: Buffer;
  masterKeyId: string;
  pseudonymSecret: Buffer;
}

export function decodeKey(name: string, value: string): Buffer {
  const trimmed = value.trim();
  const key = /^[0-9a-fA-F]{64}$/.test(trimmed)
    ? Buffer.from(trimmed, 'hex')
    : Buffer.from(trimmed, 'base64');
  if (key.length !== 32) {
    throw new ConfigError(`${name}: must be 32 bytes encoded as 64 hex characters or base64`);
  }
  return key;
}

interface StoredSecrets {
  masterKey: string;
  pseudonymSecret: string;
  /** Set only while a master-key rotation is under way (see beginStoredMasterKeyRotation). */
  previousMasterKey?: string;
}

const secretsFile = (dataDir: string) => join(dataDir, 'secrets.json');

function loadOrCreateStored(dataDir: string): StoredSecrets {
  const file = secretsFile(dataDir);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as StoredSecrets;
  mkdirSync(dataDir, { recursive: true });
  const stored: StoredSecrets = {
    masterKey: randomBytes(32).toString('base64'),
    pseudonymSecret: randomBytes(32).toString('base64'),
  };
  writeFileSync(file, JSON.stringify(stored), { mode: 0o600 });
  return stored;
}

/** Replaces the secrets file in one rename, so a crash leaves the old or the new file, never half. */
function writeStored(dataDir: string, stored: StoredSecrets): void {
  const file = secretsFile(dataDir);
  const temporary = `${file}.${process.pid}.tmp`;
  writeFileSync(temporary, JSON.stringify(stored), { mode: 0o600 });
  renameSync(temporary, file);
}

export interface MasterKeyPair {
  current: { key: Buffer; id: string };
  previous: { key: Buffer; id: string };
}

/**
 * Embedded mode, master key generated into the data directory: step one of a rotation. Writes a
 * new master key to the secrets file and keeps the old one beside it as `previousMasterKey` until
 * `finishStoredMasterKeyRotation`, so that a crash between the two steps loses neither key (run
 * the rotation again to finish it: it then reuses the pair already on file).
 */
export function beginStoredMasterKeyRotation(dataDir: string): MasterKeyPair {
  const stored = loadOrCreateStored(dataDir);
  if (!stored.previousMasterKey) {
    writeStored(dataDir, {
      ...stored,
      masterKey: randomBytes(32).toString('base64'),
      previousMasterKey: stored.masterKey,
    });
  }
  const pending = loadOrCreateStored(dataDir);
  const current = decodeKey('secrets.json masterKey', pending.masterKey);
  const previous = decodeKey('secrets.json previousMasterKey', pending.previousMasterKey!);
  return {
    current: { key: current, id: masterKeyId(current) },
    previous: { key: previous, id: masterKeyId(previous) },
  };
}

/** Step two: every wrapped key is under the new master key; forget the old one. */
export function finishStoredMasterKeyRotation(dataDir: string): void {
  const { previousMasterKey: _done, ...rest } = loadOrCreateStored(dataDir);
  writeStored(dataDir, rest);
}

/** Resolves the secrets a process needs; `needs` limits what server mode must provide. */
export function resolveSecrets(
  env: Env,
  needs: { master: boolean; pseudonym: boolean },
): Partial<Secrets> {
  const embedded = runMode(env) === 'embedded';
  const stored =
    embedded && (!env.SILHOUETTE_MASTER_KEY || !env.SILHOUETTE_PSEUDONYM_SECRET)
      ? loadOrCreateStored(env.SILHOUETTE_DATA_DIR)
      : undefined;
  const secrets: Partial<Secrets> = {};
  if (needs.master) {
    const raw = env.SILHOUETTE_MASTER_KEY ?? stored?.masterKey;
    if (!raw)
      throw new ConfigError(
        'SILHOUETTE_MASTER_KEY: required in server mode (32 bytes, hex or base64)',
      );
    secrets.masterKey = decodeKey('SILHOUETTE_MASTER_KEY', raw);
    secrets.masterKeyId = masterKeyId(secrets.masterKey);
  }
  if (needs.pseudonym) {
    const raw = env.SILHOUETTE_PSEUDONYM_SECRET ?? stored?.pseudonymSecret;
    if (!raw) {
      throw new ConfigError(
        'SILHOUETTE_PSEUDONYM_SECRET: required in server mode (32 bytes, hex or base64)',
      );
    }
    secrets.pseudonymSecret = decodeKey('SILHOUETTE_PSEUDONYM_SECRET', raw);
  }
  return secrets;
}

/** A non-secret fingerprint of the master key, stored with wrapped keys so rotation is visible. */
export function masterKeyId(masterKey: Buffer): string {
  return `mk-${createFingerprint(masterKey)}`;
}

function createFingerprint(key: Buffer): string {
  // HMAC with a fixed label: identifies the key without revealing anything usable about it.
  return createHmac('sha256', key).update('silhouette-master-key-id').digest('hex').slice(0, 16);
}
