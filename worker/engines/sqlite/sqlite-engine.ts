/**
 * SQLite as an engine, whichever transport reaches it (sqlite-transport.ts): a D1 binding, D1's
 * REST API, libSQL over HTTP.
 *
 * Read-only: D1 refuses `PRAGMA query_only` (SQLITE_AUTH, checked on workerd) and has no
 * read-only session, so the database itself is asked instead: every statement is first compiled
 * with `EXPLAIN`, and a program that opens a write transaction (`Transaction` with P2 ≠ 0, the
 * same test as sqlite3_stmt_readonly) or writes a virtual table is refused before it runs.
 * The same compiled program tells reads (rows with their names, duplicates kept) from writes
 * (which report the changed-row count). Every transport runs every statement of a text it is
 * given (D1) or refuses a second one in its own words (libSQL), so a text holding two is refused
 * here before any transport sees it.
 *
 * Limits that are the transports', not ours: D1 turns integers beyond 2^53 into rounded numbers;
 * a statement cannot be cancelled once sent (the deadline only stops waiting); streaming pages
 * with LIMIT/OFFSET without a snapshot.
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
import type { SqliteRows, SqliteRun, SqliteStatement, SqliteTransport } from './sqlite-transport.ts';

/** A statement that yields rows and can stand as a subquery (after leading comments). */
const ROW_QUERY = /^(?:\s|--[^\n]*(?:\n|$)|\/\*[\s\S]*?\*\/)*(?:select|with|values)\b/i;

/**
 * `sql` as a subquery read at most `limit` rows at a time, so SQLite stops producing rows there
 * rather than the transport handing the whole result to the isolate. The newlines keep a trailing
 * `--` comment from swallowing the closing parenthesis; SQLite keeps a lone subquery's ORDER BY.
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

/** SQLite reports no declared types for result columns through these transports. */
const untyped = (names: readonly string[]): ColumnMeta[] => names.map((name) => ({ name, type: '' }));

export class SqliteEngine implements Engine {
  readonly name = 'sqlite' as const;
  readonly dialect = sqliteDialect;
  readonly capabilities = sqliteDialect.capabilities;
  readonly #transport: SqliteTransport;

  constructor(transport: SqliteTransport) {
    this.#transport = transport;
  }

  #fail = (err: unknown): never => {
    throw fromD1Error(err);
  };

  /** What SQLite compiled the statement into: the database's own verdict on whether it writes. */
  async #writes(s: SqliteStatement, readOnly = true): Promise<boolean> {
    // A trigger body holds semicolons of its own; it writes, so only a write run may send one.
    const trigger = /^\s*create\s+(temp\w*\s+)?trigger\b/i.test(s.sql);
    if (hasSecondStatement(s.sql) && (readOnly || !trigger)) {
      throw new EngineError('query_error', 'SQLite runs one statement at a time here: send them separately');
    }
    const { rows } = await this.#transport.rows({ sql: `EXPLAIN ${s.sql}`, params: s.params });
    return rows.some(([, opcode, , p2]) => {
      if (opcode === 'Transaction') return p2 !== 0;
      return opcode === 'VUpdate' || opcode === 'VCreate' || opcode === 'VDestroy';
    });
  }

  #refuse(): never {
    throw new EngineError('read_only_violation', 'This connection is read-only: the statement would write');
  }

  async #one(s: Statement, readOnly: boolean, maxRows: number | undefined): Promise<StatementResult> {
    const started = Date.now();
    const writes = await this.#writes(s, readOnly);
    if (writes && readOnly) this.#refuse();
    if (writes) {
      // INSERT … RETURNING writes and returns rows: keep them.
      const r = await this.#transport.run(s);
      return {
        columns: untyped(r.columns),
        rows: r.rows,
        affectedRows: r.changes,
        truncated: false,
        command: null,
        notices: [],
        durationMs: Date.now() - started,
      };
    }
    const { columns, rows } = await this.#read(s, maxRows);
    const truncated = maxRows !== undefined && rows.length > maxRows;
    return {
      columns: untyped(columns),
      rows: truncated ? rows.slice(0, maxRows) : rows,
      affectedRows: null,
      truncated,
      command: null,
      notices: [],
      durationMs: Date.now() - started,
    };
  }

  /** A read's rows, at most `maxRows + 1` of them when the statement can be bounded. */
  async #read(s: Statement, maxRows: number | undefined): Promise<SqliteRows> {
    if (maxRows !== undefined && ROW_QUERY.test(s.sql)) {
      try {
        const r = await this.#transport.rows({ sql: bounded(s.sql, maxRows + 1), params: s.params });
        return { columns: subqueryNames(r.columns), rows: r.rows };
      } catch {
        // Some reads cannot stand as a subquery; the statement itself answers (or fails) below.
      }
    }
    return this.#transport.rows(s);
  }

  async test(options: { timeoutMs?: number } = {}): Promise<TestResult> {
    const started = Date.now();
    const serverVersion = await withDeadline(
      this.#transport.rows({ sql: 'select 1' }).then(() => this.#transport.version()),
      timeoutOf(options.timeoutMs ?? 10_000),
    ).catch(this.#fail);
    return { latencyMs: Date.now() - started, serverVersion };
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
    const readOnly = options.readOnly === true;
    const work = async (): Promise<StatementResult[]> => {
      if (readOnly) {
        for (const s of statements) if (await this.#writes(s)) this.#refuse();
      }
      const started = Date.now();
      const results = await this.#transport.batch(statements, { readOnly });
      return results.map((r: SqliteRun) => {
        const truncated = options.maxRows !== undefined && r.rows.length > options.maxRows;
        return {
          columns: untyped(r.columns),
          rows: truncated ? r.rows.slice(0, options.maxRows) : r.rows,
          affectedRows: r.columns.length === 0 ? r.changes : null,
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
      if (await this.#writes({ sql, params: options.params })) this.#refuse();
      for (let offset = 0; ; offset += batchSize) {
        const { columns, rows } = await withDeadline(
          this.#transport.rows({ sql: bounded(sql, batchSize, offset), params: options.params }),
          timeout,
          { signal: options.signal },
        );
        yield { columns: untyped(subqueryNames(columns)), rows };
        if (rows.length < batchSize) break;
      }
    } catch (err) {
      this.#fail(err);
    }
  }

  /** SQLite has no logins: a binding or a token reaches one database and nothing beyond it. */
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

  close(): Promise<void> {
    return this.#transport.close();
  }
}
