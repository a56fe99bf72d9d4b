/**
 * PostgreSQL through @neondatabase/serverless. Two transports, chosen per call:
 * - `neon()` over HTTP for one-shot statements and `test()`: one fetch per call, nothing to close.
 *   Each statement goes as a two-query batch (one transaction) so `statement_timeout` and
 *   READ ONLY are enforced by the server: `set_config('statement_timeout', …, true)`, then the SQL.
 * - `Client` over WebSocket for scripts (BEGIN … COMMIT on one session) and streaming
 *   (DECLARE CURSOR + FETCH batches, so memory stays flat).
 * Locally (env.LOCAL_ENDPOINTS) both transports go to dev/endpoints instead of Neon's proxy.
 */
import { Client, type FieldDef, neon, neonConfig } from '@neondatabase/serverless';
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
import { fromPgError } from './errors.ts';
import {
  isBuiltinPgType,
  PG_TYPE_LOOKUP,
  type PgTypeInfo,
  pgParser,
  pgTypeName,
  pgUserArray,
  toPgParam,
} from './values.ts';

const CONNECT_TIMEOUT_MS = 10_000;
const WRITE_COMMANDS = new Set(['INSERT', 'UPDATE', 'DELETE', 'MERGE', 'COPY']);
/** Our parsers for every type, in place of the driver's (which make Dates and lose precision). */
const types = { getTypeParser: (oid: number) => pgParser(oid) };

type RawResult = { fields: FieldDef[]; rows: unknown[][]; command: string; rowCount: number | null };

/**
 * User-type OIDs are fixed for a database's lifetime (a dropped and recreated enum gets a new OID),
 * so names learnt once per isolate and connection string stay right; keyed by the string because
 * the same OID means different types in different databases.
 */
const userTypes = new Map<string, Map<number, PgTypeInfo>>();

function columnsOf(fields: FieldDef[] | undefined, resolved: ReadonlyMap<number, PgTypeInfo>): ColumnMeta[] {
  return (fields ?? []).map((f) => ({ name: f.name, type: pgTypeName(f.dataTypeID, resolved) }));
}

/** Parses, in place, the columns holding arrays of user types (text until their OIDs were known). */
function parseUserArrays(raw: RawResult, resolved: ReadonlyMap<number, PgTypeInfo>): void {
  (raw.fields ?? []).forEach((f, col) => {
    const element = resolved.get(f.dataTypeID)?.arrayElement;
    if (element === undefined || element === null) return;
    for (const row of raw.rows) row[col] = pgUserArray(row[col], element);
  });
}

function toResult(
  raw: RawResult,
  started: number,
  maxRows: number | undefined,
  notices: string[],
  resolved: ReadonlyMap<number, PgTypeInfo>,
): StatementResult {
  const rows = raw.rows ?? [];
  const truncated = maxRows !== undefined && rows.length > maxRows;
  const command = raw.command || null;
  parseUserArrays(raw, resolved);
  return {
    columns: columnsOf(raw.fields, resolved),
    rows: truncated ? rows.slice(0, maxRows) : rows,
    affectedRows: command && WRITE_COMMANDS.has(command) ? (raw.rowCount ?? 0) : null,
    truncated,
    command,
    notices,
    durationMs: Date.now() - started,
  };
}

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

  #http(timeoutMs: number, signal: AbortSignal | undefined) {
    const signals = [AbortSignal.timeout(timeoutMs + CLIENT_GRACE_MS), ...(signal ? [signal] : [])];
    return neon(this.#connectionString, {
      arrayMode: true,
      fullResults: true,
      fetchOptions: { signal: AbortSignal.any(signals) },
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
    const sql = this.#http(timeout, options.signal);
    const params = (options.params ?? []).map(toPgParam);
    const started = Date.now();
    const run = async (): Promise<RawResult> => {
      const limit = sql.query("select set_config('statement_timeout', $1, true)", [String(timeout)]);
      try {
        const results = await sql.transaction([limit, sql.query(text, params, { types })], {
          readOnly: options.readOnly === true,
        });
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
    const raw = await withDeadline(run(), timeout + CLIENT_GRACE_MS, { signal: options.signal }).catch(
      this.#fail,
    );
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

  async script(statements: readonly Statement[], options: Omit<QueryOptions, 'params'> = {}) {
    const timeout = timeoutOf(options.timeoutMs);
    const notices: string[] = [];
    const client = await this.#connect(notices);
    const raws: { raw: RawResult; started: number; finished: number; notices: string[] }[] = [];
    try {
      await this.#run(client, `SET statement_timeout = ${timeout}`, undefined, timeout);
      await this.#run(client, options.readOnly ? 'BEGIN READ ONLY' : 'BEGIN', undefined, timeout);
      for (const statement of statements) {
        const started = Date.now();
        const raw = await this.#run(client, statement.sql, statement.params, timeout, options.signal);
        // A parameterless statement may hold several commands (simple protocol): one result each.
        for (const r of Array.isArray(raw) ? raw : [raw]) {
          raws.push({ raw: r, started, finished: Date.now(), notices: notices.splice(0) });
        }
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
      await this.#run(client, `SET statement_timeout = ${timeout}`, undefined, timeout);
      await this.#run(client, 'BEGIN READ ONLY', undefined, timeout);
      await this.#run(client, `DECLARE atrium_stream NO SCROLL CURSOR FOR ${text}`, options.params, timeout);
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

  async close(): Promise<void> {
    for (const client of [...this.#clients]) this.#drop(client);
  }
}
