/**
 * What the SQLite engine (sqlite-engine.ts) needs from a way of reaching a database. A transport
 * only moves statements and values; the read-only checks (EXPLAIN), row bounds, deadlines,
 * introspection and error codes stay in the engine, so a new transport (a D1 binding, D1's REST
 * API, libSQL over HTTP, a Durable Object's storage) is one file beside d1-binding.ts.
 */

/** A statement's rows as arrays, so duplicate column names survive. */
export interface SqliteRows {
  columns: string[];
  /** Values already in the engine contract's JSON-safe form (sqlite-values.ts). */
  rows: unknown[][];
}

export interface SqliteRun extends SqliteRows {
  /** Rows the statement changed; rows stay empty unless it had a RETURNING clause. */
  changes: number;
}

export interface SqliteStatement {
  sql: string;
  /** Contract values (numbers, strings, `{ $binary }`…); each transport maps them for its wire. */
  params?: readonly unknown[] | undefined;
}

export interface SqliteTransport {
  /** How `test()` names the server, e.g. `SQLite (Cloudflare D1)`. */
  version(): Promise<string>;
  /** One statement's rows with their column names. */
  rows(statement: SqliteStatement): Promise<SqliteRows>;
  /** One statement that writes: the changed-row count, and rows for RETURNING. */
  run(statement: SqliteStatement): Promise<SqliteRun>;
  /** The statements as one transaction, all or nothing; `readOnly` lets a transport ask its server too. */
  batch(statements: readonly SqliteStatement[], options: { readOnly: boolean }): Promise<SqliteRun[]>;
  /** Releases what the transport holds; safe to call twice. */
  close(): Promise<void>;
}
