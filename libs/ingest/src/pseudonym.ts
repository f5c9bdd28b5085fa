/**
 * Identifiers are replaced at ingest by keyed HMACs (privacy invariant 3): user ids become `u_…`
 * pseudonyms and conversation ids `c_…` pseudonyms, so neither is stored in clear. Each tenant
 * gets its own keys derived from the deployment secret, so the same person (or id) in two
 * tenants is unlinkable and a database reader without the secret cannot test guesses.
 * Idempotency works on the conversation pseudonym: the same id always gives the same one.
 */
import { createHmac, hkdfSync } from 'node:crypto';

type KeyPurpose = 'pseudonym' | 'conversation-pseudonym' | 'message-hash';

export class Pseudonymizer {
  private readonly tenantKeys = new Map<string, Buffer>();

  constructor(private readonly secret: Buffer) {}

  /** The user's pseudonym (unchanged since 0001: existing rows and erasure requests rely on it). */
  pseudonym(tenantId: string, userId: string): string {
    return `u_${this.hmac('pseudonym', tenantId, userId)}`;
  }

  /** The conversation's stored id: what idempotency, growth and the envelope's AAD key on. */
  conversationPseudonym(tenantId: string, conversationId: string): string {
    return `c_${this.hmac('conversation-pseudonym', tenantId, conversationId)}`;
  }

  /**
   * Keyed per-message hashes, stored beside the sealed content so that a re-sent conversation can
   * be compared with the stored one after its content was deleted (growing conversations). The
   * conversation's pseudonym and the position are part of the input, so equal messages in two
   * conversations (or two places) hash differently: the hashes link nothing.
   */
  messageHashes(
    tenantId: string,
    conversationPseudonym: string,
    messages: readonly { role: string; content: string }[],
  ): string[] {
    return messages.map((message, position) =>
      this.hmac(
        'message-hash',
        tenantId,
        `${conversationPseudonym}\u0000${position}\u0000${message.role}\u0000${message.content}`,
        22,
      ),
    );
  }

  /** 27 base64url characters = 162 bits; 22 = 132 bits, ample to tell messages apart. */
  private hmac(purpose: KeyPurpose, tenantId: string, value: string, length = 27): string {
    return createHmac('sha256', this.tenantKey(purpose, tenantId))
      .update(value, 'utf8')
      .digest('base64url')
      .slice(0, length);
  }

  private tenantKey(purpose: KeyPurpose, tenantId: string): Buffer {
    const cacheKey = `${purpose}/${tenantId}`;
    let key = this.tenantKeys.get(cacheKey);
    if (!key) {
      key = Buffer.from(
        hkdfSync('sha256', this.secret, Buffer.alloc(0), `silhouette/${purpose}/${tenantId}`, 32),
      );
      this.tenantKeys.set(cacheKey, key);
    }
    return key;
  }
}
