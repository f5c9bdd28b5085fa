/** The API's write-only door into the sealed store: `intake.accept_conversations` (0001_init.sql). */
import type { Queryable } from '@silhouette/db';

export interface IntakeRow {
  /** The conversation's pseudonym (`c_…`), never the client's id. */
  externalId: string;
  userPseudonym: string;
  startedAt?: string;
  messageCount: number;
  contentBytes: number;
  /** Keyed per-message hashes (`Pseudonymizer.messageHashes`), compared when the id comes back. */
  messageHashes: string[];
  /** Estimated tokens of the conversation in its tagging prompt (`estimateTagConversationTokens`). */
  promptTokens: number;
  nonce: Buffer;
  ciphertext: Buffer;
}

export interface IntakeOutcome {
  externalId: string;
  conversationId: string;
  outcome: 'accepted' | 'updated' | 'duplicate' | 'conflict' | 'user_conflict' | 'retry';
}

export class IntakeRepository {
  constructor(private readonly db: Queryable) {}

  /**
   * Stores new conversations and grows stored ones whose messages these extend; returns every
   * row's outcome (see 0018_growing_conversations.sql). `waitForIdle` keeps new conversations
   * from being tagged before they have been idle (spans of a live conversation).
   */
  async accept(
    tenantId: string,
    keyId: number,
    ephemeralPublicKey: Buffer,
    rows: IntakeRow[],
    waitForIdle = false,
  ): Promise<IntakeOutcome[]> {
    if (rows.length === 0) return [];
    const records = rows.map((row) => ({
      external_id: row.externalId,
      user_pseudonym: row.userPseudonym,
      started_at: row.startedAt ?? null,
      message_count: row.messageCount,
      content_bytes: row.contentBytes,
      message_hashes: row.messageHashes,
      prompt_tokens: row.promptTokens,
      nonce: row.nonce.toString('base64'),
      ciphertext: row.ciphertext.toString('base64'),
    }));
    const result = await this.db.query<{
      external_id: string;
      conversation_id: string;
      outcome: IntakeOutcome['outcome'];
    }>(
      'SELECT external_id, conversation_id, outcome FROM intake.accept_conversations($1, $2, $3, $4::jsonb, $5)',
      [tenantId, keyId, ephemeralPublicKey, JSON.stringify(records), waitForIdle],
    );
    return result.rows.map((row) => ({
      externalId: row.external_id,
      conversationId: row.conversation_id,
      outcome: row.outcome,
    }));
  }
}
