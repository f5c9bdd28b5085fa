/**
 * `silhouette report --tenant SLUG --type impact|quality --period P --out DIR`: renders one report
 * now, from the tenant's published snapshot only (like the API and the worker), and writes its
 * files. Nothing is stored or delivered; schedules do that.
 *
 * P: last-week, last-month, weeks:N (the last N complete ISO weeks) or FROM..TO (the whole ISO
 * weeks inside those dates, YYYY-MM-DD).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Env } from '@silhouette/config';
import {
  REPORT_FORMATS,
  REPORT_TYPES,
  type ReportFormat,
  type ReportType,
} from '@silhouette/contracts';
import {
  buildReportContent,
  NothingPublishedError,
  PdfPrinter,
  periodBetween,
  renderReportFiles,
  resolvePeriod,
  type ResolvedPeriod,
} from '@silhouette/reports';
import { InputError, UsageError } from '../cli-error';
import { requireTenant, withRuntime } from '../with-runtime';

export interface ReportFlags {
  tenant?: string;
  type?: string;
  period?: string;
  out?: string;
  formats?: string;
  json?: boolean;
}

export function parsePeriodFlag(value: string, now: Date): ResolvedPeriod {
  if (value === 'last-week') return resolvePeriod({ kind: 'last-week' }, now);
  if (value === 'last-month') return resolvePeriod({ kind: 'last-month' }, now);
  const weeks = /^weeks:(\d{1,2})$/.exec(value);
  if (weeks) {
    const count = Number(weeks[1]);
    if (count < 1 || count > 26) throw new InputError('--period: weeks:N needs N from 1 to 26');
    return resolvePeriod({ kind: 'custom', weeks: count }, now);
  }
  const range = /^(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})$/.exec(value);
  if (range) {
    const [from, to] = [new Date(`${range[1]}T00:00:00Z`), new Date(`${range[2]}T00:00:00Z`)];
    if (Number.isNaN(from.getTime()) || Number.isNaN(to.getTime()))
      throw new InputError(`--period: ${value} holds an invalid date`);
    try {
      return periodBetween(from, to);
    } catch (error) {
      throw new InputError(`--period: ${(error as Error).message}`);
    }
  }
  throw new InputError(
    `--period: "${value}" is not one of last-week, last-month, weeks:N, YYYY-MM-DD..YYYY-MM-DD`,
  );
}

function parseFormats(value: string | undefined): ReportFormat[] {
  const formats = (value ?? 'html,pdf,csv').split(',').map((format) => format.trim());
  for (const format of formats)
    if (!(REPORT_FORMATS as readonly string[]).includes(format))
      throw new InputError(`--formats: "${format}" is not one of ${REPORT_FORMATS.join(', ')}`);
  return [...new Set(formats)] as ReportFormat[];
}

export async function reportCommand(env: Env, flags: ReportFlags): Promise<void> {
  if (!flags.out) throw new UsageError('--out: required (a directory)');
  if (!flags.type || !(REPORT_TYPES as readonly string[]).includes(flags.type))
    throw new UsageError(`--type: required, one of ${REPORT_TYPES.join(', ')}`);
  const type = flags.type as ReportType;
  const period = parsePeriodFlag(flags.period ?? 'last-week', new Date());
  const formats = parseFormats(flags.formats);
  const out = flags.out;
  await withRuntime(env, 'report', {}, async (runtime) => {
    const tenant = await requireTenant(runtime, flags.tenant);
    const printer = formats.includes('pdf') ? new PdfPrinter(env.CHROMIUM_PATH) : undefined;
    try {
      const content = await buildReportContent({
        db: runtime.ownerDb,
        tenantId: tenant.id,
        tenantName: tenant.name,
        type,
        period,
      }).catch((error: unknown) => {
        if (error instanceof NothingPublishedError)
          throw new InputError(
            `tenant "${tenant.slug}": ${error.message} (run \`silhouette process --tenant ${tenant.slug}\`)`,
          );
        throw error;
      });
      const files = await renderReportFiles(content, formats, {
        ...(printer ? { printer } : {}),
        ...(env.PUBLIC_URL ? { publicUrl: env.PUBLIC_URL } : {}),
      });
      mkdirSync(out, { recursive: true });
      for (const file of files) writeFileSync(join(out, file.name), file.content);
      if (flags.json)
        console.log(
          JSON.stringify({
            out,
            title: content.title,
            snapshot_id: content.snapshot.id,
            files: files.map((file) => ({
              name: file.name,
              bytes: file.bytes,
              sha256: file.sha256,
            })),
          }),
        );
      else
        console.log(
          `${content.title}\nwrote ${files.length} file(s) to ${out}: ${files.map((file) => file.name).join(', ')}`,
        );
    } finally {
      await printer?.close();
    }
  });
}
