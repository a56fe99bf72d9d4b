/**
 * MySQL and MariaDB as a dialect over any transport. Every call opens its own connection, whose
 * session pins one server connection, so session settings and transactions hold across its
 * statements:
 * - timeouts: `SET SESSION max_execution_time` (MySQL, ms) or `max_statement_time` (MariaDB, s),
 *   whichever the server knows, plus a client-side abort;
 * - read-only: the session itself is made read-only (`tx_read_only` / `transaction_read_only`,
 *   set with the timeout), so every transaction in it — including the autocommit ones after a
 *   `COMMIT` or a DDL's implicit commit — refuses writes; scripts also run inside
 *   `START TRANSACTION READ ONLY` … `ROLLBACK`, and before each further statement the session
 *   is checked to be still read-only (and, on MariaDB, still in that transaction), so a
 *   statement that changed it stops the script before anything can write;
 * - bounded results: `sql_select_limit = maxRows + 1` makes the server stop producing rows, and
 *   the HTTP body is read with a byte cap (result-limits.ts);
 * - scripts: `START TRANSACTION` … `COMMIT` (MySQL commits implicitly around DDL, so only DML
 *   scripts are atomic; that is the server's rule, not ours);
 * - streaming, inside one consistent-snapshot read-only transaction: over TCP one statement whose
 *   rows are read a batch at a time with the socket paused in between (linear, flat memory);
 *   over HTTP, which has no way to hold a result open, pages (mysql-pages.ts): keyset pages on
 *   the table's key for a whole-table export (linear), `LIMIT/OFFSET` for anything else.
 * The connection itself is the transport's (mysql-transport.ts; today PlanetScale's HTTP API,
 * planetscale-http.ts).
 */
import { CLIENT_GRACE_MS, CONNECT_TIMEOUT_MS, MAX_TIMEOUT_MS, timeoutOf, withDeadline } from '../config.ts';
import {
  type ColumnMeta,
  type Engine,
  EngineError,
  type LoginPrivileges,
  type QueryOptions,
  type Statement,
  type StatementResult,
  type StreamOptions,
  type TestResult,
} from '../engine.ts';
import { describeInformationSchemaTable } from '../information-schema-table.ts';
import { bodyCapOf, isTooLarge, MAX_RESULT_BYTES, maxBytesOf, tooLargeError } from '../result-limits.ts';
import type { LiveTable, SchemaObjects, SchemaSnapshot } from '../schema-model.ts';
import { mysqlDialect } from './mysql-dialect.ts';
import { fromMysqlError } from './mysql-errors.ts';
import { introspectMysql } from './mysql-introspector.ts';
import { httpPages } from './mysql-pages.ts';
import { mysqlPrivileges } from './mysql-privileges.ts';
import type { MysqlConnection, MysqlConnector, MysqlRaw } from './mysql-transport.ts';
import { toMysqlParam } from './mysql-values.ts';
import { readMysqlObjects } from './schema-objects.ts';

type Flavor = 'mysql' | 'mariadb';
/** MySQL 8 knows only the new name; MariaDB before 11.1 only the old one (later, both). */
const READ_ONLY_VAR: Record<Flavor, string> = { mysql: 'transaction_read_only', mariadb: 'tx_read_only' };
/** What must hold before each further statement of a read-only script: every column is 1. */
const STILL_READ_ONLY: Record<Flavor, string> = {
  mysql: 'select @@session.transaction_read_only',
  mariadb: 'select @@session.tx_read_only, @@in_transaction',
};
type Raw = MysqlRaw;
type Connection = MysqlConnection;

/**
 * Per isolate, the flavor each server speaks (keyed by the engine's `server`), so a request's new
 * engine knows it before its first statement: on MariaDB a single statement then carries its
 * limits itself (`SET STATEMENT … FOR`, one round trip instead of two).
 */
const flavors = new Map<string, Flavor>();

