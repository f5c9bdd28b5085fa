/**
 * Key rotation through the CLI, server mode (PostgreSQL + BullMQ): `tenant rotate-key` between two
 * ingests, then `keys rotate-master`; afterwards a worker holding only the new master key opens and
 * tags the conversations sealed with either tenant key. Nothing plaintext is written on the way:
 * no conversation text in any table or in Redis, no key material in any table or command output.
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeKey, masterKeyId, type Env } from '@silhouette/config';
import { SealedKeyError, TenantKeyring } from '@silhouette/sealed';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ingestCommand } from '../../apps/cli/src/commands/ingest.command';
import { keysCommand } from '../../apps/cli/src/commands/keys.command';
import { migrateCommand } from '../../apps/cli/src/commands/migrate.command';
import { processCommand } from '../../apps/cli/src/commands/process.command';
import { tenantCommand } from '../../apps/cli/src/commands/tenant.command';
import { canaries, openaiRecord, toJsonl } from '../helpers/fixtures';
import { scanRedis, scanTables, scanText } from '../helpers/leak-scan';
import { redisUrl, testEnv } from '../helpers/services';
import { call, startStack, type Stack } from '../helpers/stack';

const SCHEMAS = ['app', 'sealed', 'insights', 'intake', 'public'];

/** Runs a CLI command with console.log captured; returns everything it printed. */
async function captured(run: () => Promise<unknown>): Promise<string> {
  const output = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  try {
    await run();
    return output.mock.calls.map((args) => args.join(' ')).join('\n');
  } finally {
    output.mockRestore();
  }
}

describe('tenant rotate-key and keys rotate-master', () => {
  let stack: Stack;
  let cliEnv: Env;
  const before = canaries();
  const after = canaries();
  const secrets = [...Object.values(before), ...Object.values(after)];
  const oldMasterHex = () => stack.env.SILHOUETTE_MASTER_KEY!;
  const newMaster = randomBytes(32);
  const keyMaterial = () => [
    oldMasterHex(),
    Buffer.from(oldMasterHex(), 'hex').toString('base64'),
    newMaster.toString('hex'),
    newMaster.toString('base64'),
  ];
  const outputs: string[] = [];

  async function ingest(prefix: string, secret: ReturnType<typeof canaries>): Promise<void> {
    const text = `Email ${secret.email} about ${secret.name}; token ${secret.secret}, card ${secret.card}.`;
    const records = Array.from({ length: 6 }, (_, i) =>
      openaiRecord(`${prefix}-${i}`, `user-${i}`, `${text} How do I reverse a list in Python?`),
    );
    const response = await call(stack, '/v1/conversations', {
      method: 'POST',
      key: stack.tenant.ingestKey,
      body: JSON.stringify(records),
    });
    expect(response.body).toMatchObject({ accepted: 6 });
  }

  /** `keys rotate-master` as an operator runs it: the new key configured, the old one beside it. */
  const rotateMaster = () =>
    captured(() =>
      keysCommand(
        {
          ...cliEnv,
          SILHOUETTE_MASTER_KEY: newMaster.toString('hex'),
          SILHOUETTE_PREVIOUS_MASTER_KEY: oldMasterHex(),
        },
        ['rotate-master'],
        { json: true },
      ),
    );

  async function keyIds(): Promise<Record<string, number>> {
    const result = await stack.ownerDb.query<{ key_id: number; n: number }>(
      'SELECT key_id, count(*)::int AS n FROM sealed.conversations GROUP BY key_id ORDER BY key_id',
    );
    return Object.fromEntries(result.rows.map((row) => [String(row.key_id), Number(row.n)]));
  }

  beforeAll(async () => {
    // No worker yet: conversations stay sealed (and unread) until after both rotations.
    stack = await startStack({ mode: 'server' });
    cliEnv = { ...stack.env, QUEUE_PREFIX: stack.queuePrefix, LOG_LEVEL: 'silent' };
  }, 60_000);

  afterAll(async () => {
    await stack?.close();
  });

  it('rotate-key: new conversations are sealed with the new key, old ones keep theirs', async () => {
    await ingest('before', before);
    const output = await captured(() =>
      tenantCommand(cliEnv, ['rotate-key', 'acme'], { json: true }),
    );
    outputs.push(output);
    expect(JSON.parse(output)).toEqual({ tenant: 'acme', key_id: 2 });
    await ingest('after', after);
    expect(await keyIds()).toEqual({ '1': 6, '2': 6 });
  });

  it('rotate-master: every private key moves to the new master key in one go', async () => {
    const output = await rotateMaster();
    outputs.push(output);
    expect(JSON.parse(output)).toEqual({
      master_key_id: masterKeyId(newMaster),
      previous_master_key_id: masterKeyId(Buffer.from(oldMasterHex(), 'hex')),
      rewrapped: 2,
      wrapped_by_other_master_keys: [],
    });
    const wrapped = await stack.ownerDb.query<{ master_key_id: string }>(
      'SELECT DISTINCT master_key_id FROM sealed.tenant_private_keys',
    );
    expect(wrapped.rows).toEqual([{ master_key_id: masterKeyId(newMaster) }]);
    // A fresh worker still configured with the old key is refused, not handed garbage.
    const stale = new TenantKeyring({
      key: Buffer.from(oldMasterHex(), 'hex'),
      id: masterKeyId(Buffer.from(oldMasterHex(), 'hex')),
    });
    await expect(stale.privateKey(stack.ownerDb, stack.tenant.tenant.id, 1)).rejects.toThrow(
      SealedKeyError,
    );
  });

  it('rotating the master key again with the same pair changes nothing', async () => {
    const output = await rotateMaster();
    outputs.push(output);
    expect(JSON.parse(output)).toMatchObject({ rewrapped: 0, wrapped_by_other_master_keys: [] });
  });

  it('nothing plaintext was written by the rotations', async () => {
    expect(await scanTables(stack.ownerDb, SCHEMAS, [...secrets, ...keyMaterial()])).toEqual([]);
    expect(outputs.flatMap((text, i) => scanText(`output ${i}`, text, keyMaterial()))).toEqual([]);
  });

  it('a worker with the new master key opens and tags conversations sealed with either key', async () => {
    const summary = await processCommand(
      { ...cliEnv, SILHOUETTE_MASTER_KEY: newMaster.toString('hex') },
      { tenant: 'acme' },
    );
    expect(summary).toMatchObject({ conversations: 12, tagged: 12, failed: 0 });
    const facets = await stack.ownerDb.query<{ key_id: number; n: number }>(
      `SELECT c.key_id, count(*)::int AS n FROM sealed.facets f
         JOIN sealed.conversations c ON c.id = f.conversation_id
        GROUP BY c.key_id ORDER BY c.key_id`,
    );
    expect(facets.rows.map((row) => [Number(row.key_id), Number(row.n)])).toEqual([
      [1, 6],
      [2, 6],
    ]);
    expect(await scanTables(stack.ownerDb, SCHEMAS, [...secrets, ...keyMaterial()])).toEqual([]);
    const redis = await scanRedis(redisUrl(), stack.queuePrefix, [...secrets, ...keyMaterial()]);
    expect(redis.keys).toBeGreaterThan(0);
    expect(redis.found).toEqual([]);
  }, 120_000);
});

