/**
 * The report as one self-contained HTML document (inline CSS and SVG, no script, no remote
 * resource), readable on screen, in a mail client and when printed to PDF.
 */
import type { CellValue, ReportContent, ReportTable } from '../report-content';
import { escapeHtml } from './escape';
import { renderChart } from './svg-charts';

const STYLE = `
  @page { size: A4; margin: 16mm 14mm; }
  * { box-sizing: border-box; }
  body { font-family: "Liberation Sans", "DejaVu Sans", Arial, sans-serif; color: #111827; margin: 0;
    background: #fff; font-size: 13px; line-height: 1.45; }
  main { max-width: 780px; margin: 0 auto; padding: 24px; }
  header { border-bottom: 3px solid #2563eb; padding-bottom: 12px; margin-bottom: 18px; }
  h1 { font-size: 22px; margin: 0 0 4px; }
  h2 { font-size: 16px; margin: 22px 0 8px; }
  .meta { color: #4b5563; margin: 0; }
  .kpis { display: grid; grid-template-columns: repeat(4, 1fr); gap: 10px; margin: 12px 0; }
  .kpi { border: 1px solid #d1d5db; border-radius: 6px; padding: 10px; break-inside: avoid; }
  .kpi .label { color: #4b5563; font-size: 11px; text-transform: uppercase; letter-spacing: .04em; }
  .kpi .value { font-size: 20px; font-weight: 700; margin-top: 2px; }
  .kpi .detail { color: #4b5563; font-size: 11px; margin-top: 2px; }
  .method { background: #f3f4f6; border-radius: 6px; padding: 8px 10px; }
  section { break-inside: avoid; }
  table { width: 100%; border-collapse: collapse; margin: 4px 0 6px; }
  th, td { text-align: left; padding: 5px 6px; border-bottom: 1px solid #e5e7eb; vertical-align: top; }
  th { font-size: 11px; color: #374151; text-transform: uppercase; letter-spacing: .03em; }
  td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
  th.num { text-align: right; }
  .note, .empty { color: #4b5563; font-size: 12px; }
  .privacy { border: 1px solid #93c5fd; background: #eff6ff; border-radius: 6px; padding: 10px 12px; margin-top: 22px; }
  .privacy ul { margin: 6px 0 0 18px; padding: 0; }
  footer { color: #6b7280; font-size: 11px; margin-top: 18px; }
`;

function formatCell(value: CellValue, kind: ReportTable['columns'][number]['kind']): string {
  if (value === null) return '–';
  if (typeof value === 'string') return escapeHtml(value);
  switch (kind) {
    case 'percent':
      return `${(value * 100).toFixed(1)}%`;
    case 'change':
      return `${value >= 0 ? '+' : ''}${(value * 100).toFixed(0)}%`;
    case 'minutes':
      return Math.round(value).toLocaleString('en-GB');
    default:
      return value.toLocaleString('en-GB');
  }
}

function renderTable(table: ReportTable): string {
  const numeric = (kind: string) => kind !== 'text';
  const head = table.columns
    .map(
      (column) =>
        `<th${numeric(column.kind) ? ' class="num"' : ''}>${escapeHtml(column.label)}</th>`,
    )
    .join('');
  const body = table.rows
    .map(
      (row) =>
        `<tr>${table.columns
          .map(
            (column) =>
              `<td${numeric(column.kind) ? ' class="num"' : ''}>${formatCell(row[column.key] ?? null, column.kind)}</td>`,
          )
          .join('')}</tr>`,
    )
    .join('');
  return `<section id="table-${escapeHtml(table.id)}"><h2>${escapeHtml(table.title)}</h2>${
    table.rows.length
      ? `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`
      : '<p class="empty">Nothing to show for this period.</p>'
  }${table.note ? `<p class="note">${escapeHtml(table.note)}</p>` : ''}</section>`;
}

export interface HtmlOptions {
  /** Absolute base of the dashboard/API, for the evidence link (relative when absent). */
  publicUrl?: string;
}

export function renderHtml(content: ReportContent, options: HtmlOptions = {}): string {
  const base = options.publicUrl?.replace(/\/$/, '') ?? '';
  const evidenceUrl = `${base}${content.evidencePath}`;
  const dashboardEvidence = `${base}/?view=privacy&snapshot=${content.snapshot.id}`;
  const kpis = content.kpis
    .map(
      (kpi) =>
        `<div class="kpi"><div class="label">${escapeHtml(kpi.label)}</div><div class="value">${escapeHtml(kpi.value)}</div>${
          kpi.detail ? `<div class="detail">${escapeHtml(kpi.detail)}</div>` : ''
        }</div>`,
    )
    .join('');
  const charts = content.charts
    .map(
      (chart) =>
        `<section id="chart-${escapeHtml(chart.id)}"><h2>${escapeHtml(chart.title)}</h2>${renderChart(chart)}</section>`,
    )
    .join('');
  const tables = content.tables.map(renderTable).join('');
  const notes = content.notes.map((note) => `<li>${escapeHtml(note)}</li>`).join('');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(content.title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<header>
<h1>${escapeHtml(content.title)}</h1>
<p class="meta">${escapeHtml(content.tenantName)} · ${escapeHtml(content.period.label)} · generated ${escapeHtml(content.generatedAt.toISOString().slice(0, 16).replace('T', ' '))} UTC from snapshot v${content.snapshot.version}</p>
</header>
<div class="kpis">${kpis}</div>
<p class="method"><strong>How this is measured.</strong> ${escapeHtml(content.method)}</p>
${charts}
${tables}
<section class="privacy" id="privacy">
<h2>Privacy</h2>
<p>This report shows only published aggregates: no conversation text, and no group of fewer than ${content.thresholds.kUsers} people or ${content.thresholds.minConversations} conversations.</p>
<ul>${notes}</ul>
<p>Privacy evidence of snapshot v${content.snapshot.version} (thresholds, suppressed cells, auditor scores, model and prompt versions): <a href="${escapeHtml(dashboardEvidence)}">dashboard</a>, <a href="${escapeHtml(evidenceUrl)}">API</a> (<code>${escapeHtml(content.evidencePath)}</code>).</p>
</section>
<footer>Silhouette · ${escapeHtml(content.type)} report · snapshot ${escapeHtml(content.snapshot.id)}</footer>
</main>
</body>
</html>
`;
}
