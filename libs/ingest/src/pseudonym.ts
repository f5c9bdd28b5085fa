/**
 * User ids are replaced at ingest by a keyed HMAC (privacy invariant 3). Each tenant gets its own
 * key derived from the deployment secret, so the same person in two tenants is unlinkable and a
 * database reader without the secret cannot test guesses.
 */
import { createHmac, hkdfSync } from 'node:crypto';

export class Pseudonymizer {
  private readonly tenantKeys = new Map<string, Buffer>();

  constructor(private readonly secret: Buffer) {}

  pseudonym(tenantId: string, userId: string): string {
    return `u_${createHmac('sha256', this.tenantKey(tenantId)).update(userId, 'utf8').digest('base64url').slice(0, 27)}`;
  }

  private tenantKey(tenantId: string): Buffer {
    let key = this.tenantKeys.get(tenantId);
    if (!key) {
      key = Buffer.from(
        hkdfSync('sha256', this.secret, Buffer.alloc(0), `silhouette/pseudonym/${tenantId}`, 32),
      );
      this.tenantKeys.set(tenantId, key);
    }
    return key;
  }
}
