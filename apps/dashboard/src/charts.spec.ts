import { describe, expect, it } from 'vitest';
import { squarify } from './charts';

describe('squarify (d3-hierarchy)', () => {
  const box = { x: 10, y: 20, w: 1000, h: 340 };
  const items = [500, 300, 120, 80, 0, 40, 10].map((value, i) => ({ id: `c${i}`, value }));
  const cells = squarify(items, box);

  it('gives every positive item a cell whose area is proportional to its value', () => {
    expect(cells.map((c) => c.id).sort()).toEqual(['c0', 'c1', 'c2', 'c3', 'c5', 'c6']);
    const total = 1050;
    for (const cell of cells) {
      expect(cell.rect.w * cell.rect.h).toBeCloseTo((cell.value / total) * box.w * box.h, 3);
    }
  });

  it('tiles the box without overlap or overflow', () => {
    for (const cell of cells) {
      expect(cell.rect.x).toBeGreaterThanOrEqual(box.x - 1e-9);
      expect(cell.rect.y).toBeGreaterThanOrEqual(box.y - 1e-9);
      expect(cell.rect.x + cell.rect.w).toBeLessThanOrEqual(box.x + box.w + 1e-9);
      expect(cell.rect.y + cell.rect.h).toBeLessThanOrEqual(box.y + box.h + 1e-9);
    }
    for (const a of cells)
      for (const b of cells) {
        if (a === b) continue;
        const overlapW =
          Math.min(a.rect.x + a.rect.w, b.rect.x + b.rect.w) - Math.max(a.rect.x, b.rect.x);
        const overlapH =
          Math.min(a.rect.y + a.rect.h, b.rect.y + b.rect.h) - Math.max(a.rect.y, b.rect.y);
        expect(overlapW <= 1e-9 || overlapH <= 1e-9).toBe(true);
      }
  });

  it('keeps cells close to square and lays out nothing for no data', () => {
    const largest = cells.find((c) => c.id === 'c0')!;
    expect(Math.max(largest.rect.w / largest.rect.h, largest.rect.h / largest.rect.w)).toBeLessThan(
      2,
    );
    expect(squarify([], box)).toEqual([]);
    expect(squarify([{ value: 0 }], box)).toEqual([]);
  });
});
