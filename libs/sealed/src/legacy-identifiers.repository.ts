/**
 * Conversations stored before migration 0008 keep the client's id in `external_id`, in clear.
 * Once their content is gone (retention), nothing binds them to that id any more (the envelope's
 * AAD did), so whoever holds the pseudonym secret (`silhouette migrate`, `start --migrate`) replaces
 * it with the `c_…` pseudonym that ingest now uses: the id leaves the disk, and a re-send of the
 * conversation is recognised as a duplicate again. Rows that still hold content keep their id
 * until retention deletes it; a later run re-keys them.
 */
import type { Queryable } from '@silhouette/db';

/** The shape of the ids ingest stores since 0008 (`Pseudonymizer.conversationPseudonym`). */
const PSEUDONYM_PATTERN = '^c_[A-Za-z0-9_-]{27}$';

export interface LegacyRekeying {
  /** Ids replaced by their pseudonym. */
  rekeyed: number;
  /** Raw ids left: their content is still held (or the pseudonym is taken by a newer copy). */
  remaining: number;
}

export class LegacyIdentifierRepository {
  constructor(private readonly db: Queryable) {}

  async rekey(
    pseudonym: (tenantId: string, externalId: string) => string,
    batch = 1000,
  ): Promise<LegacyRekeying> {
    let rekeyed = 0;
    let afterId: string | null = null;
    for (;;) {
      const rows: { id: string; tenant_id: string; external_id: string }[] = (
        await this.db.query<{ id: string; tenant_id: string; external_id: string }>(
          `SELECT id, tenant_id, external_id FROM sealed.conversations
            WHERE ciphertext IS NULL AND external_id !~ $1
              AND ($2::uuid IS NULL OR id > $2::uuid)
            ORDER BY id LIMIT $3`,
          [PSEUDONYM_PATTERN, afterId, batch],
        )
      ).rows;
      if (rows.length === 0) break;
      afterId = rows[rows.length - 1]!.id;
      // A conversation re-sent after the upgrade was stored again under its pseudonym: that
      // copy keeps it, and the old row keeps its raw id (counted in `remaining`).
      const updated = await this.db.query(
        `UPDATE sealed.conversations c SET external_id = v.pseudonym
           FROM unnest($1::uuid[], $2::text[]) AS v(id, pseudonym)
          WHERE c.id = v.id AND c.ciphertext IS NULL
            AND NOT EXISTS (SELECT 1 FROM sealed.conversations d
                             WHERE d.tenant_id = c.tenant_id AND d.external_id = v.pseudonym)`,
        [rows.map((row) => row.id), rows.map((row) => pseudonym(row.tenant_id, row.external_id))],
      );
      rekeyed += updated.rowCount;
    }
    const left = await this.db.query<{ n: number }>(
      'SELECT count(*)::integer AS n FROM sealed.conversations WHERE external_id !~ $1',
      [PSEUDONYM_PATTERN],
    );
    return { rekeyed, remaining: Number(left.rows[0]?.n ?? 0) };
  }
}
