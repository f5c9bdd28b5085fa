/**
 * Turns report content into its files (HTML, PDF, CSV) after a last PII check of every text
 * the report publishes. All or nothing: any failure throws, and nothing is stored.
 */
import { createHash } from 'node:crypto';
import type { ReportFormat } from '@silhouette/contracts';
import type { ReportFile } from '@silhouette/db';
import { piiTypesIn } from '@silhouette/privacy';
import type { ReportContent } from '../report-content';
import { renderCsvFiles } from './render-csv';
import { renderHtml, type HtmlOptions } from './render-html';
import type { PdfPrinter } from './pdf-printer';

export class ReportPrivacyError extends Error {
  readonly code = 'report_privacy';
}

/** Every free text the report shows (names, labels, table cells), for the PII check. */
function publishedTexts(content: ReportContent): string[] {
  return [
    content.title,
    content.tenantName,
    ...content.kpis.flatMap((kpi) => [kpi.label, kpi.value, kpi.detail ?? '']),
    ...content.charts.flatMap((chart) => [
      chart.title,
      ...chart.points.map((point) => point.label),
    ]),
    ...content.tables.flatMap((table) =>
      table.rows.flatMap((row) => Object.values(row).filter((value) => typeof value === 'string')),
    ),
  ].filter((text): text is string => typeof text === 'string' && text.length > 0);
}

/** Throws when any published text of the report contains PII (defence in depth: fail closed). */
export function assertNoPii(content: ReportContent): void {
  const types = new Set(publishedTexts(content).flatMap((text) => piiTypesIn(text)));
  if (types.size > 0)
    throw new ReportPrivacyError(
      `a text in the report failed the PII check (${[...types].sort().join(', ')}); nothing was stored`,
    );
}

const CONTENT_TYPES: Record<ReportFormat, string> = {
  html: 'text/html; charset=utf-8',
  pdf: 'application/pdf',
  csv: 'text/csv; charset=utf-8',
};

function file(name: string, format: ReportFormat, content: Buffer): ReportFile {
  return {
    name,
    format,
    contentType: CONTENT_TYPES[format],
    content,
    bytes: content.length,
    sha256: createHash('sha256').update(content).digest('hex'),
  };
}

/** A file name stem such as impact-2026-W46 or quality-2026-10. */
function reportStem(content: ReportContent): string {
  const buckets = content.period.buckets;
  const span = buckets.length === 1 ? buckets[0]! : `${buckets[0]}_${buckets[buckets.length - 1]}`;
  return `${content.type}-${span}`;
}

export async function renderReportFiles(
  content: ReportContent,
  formats: readonly ReportFormat[],
  options: HtmlOptions & { printer?: PdfPrinter } = {},
): Promise<ReportFile[]> {
  assertNoPii(content);
  const stem = reportStem(content);
  const html = renderHtml(content, options);
  const files: ReportFile[] = [];
  if (formats.includes('html')) files.push(file(`${stem}.html`, 'html', Buffer.from(html)));
  if (formats.includes('pdf')) {
    if (!options.printer) throw new Error('PDF requested but no PDF printer is configured');
    files.push(file(`${stem}.pdf`, 'pdf', await options.printer.print(html)));
  }
  if (formats.includes('csv')) {
    for (const csv of renderCsvFiles(content))
      files.push(file(`${stem}-${csv.name}`, 'csv', Buffer.from(csv.text)));
  }
  return files;
}
