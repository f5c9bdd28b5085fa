/**
 * The vector literal every embedding and centroid is written with (fixed point to 1e-8) is read
 * by pgvector on both engines as the same float32 values, to within 1e-8.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openMigratedDatabase, type Engine } from '../../../test/helpers/services';
import { parseVectorLiteral, toVectorLiteral } from './database';
import type { Database } from './database';

const values = [0, 1, -1, 0.123456789, -0.000000004, 0.5e-8, 1e-3, 12345.678, 3e7, -2.5e12];

describe('toVectorLiteral', () => {
  it('writes integer mantissas, and large values as they are', () => {
    expect(toVectorLiteral([0.5, -0.25, 0])).toBe('[50000000e-8,-25000000e-8,0e-8]');
    expect(toVectorLiteral([3e7])).toBe('[30000000]');
  });
});

describe.each<Engine>(['postgres', 'pglite'])('vector literals on %s', (engine) => {
  let db: Database;
  let cleanup: () => Promise<void>;
  beforeAll(async () => {
    ({ db, cleanup } = await openMigratedDatabase(engine));
  });
  afterAll(async () => cleanup());

  it('are read back by pgvector to within 1e-8', async () => {
    const vector = Float32Array.from(values);
    const result = await db.query<{ v: string }>('SELECT $1::vector::text AS v', [
      toVectorLiteral(vector),
    ]);
    const stored = parseVectorLiteral(result.rows[0]!.v);
    expect(stored).toHaveLength(values.length);
    stored.forEach((value, i) => {
      const expected = vector[i]!;
      expect(Math.abs(value - expected)).toBeLessThanOrEqual(1e-8 + Math.abs(expected) * 1e-7);
    });
  });
});
