/**
 * PostgreSQL as a dialect over any transport (pg-transport.ts; today Neon's, see neon.ts):
 * - one-shot statements and `test()` go through the transport's one-round-trip calls. Each
 *   statement runs in one transaction so `statement_timeout` and READ ONLY are enforced by the
 *   server: `set_config('statement_timeout', …, true)`, then the SQL — a row query as
 *   `DECLARE … CURSOR` + `FETCH maxRows+1`, so the server computes no more rows than are returned.
 * - scripts (BEGIN … COMMIT on one session) and streams (DECLARE CURSOR + FETCH batches, or COPY:
 *   pg-copy.ts, pg-record.ts) go through a session. Every user statement goes through the extended
 *   protocol with a portal row limit (pg-portal.ts). In a read-only script the session is checked
 *   after each statement: still inside the transaction (ReadyForQuery 'T') and still read-only,
 *   so a COMMIT that reached the server cannot be followed by writes.
 */
import { CLIENT_GRACE_MS, CONNECT_TIMEOUT_MS, timeoutOf, withDeadline } from '../config.ts';
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
import { bodyCapOf, isRowQuery, isTooLarge, maxBytesOf, tooLargeError } from '../result-limits.ts';
import type { LiveTable, SchemaObjects, SchemaSnapshot } from '../schema-model.ts';
import { CopyOut, parseCopyText } from './pg-copy.ts';
import { BoundedStatement, type PortalResult, readOnlyViolation as violation } from './pg-portal.ts';
import { nextBatchRows, parseRecord } from './pg-record.ts';
import { columnsOf, parseUserArrays, type RawResult, toResult } from './pg-results.ts';
import type { PgSession, PgTransport } from './pg-transport.ts';
import { postgresDialect } from './postgres-dialect.ts';
import { fromPgError } from './postgres-errors.ts';
import { introspectPostgres } from './postgres-introspector.ts';
import { postgresPrivileges } from './postgres-privileges.ts';
import { isBuiltinPgType, PG_TYPE_LOOKUP, type PgTypeInfo, pgParser, toPgParam } from './postgres-values.ts';
import { readPostgresObjects } from './schema-objects.ts';

/** One-shot row queries run as this cursor, so FETCH bounds what the server computes. */
const CURSOR = 'DECLARE atrium_q NO SCROLL CURSOR FOR ';
/** Still read-only? Also takes the transaction's snapshot, after which it cannot become read-write. */
const READ_ONLY_CHECK = "select current_setting('transaction_read_only')";
/** Raw COPY text per exported batch (~3,000 narrow rows), about what a 2,000-row FETCH holds. */
const COPY_BATCH_BYTES = 1 << 18;
/** DECLARE refuses data-modifying WITH (0A000) and non-SELECT forms (42601): run those as written. */
const NOT_A_CURSOR = new Set(['0A000', '42601']);

/**
 * User-type OIDs are fixed for a database's lifetime (a dropped and recreated enum gets a new OID),
 * so names learnt once per isolate and connection string stay right; keyed by the string because
 * the same OID means different types in different databases.
 */
const userTypes = new Map<string, Map<number, PgTypeInfo>>();

/** What the engine needs besides its transport: the secrets to scrub and the cache key for type names. */
export interface PostgresTarget {
  /** Identifies the database for the per-isolate cache of user-type names. */
  connectionString: string;
  secrets: string[];
}

export class PostgresEngine implements Engine {
  readonly name = 'postgres' as const;
  readonly dialect = postgresDialect;
  readonly capabilities = postgresDialect.capabilities;
  readonly #connectionString: string;
  readonly #secrets: string[];
  readonly #transport: PgTransport;
  readonly #sessions = new Set<PgSession>();

  constructor(target: PostgresTarget, transport: PgTransport) {
    this.#connectionString = target.connectionString;
    this.#secrets = target.secrets;
    this.#transport = transport;
  }

  #fail = (err: unknown): never => {
    throw fromPgError(err, this.#secrets);
  };

