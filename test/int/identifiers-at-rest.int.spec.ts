/**
 * Issue #10, findings 3 and 7, replayed as the review did it: an e-mail address and a card
 * number as conversation ids, an e-mail, a phone number, an IBAN and an `sk-` key as metadata
 * values, and an unknown metadata field carrying a canary. After ingest and tagging, none of them
 * may be readable at rest: not in the PGlite data directory (table files and WAL, read as bytes),
 * not in any PostgreSQL table (every schema, `sealed` included: only the envelope may hold them,
 * encrypted), not in Redis, the logs or an API response. The worker still copies the allow-listed
 * values that pass the PII gate onto the facet row, and counts the others as `(withheld)`.
 */
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, randomInt } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WITHHELD_METADATA_VALUE } from '@silhouette/contracts';
import { canaries, openaiRecord } from '../helpers/fixtures';
import { everySchema, scanRedis, scanTables, scanText } from '../helpers/leak-scan';
import { offlineProviders } from '../helpers/providers';
import { redisUrl } from '../helpers/services';
import { call, startStack, TEST_METRICS_TOKEN, type Stack } from '../helpers/stack';

/** A random 16-digit card number with a valid Luhn check digit. */
function cardNumber(): string {
  const digits = [4, ...Array.from({ length: 14 }, () => randomInt(10))];
  const sum = digits
    .slice()
    .reverse()
    .reduce(
      (acc, digit, i) => acc + (i % 2 === 0 ? ((digit * 2) % 10) + Math.floor(digit / 5) : digit),
      0,
    );
  return [...digits, (10 - (sum % 10)) % 10].join('');
}

