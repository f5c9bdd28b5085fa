import { createPublicKey, hkdfSync, type KeyObject } from 'node:crypto';
import type { ConversationMetadata } from './conversation';
/**
 * Parameters of the sealed-content envelope, shared by the sealing side (API ingest, which holds
 * only tenant public keys) and the opening side (libs/sealed, worker only).
 *
 * Per ingest batch an ephemeral X25519 key agrees a secret with the tenant's sealing key; HKDF
 * turns it into an AES-256-GCM key; each record gets a random 96-bit nonce and is bound to its
 * (tenant, conversation id) by the additional authenticated data.
 */
export const ENVELOPE_VERSION = 1;
export const ENVELOPE_HKDF_INFO = 'silhouette/sealed-conversation/v1';
export const ENVELOPE_NONCE_BYTES = 12;
export const ENVELOPE_TAG_BYTES = 16;

/**
 * Binds a ciphertext to its row: `externalId` is the stored conversation id (the `c_…` pseudonym
 * since migration 0008, the client's raw id on rows stored before it).
 */
export function envelopeAad(tenantId: string, externalId: string): Buffer {
  return Buffer.from(`${ENVELOPE_VERSION}\u0000${tenantId}\u0000${externalId}`, 'utf8');
}

/**
 * The plaintext inside an envelope: the messages and the record's allow-listed metadata (which
 * may hold personal data, so it travels sealed; rows stored before migration 0008 have neither
 * here and keep their metadata in the `metadata` column).
 */
export interface SealedPayload {
  messages: { role: string; content: string }[];
  metadata?: ConversationMetadata;
}

/**
 * The AES-256-GCM key for one batch, from the X25519 shared secret. Salt binds both public keys,
 * so a ciphertext opens only with the sealing key it was made for.
 */
export function deriveEnvelopeKey(
  sharedSecret: Buffer,
  ephemeralPublicKey: Buffer,
  recipientPublicKey: Buffer,
): Buffer {
  const salt = Buffer.concat([ephemeralPublicKey, recipientPublicKey]);
  return Buffer.from(hkdfSync('sha256', sharedSecret, salt, ENVELOPE_HKDF_INFO, 32));
}

/** Raw 32-byte X25519 public key <-> Node KeyObject. */
export function x25519PublicKeyFromRaw(raw: Buffer): KeyObject {
  return createPublicKey({
    key: { kty: 'OKP', crv: 'X25519', x: raw.toString('base64url') },
    format: 'jwk',
  });
}

export function x25519RawPublicKey(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  if (!jwk.x) throw new Error('not an X25519 public key');
  return Buffer.from(jwk.x, 'base64url');
}
