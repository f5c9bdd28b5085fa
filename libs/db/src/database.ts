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

/** pgvector's text format, accepted as a parameter by both engines. */
export function toVectorLiteral(vector: ArrayLike<number>): string {
  return `[${Array.from(vector).join(',')}]`;
}

export function parseVectorLiteral(value: unknown): Float32Array {
  if (typeof value !== 'string') throw new TypeError('expected a vector literal');
  return Float32Array.from(value.slice(1, -1).split(','), Number);
}
