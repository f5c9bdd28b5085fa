/** The API's write-only door into the sealed store: `intake.accept_conversations` (0001_init.sql). */
import type { Queryable } from '@silhouette/db';

export interface IntakeRow {
  /** The conversation's pseudonym (`c_…`), never the client's id. */
  externalId: string;
  userPseudonym: string;
  startedAt?: string;
  messageCount: number;
  contentBytes: number;
  nonce: Buffer;
  ciphertext: Buffer;
}

export class IntakeRepository {
  constructor(private readonly db: Queryable) {}

  /** Inserts new conversations, skipping (tenant, id) pairs already stored. Returns the new ones. */
  async accept(
    tenantId: string,
    keyId: number,
    ephemeralPublicKey: Buffer,
    rows: IntakeRow[],
  ): Promise<{ externalId: string; conversationId: string }[]> {
    if (rows.length === 0) return [];
    const records = rows.map((row) => ({
      external_id: row.externalId,
      user_pseudonym: row.userPseudonym,
      started_at: row.startedAt ?? null,
      message_count: row.messageCount,
      content_bytes: row.contentBytes,
      nonce: row.nonce.toString('base64'),
      ciphertext: row.ciphertext.toString('base64'),
    }));
    const result = await this.db.query<{ external_id: string; conversation_id: string }>(
      'SELECT external_id, conversation_id FROM intake.accept_conversations($1, $2, $3, $4::jsonb)',
      [tenantId, keyId, ephemeralPublicKey, JSON.stringify(records)],
    );
    return result.rows.map((row) => ({
      externalId: row.external_id,
      conversationId: row.conversation_id,
    }));
  }
}
