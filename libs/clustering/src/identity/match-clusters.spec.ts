import { describe, expect, it } from 'vitest';
import {
  matchClusters,
  type ClusterMatch,
  type CurrentCluster,
  type PreviousCluster,
} from './match-clusters';
import { seededRandom } from '../random/seeded-random';

const DIM = 32;

function normalize(v: Float32Array): Float32Array {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

function randomUnit(random: () => number): Float32Array {
  return normalize(Float32Array.from({ length: DIM }, () => random() * 2 - 1));
}

/** `v` plus uniform noise of the given amplitude per coordinate, renormalised. */
function perturb(v: Float32Array, random: () => number, amplitude: number): Float32Array {
  return normalize(v.map((x) => x + (random() * 2 - 1) * amplitude));
}

function mean(...vs: Float32Array[]): Float32Array {
  const out = new Float32Array(DIM);
  for (const v of vs) for (let i = 0; i < DIM; i++) out[i]! += v[i]!;
  return normalize(out);
}

function range(prefix: string, from: number, to: number): string[] {
  return Array.from({ length: to - from }, (_, i) => `${prefix}-${from + i}`);
}

function shuffled<T>(items: readonly T[], random: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

function idCounter(prefix = 'new'): () => string {
  let n = 0;
  return () => `${prefix}-${++n}`;
}

/** A previous run of `count` clusters with 40 members each and random centroids. */
function previousRun(count: number, seed: number): PreviousCluster[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => ({
    id: `cl-${String(i).padStart(3, '0')}`,
    centroid: randomUnit(random),
    members: new Set(range(`conv-${i}`, 0, 40)),
  }));
}

/** The same clusters re-clustered: run-local keys, perturbed centroids, shuffled order. */
function rerun(
  previous: readonly PreviousCluster[],
  seed: number,
  opts: { noise?: number; newMembers?: number } = {},
): { current: CurrentCluster[]; truth: Map<string, string> } {
  const random = seededRandom(seed);
  const truth = new Map<string, string>();
  const current = previous.map((p, i) => {
    const key = `k${seed}-${i}`;
    truth.set(key, p.id);
    const members = new Set(p.members);
    for (const m of range(`fresh-${seed}-${i}`, 0, opts.newMembers ?? 0)) members.add(m);
    return { key, centroid: perturb(p.centroid, random, opts.noise ?? 0.05), members };
  });
  return { current: shuffled(current, random), truth };
}

function kept(result: ClusterMatch, truth: ReadonlyMap<string, string>): number {
  let same = 0;
  for (const [key, id] of truth) if (result.ids.get(key) === id) same++;
  return same / truth.size;
}

describe('matchClusters', () => {
  it('keeps every id when the same clusters come back shuffled and slightly perturbed', () => {
    const previous = previousRun(60, 1);
    const { current, truth } = rerun(previous, 2, { noise: 0.05 });
    const result = matchClusters(shuffled(previous, seededRandom(3)), current, {
      newId: idCounter(),
    });
    expect(kept(result, truth)).toBe(1);
    expect(result.lineage.every((l) => l.kind === 'continued')).toBe(true);
    expect(result.retired).toEqual([]);
  });

  it('keeps ids on centroids alone when the runs share no conversations', () => {
    const previous = previousRun(30, 4);
    const { current, truth } = rerun(previous, 5, { noise: 0.03 });
    const disjoint = current.map((c) => ({ ...c, members: new Set([`other-${c.key}`]) }));
    const result = matchClusters(previous, disjoint, { newId: idCounter() });
    expect(kept(result, truth)).toBe(1);
  });

  it('keeps ≥ 90% of ids when every cluster gains 10% new members (and drifts a little)', () => {
    const previous = previousRun(80, 6);
    const { current, truth } = rerun(previous, 7, { noise: 0.08, newMembers: 4 });
    const result = matchClusters(previous, current, { newId: idCounter() });
    expect(kept(result, truth)).toBeGreaterThanOrEqual(0.9);
  });

  it('gives genuinely new clusters new ids', () => {
    const previous = previousRun(20, 8);
    const { current, truth } = rerun(previous, 9);
    const random = seededRandom(10);
    for (let i = 0; i < 3; i++)
      current.push({
        key: `brand-new-${i}`,
        centroid: randomUnit(random),
        members: new Set(range(`novel-${i}`, 0, 30)),
      });
    const result = matchClusters(previous, current, { newId: idCounter() });
    expect(kept(result, truth)).toBe(1);
    for (let i = 0; i < 3; i++) {
      const id = result.ids.get(`brand-new-${i}`)!;
      expect(id).toMatch(/^new-/);
      expect(result.lineage.find((l) => l.id === id)).toMatchObject({ kind: 'new', sources: [] });
    }
    expect(new Set(result.ids.values()).size).toBe(current.length);
  });

  it('records a split: one old cluster → a continuing part and a new part', () => {
    const random = seededRandom(11);
    const a = randomUnit(random);
    const other = previousRun(5, 12);
    const previous: PreviousCluster[] = [
      ...other,
      { id: 'A', centroid: a, members: new Set(range('a', 0, 100)) },
    ];
    const { current } = rerun(other, 13);
    current.push(
      { key: 'big', centroid: perturb(a, random, 0.05), members: new Set(range('a', 0, 65)) },
      // The smaller part moved away from A's centroid (a sub-topic of its own).
      {
        key: 'small',
        centroid: mean(a, randomUnit(random)),
        members: new Set(range('a', 65, 100)),
      },
    );
    const result = matchClusters(previous, current, { newId: idCounter() });
    expect(result.ids.get('big')).toBe('A');
    const small = result.lineage.find((l) => l.key === 'small')!;
    expect(small).toMatchObject({ kind: 'split', sources: ['A'] });
    expect(small.id).not.toBe('A');
  });

  it('records a merge: two old clusters → one new cluster, both sources retired', () => {
    const random = seededRandom(14);
    const c = randomUnit(random);
    const d = randomUnit(random);
    const other = previousRun(5, 15);
    const previous: PreviousCluster[] = [
      ...other,
      { id: 'C', centroid: c, members: new Set(range('c', 0, 50)) },
      { id: 'D', centroid: d, members: new Set(range('d', 0, 40)) },
    ];
    const { current, truth } = rerun(other, 16);
    current.push({
      key: 'both',
      centroid: mean(c, d),
      members: new Set([...range('c', 0, 50), ...range('d', 0, 40)]),
    });
    const result = matchClusters(previous, current, { newId: idCounter() });
    expect(kept(result, truth)).toBe(1);
    const merged = result.lineage.find((l) => l.key === 'both')!;
    expect(merged).toMatchObject({ kind: 'merged', sources: ['C', 'D'] });
    expect(merged.id).toMatch(/^new-/);
    expect(result.retired).toEqual(['C', 'D']);
  });

  it('lets a cluster that absorbed a little of another continue', () => {
    const random = seededRandom(17);
    const a = randomUnit(random);
    const b = randomUnit(random);
    const previous: PreviousCluster[] = [
      { id: 'A', centroid: a, members: new Set(range('a', 0, 80)) },
      { id: 'B', centroid: b, members: new Set(range('b', 0, 80)) },
    ];
    // 10 of B's 80 conversations moved to A's successor: boundary churn, not a merge.
    const current: CurrentCluster[] = [
      { key: 'x', centroid: a, members: new Set([...range('a', 0, 80), ...range('b', 0, 10)]) },
      { key: 'y', centroid: b, members: new Set(range('b', 10, 80)) },
    ];
    const result = matchClusters(previous, current, { newId: idCounter() });
    expect(Object.fromEntries(result.ids)).toEqual({ x: 'A', y: 'B' });
  });

  it('is deterministic under input shuffles, including the order newId is called in', () => {
    const previous = previousRun(25, 18);
    const { current } = rerun(previous.slice(0, 20), 19, { noise: 0.1 });
    const random = seededRandom(20);
    for (let i = 0; i < 6; i++)
      current.push({
        key: `n${i}`,
        centroid: randomUnit(random),
        members: new Set(range(`n${i}`, 0, 10)),
      });
    const snapshot = (r: ClusterMatch) => ({
      ids: [...r.ids.entries()],
      lineage: r.lineage,
      retired: r.retired,
    });
    const base = snapshot(matchClusters(previous, current, { newId: idCounter() }));
    expect(base.retired).toHaveLength(5);
    for (let seed = 21; seed < 26; seed++) {
      const shuffle = seededRandom(seed);
      const again = matchClusters(shuffled(previous, shuffle), shuffled(current, shuffle), {
        newId: idCounter(),
      });
      expect(snapshot(again)).toEqual(base);
    }
  });

  it('matches optimally, not greedily', () => {
    // P1 is the best partner of both X (same centroid, Jaccard 0.25) and Y (centroid only), but
    // only X has a second choice (P2, Jaccard 0.47): the optimum is X → P2, Y → P1, keeping both
    // ids; greedy would give X P1 and leave Y (and P2) without a match.
    const random = seededRandom(27);
    const p1 = randomUnit(random);
    const p2 = randomUnit(random);
    const previous: PreviousCluster[] = [
      { id: 'P1', centroid: p1, members: new Set(range('p1', 0, 10)) },
      { id: 'P2', centroid: p2, members: new Set(range('p2', 0, 10)) },
    ];
    const current: CurrentCluster[] = [
      {
        key: 'X',
        centroid: p1,
        members: new Set([...range('p1', 0, 5), ...range('p2', 0, 8), ...range('x', 0, 2)]),
      },
      { key: 'Y', centroid: perturb(p1, random, 0.15), members: new Set(range('y', 0, 10)) },
    ];
    const result = matchClusters(previous, current, { newId: idCounter(), minMergeShare: 0.5 });
    expect(Object.fromEntries(result.ids)).toEqual({ X: 'P2', Y: 'P1' });
  });

  it('gives the same answer when large runs prune centroid comparisons by shared members', () => {
    const previous = previousRun(40, 29);
    const { current } = rerun(previous.slice(0, 30), 30, { noise: 0.05, newMembers: 4 });
    // Ten clusters of entirely new conversations near old centroids: only a full scan finds them.
    const random = seededRandom(31);
    previous.slice(30).forEach((p, i) =>
      current.push({
        key: `moved-${i}`,
        centroid: perturb(p.centroid, random, 0.03),
        members: new Set(range(`moved-${i}`, 0, 20)),
      }),
    );
    const full = matchClusters(previous, current, { newId: idCounter() });
    const pruned = matchClusters(previous, current, { newId: idCounter(), fullScanPairs: 0 });
    expect(pruned).toEqual(full);
    expect(full.lineage.every((l) => l.kind === 'continued')).toBe(true);
  });

  it('validates its input', () => {
    const [p] = previousRun(1, 28);
    expect(() => matchClusters([p!, p!], [], { newId: idCounter() })).toThrow(/duplicate/);
    expect(() =>
      matchClusters([p!], [{ key: 'k', centroid: new Float32Array(3), members: new Set() }], {
        newId: idCounter(),
      }),
    ).toThrow(RangeError);
    expect(() =>
      matchClusters(
        [p!],
        [{ key: 'k', centroid: randomUnit(seededRandom(1)), members: new Set() }],
        {
          newId: () => p!.id,
        },
      ),
    ).toThrow(/already in use/);
  });
});

describe('matchClusters across embedding spaces', () => {
  it('matches by members alone when centroids are not comparable (other space, other dimension)', () => {
    const random = seededRandom(11);
    const same = Float32Array.from({ length: 8 }, () => Math.SQRT1_2 / 2); // one 8-d vector for all
    const previous: PreviousCluster[] = ['a', 'b', 'c'].map((id, i) => ({
      id,
      centroid: same,
      members: new Set(range(id, 0, 40 + i)),
    }));
    // The new run: the same groups (with some churn), in another order and another space.
    const current: CurrentCluster[] = shuffled(
      previous.map((p, i) => ({
        key: `k${i}`,
        centroid: randomUnit(random),
        members: new Set([...p.members].slice(5).concat(range(`new${i}`, 0, 5))),
      })),
      random,
    );
    let fresh = 0;
    const options = { newId: () => `fresh-${fresh++}`, compareCentroids: false };
    const match = matchClusters(previous, current, options);
    expect(Object.fromEntries(match.ids)).toEqual({ k0: 'a', k1: 'b', k2: 'c' });
    expect(match.lineage.every((entry) => entry.kind === 'continued')).toBe(true);
    // Comparing the centroids of the two spaces is refused rather than guessed at.
    expect(() => matchClusters(previous, current, { newId: options.newId })).toThrow(/dimension/);
  });
});
