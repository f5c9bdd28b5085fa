/**
 * Per-tenant sealing keys. Each tenant has X25519 key pairs (key_id 1, 2, … for rotation): the
 * public half lives in app.tenant_sealing_keys for the API to seal with; the private half is
 * wrapped with AES-256-GCM under the master key and lives in sealed.tenant_private_keys.
 */
import {
  createCipheriv,
  createDecipheriv,
  createPrivateKey,
  generateKeyPairSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { x25519RawPublicKey } from '@silhouette/contracts';
import { toBuffer, type Queryable } from '@silhouette/db';

export interface MasterKey {
  key: Buffer;
  id: string;
}

export class SealedKeyError extends Error {
  readonly code = 'sealed_key_error';
}

/** nonce(12) || tag(16) || ciphertext */
export function wrapWithMasterKey(master: MasterKey, plaintext: Buffer, aad: string): Buffer {
  const nonce = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', master.key, nonce);
  cipher.setAAD(Buffer.from(aad, 'utf8'));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, cipher.getAuthTag(), ciphertext]);
}

export function unwrapWithMasterKey(master: MasterKey, wrapped: Buffer, aad: string): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', master.key, wrapped.subarray(0, 12));
  decipher.setAAD(Buffer.from(aad, 'utf8'));
  decipher.setAuthTag(wrapped.subarray(12, 28));
  try {
    return Buffer.concat([decipher.update(wrapped.subarray(28)), decipher.final()]);
  } catch {
    throw new SealedKeyError(
      'a tenant key could not be unwrapped: wrong master key or corrupted key row',
    );
  }
}

const keyAad = (tenantId: string, keyId: number) => `tenant-key\u0000${tenantId}\u0000${keyId}`;

export class TenantKeyring {
  private readonly privateKeys = new Map<string, { privateKey: KeyObject; publicKey: Buffer }>();

  constructor(private readonly master: MasterKey) {}

  /** Creates the next key pair for a tenant and makes it the active one (rotation). */
  async createKey(tx: Queryable, tenantId: string): Promise<number> {
    const { publicKey, privateKey } = generateKeyPairSync('x25519');
    const next = await tx.query<{ key_id: number }>(
      'SELECT coalesce(max(key_id), 0) + 1 AS key_id FROM app.tenant_sealing_keys WHERE tenant_id = $1',
      [tenantId],
    );
    const keyId = Number(next.rows[0]?.key_id ?? 1);
    await tx.query(
      'UPDATE app.tenant_sealing_keys SET active = false WHERE tenant_id = $1 AND active',
      [tenantId],
    );
    await tx.query(
      'INSERT INTO app.tenant_sealing_keys (tenant_id, key_id, public_key) VALUES ($1, $2, $3)',
      [tenantId, keyId, x25519RawPublicKey(publicKey)],
    );
    const der = privateKey.export({ format: 'der', type: 'pkcs8' });
    await tx.query(
      `INSERT INTO sealed.tenant_private_keys (tenant_id, key_id, wrapped_private_key, master_key_id)
       VALUES ($1, $2, $3, $4)`,
      [
        tenantId,
        keyId,
        wrapWithMasterKey(this.master, der, keyAad(tenantId, keyId)),
        this.master.id,
      ],
    );
    return keyId;
  }

  /**
   * Tenant key rotation: a new active key pair for sealing new conversations. Older keys stay, so
   * conversations sealed with them still open by their stored key id. Refuses (SealedKeyError) when
   * this master key cannot open the current key: the new key would be wrapped where the workers,
   * configured with the right master key, could not open it.
   */
  async rotate(tx: Queryable, tenantId: string): Promise<number> {
    const active = await tx.query<{ key_id: number }>(
      'SELECT key_id FROM app.tenant_sealing_keys WHERE tenant_id = $1 AND active',
      [tenantId],
    );
    const current = active.rows[0];
    if (current) await this.privateKey(tx, tenantId, Number(current.key_id));
    return this.createKey(tx, tenantId);
  }

  /** The private key for (tenant, key id), unwrapped once and cached in memory. */
  async privateKey(
    db: Queryable,
    tenantId: string,
    keyId: number,
  ): Promise<{ privateKey: KeyObject; publicKey: Buffer }> {
    const cacheKey = `${tenantId}/${keyId}`;
    const cached = this.privateKeys.get(cacheKey);
    if (cached) return cached;
    const result = await db.query<{
      wrapped_private_key: unknown;
      master_key_id: string;
      public_key: unknown;
    }>(
      `SELECT p.wrapped_private_key, p.master_key_id, s.public_key
         FROM sealed.tenant_private_keys p
         JOIN app.tenant_sealing_keys s USING (tenant_id, key_id)
        WHERE p.tenant_id = $1 AND p.key_id = $2`,
      [tenantId, keyId],
    );
    const row = result.rows[0];
    if (!row) throw new SealedKeyError(`no sealing key ${keyId} for this tenant`);
    if (row.master_key_id !== this.master.id) {
      throw new SealedKeyError(
        `sealing key ${keyId} is wrapped by master key ${row.master_key_id}, not the configured ${this.master.id}`,
      );
    }
    const der = unwrapWithMasterKey(
      this.master,
      toBuffer(row.wrapped_private_key),
      keyAad(tenantId, keyId),
    );
    const entry = {
      privateKey: createPrivateKey({ key: der, format: 'der', type: 'pkcs8' }),
      publicKey: toBuffer(row.public_key),
    };
    this.privateKeys.set(cacheKey, entry);
    return entry;
  }

  /** How many private keys are wrapped by a master key other than this keyring's, by key id. */
  async wrappedByOtherMasterKeys(db: Queryable): Promise<{ masterKeyId: string; keys: number }[]> {
    const result = await db.query<{ master_key_id: string; keys: number }>(
      `SELECT master_key_id, count(*)::int AS keys FROM sealed.tenant_private_keys
        WHERE master_key_id <> $1 GROUP BY master_key_id ORDER BY master_key_id`,
      [this.master.id],
    );
    return result.rows.map((row) => ({ masterKeyId: row.master_key_id, keys: Number(row.keys) }));
  }

  /** Re-wraps every private key wrapped by `previous` under this keyring's master key. */
  async rewrapFrom(db: Queryable, previous: MasterKey): Promise<number> {
    const rows = await db.query<{
      tenant_id: string;
      key_id: number;
      wrapped_private_key: unknown;
    }>(
      'SELECT tenant_id, key_id, wrapped_private_key FROM sealed.tenant_private_keys WHERE master_key_id = $1',
      [previous.id],
    );
    for (const row of rows.rows) {
      const aad = keyAad(row.tenant_id, Number(row.key_id));
      const der = unwrapWithMasterKey(previous, toBuffer(row.wrapped_private_key), aad);
      await db.query(
        `UPDATE sealed.tenant_private_keys SET wrapped_private_key = $3, master_key_id = $4
          WHERE tenant_id = $1 AND key_id = $2`,
        [row.tenant_id, row.key_id, wrapWithMasterKey(this.master, der, aad), this.master.id],
      );
    }
    return rows.rows.length;
  }
}
