import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseEnv } from './env';
import {
  beginStoredMasterKeyRotation,
  finishStoredMasterKeyRotation,
  resolveSecrets,
} from './secrets';

describe('stored master-key rotation (embedded mode)', () => {
  let dataDir: string | undefined;
  afterEach(() => {
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps the old key beside the new one until finished, and resumes an interrupted rotation', () => {
    dataDir = mkdtempSync(join(tmpdir(), 'silhouette-secrets-'));
    const env = parseEnv({ SILHOUETTE_DATA_DIR: dataDir });
    const original = resolveSecrets(env, { master: true, pseudonym: true });

    const first = beginStoredMasterKeyRotation(dataDir);
    expect(first.previous.id).toBe(original.masterKeyId);
    expect(first.current.id).not.toBe(original.masterKeyId);
    // The new key is what every process now uses; the pseudonym secret is untouched.
    const during = resolveSecrets(env, { master: true, pseudonym: true });
    expect(during.masterKeyId).toBe(first.current.id);
    expect(during.pseudonymSecret).toEqual(original.pseudonymSecret);

    // A crash before finishing: running again reuses the same pair instead of a third key.
    const again = beginStoredMasterKeyRotation(dataDir);
    expect(again.current.id).toBe(first.current.id);
    expect(again.previous.id).toBe(first.previous.id);

    finishStoredMasterKeyRotation(dataDir);
    const file = join(dataDir, 'secrets.json');
    expect(Object.keys(JSON.parse(readFileSync(file, 'utf8'))).sort()).toEqual([
      'masterKey',
      'pseudonymSecret',
    ]);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(resolveSecrets(env, { master: true, pseudonym: false }).masterKeyId).toBe(
      first.current.id,
    );
  });
});
