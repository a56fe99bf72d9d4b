/**
 * MySQL and MariaDB over plain TCP with `mysql2` (≥ 3.13), whose `net` socket runs on workerd's
 * `nodejs_compat` (itself `cloudflare:sockets`). `disableEval: true` because Workers refuse
 * `new Function`, which mysql2 otherwise uses to compile row parsers. Also the transport behind
 * Hyperdrive's MySQL bindings.
 *
 * Rows are read as raw bytes and mapped by the same `mysqlCast` as PlanetScale's (field types named
 * the Vitess way, mysql-tcp-types.ts), and errors carry `(errno N) (sqlstate X)` as PlanetScale's
 * do, so mysql-engine.ts and mysql-errors.ts serve both transports unchanged. Statements go as
 * text with parameters escaped by the driver, one statement each (`multipleStatements: false`).
 *
 * Each engine call opens its own connection (closed when the call ends) and a request never holds
 * more than two (socket-budget.ts: a third call waits for one to close). When a call's signal aborts mid-statement, its socket is closed first and then
 * `KILL QUERY` (for a stream, `KILL CONNECTION`) goes on a second connection, so the server stops too.
 */
import mysql, { type Connection, type FieldPacket, type ResultSetHeader } from 'mysql2';
import { CONNECT_TIMEOUT_MS, type Target } from '../config.ts';
import { EngineError } from '../engine.ts';
import { ResponseTooLarge } from '../result-limits.ts';
import { SocketBudget } from '../socket-budget.ts';
import { MysqlEngine } from './mysql-engine.ts';
import { vitessType } from './mysql-tcp-types.ts';
import type { MysqlConnection, MysqlConnector, MysqlRaw, StreamBatch } from './mysql-transport.ts';
import { mysqlCast } from './mysql-values.ts';

/** Outgoing connections one request may hold open through this transport. */
const MAX_CONNECTIONS_PER_REQUEST = 2;

/** Loopback and private hosts get plaintext unless asked; every other host TLS. */
const PRIVATE_HOST =
  /^(127\.|10\.|192\.168\.|172\.(1[6-9]|2\d|3[01])\.|::1$|localhost$|[^.]+$|.*\.(local|internal|localhost)$)/i;

/** mysql2's error in PlanetScale's message form, which the engine and the error mapper read. */
function normalized(err: unknown): unknown {
  const e = err as { message?: string; errno?: number; sqlState?: string; code?: string; fatal?: boolean };
  if (typeof e?.message !== 'string') return err;
  const parts = [e.message];
  if (e.sqlState) parts.push(`(errno ${e.errno}) (sqlstate ${e.sqlState})`);
  else if (e.code && !e.message.includes(e.code)) parts.push(`(${e.code})`);
  return new Error(parts.join(' '), { cause: err });
}

/**
 * Every value as its raw bytes, one char per byte (what `mysqlCast` reads, as PlanetScale's driver
 * hands it over), read straight off the packet: no Buffer per value (~35% less CPU per row).
 */
const latin1 = (field: { string(encoding?: string): string | null }) => field.string('latin1');

/** Parameters as mysql2 escapes them: its escaper knows Buffer, not Uint8Array. */
function toDriver(value: unknown): unknown {
  if (value instanceof Uint8Array && !Buffer.isBuffer(value)) return Buffer.from(value);
  if (Array.isArray(value)) return value.map(toDriver);
  if (typeof value === 'bigint') return value.toString();
  return value;
}

class TcpMysqlConnection implements MysqlConnection {
  readonly #options: mysql.ConnectionOptions;
  readonly #budget: SocketBudget;
  #conn: Promise<Connection> | undefined;
  #socket: Connection | undefined;
  /** Whether this connection holds one of the budget's sockets. */
  #holds = false;
  #threadId: number | undefined;
  #left: number;
  #busy = false;
  #closed = false;
  #abort: ((err: unknown) => void) | undefined;

