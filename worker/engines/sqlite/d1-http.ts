/**
 * SQLite in a D1 database reached through Cloudflare's REST API, for D1 databases not bound to
 * this Worker: `POST /accounts/{account}/d1/database/{id}/raw` for rows (arrays, so duplicate
 * column names survive) and `/query` for writes and batches, with an API token.
 *
 * Platform facts this file leans on (Cloudflare's API reference): `params` is documented as an
 * array of strings, so numbers travel as their decimal text (SQLite's column affinity and
 * LIMIT/OFFSET turn them back into numbers) and a BLOB cannot be bound; a `{ batch }` body runs as
 * one batch, which D1 makes one transaction; integers beyond 2^53 come back rounded, as from a
 * binding; BLOBs come back as arrays of bytes. The token never leaves this file: messages quote
 * the service's error text, which never echoes the Authorization header.
 */
import type { LocalEndpoints } from '../config.ts';
import { type Engine, EngineError } from '../engine.ts';
import { transportCode } from '../errors.ts';
import { bodyCapOf, fetchCapped, isTooLarge, MAX_RESULT_BYTES, tooLargeError } from '../result-limits.ts';
import { isBinaryValue } from '../values.ts';
import { SqliteEngine } from './sqlite-engine.ts';
import type { SqliteRows, SqliteRun, SqliteStatement, SqliteTransport } from './sqlite-transport.ts';
import { fromSqlite } from './sqlite-values.ts';

export const CLOUDFLARE_API = 'https://api.cloudflare.com/client/v4';

export interface D1HttpConfig {
  accountId: string;
  databaseId: string;
  apiToken: string;
}

interface ApiResult {
  results?: unknown;
  meta?: { changes?: number };
}

interface ApiEnvelope {
  success?: boolean;
  errors?: { code?: number; message?: string }[];
  result?: ApiResult[] | null;
}

/** A D1 id as Cloudflare issues them; anything else would change the URL path. */
const ID = /^[\w-]{1,64}$/;

/** Parameters as the API documents them: text (or null). */
function toHttpParam(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  if (isBinaryValue(value)) {
    throw new EngineError('unsupported', "D1's REST API takes text parameters: a BLOB cannot be bound");
  }
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

const body = (s: SqliteStatement) => ({ sql: s.sql, params: (s.params ?? []).map(toHttpParam) });

export class D1HttpTransport implements SqliteTransport {
  readonly #base: string;
  readonly #token: string;

  constructor(config: D1HttpConfig, local: LocalEndpoints | undefined) {
    if (!ID.test(config.accountId) || !ID.test(config.databaseId)) {
      throw new EngineError(
        'invalid_config',
        'A D1 account id and database id are letters, digits and dashes',
      );
    }
    if (!config.apiToken) throw new EngineError('invalid_config', 'A D1 connection needs an API token');
    // `npm start` and the tests send the same requests to the stand-in (dev/endpoints/d1-http.ts).
    const api = local?.d1Http ?? CLOUDFLARE_API;
    this.#base = `${api}/accounts/${config.accountId}/d1/database/${config.databaseId}`;
    this.#token = config.apiToken;
  }

  async #call(kind: 'query' | 'raw', payload: unknown): Promise<ApiResult[]> {
    let res: Response;
    try {
      res = await fetchCapped(
        `${this.#base}/${kind}`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${this.#token}`, 'content-type': 'application/json' },
          body: JSON.stringify(payload),
        },
        bodyCapOf(MAX_RESULT_BYTES),
      );
    } catch (err) {
      if (isTooLarge(err)) throw tooLargeError(MAX_RESULT_BYTES, err);
      const message = err instanceof Error ? err.message : String(err);
      throw new EngineError(
        transportCode(undefined, message) ?? 'upstream_error',
        `D1's API did not answer: ${message}`,
      );
    }
    const envelope = (await res.json().catch(() => ({}))) as ApiEnvelope;
    if (res.ok && envelope.success && Array.isArray(envelope.result)) return envelope.result;
    const first = envelope.errors?.[0];
    const message = first?.message ?? `D1's API answered HTTP ${res.status}`;
    const dbCode = first?.code === undefined ? undefined : String(first.code);
    if (res.status === 401 || res.status === 403) {
      throw new EngineError('auth_failed', `D1's API refused the token: ${message}`, { dbCode });
    }
    if (res.status === 404) throw new EngineError('invalid_config', message, { dbCode });
    // 400 is the statement's fault (SQLite's error, code 7500) or the request's: either way the query's.
    if (res.status === 400) throw new EngineError('query_error', message, { dbCode });
    throw new EngineError('upstream_error', message, { dbCode });
  }

  async version(): Promise<string> {
    return 'SQLite (Cloudflare D1 over HTTP)';
  }

  async rows(s: SqliteStatement): Promise<SqliteRows> {
    const [first] = await this.#call('raw', body(s));
    const results = (first?.results ?? {}) as { columns?: string[]; rows?: unknown[][] };
    return { columns: results.columns ?? [], rows: (results.rows ?? []).map((r) => r.map(fromSqlite)) };
  }

  async run(s: SqliteStatement): Promise<SqliteRun> {
    const [first] = await this.#call('raw', body(s));
    const results = (first?.results ?? {}) as { columns?: string[]; rows?: unknown[][] };
    return {
      columns: results.columns ?? [],
      rows: (results.rows ?? []).map((r) => r.map(fromSqlite)),
      changes: first?.meta?.changes ?? 0,
    };
  }

  async batch(statements: readonly SqliteStatement[]): Promise<SqliteRun[]> {
    const results = await this.#call('query', { batch: statements.map(body) });
    return results.map((r) => {
      // `/query` answers row objects; their key order is the column order.
      const objects = (Array.isArray(r.results) ? r.results : []) as Record<string, unknown>[];
      const columns = objects.length > 0 ? Object.keys(objects[0]!) : [];
      return {
        columns,
        rows: objects.map((o) => columns.map((c) => fromSqlite(o[c]))),
        changes: r.meta?.changes ?? 0,
      };
    });
  }

  async close(): Promise<void> {
    // Every call is its own HTTP request.
  }
}

export function d1HttpEngine(config: D1HttpConfig, local: LocalEndpoints | undefined): Engine {
  return new SqliteEngine(new D1HttpTransport(config, local));
}