export class MysqlEngine implements Engine {
  readonly name = 'mysql' as const;
  readonly dialect = mysqlDialect;
  readonly capabilities = mysqlDialect.capabilities;
  readonly #connection: MysqlConnector;
  readonly #secrets: string[];
  readonly #server: string | undefined;
  /** Learnt from the first timeout setting the server accepts (or earlier in this isolate). */
  #flavor: Flavor | undefined;

  /** `server` names the server and login (host, port, user), the key of the per-isolate flavor. */
  constructor(connection: MysqlConnector, secrets: string[], server?: string) {
    this.#connection = connection;
    this.#secrets = secrets;
    this.#server = server;
    this.#flavor = server === undefined ? undefined : flavors.get(server);
  }

  #fail = (err: unknown): never => {
    throw fromMysqlError(err, this.#secrets);
  };

  #signal(timeout: number, signal: AbortSignal | undefined) {
    return AbortSignal.any([AbortSignal.timeout(timeout + CLIENT_GRACE_MS), ...(signal ? [signal] : [])]);
  }

  async #exec(conn: Connection, sql: string, params?: readonly unknown[]): Promise<Raw> {
    const args = params && params.length > 0 ? params.map(toMysqlParam) : null;
    return conn.execute(sql, args);
  }

  /**
   * Session-wide statement limit, in the dialect the server speaks, with the session's
   * read-only mode and row limit in the same statement (one round trip).
   */
  async #limit(
    conn: Connection,
    timeout: number,
    session: { readOnly?: boolean; selectLimit?: number } = {},
  ) {
    const tries: Flavor[] = this.#flavor ? [this.#flavor] : ['mariadb', 'mysql'];
    for (const flavor of tries) {
      const sets = [
        flavor === 'mysql'
          ? `SESSION max_execution_time = ${timeout}`
          : `SESSION max_statement_time = ${timeout / 1000}`,
      ];
      if (session.readOnly) sets.push(`SESSION ${READ_ONLY_VAR[flavor]} = 1`);
      if (session.selectLimit !== undefined) sets.push(`SESSION sql_select_limit = ${session.selectLimit}`);
      try {
        await this.#exec(conn, `SET ${sets.join(', ')}`);
        this.#flavor = flavor;
        if (this.#server !== undefined) flavors.set(this.#server, flavor);
        return;
      } catch (err) {
        // 1193: unknown system variable — the other flavor's name; anything else is real.
        if (!/\(errno 1193\)/.test((err as Error).message) || flavor === tries.at(-1)) throw err;
      }
    }
  }

  /**
   * MariaDB: one statement with the session's limits scoped to it — the same settings `#limit`
   * makes (timeout, read-only, row limit), enforced by the server alike, in the same round trip.
   * `undefined` on a syntax error (1064), which may be the statement's own or one `SET STATEMENT`
   * does not take: nothing ran, and the caller runs it the two-step way for the usual answer.
   */
  async #withLimits(
    conn: Connection,
    statement: Statement,
    timeout: number,
    session: { readOnly: boolean; selectLimit?: number | undefined },
  ): Promise<Raw | undefined> {
    const sets = [`max_statement_time = ${timeout / 1000}`];
    if (session.readOnly) sets.push(`${READ_ONLY_VAR.mariadb} = 1`);
    if (session.selectLimit !== undefined) sets.push(`sql_select_limit = ${session.selectLimit}`);
    try {
      return await this.#exec(
        conn,
        `SET STATEMENT ${sets.join(', ')} FOR ${statement.sql}`,
        statement.params,
      );
    } catch (err) {
      if (/\(errno 1064\)/.test((err as Error).message)) return undefined;
      throw err;
    }
  }

  #toResult(raw: Raw, started: number, maxRows: number | undefined): StatementResult {
    const rows = raw.rows as unknown[][];
    const isRead = raw.fields.length > 0;
    const truncated = maxRows !== undefined && rows.length > maxRows;
    return {
      columns: raw.fields.map((f) => ({ name: f.name, type: f.type })),
      rows: truncated ? rows.slice(0, maxRows) : rows,
      affectedRows: isRead ? null : raw.rowsAffected,
      truncated,
      ...(truncated ? { truncatedReason: 'rows' as const } : {}),
      command: null,
      notices: [],
      durationMs: Date.now() - started,
    };
  }

  async test(options: { timeoutMs?: number } = {}): Promise<TestResult> {
    const timeout = timeoutOf(options.timeoutMs ?? CONNECT_TIMEOUT_MS);
    const conn = this.#connection(this.#signal(timeout, undefined));
    const started = Date.now();
    const raw = await withDeadline(this.#exec(conn, 'select version()'), timeout + CLIENT_GRACE_MS)
      .catch(this.#fail)
      .finally(() => conn.close?.());
    const version = String((raw.rows as unknown[][])[0]?.[0] ?? '');
    return {
      latencyMs: Date.now() - started,
      serverVersion: /mariadb/i.test(version) ? `MariaDB ${version}` : `MySQL ${version}`,
    };
  }

  async query(sql: string, options: QueryOptions = {}): Promise<StatementResult> {
    // One statement in a read-only session needs no transaction around it: nothing follows it.
    const [result] = await this.#session([{ sql, params: options.params }], {
      ...options,
      transaction: false,
    });
    return result!;
  }

  script(statements: readonly Statement[], options: Omit<QueryOptions, 'params'> = {}) {
    return this.#session(statements, { ...options, transaction: true });
  }

  async #session(
    statements: readonly Statement[],
    options: Omit<QueryOptions, 'params'> & { transaction: boolean },
  ): Promise<StatementResult[]> {
    const timeout = timeoutOf(options.timeoutMs);
    const maxBytes = maxBytesOf(options.maxBytes);
    const readOnly = options.readOnly === true;
    const signal = this.#signal(timeout * Math.max(1, statements.length), options.signal);
    const conn = this.#connection(signal, bodyCapOf(maxBytes));
    const work = async () => {
      const selectLimit = options.maxRows === undefined ? undefined : options.maxRows + 1;
      const alone = statements.length === 1 && !options.transaction ? statements[0] : undefined;
      if (alone && this.#flavor === 'mariadb') {
        const started = Date.now();
        const raw = await this.#withLimits(conn, alone, timeout, { readOnly, selectLimit });
        if (raw) return [this.#toResult(raw, started, options.maxRows)];
      }
      await this.#limit(conn, timeout, { readOnly, selectLimit });
      if (options.transaction) {
        await this.#exec(conn, readOnly ? 'START TRANSACTION READ ONLY' : 'START TRANSACTION');
      }
      const results: StatementResult[] = [];
      try {
        for (const s of statements) {
          if (readOnly && results.length > 0) await this.#assertReadOnly(conn);
          const started = Date.now();
          results.push(this.#toResult(await this.#exec(conn, s.sql, s.params), started, options.maxRows));
        }
      } catch (err) {
        if (options.transaction) await this.#exec(conn, 'ROLLBACK').catch(() => {});
        throw err;
      }
      // A read-only transaction has nothing to keep; ROLLBACK also ends it.
      if (options.transaction) await this.#exec(conn, options.readOnly ? 'ROLLBACK' : 'COMMIT');
      return results;
    };
    const deadline = timeout * Math.max(1, statements.length) + CLIENT_GRACE_MS;
    return withDeadline(work(), deadline, { signal: options.signal })
      .catch((err: unknown) => {
        // The stand-in (like PlanetScale) refuses a result past its own cap with RESOURCE_EXHAUSTED.
        const code = (err as { body?: { code?: string } }).body?.code;
        if (isTooLarge(err) || code === 'RESOURCE_EXHAUSTED') throw tooLargeError(maxBytes, err);
        return this.#fail(err);
      })
      .finally(() => conn.close?.());
  }

  /**
   * Between statements of a read-only script: the session must still be read-only (a
   * `SET SESSION TRANSACTION READ WRITE` or `SET tx_read_only = 0` would make the next
   * statement's transaction writable) and, where the server can say, still inside the
   * transaction this run began (`COMMIT`, `BEGIN`, `SET autocommit = 1`, DDL end it).
   */
  async #assertReadOnly(conn: Connection): Promise<void> {
    const raw = await this.#exec(conn, STILL_READ_ONLY[this.#flavor ?? 'mysql']);
    const row = (raw.rows as unknown[][])[0] ?? [];
    if (row.length === 0 || row.some((v) => Number(v) !== 1)) {
      throw new EngineError(
        'read_only_violation',
        'This run is read-only: a statement ended or changed its read-only transaction',
        { dbCode: '1792' },
      );
    }
  }

  async *stream(
    sql: string,
    options: StreamOptions = {},
  ): AsyncIterable<{ columns: ColumnMeta[]; rows: unknown[][] }> {
    const batchSize = Math.max(1, Math.min(options.batchSize ?? 1000, 10_000));
    const timeout = timeoutOf(undefined);
    const controller = new AbortController();
    const conn = this.#connection(
      options.signal ? AbortSignal.any([controller.signal, options.signal]) : controller.signal,
    );
    const step = <T>(p: Promise<T>) => withDeadline(p, timeout + CLIENT_GRACE_MS, { signal: options.signal });
    const base = sql.replace(/[\s;]+$/, '');
    try {
      // A streamed statement lives as long as the export, so its server-side limit is the
      // ceiling; each batch must still arrive within the ordinary timeout (`step`).
      const limit = conn.stream ? MAX_TIMEOUT_MS : timeout;
      await step(this.#limit(conn, limit, { readOnly: true }));
      await step(this.#exec(conn, 'START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY'));
      const batches = conn.stream
        ? this.#rows(conn, base, options.params, batchSize, step)
        : httpPages(
            (text, params) => step(this.#exec(conn, text, params)),
            base,
            options.params,
            batchSize,
            options.ownText === true,
          );
      for await (const raw of batches) {
        yield {
          columns: raw.fields.map((f) => ({ name: f.name, type: f.type })),
          rows: raw.rows as unknown[][],
        };
      }
      await step(this.#exec(conn, 'ROLLBACK'));
    } catch (err) {
      this.#fail(err);
    } finally {
      controller.abort();
      conn.close?.();
    }
  }

  /**
   * One statement, its rows read off the socket a batch at a time (linear in the row count);
   * the statement runs as written, inside the session's read-only transaction, and the driver
   * sends it as one statement, so a second one after it is a syntax error.
   */
  async *#rows(
    conn: Connection,
    sql: string,
    params: readonly unknown[] | undefined,
    batchSize: number,
    step: <T>(p: Promise<T>) => Promise<T>,
  ): AsyncGenerator<Raw> {
    const args = params && params.length > 0 ? params.map(toMysqlParam) : null;
    const batches = conn.stream!(sql, args, { rows: batchSize, bytes: MAX_RESULT_BYTES })[
      Symbol.asyncIterator
    ]();
    try {
      while (true) {
        const next = await step(batches.next());
        if (next.done) return;
        yield next.value;
      }
    } finally {
      // Not awaited: after a timed-out batch the reader is still waiting, and only the abort in
      // stream()'s `finally` (which closes the socket) releases it.
      batches.return?.().catch(() => {});
    }
  }

  privileges(options: { timeoutMs?: number } = {}): Promise<LoginPrivileges> {
    return mysqlPrivileges(this, options.timeoutMs);
  }

  introspect(): Promise<SchemaSnapshot> {
    return introspectMysql(this);
  }

  schemaObjects(): Promise<SchemaObjects> {
    return readMysqlObjects(this);
  }

  describeTable(schema: string, table: string): Promise<LiveTable | null> {
    return describeInformationSchemaTable(this, schema, table, 'column_type');
  }

  async close(): Promise<void> {
    // Nothing held between calls: each call's session ends with its last statement.
  }
}
