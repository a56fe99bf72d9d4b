/**
 * MySQL through @planetscale/database (HTTP). Every call uses its own driver `Connection`, whose
 * session pins one server connection, so session settings and transactions hold across its
 * statements:
 * - timeouts: `SET SESSION max_execution_time` (MySQL, ms) or `max_statement_time` (MariaDB, s),
 *   whichever the server knows, plus a client-side abort;
 * - read-only: `START TRANSACTION READ ONLY` … `ROLLBACK`, so the server refuses writes;
 * - scripts: `START TRANSACTION` … `COMMIT` (MySQL commits implicitly around DDL, so only DML
 *   scripts are atomic; that is the server's rule, not ours);
 * - streaming: pages of `LIMIT/OFFSET` inside one consistent-snapshot read-only transaction
 *   (no server-side cursors over HTTP).
 * Locally (env.LOCAL_ENDPOINTS) the driver talks to dev/endpoints, told the target server by a
 * header; in production the host is the PlanetScale endpoint and the credentials pick the database.
 */
import { type Connection, connect } from '@planetscale/database';
import {
  CLIENT_GRACE_MS,
  type EngineConfig,
  type LocalEndpoints,
  type Target,
  targetOf,
  timeoutOf,
  withDeadline,
} from './config.ts';
import {
  type Capabilities,
  type ColumnMeta,
  type Engine,
  EngineError,
  type QueryOptions,
  type Statement,
  type StatementResult,
  type TestResult,
} from './engine.ts';
import { fromMysqlError } from './errors.ts';
import { mysqlCast, toMysqlParam } from './values.ts';

type Flavor = 'mysql' | 'mariadb';
type Raw = Awaited<ReturnType<Connection['execute']>>;
const CONNECT_TIMEOUT_MS = 10_000;

export class MysqlEngine implements Engine {
  readonly name = 'mysql' as const;
  readonly capabilities: Capabilities = {
    transactions: true,
    schemas: false,
    materializedViews: false,
    enums: true,
    cursorStreaming: false,
  };
  readonly #target: Target;
  readonly #secrets: string[];
  readonly #local: LocalEndpoints | undefined;
  /** Learnt from the first timeout setting the server accepts. */
  #flavor: Flavor | undefined;

  constructor(config: EngineConfig, local: LocalEndpoints | undefined) {
    this.#target = targetOf(config, ['mysql', 'mariadb']);
    if (!this.#target.user) throw new EngineError('invalid_config', 'MySQL needs a user name');
    this.#secrets = [this.#target.password, config.connectionString].filter((s): s is string => !!s);
    this.#local = local;
  }

  #fail = (err: unknown): never => {
    throw fromMysqlError(err, this.#secrets);
  };

  #connection(signal: AbortSignal): Connection {
    const t = this.#target;
    const fetcher = (input: string, init?: RequestInit): Promise<Response> => {
      const headers = new Headers(init?.headers);
      if (this.#local) {
        const ssl = t.sslMode === 'require' || t.sslMode === 'verify-full' ? '?ssl=require' : '';
        const db = t.database ? `/${encodeURIComponent(t.database)}` : '';
        headers.set('X-Atrium-Mysql-Target', `${t.host}:${t.port ?? 3306}${db}${ssl}`);
      }
      return fetch(input, { ...init, headers, signal });
    };
    if (this.#local) {
      const url = new URL(this.#local.planetscale);
      url.username = encodeURIComponent(t.user ?? '');
      url.password = encodeURIComponent(t.password ?? '');
      return connect({ url: url.toString(), fetch: fetcher, cast: mysqlCast });
    }
    return connect({
      host: t.port ? `${t.host}:${t.port}` : t.host,
      username: t.user,
      password: t.password,
      fetch: fetcher,
      cast: mysqlCast,
    });
  }

  #signal(timeout: number, signal: AbortSignal | undefined) {
    return AbortSignal.any([AbortSignal.timeout(timeout + CLIENT_GRACE_MS), ...(signal ? [signal] : [])]);
  }

