/**
 * PostgreSQL through @neondatabase/serverless. Two transports, chosen per call:
 * - `neon()` over HTTP for one-shot statements and `test()`: one fetch per call, nothing to close.
 *   Each statement goes as a batch (one transaction; Neon runs each query of it through the
 *   extended protocol, so one command per query) so `statement_timeout` and READ ONLY are
 *   enforced by the server: `set_config('statement_timeout', …, true)`, then the SQL — a row
 *   query as `DECLARE … CURSOR` + `FETCH maxRows+1`, so the server computes no more rows than
 *   are returned. The body is read with a byte cap (result-limits.ts).
 * - `Client` over WebSocket for scripts (BEGIN … COMMIT on one session) and streaming
 *   (DECLARE CURSOR + FETCH batches, so memory stays flat). Every user statement goes through
 *   the extended protocol with a portal row limit (pg-portal.ts). In a read-only script the
 *   session is checked after each statement: still inside the transaction (ReadyForQuery 'T')
 *   and still read-only, so a COMMIT that reached the server cannot be followed by writes.
 * Locally (env.LOCAL_ENDPOINTS) both transports go to dev/endpoints instead of Neon's proxy.
 */
import { Client, neon, neonConfig } from '@neondatabase/serverless';
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
  type LoginPrivileges,
  type QueryOptions,
  type Statement,
  type StatementResult,
  type TestResult,
} from './engine.ts';
import { fromPgError } from './errors.ts';
import { BoundedStatement, type PortalResult, readOnlyViolation as violation } from './pg-portal.ts';
import { columnsOf, parseUserArrays, type RawResult, toResult, types } from './pg-results.ts';
import { postgresPrivileges } from './privileges.ts';
import {
  bodyCapOf,
  fetchCapped,
  isRowQuery,
  isTooLarge,
  maxBytesOf,
  tooLargeError,
} from './result-limits.ts';
import { isBuiltinPgType, PG_TYPE_LOOKUP, type PgTypeInfo, pgParser, toPgParam } from './values.ts';

const CONNECT_TIMEOUT_MS = 10_000;
/** Row queries over HTTP run as this cursor, so FETCH bounds what the server computes. */
const CURSOR = 'DECLARE atrium_q NO SCROLL CURSOR FOR ';
/** DECLARE refuses data-modifying WITH (0A000) and non-SELECT forms (42601): run those as written. */
const NOT_A_CURSOR = new Set(['0A000', '42601']);

/**
 * neon() reads its fetch from a global; this one caps the body when the call asked for it
 * (`fetchOptions.atriumMaxBytes`) and is plain fetch otherwise.
 */
function neonFetch(input: string, init: RequestInit & { atriumMaxBytes?: number } = {}): Promise<Response> {
  const { atriumMaxBytes, ...rest } = init;
  return atriumMaxBytes ? fetchCapped(input, rest, atriumMaxBytes) : fetch(input, rest);
}

/**
 * User-type OIDs are fixed for a database's lifetime (a dropped and recreated enum gets a new OID),
 * so names learnt once per isolate and connection string stay right; keyed by the string because
 * the same OID means different types in different databases.
 */
const userTypes = new Map<string, Map<number, PgTypeInfo>>();

function connectionString(t: Target): string {
  if (!t.user) throw new EngineError('invalid_config', 'PostgreSQL needs a user name');
  const auth = `${encodeURIComponent(t.user)}${t.password ? `:${encodeURIComponent(t.password)}` : ''}`;
  const host = t.host.includes(':') ? `[${t.host}]` : t.host;
  const url = new URL(`postgresql://${auth}@${host}${t.port ? `:${t.port}` : ''}/`);
  url.pathname = `/${encodeURIComponent(t.database ?? 'postgres')}`;
  if (t.sslMode) url.searchParams.set('sslmode', t.sslMode);
  return url.toString();
}

export class PostgresEngine implements Engine {
  readonly name = 'postgres' as const;
  readonly capabilities: Capabilities = {
    transactions: true,
    schemas: true,
    materializedViews: true,
    enums: true,
    cursorStreaming: true,
  };
  readonly #connectionString: string;
  readonly #secrets: string[];
  readonly #local: LocalEndpoints | undefined;
  readonly #clients = new Set<Client>();
  /** Transaction status of each session's last ReadyForQuery ('I' idle, 'T' in a transaction, 'E' failed). */
  readonly #status = new WeakMap<Client, string>();

