/** What crosses RPC between the hosted SQLite object and its transport, and the rules both apply. */

/** Parameters as SQL storage binds them: ArrayBuffer for blobs. */
export type HostedParam = SqlStorageValue;

export interface HostedStatement {
  sql: string;
  params?: HostedParam[] | undefined;
}

export interface HostedRows {
  columns: string[];
  /** Raw storage values: numbers, strings, null, ArrayBuffer for blobs. */
  rows: SqlStorageValue[][];
}

export interface HostedRun extends HostedRows {
  /** Rows written, as the storage cursor counts them (`rowsWritten`). */
  changes: number;
}

/** A statement of a SQL dump and the 1-based line it starts on. */
export interface DumpStatement {
  sql: string;
  line: number;
}

export interface DumpOutcome {
  executed: number;
  errors: { line: number; message: string }[];
}

/**
 * One result may be this large; past it a read fails instead of pushing an unbounded
 * message over RPC (the engine contract's per-response byte cap is the same 16 MB).
 */
export const HOSTED_MAX_RESULT_BYTES = 16 * 1024 * 1024;

/**
 * Whether an `EXPLAIN` listing is a program that only reads: no `Transaction` opcode asks for a
 * write transaction (P2 ≠ 0, the test `sqlite3_stmt_readonly` makes) and no virtual table is
 * written. Columns: addr, opcode, p1, p2, ….
 */
export function isReadOnlyProgram(listing: readonly unknown[][]): boolean {
  return !listing.some(([, opcode, , p2]) => {
    if (opcode === 'Transaction') return p2 !== 0;
    return opcode === 'VUpdate' || opcode === 'VCreate' || opcode === 'VDestroy';
  });
}

/** A row's approximate size, counted while reading so the cap holds before memory is spent. */
export function valueBytes(row: readonly SqlStorageValue[]): number {
  let bytes = 0;
  for (const v of row) {
    if (typeof v === 'string') bytes += v.length * 2;
    else if (v instanceof ArrayBuffer) bytes += v.byteLength;
    else bytes += 8;
  }
  return bytes;
}
