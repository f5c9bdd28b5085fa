/**
 * The only reader of conversation content. Opens envelopes with the tenant's private key
 * (worker-only), applies retention and erasure. Nothing here ever logs or returns content to a
 * caller outside the worker's job handlers.
 */
import { createDecipheriv, diffieHellman } from 'node:crypto';
import {
  deriveEnvelopeKey,
  envelopeAad,
  x25519PublicKeyFromRaw,
  type CanonicalMessage,
  type ConversationMetadata,
  type SealedPayload,
} from '@silhouette/contracts';
import { toBuffer, type Database } from '@silhouette/db';
import { SealedKeyError, type TenantKeyring } from './keyring';
import type { ConversationStatus } from './conversation-status.repository';
import { PublicationRequestRepository } from './publication-request.repository';

export interface SealedConversation {
  id: string;
  tenantId: string;
  userPseudonym: string;
  startedAt: Date | null;
  metadata: ConversationMetadata;
  messages: CanonicalMessage[];
}

export interface SealedContent {
  messages: CanonicalMessage[];
  /** The record's allow-listed metadata, as sent: may hold personal data, never leaves the worker. */
  metadata: ConversationMetadata;
}

export interface LoadedConversation extends Omit<SealedConversation, 'messages' | 'metadata'> {
  status: ConversationStatus;
  /** Bumped each time the conversation grows (0018). */
  revision: number;
  /** Prompt version of the existing facet row, if any. */
  facetPromptVersion: string | null;
  /** The conversation revision the existing facet row describes, if any. */
  facetRevision: number | null;
  /** Decrypts the content; throws ContentUnavailableError once retention deleted it. */
  content(): Promise<SealedContent>;
}

export class ContentUnavailableError extends Error {
  readonly code = 'content_unavailable';
}

interface ConversationRow {
  id: string;
  tenant_id: string;
  external_id: string;
  user_pseudonym: string;
  started_at: Date | string | null;
  metadata: ConversationMetadata;
  key_id: number;
  ephemeral_public_key: unknown;
  nonce: unknown;
  ciphertext: unknown;
}

export class SealedConversationStore {
  // Batch keys derived from (tenant key, ephemeral key): one X25519 agreement per ingest batch.
  private readonly batchKeys = new Map<string, Buffer>();

  constructor(
    private readonly db: Database,
    private readonly keyring: TenantKeyring,
  ) {}

  async open(tenantId: string, conversationId: string): Promise<SealedConversation> {
    const loaded = await this.load(tenantId, conversationId);
    if (!loaded)
      throw new ContentUnavailableError('conversation not found (erased or wrong tenant)');
    const { content, ...row } = loaded;
    return { ...row, ...(await content()) };
  }

  /**
   * One round trip for everything the tag processor needs: the row, its pipeline status, the
   * prompt version of its facet row, and a lazy opener (nothing is decrypted unless asked).
   */
  async load(tenantId: string, conversationId: string): Promise<LoadedConversation | undefined> {
    return (await this.loadMany([{ tenantId, conversationId }]))[0];
  }

  /**
   * `load` for several conversations in one statement (the tag processor batches the loads of its
   * concurrent jobs); results in the order of `keys`, undefined where a conversation is gone.
   */
  async loadMany(
    keys: readonly { tenantId: string; conversationId: string }[],
  ): Promise<(LoadedConversation | undefined)[]> {
    if (keys.length === 0) return [];
    const result = await this.db.query<
      ConversationRow & {
        status: string;
        revision: number;
        facet_prompt_version: string | null;
        facet_revision: number | null;
      }
    >(
      `SELECT c.id, c.tenant_id, c.external_id, c.user_pseudonym, c.started_at, c.metadata, c.key_id,
              c.ephemeral_public_key, c.nonce, c.ciphertext, c.status, c.revision,
              f.prompt_version AS facet_prompt_version, f.revision AS facet_revision
         FROM unnest($1::uuid[], $2::uuid[]) AS k(tenant_id, id)
         JOIN sealed.conversations c ON c.tenant_id = k.tenant_id AND c.id = k.id
         LEFT JOIN sealed.facets f ON f.conversation_id = c.id`,
      [keys.map((key) => key.tenantId), keys.map((key) => key.conversationId)],
    );
    const byKey = new Map(result.rows.map((row) => [`${row.tenant_id}/${row.id}`, row]));
    return keys.map((key) => {
      // PostgreSQL answers uuids in lower case, whatever case they were asked in.
      const row = byKey.get(`${key.tenantId}/${key.conversationId}`.toLowerCase());
      if (!row) return undefined;
      return {
        id: row.id,
        tenantId: row.tenant_id,
        userPseudonym: row.user_pseudonym,
        startedAt: row.started_at === null ? null : new Date(row.started_at),
        status: row.status as LoadedConversation['status'],
        revision: Number(row.revision),
        facetPromptVersion: row.facet_prompt_version,
        facetRevision: row.facet_revision === null ? null : Number(row.facet_revision),
        content: () => this.decrypt(row),
      };
    });
  }

