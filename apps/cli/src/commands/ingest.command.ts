import type { Env } from '@silhouette/config';
import {
  BodyError,
  decodeUtf8,
  INGEST_FORMATS,
  splitRecords,
  type IngestFormat,
  type IngestResult,
} from '@silhouette/ingest';
import { InputError, UsageError } from '../cli-error';
import { progressFor, type ProgressOptions } from '../progress';
import { requireTenant, withRuntime } from '../with-runtime';
import { ingestInBatches, printIngestResult, readInput } from './ingest-batches';

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
    const progress = progressFor(flags, progressOptions);
    try {
      const stage = progress.stage('ingest', records.length);
      const total = await ingestInBatches(env, runtime, tenant, records, format, stage);
      stage.finish({
        accepted: total.accepted,
        updated: total.updated,
        duplicates: total.duplicates,
      });
      printIngestResult(total, flags.json ?? false);
      return total;
    } finally {
      progress.close();
    }
  });
}
