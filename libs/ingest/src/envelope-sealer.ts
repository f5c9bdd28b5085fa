/**
 * The sealing half of the envelope (see contracts/envelope.ts). Holds only the tenant's public
 * key: whoever runs this (the API) can seal new content but can never open it again.
 */
import { createCipheriv, diffieHellman, generateKeyPairSync, randomBytes } from 'node:crypto';
import {
  deriveEnvelopeKey,
  envelopeAad,
  ENVELOPE_NONCE_BYTES,
  x25519PublicKeyFromRaw,
  x25519RawPublicKey,
  type SealedPayload,
} from '@silhouette/contracts';

export interface SealedRecord {
  nonce: Buffer;
  /** AES-256-GCM ciphertext with the 16-byte tag appended. */
  ciphertext: Buffer;
}

export class EnvelopeBatch {
  readonly ephemeralPublicKey: Buffer;
  private readonly key: Buffer;

  constructor(
    private readonly tenantId: string,
    recipientPublicKey: Buffer,
  ) {
    const ephemeral = generateKeyPairSync('x25519');
    this.ephemeralPublicKey = x25519RawPublicKey(ephemeral.publicKey);
    const shared = diffieHellman({
      privateKey: ephemeral.privateKey,
      publicKey: x25519PublicKeyFromRaw(recipientPublicKey),
    });
    this.key = deriveEnvelopeKey(shared, this.ephemeralPublicKey, recipientPublicKey);
  }

  seal(externalId: string, payload: SealedPayload): SealedRecord {
    const nonce = randomBytes(ENVELOPE_NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(envelopeAad(this.tenantId, externalId));
    const ciphertext = Buffer.concat([
      cipher.update(JSON.stringify(payload), 'utf8'),
      cipher.final(),
      cipher.getAuthTag(),
    ]);
    return { nonce, ciphertext };
  }
}