  private async decrypt(row: ConversationRow): Promise<SealedContent> {
    if (row.ciphertext === null || row.nonce === null || row.ephemeral_public_key === null) {
      throw new ContentUnavailableError('conversation content has been deleted by retention');
    }
    const key = await this.batchKey(
      row.tenant_id,
      Number(row.key_id),
      toBuffer(row.ephemeral_public_key),
    );
    const sealed = toBuffer(row.ciphertext);
    const decipher = createDecipheriv('aes-256-gcm', key, toBuffer(row.nonce));
    decipher.setAAD(envelopeAad(row.tenant_id, row.external_id));
    decipher.setAuthTag(sealed.subarray(sealed.length - 16));
    let plaintext: Buffer;
    try {
      plaintext = Buffer.concat([
        decipher.update(sealed.subarray(0, sealed.length - 16)),
        decipher.final(),
      ]);
    } catch {
      throw new SealedKeyError('conversation envelope failed authentication');
    }
    const payload = JSON.parse(plaintext.toString('utf8')) as SealedPayload;
    return {
      messages: payload.messages as CanonicalMessage[],
      // Rows stored before migration 0008 carry their metadata in the column instead.
      metadata: payload.metadata ?? row.metadata,
    };
  }

  private async batchKey(
    tenantId: string,
    keyId: number,
    ephemeralPublicKey: Buffer,
  ): Promise<Buffer> {
    const cacheKey = `${tenantId}/${keyId}/${ephemeralPublicKey.toString('base64')}`;
    const cached = this.batchKeys.get(cacheKey);
    if (cached) return cached;
    const { privateKey, publicKey } = await this.keyring.privateKey(this.db, tenantId, keyId);
    const shared = diffieHellman({
      privateKey,
      publicKey: x25519PublicKeyFromRaw(ephemeralPublicKey),
    });
    const key = deriveEnvelopeKey(shared, ephemeralPublicKey, publicKey);
    if (this.batchKeys.size > 10_000) this.batchKeys.clear();
    this.batchKeys.set(cacheKey, key);
    return key;
  }

  /**
   * Retention: deletes content that is no longer needed. Tenants without `retention_days` lose
   * content as soon as it is processed (tagged); others that many days after it was sealed
   * (ingested, or last grown) regardless.
   */
  async applyRetention(now = new Date()): Promise<number> {
    const result = await this.db.query(
      `UPDATE sealed.conversations c
          SET ciphertext = NULL, nonce = NULL, ephemeral_public_key = NULL, content_deleted_at = $1
         FROM app.tenants t
        WHERE t.id = c.tenant_id
          AND c.ciphertext IS NOT NULL
          AND (
            (t.retention_days IS NULL AND c.status IN ('tagged', 'embedded'))
            OR (t.retention_days IS NOT NULL
                AND coalesce(c.content_sealed_at, c.ingested_at) < $1::timestamptz - make_interval(days => t.retention_days))
          )`,
      [now.toISOString()],
    );
    return result.rowCount;
  }

  /** Erases every conversation (and, through cascades, everything derived) of one user. */
  async eraseUser(tenantId: string, userPseudonym: string): Promise<number> {
    return this.db.transaction(async (tx) => {
      // Frozen weeks keep their published figures until erasures pending in a week form a cell
      // that meets the thresholds (README, "Frozen weeks"): count this person in each week
      // that counts them, before their rows go. A second run finds no rows and adds nothing.
      await tx.query(
        `INSERT INTO sealed.frozen_week_erasures AS e (tenant_id, week, users, conversations)
         SELECT f.tenant_id, f.frozen_week, 1, count(*)::integer
           FROM sealed.facets f JOIN sealed.conversations c ON c.id = f.conversation_id
          WHERE c.tenant_id = $1 AND c.user_pseudonym = $2 AND f.frozen_week IS NOT NULL
          GROUP BY f.tenant_id, f.frozen_week
         ON CONFLICT (tenant_id, week) DO UPDATE
           SET users = e.users + 1, conversations = e.conversations + EXCLUDED.conversations`,
        [tenantId, userPseudonym],
      );
      const result = await tx.query(
        'DELETE FROM sealed.conversations WHERE tenant_id = $1 AND user_pseudonym = $2',
        [tenantId, userPseudonym],
      );
      // The published figures still count this person: the next release must drop them, even
      // if nothing new is tagged (issue #10, finding 5). Same transaction: never forgotten.
      if (result.rowCount > 0)
        await new PublicationRequestRepository(tx).request(tenantId, 'erasure');
      return result.rowCount;
    });
  }
}