  async #exec(conn: Connection, sql: string, params?: readonly unknown[]): Promise<Raw> {
    const args = params && params.length > 0 ? params.map(toMysqlParam) : null;
    return conn.execute(sql, args, { as: 'array' });
  }

  /** Session-wide statement limit, in the dialect the server speaks. */
  async #limit(conn: Connection, timeout: number) {
    const tries: Flavor[] = this.#flavor ? [this.#flavor] : ['mariadb', 'mysql'];
    for (const flavor of tries) {
      try {
        await this.#exec(
          conn,
          flavor === 'mysql'
            ? `SET SESSION max_execution_time = ${timeout}`
            : `SET SESSION max_statement_time = ${timeout / 1000}`,
        );
        this.#flavor = flavor;
        return;
      } catch (err) {
        // 1193: unknown system variable — the other flavor's name; anything else is real.
        if (!/\(errno 1193\)/.test((err as Error).message) || flavor === tries.at(-1)) throw err;
      }
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
      command: null,
      notices: [],
      durationMs: Date.now() - started,
    };
  }

  async test(options: { timeoutMs?: number } = {}): Promise<TestResult> {
    const timeout = timeoutOf(options.timeoutMs ?? CONNECT_TIMEOUT_MS);
    const conn = this.#connection(this.#signal(timeout, undefined));
    const started = Date.now();
    const raw = await withDeadline(this.#exec(conn, 'select version()'), timeout + CLIENT_GRACE_MS).catch(
      this.#fail,
    );
    const version = String((raw.rows as unknown[][])[0]?.[0] ?? '');
    return {
      latencyMs: Date.now() - started,
      serverVersion: /mariadb/i.test(version) ? `MariaDB ${version}` : `MySQL ${version}`,
    };
  }

  async query(sql: string, options: QueryOptions = {}): Promise<StatementResult> {
    const [result] = await this.#session([{ sql, params: options.params }], {
      ...options,
      transaction: options.readOnly === true,
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
    const conn = this.#connection(this.#signal(timeout * Math.max(1, statements.length), options.signal));
    const work = async () => {
      await this.#limit(conn, timeout);
      if (options.transaction) {
        await this.#exec(conn, options.readOnly ? 'START TRANSACTION READ ONLY' : 'START TRANSACTION');
      }
      const results: StatementResult[] = [];
      try {
        for (const s of statements) {
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
    return withDeadline(work(), deadline, { signal: options.signal }).catch(this.#fail);
  }

  async *stream(
    sql: string,
    options: { params?: readonly unknown[]; batchSize?: number; signal?: AbortSignal } = {},
  ): AsyncIterable<{ columns: ColumnMeta[]; rows: unknown[][] }> {
    const batchSize = Math.max(1, Math.min(options.batchSize ?? 1000, 10_000));
    const timeout = timeoutOf(undefined);
    const controller = new AbortController();
    const conn = this.#connection(
      options.signal ? AbortSignal.any([controller.signal, options.signal]) : controller.signal,
    );
    const step = <T>(p: Promise<T>) => withDeadline(p, timeout + CLIENT_GRACE_MS, { signal: options.signal });
    const base = sql.replace(/[\s;]+$/, '');
    // MariaDB drops ORDER BY inside a derived table unless the table also has a LIMIT, so the
    // inner query gets the largest one. A query with its own LIMIT rejects a second (1064) and
    // keeps its ORDER BY anyway, so it goes in as written.
    let inner = `${base} LIMIT 18446744073709551615`;
    const page = (offset: number) =>
      step(
        this.#exec(
          conn,
          `SELECT * FROM (${inner}) AS atrium_page LIMIT ${batchSize} OFFSET ${offset}`,
          options.params,
        ),
      );
    try {
      await step(this.#limit(conn, timeout));
      await step(this.#exec(conn, 'START TRANSACTION WITH CONSISTENT SNAPSHOT, READ ONLY'));
      for (let offset = 0; ; offset += batchSize) {
        let raw: Raw;
        try {
          raw = await page(offset);
        } catch (err) {
          if (offset > 0 || inner === base || !/\(errno 1064\)/.test((err as Error).message)) throw err;
          inner = base;
          raw = await page(offset);
        }
        const rows = raw.rows as unknown[][];
        yield { columns: raw.fields.map((f) => ({ name: f.name, type: f.type })), rows };
        if (rows.length < batchSize) break;
      }
      await step(this.#exec(conn, 'ROLLBACK'));
    } catch (err) {
      this.#fail(err);
    } finally {
      controller.abort();
    }
  }

  async close(): Promise<void> {
    // Nothing held between calls: each call's session ends with its last statement.
  }
}
