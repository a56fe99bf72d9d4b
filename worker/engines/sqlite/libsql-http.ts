/**
 * SQLite in a libSQL server (Turso, sqld) over Hrana-over-HTTP, through the unmodified
 * `@libsql/client/web` (fetch only, no Node modules, so it runs in workerd).
 *
 * Integers are read as bigints (`intMode: 'bigint'`) so none is rounded; the engine contract then
 * turns those past 2^53 into strings. Parameters that are whole numbers are sent as integers
 * (Hrana sends a JS number as a float). A read-only script runs in libSQL's own read-only
 * transaction (`BEGIN TRANSACTION READONLY`) as well as behind the engine's EXPLAIN check.
 * Every response body is read under the byte cap through the client's `fetch` option.
 */
import { createClient, type InArgs, type InValue, LibsqlError, type ResultSet } from '@libsql/client/web';
import type { LocalEndpoints } from '../config.ts';
import { type Engine, EngineError } from '../engine.ts';
import { transportCode } from '../errors.ts';
import { bodyCapOf, fetchCapped, isTooLarge, MAX_RESULT_BYTES, tooLargeError } from '../result-limits.ts';
import { base64ToBytes, isBinaryValue } from '../values.ts';
import { SqliteEngine } from './sqlite-engine.ts';
import type { SqliteRun, SqliteStatement, SqliteTransport } from './sqlite-transport.ts';
import { fromSqlite } from './sqlite-values.ts';

export interface LibsqlHttpConfig {
  /** `libsql://…`, `https://…` (or `http://…` for a local server). */
  url: string;
  authToken?: string | undefined;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

/**
 * The URL the client is given. Under `npm start` and the tests a loopback URL names a file the
 * stand-in serves (dev/endpoints/libsql-http.ts) by its first path segment: `libsql://localhost/chinook`.
 */
export function libsqlUrl(url: string, local: LocalEndpoints | undefined): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new EngineError('invalid_config', 'The libSQL URL is not a valid URL');
  }
  if (!['libsql:', 'https:', 'http:'].includes(parsed.protocol)) {
    throw new EngineError('invalid_config', 'A libSQL URL starts with libsql://, https:// or http://');
  }
  if (parsed.username || parsed.password || parsed.search) {
    throw new EngineError('invalid_config', 'Give the auth token in its own field, not in the URL');
  }
  if (local?.libsql && LOOPBACK.has(parsed.hostname)) {
    const name = parsed.pathname.split('/').filter(Boolean)[0];
    if (!name)
      throw new EngineError(
        'invalid_config',
        'Name the local database in the URL: libsql://localhost/chinook',
      );
    return `${local.libsql}/${encodeURIComponent(name)}/`;
  }
  return parsed.toString();
}

function toLibsqlParam(value: unknown): InValue {
  if (value === undefined || value === null) return null;
  if (isBinaryValue(value)) return base64ToBytes(value.$binary);
  if (typeof value === 'number') return Number.isSafeInteger(value) ? BigInt(value) : value;
  if (typeof value === 'boolean') return value ? 1n : 0n;
  if (typeof value === 'bigint' || typeof value === 'string') return value;
  return JSON.stringify(value);
}

const stmtOf = (s: SqliteStatement): { sql: string; args: InArgs } => ({
  sql: s.sql,
  args: (s.params ?? []).map(toLibsqlParam),
});

function runOf(r: ResultSet): SqliteRun {
  const width = r.columns.length;
  return {
    columns: [...r.columns],
    rows: r.rows.map((row) => Array.from({ length: width }, (_, i) => fromSqlite(row[i]))),
    changes: r.rowsAffected,
  };
}

/** libSQL client failures → engine codes; SQLite's own errors pass to sqlite-errors.ts by message. */
function fromLibsqlError(err: unknown): unknown {
  if (isTooLarge(err)) return tooLargeError(MAX_RESULT_BYTES, err);
  if (!(err instanceof LibsqlError)) {
    const message = err instanceof Error ? err.message : String(err);
    const code = transportCode(undefined, message);
    return code ? new EngineError(code, `libSQL did not answer: ${message}`, { cause: err }) : err;
  }
  const status = (err.cause as { status?: unknown } | undefined)?.status;
  if (status === 401 || status === 403) {
    return new EngineError('auth_failed', 'The libSQL server refused the auth token', { cause: err });
  }
  if (status === 404)
    return new EngineError('invalid_config', 'No libSQL database answers at that URL', { cause: err });
  if (err.code === 'SERVER_ERROR' || err.code.startsWith('HRANA_')) {
    return new EngineError('upstream_error', err.message, { cause: err });
  }
  // libSQL's read-only transaction refuses a write with SQLite's own SQLITE_READONLY.
  const code = /READONLY|readonly database/i.test(`${err.code} ${err.message}`)
    ? 'read_only_violation'
    : 'query_error';
  return new EngineError(code, err.message, { dbCode: err.code, cause: err });
}

export class LibsqlHttpTransport implements SqliteTransport {
  readonly #client: ReturnType<typeof createClient>;

  constructor(config: LibsqlHttpConfig, local: LocalEndpoints | undefined) {
    const cap = bodyCapOf(MAX_RESULT_BYTES);
    this.#client = createClient({
      url: libsqlUrl(config.url, local),
      authToken: config.authToken || undefined,
      intMode: 'bigint',
      fetch: (request: Request) => fetchCapped(request, undefined, cap),
    });
  }

  async #call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (err) {
      throw fromLibsqlError(err);
    }
  }

  async version(): Promise<string> {
    const r = await this.#call(() => this.#client.execute('select sqlite_version()'));
    return `SQLite ${String(r.rows[0]?.[0] ?? '')} (libSQL)`.replace('  ', ' ');
  }

  async rows(s: SqliteStatement) {
    const { columns, rows } = runOf(await this.#call(() => this.#client.execute(stmtOf(s))));
    return { columns, rows };
  }

  async run(s: SqliteStatement): Promise<SqliteRun> {
    return runOf(await this.#call(() => this.#client.execute(stmtOf(s))));
  }

  async batch(statements: readonly SqliteStatement[], options: { readOnly: boolean }): Promise<SqliteRun[]> {
    const results = await this.#call(() =>
      this.#client.batch(statements.map(stmtOf), options.readOnly ? 'read' : 'write'),
    );
    return results.map(runOf);
  }

  async close(): Promise<void> {
    this.#client.close();
  }
}

export function libsqlHttpEngine(config: LibsqlHttpConfig, local: LocalEndpoints | undefined): Engine {
  return new SqliteEngine(new LibsqlHttpTransport(config, local));
}
