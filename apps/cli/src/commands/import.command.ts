/**
 * `silhouette import langfuse|langsmith FILE|- --tenant SLUG [--json]`: existing logs from
 * Langfuse (traces as its public API returns them) or LangSmith (runs as it exports them) become
 * conversations (sessions or threads), stored through the same ingest as everything else. Items
 * that cannot become a record are reported like bad ingest records (position, field, message);
 * good ones are kept.
 */
import type { Env } from '@silhouette/config';
import {
  BodyError,
  decodeUtf8,
  inFileOrder,
  planLangfuseImport,
  planLangsmithImport,
  type ImportPlan,
  type IngestResult,
} from '@silhouette/ingest';
import { InputError, UsageError } from '../cli-error';
import { progressFor, type ProgressOptions } from '../progress';
import { requireTenant, withRuntime } from '../with-runtime';
import { ingestInBatches, printIngestResult, readInput } from './ingest-batches';

export const IMPORT_SOURCES = {
  langfuse: { plan: planLangfuseImport, items: 'traces' },
  langsmith: { plan: planLangsmithImport, items: 'runs' },
} as const;
export type ImportSource = keyof typeof IMPORT_SOURCES;

export type ImportSummary = IngestResult & {
  source: ImportSource;
  items: number;
  conversations: number;
};

const USAGE = 'usage: silhouette import langfuse|langsmith FILE|- --tenant SLUG [--json]';

export async function importCommand(
  env: Env,
  args: string[],
  flags: { tenant?: string; json?: boolean },
  progressOptions: ProgressOptions = {},
): Promise<ImportSummary> {
  const [source, file] = args;
  if (!source || !file) throw new UsageError(USAGE);
  if (!(source in IMPORT_SOURCES))
    throw new UsageError(`import: unknown source "${source}" (langfuse or langsmith)`);
  const { plan: planImport, items } = IMPORT_SOURCES[source as ImportSource];
  let plan: ImportPlan;
  try {
    plan = planImport(decodeUtf8(readInput(file)));
  } catch (error) {
    if (error instanceof BodyError)
      throw new InputError(`${file}: ${error.message.replace(/^body /, '')}`);
    throw error;
  }
  return withRuntime(env, 'import', {}, async (runtime) => {
    const tenant = await requireTenant(runtime, flags.tenant);
    const progress = progressFor(flags, progressOptions);
    try {
      // Progress counts conversations (what is ingested), not the items they were read from.
      const stage = progress.stage(`import ${source}`, plan.records.length);
      const result = await ingestInBatches(env, runtime, tenant, plan.records, 'openai', stage);
      stage.finish({
        accepted: result.accepted,
        updated: result.updated,
        duplicates: result.duplicates,
      });
      // Problems found while reading the export sit beside those ingest found, in file order.
      result.rejected = inFileOrder([...plan.rejected, ...result.rejected]);
      const summary: ImportSummary = {
        source: source as ImportSource,
        items: plan.items,
        conversations: plan.conversations,
        ...result,
      };
      printIngestResult(
        summary,
        flags.json ?? false,
        `${plan.items} ${items}, ${plan.conversations} conversations: `,
      );
      return summary;
    } finally {
      progress.close();
    }
  });
}
