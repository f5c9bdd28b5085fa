/**
 * The CLI's ingest loop, shared by `silhouette ingest` and `silhouette import …`: records go
 * through the same validation, sealing and idempotency as the HTTP API, in batches of 500, and
 * oversized messages are rejected per record. Also the one way results are printed.
 */
import { readFileSync } from 'node:fs';
import type { Env } from '@silhouette/config';
import type { Tenant } from '@silhouette/db';
import {
  addIngestResult,
  emptyIngestResult,
  IngestService,
  type IngestFormat,
  type IngestResult,
  type RawRecord,
} from '@silhouette/ingest';
import { InputError } from '../cli-error';
import type { StageProgress } from '../progress';
import { pseudonymizerFrom, type Runtime } from '../runtime';

const BATCH = 500;

export function readInput(file: string): Buffer {
  try {
    return file === '-' ? readFileSync(0) : readFileSync(file);
  } catch (error) {
    throw new InputError(
      `${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : 'cannot be read'}`,
    );
  }
}

export async function ingestInBatches(
  env: Env,
  runtime: Runtime,
  tenant: Tenant,
  records: RawRecord[],
  format: IngestFormat,
  /** Advanced per batch (done, rejected) when the caller shows progress. */
  stage?: StageProgress,
): Promise<IngestResult> {
  const service = new IngestService(runtime.apiDb, runtime.queue, pseudonymizerFrom(env));
  const total = emptyIngestResult();
  const limits = {
    maxRecords: BATCH,
    maxRequestBytes: Number.MAX_SAFE_INTEGER,
    maxMessageBytes: env.INGEST_MAX_MESSAGE_BYTES,
  };
  for (let start = 0; start < records.length; start += BATCH) {
    const batch = records.slice(start, start + BATCH);
    const result = await service.ingestRecords(tenant, batch, {
      format,
      limits,
      oversizedMessage: 'record',
    });
    addIngestResult(total, result);
    stage?.advance(batch.length, result.rejected.length);
  }
  return total;
}

/** Some records rejected and none stored (nor known already): the input was bad. */
export function nothingUsable(result: IngestResult): boolean {
  return (
    result.accepted === 0 &&
    result.updated === 0 &&
    result.duplicates === 0 &&
    result.rejected.length > 0
  );
}

export function printIngestResult(
  result: IngestResult & Record<string, unknown>,
  json: boolean,
  heading = '',
): void {
  if (json) {
    console.log(JSON.stringify(result));
    return;
  }
  console.log(
    `${heading}accepted ${result.accepted}, updated ${result.updated}, duplicates ${result.duplicates}, rejected ${result.rejected.length}`,
  );
  for (const reject of result.rejected.slice(0, 20)) {
    const where = reject.line !== undefined ? `line ${reject.line}` : `record ${reject.index}`;
    console.log(`  ${where}: ${reject.field} ${reject.message}`);
  }
  if (result.rejected.length > 20)
    console.log(`  … and ${result.rejected.length - 20} more (use --json for all)`);
  for (const { field, count } of result.ignored_fields)
    console.log(`  ignored ${field} (unknown field, not stored) in ${count} records`);
}
