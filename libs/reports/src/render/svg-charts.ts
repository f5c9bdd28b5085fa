/**
 * Charts as inline SVG: no script, no external font or image, so the same markup renders in a
 * mail client, a browser and Chromium's PDF printer. Sized in user units and scaled by CSS.
 */
import type { ReportChart } from '../report-content';
import { escapeHtml } from './escape';

const WIDTH = 640;
const INK = '#1f2937';
const MUTED = '#6b7280';
const ACCENT = '#2563eb';
const BAND = '#bfdbfe';

const fmt = (value: number) =>
  Math.abs(value) >= 100
    ? Math.round(value).toLocaleString('en-GB')
    : String(Math.round(value * 10) / 10);

function truncate(label: string, max: number): string {
  return label.length > max ? `${label.slice(0, max - 1)}…` : label;
}

/** Horizontal bars, one row per point, value printed at the end of each bar. */
function bars(chart: ReportChart): string {
  const row = 26;
  const labelWidth = 230;
  const height = chart.points.length * row + 8;
  const max = Math.max(1, ...chart.points.map((point) => point.value));
  const span = WIDTH - labelWidth - 70;
  const items = chart.points
    .map((point, index) => {
      const y = index * row + 4;
      const width = Math.max(1, (point.value / max) * span);
      return [
        `<text x="${labelWidth - 8}" y="${y + 16}" text-anchor="end" font-size="12" fill="${INK}">${escapeHtml(truncate(point.label, 34))}</text>`,
        `<rect x="${labelWidth}" y="${y + 4}" width="${width.toFixed(1)}" height="16" rx="2" fill="${ACCENT}"/>`,
        `<text x="${labelWidth + width + 6}" y="${y + 16}" font-size="12" fill="${INK}">${fmt(point.value)}${escapeHtml(chart.unit)}</text>`,
      ].join('');
    })
    .join('');
  return `<svg viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-label="${escapeHtml(chart.title)}" xmlns="http://www.w3.org/2000/svg">${items}</svg>`;
}

/** A line with its interval as a shaded band where the points carry one. */
function line(chart: ReportChart): string {
  const height = 220;
  const left = 48;
  const bottom = 36;
  const top = 12;
  const points = chart.points;
  const max = Math.max(1, ...points.map((point) => point.high ?? point.value));
  const x = (index: number) =>
    left +
    (points.length <= 1
      ? (WIDTH - left - 16) / 2
      : (index / (points.length - 1)) * (WIDTH - left - 16));
  const y = (value: number) => top + (1 - value / max) * (height - top - bottom);
  const grid = [0, 0.5, 1]
    .map((fraction) => {
      const value = max * fraction;
      return `<line x1="${left}" x2="${WIDTH - 8}" y1="${y(value).toFixed(1)}" y2="${y(value).toFixed(1)}" stroke="#e5e7eb"/><text x="${left - 6}" y="${(y(value) + 4).toFixed(1)}" text-anchor="end" font-size="11" fill="${MUTED}">${fmt(value)}</text>`;
    })
    .join('');
  const withBand = points.every((point) => point.low !== undefined && point.high !== undefined);
  const band =
    withBand && points.length > 1
      ? `<polygon fill="${BAND}" opacity="0.7" points="${[
          ...points.map((point, index) => `${x(index).toFixed(1)},${y(point.high!).toFixed(1)}`),
          ...points
            .map((point, index) => `${x(index).toFixed(1)},${y(point.low!).toFixed(1)}`)
            .reverse(),
        ].join(' ')}"/>`
      : '';
  const path = points
    .map((point, index) => `${x(index).toFixed(1)},${y(point.value).toFixed(1)}`)
    .join(' ');
  const dots = points
    .map(
      (point, index) =>
        `<circle cx="${x(index).toFixed(1)}" cy="${y(point.value).toFixed(1)}" r="3" fill="${ACCENT}"/>`,
    )
    .join('');
  const step = Math.max(1, Math.ceil(points.length / 6));
  const labels = points
    .map((point, index) =>
      index % step === 0 || index === points.length - 1
        ? `<text x="${x(index).toFixed(1)}" y="${height - 12}" text-anchor="${index === points.length - 1 && index > 0 ? 'end' : 'middle'}" font-size="11" fill="${MUTED}">${escapeHtml(point.label)}</text>`
        : '',
    )
    .join('');
  return `<svg viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-label="${escapeHtml(chart.title)}" xmlns="http://www.w3.org/2000/svg">${grid}${band}<polyline fill="none" stroke="${ACCENT}" stroke-width="2" points="${path}"/>${dots}${labels}</svg>`;
}

export function renderChart(chart: ReportChart): string {
  if (chart.points.length === 0) return `<p class="empty">No published figures to chart.</p>`;
  return chart.kind === 'bars' ? bars(chart) : line(chart);
}
