/**
 * The report's tables as CSV: one file per table, with a header row, plus a summary file of
 * the headline figures. Numbers are raw (minutes, fractions), so a spreadsheet can compute.
 */
import type { ReportContent, ReportTable } from '../report-content';
import { csvField } from './escape';

const toCsv = (rows: (string | number | null)[][]) =>
  rows.map((row) => row.map(csvField).join(',')).join('\r\n') + '\r\n';

function tableCsv(table: ReportTable): string {
  return toCsv([
    table.columns.map((column) => column.key),
    ...table.rows.map((row) => table.columns.map((column) => row[column.key] ?? null)),
  ]);
}

export function renderCsvFiles(content: ReportContent): { name: string; text: string }[] {
  const summary = toCsv([
    ['metric', 'value', 'detail'],
    ['report', content.title, null],
    ['period_start', content.period.start.toISOString().slice(0, 10), null],
    ['period_end_exclusive', content.period.end.toISOString().slice(0, 10), null],
    ['snapshot_id', content.snapshot.id, `v${content.snapshot.version}`],
    ['k_users', content.thresholds.kUsers, null],
    ['min_conversations', content.thresholds.minConversations, null],
    ...content.kpis.map((kpi) => [kpi.label, kpi.value, kpi.detail ?? null]),
  ]);
  return [
    { name: 'summary.csv', text: summary },
    ...content.tables.map((table) => ({ name: `${table.id}.csv`, text: tableCsv(table) })),
  ];
}