/** A random German IBAN with valid check digits (ISO 13616 mod 97). */
function iban(): string {
  const bban = Array.from({ length: 18 }, () => randomInt(10)).join('');
  const numeric = `${bban}131400`; // "DE" -> 13 14, check digits "00"
  const check = 98 - Number(BigInt(numeric) % 97n);
  return `DE${String(check).padStart(2, '0')}${bban}`;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

describe.each(['server', 'embedded'] as const)('identifiers and metadata at rest (%s)', (mode) => {
  let stack: Stack;
  let closed = false;
  let dataDir: string | undefined;
  const canary = canaries();
  const tag = randomBytes(4).toString('hex');
  const idEmail = `conversation.${tag}@id-leak.example`;
  const idCard = cardNumber();
  const metadataValues = {
    team: `owner ${canary.email}`,
    department: canary.phone,
    product: iban(),
    model: `sk-proj-${randomBytes(20).toString('hex')}`,
  };
  const droppedValue = `SESSION-${tag}-${randomBytes(6).toString('hex')}`;
  const cleanTeam = `support-${tag}`;
  const secrets = [
    idEmail,
    idCard,
    ...Object.values(metadataValues),
    // The raw digits too: a card or phone stored without its spaces is still the card.
    metadataValues.department.replace(/\s+/g, ''),
    droppedValue,
  ];
  const responses: string[] = [];
  const attackRecords = [
    openaiRecord(idEmail, 'user-1', 'How do I reverse a list in Python?', {
      metadata: metadataValues,
    }),
    openaiRecord(idCard, 'user-2', 'Draft a polite reminder about an invoice.', {
      metadata: { team: cleanTeam },
    }),
  ];
  let attackBody: Record<string, unknown> = {};
  let extraBody: Record<string, unknown> = {};

  beforeAll(async () => {
    if (mode === 'embedded') dataDir = await mkdtemp(join(tmpdir(), 'silhouette-at-rest-'));
    stack = await startStack({
      mode,
      worker: true,
      workerProviders: offlineProviders,
      env: { METRICS_TOKEN: TEST_METRICS_TOKEN },
      ...(dataDir ? { dataDir } : {}),
    });
    // The review's records: the canaries as ids and as allow-listed metadata values.
    const attack = await call(stack, '/v1/conversations', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: JSON.stringify(attackRecords),
    });
    responses.push(attack.text);
    attackBody = attack.body as Record<string, unknown>;
    // Real exports' extra fields (finding 7), one of them carrying a canary.
    const extra = await call(stack, '/v1/conversations', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: JSON.stringify([
        openaiRecord(`extra-1-${tag}`, 'user-3', 'Summarise this meeting for me.', {
          metadata: { team: cleanTeam, session_id: droppedValue },
        }),
        openaiRecord(`extra-2-${tag}`, 'user-3', 'Translate this sentence into French.', {
          metadata: { app_version: droppedValue, session_id: droppedValue },
        }),
      ]),
    });
    responses.push(extra.text);
    extraBody = extra.body as Record<string, unknown>;
    await stack.queue.waitUntilIdle(60_000);
    for (const path of ['/v1/status', '/v1/tenant', '/v1/admin/audit-log']) {
      responses.push((await call(stack, path, { key: stack.tenant.adminKey })).text);
    }
    // The operator's view too: `/metrics` answers the metrics token only.
    const metrics = await call(stack, '/metrics', { key: TEST_METRICS_TOKEN });
    expect(metrics.status).toBe(200);
    responses.push(metrics.text);
  });
  afterAll(async () => {
    if (!closed) await stack?.close();
    if (dataDir) await rm(dataDir, { recursive: true, force: true });
  });

  it('accepts the records with canary ids and metadata values', () => {
    expect(attackBody).toMatchObject({ accepted: 2, duplicates: 0, rejected: [] });
  });

  it('accepts records with unknown metadata fields, drops them and lists them once per batch', () => {
    expect(extraBody).toEqual({
      accepted: 2,
      updated: 0,
      duplicates: 0,
      rejected: [],
      ignored_fields: [
        { field: 'metadata.app_version', count: 1 },
        { field: 'metadata.session_id', count: 2 },
      ],
    });
  });

  it('re-sending the same ids is recognised as duplicates (idempotency on the pseudonym)', async () => {
    const again = await call(stack, '/v1/conversations', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: JSON.stringify(attackRecords),
    });
    responses.push(again.text);
    expect(again.body).toMatchObject({ accepted: 0, duplicates: 2 });
  });

  it('stores pseudonymous ids, and copies only gated metadata onto the facet rows', async () => {
    const rows = await stack.ownerDb.query<{ external_id: string; metadata: unknown }>(
      `SELECT c.external_id, f.metadata FROM sealed.conversations c
         JOIN sealed.facets f ON f.conversation_id = c.id ORDER BY c.external_id`,
    );
    expect(rows.rows).toHaveLength(4);
    for (const row of rows.rows) expect(row.external_id).toMatch(/^c_[A-Za-z0-9_-]{27}$/);
    const metadata = rows.rows.map((row) => row.metadata);
    expect(metadata).toContainEqual({ team: cleanTeam });
    expect(metadata).toContainEqual({
      team: WITHHELD_METADATA_VALUE,
      department: WITHHELD_METADATA_VALUE,
      product: WITHHELD_METADATA_VALUE,
      model: WITHHELD_METADATA_VALUE,
    });
  });

  it('leaves no canary id or metadata value in any table', async () => {
    const schemas = await everySchema(stack.ownerDb);
    expect(schemas).toEqual(expect.arrayContaining(['app', 'intake', 'insights', 'sealed']));
    expect(await scanTables(stack.ownerDb, schemas, secrets)).toEqual([]);
    // Positive control: the scanner sees a gated value that is meant to be there.
    expect(await scanTables(stack.ownerDb, ['sealed'], [cleanTeam])).toContain(
      `sealed.facets: ${cleanTeam}`,
    );
  });

  it('leaves no canary in logs or API responses', () => {
    expect(stack.logs().length).toBeGreaterThan(0);
    expect(scanText('logs', stack.logs(), secrets)).toEqual([]);
    expect(responses.flatMap((text, i) => scanText(`response ${i}`, text, secrets))).toEqual([]);
  });

  if (mode === 'server') {
    it('leaves no canary in Redis', async () => {
      const { keys, found } = await scanRedis(redisUrl(), stack.queuePrefix, secrets);
      expect(keys).toBeGreaterThan(0);
      expect(found).toEqual([]);
    });
  }

  if (mode === 'embedded') {
    it('leaves no canary in the PGlite data directory (table files and WAL, as bytes)', async () => {
      // Closing checkpoints and flushes: everything PGlite wrote is on disk now.
      closed = true;
      await stack.close();
      const files = await filesUnder(dataDir!);
      expect(files.some((file) => file.includes('pg_wal'))).toBe(true);
      const found: string[] = [];
      let controlSeen = false;
      for (const file of files) {
        const bytes = await readFile(file);
        if (bytes.includes(Buffer.from(cleanTeam, 'utf8'))) controlSeen = true;
        for (const secret of secrets)
          if (bytes.includes(Buffer.from(secret, 'utf8')))
            found.push(`${file.slice(dataDir!.length)}: ${secret}`);
      }
      // Positive control: the gated team value is on disk, so the scan reads what is stored.
      expect(controlSeen).toBe(true);
      expect(found).toEqual([]);
    });
  }
});
