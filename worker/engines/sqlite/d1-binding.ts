/**
 * SQLite through a D1 binding (the Chinook demo, or any D1 database bound in wrangler.toml).
 *
 * Read-only: D1 refuses `PRAGMA query_only` (SQLITE_AUTH, checked on workerd) and has no
 * read-only session, so the database itself is asked instead: every statement is first compiled
 * with `EXPLAIN`, and a program that opens a write transaction (`Transaction` with P2 ≠ 0, the
 * same test as sqlite3_stmt_readonly) or writes a virtual table is refused before it runs.
 * The same compiled program tells reads (rows via `raw()`, which keeps duplicate column names)
 * from writes (`run()`, which reports the changed-row count).
 *
 * Limits that are D1's, not ours: integers beyond 2^53 come back as rounded numbers; a statement
 * cannot be cancelled once sent (the deadline only stops waiting); streaming pages with
 * LIMIT/OFFSET without a snapshot.
 */
import { CLIENT_GRACE_MS, timeoutOf, withDeadline } from '../config.ts';
import {
  type ColumnMeta,
  type Engine,
  EngineError,
  type LoginPrivileges,
  type QueryOptions,
  type Statement,
  type StatementResult,
  type TestResult,
} from '../engine.ts';
import type { LiveTable, SchemaObjects, SchemaSnapshot } from '../schema-model.ts';
import { readSqliteObjects } from './schema-objects.ts';
import { sqliteDialect } from './sqlite-dialect.ts';
import { fromD1Error } from './sqlite-errors.ts';
import { introspectSqlite } from './sqlite-introspector.ts';
import { describeSqliteTable } from './sqlite-table.ts';
import { hasSecondStatement } from './sqlite-text.ts';
import { fromD1, toD1Param } from './sqlite-values.ts';

type Program = { writes: boolean };