  constructor(options: mysql.ConnectionOptions, budget: SocketBudget, signal: AbortSignal, maxBody?: number) {
    this.#options = options;
    this.#budget = budget;
    this.#left = maxBody ?? Number.POSITIVE_INFINITY;
    signal.addEventListener('abort', () => this.#cancel(signal.reason), { once: true });
  }

  #open(): Promise<Connection> {
    if (this.#closed) return Promise.reject(new EngineError('timeout', 'The request was cancelled'));
    this.#conn ??= this.#budget.acquire().then(() => {
      this.#holds = true;
      if (this.#closed) {
        this.#releaseSlot();
        throw new EngineError('timeout', 'The request was cancelled');
      }
      return new Promise<Connection>((resolve, reject) => {
        const conn = mysql.createConnection(this.#options);
        this.#socket = conn;
        // A socket error or a server hang-up fails the call in flight at once (an unhandled
        // 'error' would crash the isolate; a swallowed one would leave the call to its timeout).
        conn.on('error', (err: Error) => this.#abort?.(normalized(err)));
        conn.on('end', () =>
          this.#abort?.(new EngineError('upstream_error', 'The database closed the connection')),
        );
        conn.connect((err) => {
          if (err) {
            this.close();
            reject(normalized(err));
            return;
          }
          this.#threadId = conn.threadId ?? undefined;
          resolve(conn);
        });
      });
    });
    return this.#conn;
  }

  #releaseSlot() {
    if (!this.#holds) return;
    this.#holds = false;
    this.#budget.release();
  }

  async execute(sql: string, args: readonly unknown[] | null): Promise<MysqlRaw> {
    const conn = await this.#open();
    this.#busy = true;
    try {
      return await new Promise<MysqlRaw>((resolve, reject) => {
        this.#abort = reject;
        let fields: FieldPacket[] | undefined;
        let types: { type: string; charset: number | null }[] = [];
        let header: ResultSetHeader | undefined;
        let sets = 0;
        const rows: unknown[][] = [];
        const values = args === null ? undefined : (args.map(toDriver) as unknown[]);
        const query = conn.query({ sql, values, rowsAsArray: true, typeCast: latin1 });
        query.on('fields', (f: FieldPacket[] | undefined) => {
          // mysql2 also announces a statement without a result set (an OK packet), with no fields.
          if (!f) return;
          sets++;
          if (sets !== 1) return;
          fields = f;
          types = f.map((field) => ({ type: vitessType(field), charset: field.characterSet ?? null }));
        });
        query.on('result', (row: (string | null)[] | ResultSetHeader) => {
          if (!Array.isArray(row)) {
            header ??= row;
            return;
          }
          this.#left -= row.reduce((n, v) => n + (v?.length ?? 0), 0);
          if (this.#left < 0) {
            this.#cancel(new ResponseTooLarge(0));
            return;
          }
          // A CALL's later result sets are read and dropped: the first one is the answer.
          if (sets !== 1 || !fields) return;
          rows.push(row.map((v, i) => mysqlCast(types[i]!, v)));
        });
        query.on('error', (err: Error) => reject(normalized(err)));
        query.on('end', () =>
          resolve({
            fields: (fields ?? []).map((f, i) => ({ name: f.name, type: types[i]!.type })),
            rows,
            rowsAffected: fields ? 0 : (header?.affectedRows ?? 0),
          }),
        );
      });
    } finally {
      this.#busy = false;
      this.#abort = undefined;
    }
  }

  /**
   * The statement's rows as the server sends them, a batch at a time: while a batch waits for its
   * consumer the connection is paused (mysql2 stops reading the socket, so TCP backpressure holds
   * the server at its next write), so memory stays at one batch whatever the result's size.
   */
  async *stream(sql: string, args: readonly unknown[] | null, batch: StreamBatch): AsyncGenerator<MysqlRaw> {
    const conn = await this.#open();
    this.#busy = true;
    let fields: MysqlRaw['fields'] | undefined;
    let types: { type: string; charset: number | null }[] = [];
    let sets = 0;
    let rows: unknown[][] = [];
    let bytes = 0;
    const ready: MysqlRaw[] = [];
    let done = false;
    let failure: unknown;
    let wake: (() => void) | undefined;
    const notify = () => {
      const w = wake;
      wake = undefined;
      w?.();
    };
    const take = () => {
      ready.push({ fields: fields ?? [], rows, rowsAffected: 0 });
      rows = [];
      bytes = 0;
    };
    this.#abort = (err) => {
      failure ??= err;
      notify();
    };
    const values = args === null ? undefined : (args.map(toDriver) as unknown[]);
    const query = conn.query({ sql, values, rowsAsArray: true, typeCast: latin1 });
    query.on('fields', (f: FieldPacket[] | undefined) => {
      if (!f || ++sets !== 1) return;
      types = f.map((field) => ({ type: vitessType(field), charset: field.characterSet ?? null }));
      fields = f.map((field, i) => ({ name: field.name, type: types[i]!.type }));
    });
    query.on('result', (row: (string | null)[] | ResultSetHeader) => {
      if (!Array.isArray(row) || sets !== 1) return;
      const size = row.reduce((n, v) => n + (v?.length ?? 0), 0);
      // The connection's byte budget, when it has one, holds for a stream as for one statement.
      this.#left -= size;
      if (this.#left < 0) {
        this.#cancel(new ResponseTooLarge(0), 'CONNECTION');
        return;
      }
      rows.push(row.map((v, i) => mysqlCast(types[i]!, v)));
      bytes += size;
      if (rows.length < batch.rows && bytes < batch.bytes) return;
      take();
      conn.pause();
      notify();
    });
    query.on('error', (err: Error) => {
      failure ??= normalized(err);
      notify();
    });
    query.on('end', () => {
      done = true;
      notify();
    });
    let yielded = false;
    try {
      while (true) {
        if (failure !== undefined) throw failure;
        const next = ready.shift();
        if (next) {
          yielded = true;
          yield next;
          continue;
        }
        if (done) {
          // The tail, or the columns of a result with no rows.
          if (rows.length > 0 || !yielded) yield { fields: fields ?? [], rows, rowsAffected: 0 };
          return;
        }
        const waiting = new Promise<void>((resolve) => {
          wake = resolve;
        });
        conn.resume();
        await waiting;
      }
    } finally {
      // Left early (the consumer stopped, or a failure): the server must stop sending too.
      if (!done) this.#cancel(failure, 'CONNECTION');
      this.#busy = false;
      this.#abort = undefined;
    }
  }

