import { describe, expect, it } from 'vitest';
import { seededRandom } from '../random/seeded-random';
import { buildHierarchy, levelSizes } from './build-hierarchy';

/** Points around `groups × perGroup` sub-centres, themselves around `groups` centres, on the sphere. */
function nestedBlobs(groups: number, perGroup: number, points: number, d: number) {
  const random = seededRandom(3);
  const unit = (v: Float32Array) => {
    const norm = Math.hypot(...v);
    return v.map((x) => x / norm);
  };
  const rows: Float32Array[] = [];
  const topLabels: number[] = [];
  for (let g = 0; g < groups; g++) {
    const centre = unit(Float32Array.from({ length: d }, () => random() * 2 - 1));
    for (let s = 0; s < perGroup; s++) {
      const sub = unit(centre.map((x) => x + (random() * 2 - 1) * 0.25));
      for (let p = 0; p < points; p++) {
        rows.push(unit(sub.map((x) => x + (random() * 2 - 1) * 0.02)));
        topLabels.push(g);
      }
    }
  }
  const data = new Float32Array(rows.length * d);
  rows.forEach((row, i) => data.set(row, i * d));
  return { data, topLabels };
}

describe('levelSizes', () => {
  it('steps geometrically from the top k to the base k', () => {
    expect(levelSizes(100, 3, 7)).toEqual([7, 26, 100]);
    expect(levelSizes(4, 3, 7)).toEqual([4, 4, 4]);
    expect(levelSizes(50, 1, 7)).toEqual([50]);
  });
});

describe('buildHierarchy', () => {
  it('builds three nested levels whose parents are consistent and whose top level recovers the groups', () => {
    const { data, topLabels } = nestedBlobs(4, 5, 30, 16);
    const tree = buildHierarchy(data, 16, { topK: 4, baseK: 20 });
    expect(tree.levels.map((level) => level.k)).toEqual([4, 9, 20]);
    const [top, mid, base] = tree.levels;
    expect(Array.from(top!.parents).every((p) => p === -1)).toBe(true);
    expect(Math.max(...mid!.parents)).toBeLessThan(4);
    expect(Math.max(...base!.parents)).toBeLessThan(9);
    expect(top!.sizes.reduce((a, b) => a + b, 0)).toBe(600);

    // Every original group lands in exactly one top-level cluster.
    const topOf = (row: number) => mid!.parents[base!.parents[tree.assignments[row]!]!]!;
    const groupToTop = new Map<number, Set<number>>();
    topLabels.forEach((label, row) => {
      const set = groupToTop.get(label) ?? new Set();
      set.add(topOf(row));
      groupToTop.set(label, set);
    });
    expect([...groupToTop.values()].map((set) => set.size)).toEqual([1, 1, 1, 1]);
    expect(new Set([...groupToTop.values()].map((set) => [...set][0])).size).toBe(4);
  });

  it("starts from the previous run's centroids, so a re-run with another seed keeps cluster order", () => {
    const { data } = nestedBlobs(4, 5, 30, 16);
    const first = buildHierarchy(data, 16, { topK: 4, baseK: 20, seed: 1 });
    const again = buildHierarchy(data, 16, {
      topK: 4,
      baseK: 20,
      seed: 2,
      warmStart: first.levels.map((level) => level.centroids),
    });
    // Cluster i of the warm run is cluster i of the first run: same members at every level.
    expect(Array.from(again.assignments)).toEqual(Array.from(first.assignments));
    for (let level = 0; level < 3; level++)
      expect(Array.from(again.levels[level]!.parents)).toEqual(
        Array.from(first.levels[level]!.parents),
      );
    // Without the warm start another seed numbers the clusters differently.
    const cold = buildHierarchy(data, 16, { topK: 4, baseK: 20, seed: 2 });
    expect(Array.from(cold.assignments)).not.toEqual(Array.from(first.assignments));
  });

  it('is deterministic for a seed', () => {
    const { data } = nestedBlobs(3, 3, 20, 8);
    const a = buildHierarchy(data, 8, { seed: 9 });
    const b = buildHierarchy(data, 8, { seed: 9 });
    expect(Array.from(a.assignments)).toEqual(Array.from(b.assignments));
    expect(Array.from(a.levels[0]!.centroids)).toEqual(Array.from(b.levels[0]!.centroids));
  });
});
