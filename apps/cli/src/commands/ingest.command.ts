import { readFileSync } from 'node:fs';
import type { Env } from '@silhouette/config';
import {
  BodyError,
  decodeUtf8,
  INGEST_FORMATS,
  IngestService,
  splitRecords,
  type IngestFormat,
  type IngestResult,
} from '@silhouette/ingest';
import { InputError, UsageError } from '../cli-error';
import { progressFor, type ProgressOptions } from '../progress';
import { pseudonymizerFrom } from '../runtime';
import { requireTenant, withRuntime } from '../with-runtime';

const BATCH = 500;

function readInput(file: string): Buffer {
  try {
    return file === '-' ? readFileSync(0) : readFileSync(file);
  } catch (error) {
    throw new InputError(
      `${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'cannot be read'}`,
    );
  }
}

/**
 * `silhouette ingest FILE|- --tenant SLUG [--format …] [--json]`: the same validation, sealing and
 * idempotency as the HTTP API, in batches of 500. Oversized messages are rejected per record.
 */
export async function ingestCommand(
  env: Env,
  args: string[],
  flags: { tenant?: string; format?: string; json?: boolean },
  progressOptions: ProgressOptions = {},
): Promise<IngestResult> {
  const [file] = args;
  if (!file)
    throw new UsageError(
      'usage: silhouette ingest FILE|- --tenant SLUG [--format auto|openai|anthropic|sharegpt] [--json]',
    );
  const format = (flags.format ?? 'auto') as IngestFormat;
  if (!INGEST_FORMATS.includes(format))
    throw new UsageError(`--format: must be one of ${INGEST_FORMATS.join(', ')}`);
  let records;
  try {
    records = splitRecords(decodeUtf8(readInput(file)));
  } catch (error) {
    if (error instanceof BodyError)
      throw new InputError(`${file}: ${error.message.replace(/^body /, '')}`);
    throw error;
  }
  return withRuntime(env, 'ingest', {}, async (runtime) => {
    const tenant = await requireTenant(runtime, flags.tenant);
    const service = new IngestService(runtime.apiDb, runtime.queue, pseudonymizerFrom(env));
    const total: IngestResult = { accepted: 0, duplicates: 0, rejected: [] };
    const limits = {
      maxRecords: BATCH,
      maxRequestBytes: Number.MAX_SAFE_INTEGER,
      maxMessageBytes: env.INGEST_MAX_MESSAGE_BYTES,
    };
    const progress = progressFor(flags, progressOptions);
    const stage = progress.stage('ingest', records.length);
    try {
      for (let start = 0; start < records.length; start += BATCH) {
        const batch = records.slice(start, start + BATCH);
        const result = await service.ingestRecords(tenant, batch, {
          format,
          limits,
          oversizedMessage: 'record',
        });
        total.accepted += result.accepted;
        total.duplicates += result.duplicates;
        total.rejected.push(...result.rejected);
        stage.advance(batch.length, result.rejected.length);
      }
      stage.finish({ accepted: total.accepted, duplicates: total.duplicates });
    } finally {
      progress.close();
    }
    if (flags.json) console.log(JSON.stringify(total));
    else {
      console.log(
        `accepted ${total.accepted}, duplicates ${total.duplicates}, rejected ${total.rejected.length}`,
      );
      for (const reject of total.rejected.slice(0, 20)) {
        const where = reject.line !== undefined ? `line ${reject.line}` : `record ${reject.index}`;
        console.log(`  ${where}: ${reject.field} ${reject.message}`);
      }
      if (total.rejected.length > 20)
        console.log(`  … and ${total.rejected.length - 20} more (use --json for all)`);
    }
    return total;
  });
}
