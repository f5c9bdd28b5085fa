/**
 * `npm run bench -- treemap [--rounds N]`
 *
 * The dashboard's treemap layout (`squarify` in apps/dashboard/src/charts.tsx, d3-hierarchy's
 * squarified tiling since issue #14) against the hand-written squarified layout it replaced, kept
 * below as the reference. Items: one page of clusters (10 to 2,000, the API's largest page) with
 * Zipf-like sizes, laid out in the dashboard's 1000 × 340 box. Reported per layout: median
 * microseconds over `--rounds` runs (default 200, after 20 warm-up runs) and the mean aspect ratio
 * of the cells (max(w/h, h/w), 1 = square; lower is more readable).
 */
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { squarify } from '../../apps/dashboard/src/charts';

const BOX = { x: 0, y: 0, w: 1000, h: 340 };
const SIZES = [10, 50, 200, 1000, 2000];

export async function main(args: string[]): Promise<void> {
  const at = args.indexOf('--rounds');
  const rounds = at >= 0 ? Number.parseInt(args[at + 1] ?? '', 10) : 200;
  if (!Number.isInteger(rounds) || rounds < 1) throw new Error('--rounds: a positive integer');
  const cpus = os.cpus();
  console.log(`command: npm run bench -- treemap ${args.join(' ')}`.trimEnd());
  console.log(
    `machine: ${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, node ${process.version}, load avg ${os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}\n`,
  );
  console.log(
    `${'items'.padStart(6)}  ${'d3-hierarchy µs'.padStart(16)} ${'hand-written µs'.padStart(16)} ${'ratio'.padStart(6)}  ${'aspect d3'.padStart(9)} ${'aspect hand'.padStart(11)}`,
  );
  for (const n of SIZES) {
    // Zipf-like sizes, as cluster sizes are: a few large groups and a long tail.
    const items = Array.from({ length: n }, (_, i) => ({
      id: `c${i}`,
      value: Math.round(5000 / (i + 1)) + 10,
    }));
    const d3 = time(() => squarify(items, BOX), rounds);
    const hand = time(() => handWrittenSquarify(items, BOX), rounds);
    console.log(
      `${String(n).padStart(6)}  ${d3.toFixed(1).padStart(16)} ${hand.toFixed(1).padStart(16)} ${(d3 / hand).toFixed(2).padStart(6)}  ${aspect(squarify(items, BOX)).toFixed(2).padStart(9)} ${aspect(handWrittenSquarify(items, BOX)).toFixed(2).padStart(11)}`,
    );
  }
}

/** Median microseconds per call over `rounds` calls, after a warm-up. */
function time(run: () => unknown, rounds: number): number {
  for (let i = 0; i < 20; i++) run();
  const samples: number[] = [];
  for (let i = 0; i < rounds; i++) {
    const t0 = performance.now();
    run();
    samples.push((performance.now() - t0) * 1000);
  }
  samples.sort((a, b) => a - b);
  return samples[Math.floor(samples.length / 2)]!;
}

function aspect(cells: { rect: Rect }[]): number {
  const ratios = cells
    .filter((c) => c.rect.w > 0 && c.rect.h > 0)
    .map((c) => Math.max(c.rect.w / c.rect.h, c.rect.h / c.rect.w));
  return ratios.reduce((a, b) => a + b, 0) / Math.max(1, ratios.length);
}

// The reference: the dashboard's layout before issue #14, unchanged.
interface Rect {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Squarified treemap layout (Bruls, Huizing, van Wijk), hand-written. */
function handWrittenSquarify<T extends { value: number }>(
  items: T[],
  box: Rect,
): (T & { rect: Rect })[] {
  const sorted = [...items].filter((item) => item.value > 0).sort((a, b) => b.value - a.value);
  const total = sorted.reduce((sum, item) => sum + item.value, 0);
  if (total === 0) return [];
  const scale = (box.w * box.h) / total;
  const out: (T & { rect: Rect })[] = [];
  let rest = { ...box };
  let row: T[] = [];
  const worst = (candidate: T[], side: number) => {
    const areas = candidate.map((item) => item.value * scale);
    const sum = areas.reduce((a, b) => a + b, 0);
    const max = Math.max(...areas);
    const min = Math.min(...areas);
    return Math.max((side * side * max) / (sum * sum), (sum * sum) / (side * side * min));
  };
  const layoutRow = (items: T[]) => {
    const area = items.reduce((sum, item) => sum + item.value * scale, 0);
    const horizontal = rest.w >= rest.h; // lay the row along the short side
    if (horizontal) {
      const width = area / rest.h;
      let y = rest.y;
      for (const item of items) {
        const h = (item.value * scale) / width;
        out.push({ ...item, rect: { x: rest.x, y, w: width, h } });
        y += h;
      }
      rest = { x: rest.x + width, y: rest.y, w: rest.w - width, h: rest.h };
    } else {
      const height = area / rest.w;
      let x = rest.x;
      for (const item of items) {
        const w = (item.value * scale) / height;
        out.push({ ...item, rect: { x, y: rest.y, w, h: height } });
        x += w;
      }
      rest = { x: rest.x, y: rest.y + height, w: rest.w, h: rest.h - height };
    }
  };
  for (const item of sorted) {
    const side = Math.min(rest.w, rest.h);
    if (row.length === 0 || worst([...row, item], side) <= worst(row, side)) row.push(item);
    else {
      layoutRow(row);
      row = [item];
    }
  }
  if (row.length) layoutRow(row);
  return out;
}

/** Failure rate → colour: teal (0%) through amber to red (≥ 50%). */