  /**
   * Drops the socket; a statement still running is killed from a second connection. A stream's
   * statement is blocked writing rows nobody reads, which `KILL QUERY` does not interrupt (the
   * server checks the flag between rows), so there the whole server connection is killed.
   */
  #cancel(reason: unknown, what: 'QUERY' | 'CONNECTION' = 'QUERY') {
    const busy = this.#busy;
    const threadId = this.#threadId;
    this.#abort?.(reason ?? new DOMException('The operation was aborted', 'AbortError'));
    this.close();
    if (!busy || threadId === undefined) return;
    const killer = new TcpMysqlConnection(this.#options, this.#budget, new AbortController().signal);
    killer
      .execute(`KILL ${what} ${Number(threadId)}`, null)
      .catch(() => {}) // best effort: the statement's own max_execution_time still ends it
      .finally(() => killer.close());
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#socket?.destroy();
    this.#releaseSlot();
  }
}

/** The connections of one engine (one request), each opened on its first statement. */
export function mysqlTcpConnector(t: Target): MysqlConnector & { budget: SocketBudget } {
  if (!t.user) throw new EngineError('invalid_config', 'MySQL needs a user name');
  const tls = t.sslMode === undefined ? !PRIVATE_HOST.test(t.host) : t.sslMode !== 'disable';
  const options: mysql.ConnectionOptions = {
    host: t.host,
    port: t.port ?? 3306,
    user: t.user,
    password: t.password ?? '',
    database: t.database,
    disableEval: true,
    multipleStatements: false,
    connectTimeout: CONNECT_TIMEOUT_MS,
    ...(tls ? { ssl: { rejectUnauthorized: true } } : {}),
  };
  const budget = new SocketBudget(MAX_CONNECTIONS_PER_REQUEST);
  const connector = (signal: AbortSignal, maxBody?: number) =>
    new TcpMysqlConnection(options, budget, signal, maxBody);
  return Object.assign(connector, { budget });
}

/** MySQL or MariaDB over TCP to `target` (a saved host, or what a Hyperdrive binding supplies). */
export function mysqlTcpEngine(target: Target, secrets: readonly (string | undefined)[]): MysqlEngine {
  return new MysqlEngine(
    mysqlTcpConnector(target),
    secrets.filter((s): s is string => !!s),
    `mysql://${target.user ?? ''}@${target.host}:${target.port ?? 3306}`,
  );
}
