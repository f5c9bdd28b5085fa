/** Small SVG charts: horizontal bars, weekly columns and a squarified treemap (d3-hierarchy). */
import { hierarchy, treemap, treemapSquarify } from 'd3-hierarchy';
import type { KeyboardEvent } from 'react';

export interface Bar {
  key: string;
  label: string;
  value: number;
  /** Shown after the value (e.g. "12 people"). */
  note?: string;
  /** A pooled "other" cell: drawn hatched. */
  other?: boolean;
}

/** Horizontal bars as a list: label, bar, value. Readable by screen readers as plain text. */
export function BarList({
  bars,
  format = (value) => value.toLocaleString('en'),
  label,
  testId,
  empty = 'Nothing to show.',
}: {
  bars: Bar[];
  format?: (value: number) => string;
  label: string;
  testId?: string;
  empty?: string;
}) {
  if (bars.length === 0)
    return (
      <p className="muted" data-testid={testId}>
        {empty}
      </p>
    );
  const max = Math.max(...bars.map((bar) => bar.value), 1);
  return (
    <ul className="bars" aria-label={label} data-testid={testId}>
      {bars.map((bar) => (
        <li key={bar.key} className={bar.other ? 'other' : undefined}>
          <span className="bar-label" title={bar.label}>
            {bar.label}
          </span>
          <svg className="bar-track" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden>
            <rect x="0" y="0" width={Math.max(0.5, (bar.value / max) * 100)} height="10" />
          </svg>
          <span className="bar-value">
            {format(bar.value)}
            {bar.note && <span className="muted"> · {bar.note}</span>}
          </span>
        </li>
      ))}
    </ul>
  );
}

/** Vertical columns over time (ISO weeks); the pooled "(other)" bucket is listed below it. */
export function ColumnChart({
  points,
  label,
  height = 160,
}: {
  points: { key: string; label: string; value: number }[];
  label: string;
  height?: number;
}) {
  if (points.length === 0) return <p className="muted">No weekly figures in this snapshot.</p>;
  const width = 640;
  const pad = { top: 12, bottom: 24, left: 40, right: 8 };
  const max = Math.max(...points.map((point) => point.value), 1);
  const step = (width - pad.left - pad.right) / points.length;
  const barWidth = Math.max(2, Math.min(48, step * 0.7));
  const y = (value: number) => pad.top + (1 - value / max) * (height - pad.top - pad.bottom);
  const labelEvery = Math.ceil(points.length / 8);
  return (
    <svg
      className="columns"
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label={`${label}: ${points.map((p) => `${p.label} ${p.value}`).join(', ')}`}
    >
      <line x1={pad.left} x2={width - pad.right} y1={y(0)} y2={y(0)} className="axis" />
      <text x={pad.left - 6} y={y(max) + 4} textAnchor="end" className="tick">
        {max.toLocaleString('en')}
      </text>
      <text x={pad.left - 6} y={y(0) + 4} textAnchor="end" className="tick">
        0
      </text>
      {points.map((point, i) => {
        const x = pad.left + i * step + (step - barWidth) / 2;
        return (
          <g key={point.key}>
            <rect x={x} y={y(point.value)} width={barWidth} height={y(0) - y(point.value)}>
              <title>{`${point.label}: ${point.value.toLocaleString('en')}`}</title>
            </rect>
            {i % labelEvery === 0 && (
              <text x={x + barWidth / 2} y={height - 6} textAnchor="middle" className="tick">
                {point.label}
              </text>
            )}
          </g>
        );
      })}
    </svg>
  );
}

export interface TreemapItem {
  id: string;
  name: string;
  value: number;
  /** 0–1, colours the cell; null = unknown. */
  failureRate: number | null;
  other?: boolean;
}

interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/**
 * Squarified treemap layout (Bruls, Huizing & van Wijk) by d3-hierarchy, with the aspect-ratio
 * target of the original paper (1) rather than d3's default (the golden ratio): cells as square
 * as possible, largest first. Replaced a hand-written layout; `npm run bench -- treemap` compares
 * the two.
 */
export function squarify<T extends { value: number }>(
  items: T[],
  box: Rect,
): (T & { rect: Rect })[] {
  const positive = items.filter((item) => item.value > 0);
  if (positive.length === 0) return [];
  const root = hierarchy<{ item?: T; children?: { item: T }[] }>(
    { children: positive.map((item) => ({ item })) },
    (node) => node.children,
  )
    .sum((node) => node.item?.value ?? 0)
    .sort((a, b) => (b.value ?? 0) - (a.value ?? 0));
  const laidOut = treemap<{ item?: T; children?: { item: T }[] }>()
    .tile(treemapSquarify.ratio(1))
    .size([box.w, box.h])(root);
  return laidOut.leaves().map((leaf) => ({
    ...leaf.data.item!,
    rect: { x: box.x + leaf.x0, y: box.y + leaf.y0, w: leaf.x1 - leaf.x0, h: leaf.y1 - leaf.y0 },
  }));
}