  /**
   * Catalog names for the non-builtin OIDs among `results`' columns. Only results with such
   * columns pay the one extra round trip, and only the first time per isolate.
   */
  async #userTypes(
    results: readonly RawResult[],
    signal?: AbortSignal,
  ): Promise<ReadonlyMap<number, PgTypeInfo>> {
    let known = userTypes.get(this.#connectionString);
    const unknown = new Set<number>();
    for (const r of results) {
      for (const f of r.fields ?? []) {
        if (!isBuiltinPgType(f.dataTypeID) && !known?.has(f.dataTypeID)) unknown.add(f.dataTypeID);
      }
    }
    if (unknown.size === 0) return known ?? new Map();
    try {
      const call = this.#transport.oneShot({ timeoutMs: CONNECT_TIMEOUT_MS, signal });
      const found = await withDeadline(
        call.query(PG_TYPE_LOOKUP, [[...unknown]]),
        CONNECT_TIMEOUT_MS + CLIENT_GRACE_MS,
        { signal },
      );
      if (!known) {
        known = new Map();
        userTypes.set(this.#connectionString, known);
      }
      for (const [oid, name, element] of found.rows) {
        known.set(Number(oid), {
          name: String(name),
          arrayElement: element === null ? null : Number(element),
        });
      }
    } catch {
      // The statement itself succeeded; its columns keep `oid:N` rather than failing the result.
    }
    return known ?? new Map();
  }

  async test(options: { timeoutMs?: number } = {}): Promise<TestResult> {
    const timeout = timeoutOf(options.timeoutMs ?? CONNECT_TIMEOUT_MS);
    const call = this.#transport.oneShot({ timeoutMs: timeout });
    const started = Date.now();
    const rows = await withDeadline(
      call.query("select current_setting('server_version')"),
      timeout + CLIENT_GRACE_MS,
    ).catch(this.#fail);
    return {
      latencyMs: Date.now() - started,
      serverVersion: `PostgreSQL ${String(rows.rows[0]?.[0] ?? '')}`,
    };
  }

  async query(text: string, options: QueryOptions = {}): Promise<StatementResult> {
    const timeout = timeoutOf(options.timeoutMs);
    const maxBytes = maxBytesOf(options.maxBytes);
    const call = this.#transport.oneShot({
      timeoutMs: timeout,
      signal: options.signal,
      maxBody: bodyCapOf(maxBytes),
    });
    const params = (options.params ?? []).map(toPgParam);
    const bounded = options.maxRows !== undefined && isRowQuery(text);
    const started = Date.now();
    const run = async (): Promise<RawResult> => {
      const limit = { text: "select set_config('statement_timeout', $1, true)", params: [String(timeout)] };
      const mode = { readOnly: options.readOnly === true };
      if (bounded) {
        try {
          const fetch = `FETCH FORWARD ${options.maxRows! + 1} FROM atrium_q`;
          const results = await call.transaction(
            [limit, { text: CURSOR + text, params }, { text: fetch }],
            mode,
          );
          return results[2]!;
        } catch (err) {
          const e = err as { code?: string; position?: string };
          if (!NOT_A_CURSOR.has(e.code ?? '')) {
            // Positions count from the user's text, not from the DECLARE around it.
            if (Number(e.position) > CURSOR.length) e.position = String(Number(e.position) - CURSOR.length);
            throw err;
          }
        }
      }
      try {
        const results = await call.transaction([limit, { text, params }], mode);
        return results[1]!;
      } catch (err) {
        // 25001: statements such as CREATE DATABASE or VACUUM refuse to run inside a transaction.
        // They go alone; the client-side deadline still bounds them.
        if ((err as { code?: string }).code === '25001' && !options.readOnly) {
          return await call.query(text, params);
        }
        throw err;
      }
    };
    let raw: RawResult;
    try {
      raw = await withDeadline(run(), timeout + CLIENT_GRACE_MS, { signal: options.signal });
    } catch (err) {
      if (!isTooLarge(err)) return this.#fail(err);
      if (!bounded) throw tooLargeError(maxBytes, err);
      // Too wide for one HTTP body: read it again a batch at a time over a session, in a
      // read-only transaction so nothing the statement does can happen twice.
      const [result] = await this.script([{ sql: text, params: options.params }], {
        ...options,
        readOnly: true,
        maxBytes,
      });
      return result!;
    }
    const durationMs = Date.now() - started;
    const result = toResult(raw, started, options.maxRows, [], await this.#userTypes([raw], options.signal));
    return { ...result, durationMs };
  }

  async #connect(notices: string[]): Promise<PgSession> {
    const session = await this.#transport.connect(notices).catch(this.#fail);
    this.#sessions.add(session);
    return session;
  }

  #drop(session: PgSession) {
    this.#sessions.delete(session);
    session.end();
  }

  #run(client: PgSession, text: string, timeout: number, signal?: AbortSignal) {
    return withDeadline(client.query(text), timeout + CLIENT_GRACE_MS, {
      signal,
      onTimeout: () => this.#drop(client),
    });
  }

  /** A user statement: extended protocol, one command, rows read only up to the limits. */
  #statement(
    client: PgSession,
    s: Statement,
    limits: { maxRows: number; maxBytes: number },
    timeout: number,
    signal?: AbortSignal,
  ): Promise<PortalResult> {
    const statement = new BoundedStatement(s.sql, (s.params ?? []).map(toPgParam), limits, pgParser);
    client.submit(statement);
    return withDeadline(statement.done, timeout + CLIENT_GRACE_MS, {
      signal,
      onTimeout: () => this.#drop(client),
    });
  }

  /**
   * Still inside the read-only transaction this run began? A COMMIT, ROLLBACK or PREPARE
   * TRANSACTION leaves the session idle; COMMIT AND CHAIN opens a new transaction in which
   * `SET TRANSACTION READ WRITE` would be allowed until its first snapshot — which this
   * check's own SELECT takes, so that door closes too.
   */
  async #assertReadOnly(client: PgSession, timeout: number): Promise<void> {
    if (client.transactionStatus !== 'T') throw violation();
    const raw = (await this.#run(client, READ_ONLY_CHECK, timeout)) as RawResult;
    if (raw.rows[0]?.[0] !== 'on' || client.transactionStatus !== 'T') throw violation();
  }

  /** BEGIN READ ONLY with the statement timeout, checked, in one round trip of Atrium's own text. */
  async #beginReadOnly(client: PgSession, timeout: number, serverTimeout = timeout): Promise<void> {
    const sql = `SET statement_timeout = ${serverTimeout}; BEGIN READ ONLY; ${READ_ONLY_CHECK}`;
    const raws = (await this.#run(client, sql, timeout)) as RawResult[];
    if (raws.at(-1)?.rows[0]?.[0] !== 'on' || client.transactionStatus !== 'T') throw violation();
  }

  async script(statements: readonly Statement[], options: Omit<QueryOptions, 'params'> = {}) {
    const timeout = timeoutOf(options.timeoutMs);
    const maxBytes = maxBytesOf(options.maxBytes);
    const readOnly = options.readOnly === true;
    const notices: string[] = [];
    const client = await this.#connect(notices);
    const raws: { raw: RawResult; started: number; finished: number; notices: string[] }[] = [];
    try {
      // Our own fixed text: one simple-protocol round trip for all of it. A read-only run's check
      // rides along; its SELECT also takes the snapshot that shuts `SET TRANSACTION READ WRITE`.
      if (readOnly) await this.#beginReadOnly(client, timeout);
      else await this.#run(client, `SET statement_timeout = ${timeout}; BEGIN`, timeout);
      let budget = maxBytes;
      for (const statement of statements) {
        const started = Date.now();
        const limits = { maxRows: options.maxRows ?? Number.POSITIVE_INFINITY, maxBytes: budget };
        const raw = await this.#statement(client, statement, limits, timeout, options.signal);
        if (raw.truncatedReason === 'bytes' && options.maxRows === undefined) throw tooLargeError(maxBytes);
        budget = Math.max(0, budget - raw.bytes);
        raws.push({ raw, started, finished: Date.now(), notices: notices.splice(0) });
        if (readOnly) await this.#assertReadOnly(client, timeout);
      }
      // A read-only transaction has nothing to commit: closing the session rolls it back, which
      // saves the round trip and undoes even more than COMMIT would. A writing script must wait.
      if (!readOnly) await this.#run(client, 'COMMIT', timeout);
      const resolved = await this.#userTypes(
        raws.map((r) => r.raw),
        options.signal,
      );
      return raws.map((r) => ({
        ...toResult(r.raw, r.started, options.maxRows, r.notices, resolved),
        durationMs: r.finished - r.started,
      }));
    } catch (err) {
      // Closing the session without COMMIT rolls everything back; no ROLLBACK round trip needed.
      return this.#fail(err);
    } finally {
      this.#drop(client);
    }
  }

  async *stream(
    text: string,
    options: StreamOptions = {},
  ): AsyncIterable<{ columns: ColumnMeta[]; rows: unknown[][] }> {
    const batchSize = Math.max(1, Math.min(options.batchSize ?? 1000, 10_000));
    const timeout = timeoutOf(undefined);
    const client = await this.#connect([]);
    const { signal } = options;
    const own = options.ownText === true && (options.params ?? []).length === 0;
    try {
      // Atrium's own text on a socket that can pause: COPY (pg-copy.ts), the same rows for less CPU.
      if (own && client.pausable) return yield* this.#copy(client, text, timeout, signal);
      await this.#run(client, `SET statement_timeout = ${timeout}; BEGIN READ ONLY`, timeout);
      const none = { maxRows: 0, maxBytes: 0 };
      // Atrium's own text elsewhere: a cursor over whole-row text (pg-record.ts), one field per row.
      const shape = own ? `(${text}) AS atrium_row` : null;
      const describe = { sql: `SELECT * FROM ${shape} LIMIT 0` };
      const fields = shape
        ? (await this.#statement(client, describe, none, timeout, signal)).fields
        : undefined;
      const parsers = fields?.map((f) => pgParser(f.dataTypeID));
      const query = shape ? `SELECT atrium_row::text FROM ${shape}` : text;
      // Extended protocol: the caller's text can hold only the one query the cursor is for.
      const declare = { sql: `DECLARE atrium_stream NO SCROLL CURSOR FOR ${query}`, params: options.params };
      await this.#statement(client, declare, none, timeout, signal);
      await this.#assertReadOnly(client, timeout);
      let columns: ColumnMeta[] | undefined;
      let size = batchSize;
      const fetch = () => {
        const next = this.#run(client, `FETCH FORWARD ${size} FROM atrium_stream`, timeout);
        next.catch(() => {}); // awaited below, or abandoned with the session
        return next as Promise<RawResult>;
      };
      let ahead = fetch();
      while (true) {
        if (signal?.aborted) throw new EngineError('timeout', 'The request was cancelled');
        const raw = await ahead;
        const more = raw.rows.length >= size;
        // The next batch travels while this one is parsed and written: two batches at most.
        if (more) {
          if (shape) size = nextBatchRows(raw.rows);
          ahead = fetch();
        }
        if (fields && parsers) {
          raw.fields = fields;
          raw.rows = raw.rows.map((r) => parseRecord(r[0] as string, parsers));
        }
        const resolved = await this.#userTypes([raw], signal);
        columns ??= columnsOf(raw.fields, resolved);
        parseUserArrays(raw, resolved);
        yield { columns, rows: raw.rows };
        if (!more) break;
      }
      await this.#run(client, 'COMMIT', timeout);
    } catch (err) {
      this.#fail(err);
    } finally {
      this.#drop(client);
    }
  }

  /**
   * `stream` by COPY, read-only. One COPY spans the whole download (a slow client holds it open as it
   * would a cursor), so the server's timeout is lifted and each batch has the client deadline instead.
   */
  async *#copy(client: PgSession, text: string, timeout: number, signal?: AbortSignal) {
    await this.#beginReadOnly(client, timeout, 0);
    const copy = new CopyOut(text, COPY_BATCH_BYTES);
    client.submit(copy);
    const drop = { signal, onTimeout: () => this.#drop(client) };
    const within = <T>(work: Promise<T>) => withDeadline(work, timeout + CLIENT_GRACE_MS, drop);
    const fields = await within(copy.fields);
    const resolved = await this.#userTypes([{ fields } as RawResult], signal);
    const columns = columnsOf(fields, resolved);
    const parsers = fields.map((f) => pgParser(f.dataTypeID));
    let yielded = false;
    for (let batch = await within(copy.next()); batch !== null; batch = await within(copy.next())) {
      if (signal?.aborted) throw new EngineError('timeout', 'The request was cancelled');
      const raw = { fields, rows: parseCopyText(batch, parsers) } as RawResult;
      parseUserArrays(raw, resolved);
      yielded = true;
      yield { columns, rows: raw.rows };
    }
    // The first batch carries the columns, even for an empty table.
    if (!yielded) yield { columns, rows: [] };
  }

  privileges(options: { timeoutMs?: number } = {}): Promise<LoginPrivileges> {
    return postgresPrivileges(this, options.timeoutMs);
  }

  introspect(): Promise<SchemaSnapshot> {
    return introspectPostgres(this);
  }

  schemaObjects(): Promise<SchemaObjects> {
    return readPostgresObjects(this);
  }

  describeTable(schema: string, table: string): Promise<LiveTable | null> {
    return describeInformationSchemaTable(this, schema, table, 'udt_name');
  }

  async close(): Promise<void> {
    for (const session of [...this.#sessions]) this.#drop(session);
    await this.#transport.close?.();
  }
}
