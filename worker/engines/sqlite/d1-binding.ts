/**
 * SQLite through a D1 binding (the Chinook demo, or any D1 database bound in wrangler.toml).
 * `raw()` keeps duplicate column names; `run()` reports the changed-row count; `batch()` is one
 * transaction. Integers beyond 2^53 come back from D1 as rounded numbers.
 */
import type { Engine } from '../engine.ts';
import { SqliteEngine } from './sqlite-engine.ts';
import type { SqliteRun, SqliteStatement, SqliteTransport } from './sqlite-transport.ts';
import { fromSqlite, toD1Param } from './sqlite-values.ts';

/** D1 `run()`/`batch()` results are objects; their key order is the column order. */
function runOf(r: D1Result<Record<string, unknown>>): SqliteRun {
  const objects = r.results ?? [];
  const columns = objects.length > 0 ? Object.keys(objects[0]!) : [];
  return {
    columns,
    rows: objects.map((row) => columns.map((n) => fromSqlite(row[n]))),
    changes: r.meta.changes ?? 0,
  };
}

export class D1BindingTransport implements SqliteTransport {
  readonly #db: D1Database;

  constructor(db: D1Database) {
    this.#db = db;
  }

  #prepare({ sql, params }: SqliteStatement): D1PreparedStatement {
    const stmt = this.#db.prepare(sql);
    return params && params.length > 0 ? stmt.bind(...params.map(toD1Param)) : stmt;
  }

  // D1 does not let statements call sqlite_version(), so the version is the service's name.
  async version(): Promise<string> {
    return 'SQLite (Cloudflare D1)';
  }

  async rows(s: SqliteStatement) {
    const [columns = [], ...rows] = await this.#prepare(s).raw({ columnNames: true });
    return { columns: columns as string[], rows: rows.map((r) => r.map(fromSqlite)) };
  }

  async run(s: SqliteStatement): Promise<SqliteRun> {
    return runOf(await this.#prepare(s).run<Record<string, unknown>>());
  }

  async batch(statements: readonly SqliteStatement[]): Promise<SqliteRun[]> {
    // D1 runs a batch as one transaction: all statements or none.
    const results = await this.#db.batch<Record<string, unknown>>(statements.map((s) => this.#prepare(s)));
    return results.map(runOf);
  }

  async close(): Promise<void> {
    // A binding holds no connection.
  }
}

export function d1BindingEngine(db: D1Database): Engine {
  return new SqliteEngine(new D1BindingTransport(db));
}