/** Failure rate → colour: teal (0%) through amber to red (≥ 50%). */
export function failureColour(rate: number | null, other = false): string {
  if (other || rate === null) return 'var(--cell-neutral)';
  const t = Math.min(1, rate / 0.5);
  const hue = 170 - 170 * t;
  return `hsl(${hue.toFixed(0)} 55% var(--cell-lightness))`;
}

export function Treemap({
  items,
  onOpen,
  label,
}: {
  items: TreemapItem[];
  onOpen: (item: TreemapItem) => void;
  label: string;
}) {
  const width = 1000;
  const height = 340;
  const cells = squarify(items, { x: 0, y: 0, w: width, h: height });
  const key = (item: TreemapItem) => (event: KeyboardEvent) => {
    if (event.key === 'Enter' || event.key === ' ') {
      event.preventDefault();
      onOpen(item);
    }
  };
  return (
    <svg className="treemap" viewBox={`0 0 ${width} ${height}`} role="group" aria-label={label}>
      {cells.map((cell) => {
        const { x, y, w, h } = cell.rect;
        const showText = w > 60 && h > 34;
        // ~8.5 user units per bold 13px character; names that do not fit are cut with an ellipsis.
        const chars = Math.floor((w - 16) / 8.5);
        const name = cell.name.length > chars ? `${cell.name.slice(0, chars - 1)}…` : cell.name;
        return (
          <g
            key={cell.id}
            role="button"
            tabIndex={0}
            aria-label={`${cell.name}: ${cell.value.toLocaleString('en')} conversations`}
            className="cell"
            onClick={() => onOpen(cell)}
            onKeyDown={key(cell)}
          >
            <rect
              x={x + 1}
              y={y + 1}
              width={Math.max(0, w - 2)}
              height={Math.max(0, h - 2)}
              rx="4"
              fill={failureColour(cell.failureRate, cell.other)}
            >
              <title>{`${cell.name}: ${cell.value.toLocaleString('en')} conversations${
                cell.failureRate === null ? '' : `, ${(cell.failureRate * 100).toFixed(0)}% failed`
              }`}</title>
            </rect>
            {showText && (
              <>
                <text x={x + 8} y={y + 20} className="cell-name">
                  {name}
                </text>
                <text x={x + 8} y={y + 36} className="cell-value">
                  {cell.value.toLocaleString('en')}
                </text>
              </>
            )}
          </g>
        );
      })}
    </svg>
  );
}

export function FailureLegend() {
  return (
    <p className="legend small muted" aria-hidden>
      Colour = failure rate:{' '}
      {[0, 0.125, 0.25, 0.375, 0.5].map((rate) => (
        <span key={rate} className="swatch" style={{ background: failureColour(rate) }}>
          {rate === 0.5 ? '≥50%' : `${rate * 100}%`}
        </span>
      ))}
      <span className="swatch" style={{ background: failureColour(null) }}>
        pooled / unknown
      </span>
    </p>
  );
}

/**
 * Clusters on a 2-D map (principal axes of their centroids): nearby circles are similar topics.
 * Area = conversations, colour = failure rate. Circles are focusable and open on Enter.
 */
export function ClusterMap({
  items,
  label,
  onOpen,
}: {
  items: {
    id: string;
    name: string;
    value: number;
    failureRate: number | null;
    x: number;
    y: number;
  }[];
  label: string;
  onOpen: (id: string) => void;
}) {
  if (items.length === 0) return <p className="muted">No positions in this snapshot.</p>;
  const width = 640;
  const height = 360;
  const pad = 40;
  const max = Math.max(...items.map((item) => item.value), 1);
  return (
    <svg className="cluster-map" viewBox={`0 0 ${width} ${height}`} role="group" aria-label={label}>
      {items.map((item) => {
        const cx = pad + ((item.x + 1) / 2) * (width - 2 * pad);
        const cy = pad + ((1 - item.y) / 2) * (height - 2 * pad);
        const r = 6 + 22 * Math.sqrt(item.value / max);
        return (
          <g
            key={item.id}
            tabIndex={0}
            role="button"
            aria-label={`${item.name}: ${item.value.toLocaleString('en')} conversations`}
            onClick={() => onOpen(item.id)}
            onKeyDown={(event) => {
              if (event.key === 'Enter' || event.key === ' ') {
                event.preventDefault();
                onOpen(item.id);
              }
            }}
          >
            <circle
              cx={cx}
              cy={cy}
              r={r}
              fill={failureColour(item.failureRate)}
              className="map-point"
            >
              <title>{`${item.name}: ${item.value.toLocaleString('en')} conversations`}</title>
            </circle>
            <text
              x={cx}
              y={cy + r + 10}
              textAnchor={cx > width - 120 ? 'end' : cx < 120 ? 'start' : 'middle'}
              className="tick"
              style={{ fontSize: 9 }}
            >
              {item.name.length > 24 ? `${item.name.slice(0, 23)}…` : item.name}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