  constructor(config: EngineConfig, local: LocalEndpoints | undefined) {
    const target = targetOf(config, ['postgres', 'postgresql']);
    this.#connectionString = connectionString(target);
    this.#secrets = [target.password, config.connectionString, this.#connectionString].filter(
      (s): s is string => !!s,
    );
    this.#local = local;
    // fetchEndpoint is global-only in the driver; it is constant per isolate (a dev var), so
    // setting it here is idempotent. Production never sets LOCAL_ENDPOINTS and keeps Neon's.
    if (local) neonConfig.fetchEndpoint = local.neonHttp;
    neonConfig.fetchFunction = neonFetch;
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
      const sql = this.#http(CONNECT_TIMEOUT_MS, signal);
      const found = (await withDeadline(
        sql.query(PG_TYPE_LOOKUP, [[...unknown]], { types }),
        CONNECT_TIMEOUT_MS + CLIENT_GRACE_MS,
        { signal },
      )) as unknown as RawResult;
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

  #http(timeoutMs: number, signal: AbortSignal | undefined, maxBody?: number) {
    const signals = [AbortSignal.timeout(timeoutMs + CLIENT_GRACE_MS), ...(signal ? [signal] : [])];
    return neon(this.#connectionString, {
      arrayMode: true,
      fullResults: true,
      fetchOptions: { signal: AbortSignal.any(signals), atriumMaxBytes: maxBody },
    });
  }

  async test(options: { timeoutMs?: number } = {}): Promise<TestResult> {
    const timeout = timeoutOf(options.timeoutMs ?? CONNECT_TIMEOUT_MS);
    const sql = this.#http(timeout, undefined);
    const started = Date.now();
    const rows = (await withDeadline(
      sql.query("select current_setting('server_version')", [], { types }),
      timeout + CLIENT_GRACE_MS,
    ).catch(this.#fail)) as unknown as RawResult;
    return {
      latencyMs: Date.now() - started,
      serverVersion: `PostgreSQL ${String(rows.rows[0]?.[0] ?? '')}`,
    };
  }

  async query(text: string, options: QueryOptions = {}): Promise<StatementResult> {
    const timeout = timeoutOf(options.timeoutMs);
    const maxBytes = maxBytesOf(options.maxBytes);
    const sql = this.#http(timeout, options.signal, bodyCapOf(maxBytes));
    const params = (options.params ?? []).map(toPgParam);
    const bounded = options.maxRows !== undefined && isRowQuery(text);
    const started = Date.now();
    const run = async (): Promise<RawResult> => {
      const limit = () => sql.query("select set_config('statement_timeout', $1, true)", [String(timeout)]);
      const mode = { readOnly: options.readOnly === true };
      if (bounded) {
        try {
          const fetch = `FETCH FORWARD ${options.maxRows! + 1} FROM atrium_q`;
          const results = await sql.transaction(
            [limit(), sql.query(CURSOR + text, params), sql.query(fetch, [], { types })],
            mode,
          );
          return results[2] as unknown as RawResult;
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
        const results = await sql.transaction([limit(), sql.query(text, params, { types })], mode);
        return results[1] as unknown as RawResult;
      } catch (err) {
        // 25001: statements such as CREATE DATABASE or VACUUM refuse to run inside a transaction.
        // They go alone; the client-side deadline still bounds them.
        if ((err as { code?: string }).code === '25001' && !options.readOnly) {
          return (await sql.query(text, params, { types })) as unknown as RawResult;
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

  async #connect(notices: string[]): Promise<Client> {
    const client = new Client({ connectionString: this.#connectionString });
    if (this.#local) {
      const proxy = this.#local.neonWs.replace(/^wss?:\/\//, '');
      client.neonConfig.wsProxy = (host, port) => `${proxy}?address=${host}:${port}`;
      client.neonConfig.useSecureWebSocket = this.#local.neonWs.startsWith('wss:');
      // Pipelining assumes cleartext-password auth, which local servers (trust, scram) do not ask for.
      client.neonConfig.pipelineConnect = false;
    }
    client.on('error', () => {}); // surfaced through the pending call instead of crashing the isolate
    client.on('notice', (msg: { message?: string }) => notices.push(msg.message ?? ''));
    client.connection.on('readyForQuery', (msg: { status?: string }) =>
      this.#status.set(client, msg.status ?? ''),
    );
    this.#clients.add(client);
    await withDeadline(client.connect(), CONNECT_TIMEOUT_MS, {
      onTimeout: () => this.#drop(client),
      what: 'The database connection',
    }).catch((err) => {
      this.#drop(client);
      this.#fail(err);
    });
    return client;
  }

  #drop(client: Client) {
    this.#clients.delete(client);
    client.end().catch(() => {});
  }

  #run(
    client: Client,
    text: string,
    params: readonly unknown[] | undefined,
    timeout: number,
    signal?: AbortSignal,
  ) {
    const values = params && params.length > 0 ? params.map(toPgParam) : undefined;
    const work = client.query({ text, values, rowMode: 'array', types }) as unknown as Promise<
      RawResult | RawResult[]
    >;
    return withDeadline(work, timeout + CLIENT_GRACE_MS, { signal, onTimeout: () => this.#drop(client) });
  }

  /** A user statement: extended protocol, one command, rows read only up to the limits. */
  #statement(
    client: Client,
    s: Statement,
    limits: { maxRows: number; maxBytes: number },
    timeout: number,
    signal?: AbortSignal,
  ): Promise<PortalResult> {
    const statement = new BoundedStatement(s.sql, (s.params ?? []).map(toPgParam), limits, pgParser);
    client.query(statement as unknown as Parameters<Client['query']>[0]);
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
  async #assertReadOnly(client: Client, timeout: number): Promise<void> {
    if (this.#status.get(client) !== 'T') throw violation();
    const sql = "select current_setting('transaction_read_only')";
    const raw = (await this.#run(client, sql, undefined, timeout)) as RawResult;
    if (raw.rows[0]?.[0] !== 'on' || this.#status.get(client) !== 'T') throw violation();
  }

  async script(statements: readonly Statement[], options: Omit<QueryOptions, 'params'> = {}) {
    const timeout = timeoutOf(options.timeoutMs);
    const maxBytes = maxBytesOf(options.maxBytes);
    const readOnly = options.readOnly === true;
    const notices: string[] = [];
    const client = await this.#connect(notices);
    const raws: { raw: RawResult; started: number; finished: number; notices: string[] }[] = [];
    try {
      // Our own fixed text: one simple-protocol round trip for both.
      const begin = readOnly ? 'BEGIN READ ONLY' : 'BEGIN';
      await this.#run(client, `SET statement_timeout = ${timeout}; ${begin}`, undefined, timeout);
      if (readOnly) await this.#assertReadOnly(client, timeout);
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
      await this.#run(client, 'COMMIT', undefined, timeout);
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
    options: { params?: readonly unknown[]; batchSize?: number; signal?: AbortSignal } = {},
  ): AsyncIterable<{ columns: ColumnMeta[]; rows: unknown[][] }> {
    const batchSize = Math.max(1, Math.min(options.batchSize ?? 1000, 10_000));
    const timeout = timeoutOf(undefined);
    const client = await this.#connect([]);
    try {
      await this.#run(client, `SET statement_timeout = ${timeout}; BEGIN READ ONLY`, undefined, timeout);
      // Extended protocol: the caller's text can hold only the one query the cursor is for.
      const declare = { sql: `DECLARE atrium_stream NO SCROLL CURSOR FOR ${text}`, params: options.params };
      await this.#statement(client, declare, { maxRows: 0, maxBytes: 0 }, timeout, options.signal);
      await this.#assertReadOnly(client, timeout);
      let columns: ColumnMeta[] | undefined;
      while (true) {
        if (options.signal?.aborted) throw new EngineError('timeout', 'The request was cancelled');
        const raw = (await this.#run(
          client,
          `FETCH FORWARD ${batchSize} FROM atrium_stream`,
          undefined,
          timeout,
        )) as RawResult;
        const resolved = await this.#userTypes([raw], options.signal);
        columns ??= columnsOf(raw.fields, resolved);
        parseUserArrays(raw, resolved);
        yield { columns, rows: raw.rows };
        if (raw.rows.length < batchSize) break;
      }
      await this.#run(client, 'COMMIT', undefined, timeout);
    } catch (err) {
      this.#fail(err);
    } finally {
      this.#drop(client);
    }
  }

  privileges(options: { timeoutMs?: number } = {}): Promise<LoginPrivileges> {
    return postgresPrivileges(this, options.timeoutMs);
  }

  async close(): Promise<void> {
    for (const client of [...this.#clients]) this.#drop(client);
  }
}