describe('keys rotate-master in embedded mode, with the generated key in the data directory', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'silhouette-rotate-'));
  // No SILHOUETTE_MASTER_KEY: the key is generated into secrets.json, as `npm start` does.
  const env = testEnv({ SILHOUETTE_DATA_DIR: dataDir, SILHOUETTE_MASTER_KEY: '' });
  const secret = canaries();
  const storedKey = () =>
    JSON.parse(readFileSync(join(dataDir, 'secrets.json'), 'utf8')) as {
      masterKey: string;
      previousMasterKey?: string;
    };

  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('stores a new key, re-wraps, and the worker then tags what was sealed before', async () => {
    await captured(() => migrateCommand(env, {}));
    await captured(() => tenantCommand(env, ['create', 'acme'], { json: true }));
    const file = join(dataDir, 'records.jsonl');
    const text = `Call ${secret.name} at ${secret.phone} about ${secret.secret}.`;
    writeFileSync(
      file,
      toJsonl(Array.from({ length: 4 }, (_, i) => openaiRecord(`c-${i}`, `u-${i}`, text))),
    );
    await captured(() => ingestCommand(env, [file], { tenant: 'acme' }));
    rmSync(file);
    const oldKey = storedKey().masterKey;

    const output = await captured(() => keysCommand(env, ['rotate-master'], { json: true }));
    const stored = storedKey();
    expect(stored.masterKey).not.toBe(oldKey);
    expect(stored.previousMasterKey).toBeUndefined();
    const newId = masterKeyId(decodeKey('masterKey', stored.masterKey));
    expect(JSON.parse(output)).toMatchObject({ master_key_id: newId, rewrapped: 1 });
    expect(scanText('output', output, [oldKey, stored.masterKey])).toEqual([]);

    const summary = await captured(() => processCommand(env, { tenant: 'acme', json: true }));
    expect(JSON.parse(summary)).toMatchObject({ conversations: 4, tagged: 4, failed: 0 });
  }, 120_000);
});
