/**
 * One SQL interface over two engines: PostgreSQL (`pg`) in server mode and PGlite in embedded
 * mode. Repositories write plain parameterized SQL against `Queryable` and never know which.
 */
export interface QueryResult<Row> {
  rows: Row[];
  rowCount: number;
}

export interface Queryable {
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<QueryResult<Row>>;
}

export interface TransactionScope extends Queryable {
  /** Runs a multi-statement SQL script inside the transaction (migrations). */
  exec(sql: string): Promise<void>;
}

export interface Database extends Queryable {
  readonly engine: 'postgres' | 'pglite';
  /** Runs `fn` in one transaction; rolls back if it throws. */
  transaction<T>(fn: (tx: TransactionScope) => Promise<T>): Promise<T>;
  /** Runs a multi-statement SQL script (migrations). No parameters. */
  exec(sql: string): Promise<void>;
  close(): Promise<void>;
}

/** Both drivers return bytea differently (Buffer vs Uint8Array): normalize at the edge. */
export function toBuffer(value: unknown): Buffer {
  if (Buffer.isBuffer(value)) return value;
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  throw new TypeError('expected a bytea value');
}

/** int8 comes back as a string from `pg` and a number from PGlite. */
export function toNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' || typeof value === 'bigint') return Number(value);
  throw new TypeError('expected a numeric value');
}

/**
 * pgvector's text format, accepted as a parameter by both engines. Values are written in fixed
 * point to 1e-8 as integer mantissas (`12345678e-8`): the vectors stored here are unit-length
 * embeddings and their centroids, whose float32 values carry no more than that, and formatting
 * integers is about 8 times faster than a number's shortest decimal form (a 1M run writes 96M
 * of them). Values too large for that, and non-finite ones, are written as they are.
 */
export function toVectorLiteral(vector: ArrayLike<number>): string {
  let text = '[';
  for (let i = 0; i < vector.length; i++) {
    const value = vector[i]!;
    if (i > 0) text += ',';
    text += Math.abs(value) < 1e6 ? `${Math.round(value * 1e8)}e-8` : String(value);
  }
  return text + ']';
}

export function parseVectorLiteral(value: unknown): Float32Array {
  if (typeof value !== 'string') throw new TypeError('expected a vector literal');
  return Float32Array.from(value.slice(1, -1).split(','), Number);
}