/** A statement that yields rows and can stand as a subquery (after leading comments). */
const ROW_QUERY = /^(?:\s|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*(?:select|with|values)\b/i;

/**
 * `sql` as a subquery read at most `limit` rows at a time, so SQLite stops producing rows there
 * rather than D1 handing the whole result to the isolate. The newlines keep a trailing `--`
 * comment from swallowing the closing parenthesis; SQLite keeps a lone subquery's ORDER BY.
 */
function bounded(sql: string, limit: number, offset = 0): string {
  const inner = sql.replace(/[\s;]+$/, '');
  return `SELECT * FROM (\n${inner}\n) LIMIT ${limit}${offset ? ` OFFSET ${offset}` : ''}`;
}

/**
 * Column names as the statement itself gives them: `SELECT *` over a subquery renames a repeated
 * name `a` to `a:1`, `a:2`…; those suffixes go, so duplicate names survive as they do unwrapped.
 */
function subqueryNames(names: readonly string[]): string[] {
  const seen = new Set<string>();
  return names.map((name) => {
    const base = /^(.*):\d+$/.exec(name)?.[1];
    const restored = base !== undefined && seen.has(base) ? base : name;
    seen.add(restored);
    return restored;
  });
}

export class SqliteEngine implements Engine {
  readonly name = 'sqlite' as const;
  readonly dialect = sqliteDialect;
  readonly capabilities = sqliteDialect.capabilities;
  readonly #db: D1Database;

  constructor(db: D1Database) {
    this.#db = db;
  }

  #fail = (err: unknown): never => {
    throw fromD1Error(err);
  };

  #prepare(sql: string, params: readonly unknown[] | undefined): D1PreparedStatement {
    const stmt = this.#db.prepare(sql);
    return params && params.length > 0 ? stmt.bind(...params.map(toD1Param)) : stmt;
  }

  /** What SQLite compiled the statement into: the database's own verdict on whether it writes. */
  async #program(sql: string, params: readonly unknown[] | undefined, readOnly = true): Promise<Program> {
    // A trigger body holds semicolons of its own; it writes, so only a write run may send one.
    const trigger = /^\s*create\s+(temp\w*\s+)?trigger\b/i.test(sql);
    if (hasSecondStatement(sql) && (readOnly || !trigger)) {
      throw new EngineError('query_error', 'D1 runs every statement of a text: send one statement at a time');
    }
    const rows = await this.#prepare(`EXPLAIN ${sql}`, params).raw();
    const writes = rows.some(([, opcode, , p2]) => {
      if (opcode === 'Transaction') return p2 !== 0;
      return opcode === 'VUpdate' || opcode === 'VCreate' || opcode === 'VDestroy';
    });
    return { writes };
  }

  #refuse(): never {
    throw new EngineError('read_only_violation', 'This connection is read-only: the statement would write');
  }

  async #one(s: Statement, readOnly: boolean, maxRows: number | undefined): Promise<StatementResult> {
    const started = Date.now();
    const { writes } = await this.#program(s.sql, s.params, readOnly);
    if (writes && readOnly) this.#refuse();
    if (writes) {
      const r = await this.#prepare(s.sql, s.params).run<Record<string, unknown>>();
      // INSERT … RETURNING writes and returns rows: keep them (object order = column order).
      const names = r.results.length > 0 ? Object.keys(r.results[0]!) : [];
      return {
        columns: names.map((name) => ({ name, type: '' })),
        rows: r.results.map((row) => names.map((n) => fromD1(row[n]))),
        affectedRows: r.meta.changes ?? 0,
        truncated: false,
        command: null,
        notices: [],
        durationMs: Date.now() - started,
      };
    }
    const { names, rows } = await this.#read(s, maxRows);
    const truncated = maxRows !== undefined && rows.length > maxRows;
    return {
      // D1 reports no declared types for result columns.
      columns: names.map((name) => ({ name, type: '' })),
      rows: (truncated ? rows.slice(0, maxRows) : rows).map((row) => row.map(fromD1)),
      affectedRows: null,
      truncated,
      command: null,
      notices: [],
      durationMs: Date.now() - started,
    };
  }

  /** A read's rows, at most `maxRows + 1` of them when the statement can be bounded. */
  async #read(s: Statement, maxRows: number | undefined): Promise<{ names: string[]; rows: unknown[][] }> {
    if (maxRows !== undefined && ROW_QUERY.test(s.sql)) {
      try {
        const [names = [], ...rows] = await this.#prepare(bounded(s.sql, maxRows + 1), s.params).raw({
          columnNames: true,
        });
        return { names: subqueryNames(names as string[]), rows };
      } catch {
        // Some reads cannot stand as a subquery; the statement itself answers (or fails) below.
      }
    }
    const [names = [], ...rows] = await this.#prepare(s.sql, s.params).raw({ columnNames: true });
    return { names: names as string[], rows };
  }

  async test(options: { timeoutMs?: number } = {}): Promise<TestResult> {
    const started = Date.now();
    // D1 does not let statements call sqlite_version(), so the version is the service's name.
    await withDeadline(this.#db.prepare('select 1').first(), timeoutOf(options.timeoutMs ?? 10_000)).catch(
      this.#fail,
    );
    return { latencyMs: Date.now() - started, serverVersion: 'SQLite (Cloudflare D1)' };
  }

  async query(sql: string, options: QueryOptions = {}): Promise<StatementResult> {
    const timeout = timeoutOf(options.timeoutMs);
    return withDeadline(
      this.#one({ sql, params: options.params }, options.readOnly === true, options.maxRows),
      timeout + CLIENT_GRACE_MS,
      { signal: options.signal },
    ).catch(this.#fail);
  }

  async script(statements: readonly Statement[], options: Omit<QueryOptions, 'params'> = {}) {
    const timeout = timeoutOf(options.timeoutMs);
    const work = async (): Promise<StatementResult[]> => {
      if (options.readOnly) {
        for (const s of statements) if ((await this.#program(s.sql, s.params)).writes) this.#refuse();
      }
      const started = Date.now();
      // D1 runs a batch as one transaction: all statements or none.
      const results = await this.#db.batch(statements.map((s) => this.#prepare(s.sql, s.params)));
      return results.map((r) => {
        const objects = (r.results ?? []) as Record<string, unknown>[];
        const names = objects.length > 0 ? Object.keys(objects[0]!) : [];
        const rows = objects.map((row) => names.map((n) => fromD1(row[n])));
        const truncated = options.maxRows !== undefined && rows.length > options.maxRows;
        return {
          columns: names.map((name) => ({ name, type: '' })),
          rows: truncated ? rows.slice(0, options.maxRows) : rows,
          affectedRows: names.length === 0 ? (r.meta.changes ?? 0) : null,
          truncated,
          command: null,
          notices: [],
          durationMs: Date.now() - started,
        };
      });
    };
    return withDeadline(work(), timeout + CLIENT_GRACE_MS, { signal: options.signal }).catch(this.#fail);
  }

  async *stream(
    sql: string,
    options: { params?: readonly unknown[]; batchSize?: number; signal?: AbortSignal } = {},
  ): AsyncIterable<{ columns: ColumnMeta[]; rows: unknown[][] }> {
    const batchSize = Math.max(1, Math.min(options.batchSize ?? 1000, 10_000));
    const timeout = timeoutOf(undefined);
    try {
      if ((await this.#program(sql, options.params)).writes) this.#refuse();
      for (let offset = 0; ; offset += batchSize) {
        const [names = [], ...rows] = await withDeadline(
          this.#prepare(bounded(sql, batchSize, offset), options.params).raw({ columnNames: true }),
          timeout,
          { signal: options.signal },
        );
        yield {
          columns: subqueryNames(names as string[]).map((name) => ({ name, type: '' })),
          rows: rows.map((r) => r.map(fromD1)),
        };
        if (rows.length < batchSize) break;
      }
    } catch (err) {
      this.#fail(err);
    }
  }

  /** D1 has no logins: a binding reaches one database and nothing beyond it. */
  async privileges(): Promise<LoginPrivileges> {
    return { user: null, privileged: false, reasons: [] };
  }

  introspect(): Promise<SchemaSnapshot> {
    return introspectSqlite(this);
  }

  schemaObjects(): Promise<SchemaObjects> {
    return readSqliteObjects(this);
  }

  describeTable(schema: string, table: string): Promise<LiveTable | null> {
    return describeSqliteTable(this, schema, table);
  }

  async close(): Promise<void> {
    // A binding holds no connection.
  }
}
