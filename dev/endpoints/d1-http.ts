/**
 * A stand-in for Cloudflare's D1 REST API over local SQLite files (sqlite-files.ts), so the D1-HTTP
 * transport (worker/engines/sqlite/d1-http.ts) is tested against real SQLite. The shapes follow
 * Cloudflare's API reference for "Query D1 Database" and "Raw D1 Database query":
 * - `POST /client/v4/accounts/{account_id}/d1/database/{database_id}/query` and `…/raw`,
 *   `Authorization: Bearer <API token>`;
 * - body `{ sql, params? }` or `{ batch: [{ sql, params? }] }`, params an array of strings; a `sql`
 *   holding several statements joined by semicolons runs them all, as a batch;
 * - answer `{ success, errors: [{code, message}], messages: [], result: [{ results, success, meta }] }`
 *   with one result per statement: `results` an array of row objects (`/query`) or
 *   `{ columns, rows }` (`/raw`), `meta.changes` from sqlite3_total_changes() as documented.
 * A batch runs as one transaction (as D1's batches do): a failing statement undoes the others.
 * Integers come back as JSON numbers (rounded past 2^53, as D1's are), BLOBs as arrays of bytes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import { splitQuery, sqliteSplitterOptions } from 'dbgate-query-splitter';
import { bearerOk, openSqlite, readJson, type SqliteFiles, sqliteFailure } from './sqlite-files.ts';

const ROUTE = /^\/client\/v4\/accounts\/([\w-]{1,32})\/d1\/database\/([^/]+)\/(query|raw)$/;

type Query = { sql: string; params: (string | null)[] };

interface ApiError {
  code: number;
  message: string;
}

// Node runs this file by stripping types, which leaves no room for parameter properties.
class D1Failure extends Error {
  readonly status: number;
  readonly error: ApiError;

  constructor(status: number, error: ApiError) {
    super(error.message);
    this.status = status;
    this.error = error;
  }
}

function send(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

function fail(res: ServerResponse, status: number, error: ApiError) {
  send(res, status, { result: null, success: false, errors: [error], messages: [] });
}

const malformed = () => new D1Failure(400, { code: 7400, message: 'The request is malformed' });

/** `{sql, params}` or `{batch}` as documented; params are strings (null kept for SQL NULL). */
function queriesOf(body: unknown): Query[] {
  const one = (q: unknown): Query => {
    const { sql, params } = (q ?? {}) as { sql?: unknown; params?: unknown };
    if (typeof sql !== 'string' || sql.trim() === '') throw malformed();
    if (params !== undefined && !Array.isArray(params)) throw malformed();
    const list = (params ?? []) as unknown[];
    if (!list.every((p) => typeof p === 'string' || p === null)) throw malformed();
    return { sql, params: list as (string | null)[] };
  };
  const batch = (body as { batch?: unknown } | undefined)?.batch;
  if (batch !== undefined) {
    if (!Array.isArray(batch) || batch.length === 0) throw malformed();
    return batch.map(one);
  }
  return [one(body)];
}

const toJson = (v: unknown): unknown => {
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof Uint8Array) return Array.from(v);
  return v;
};

function totalChanges(db: DatabaseSync): number {
  return Number((db.prepare('select total_changes() as n').get() as { n: number }).n);
}

/** One statement (of possibly several in a `sql` text), as D1 reports it. */
function execute(db: DatabaseSync, sql: string, params: SQLInputValue[], raw: boolean) {
  const started = performance.now();
  const before = totalChanges(db);
  const stmt = db.prepare(sql);
  stmt.setReadBigInts(true);
  const columns = stmt.columns().map((c) => c.name);
  let rows: unknown[][] = [];
  let lastRowId = 0;
  if (columns.length > 0) {
    stmt.setReturnArrays(true);
    rows = (stmt.all(...params) as unknown as unknown[][]).map((r) => r.map(toJson));
  } else {
    lastRowId = Number(stmt.run(...params).lastInsertRowid);
  }
  const changes = totalChanges(db) - before;
  const results = raw
    ? { columns, rows }
    : rows.map((r) => Object.fromEntries(columns.map((c, i) => [c, r[i]])));
  return {
    results,
    success: true,
    meta: {
      served_by: 'atrium-local-d1',
      duration: performance.now() - started,
      changes,
      last_row_id: lastRowId,
      changed_db: changes > 0,
      size_after: 0,
      rows_read: rows.length,
      rows_written: changes,
    },
  };
}

/** Every statement of every query, in one transaction when there is more than one. */
function run(db: DatabaseSync, queries: Query[], raw: boolean) {
  const statements = queries.flatMap((q) => {
    const parts = splitQuery(q.sql, sqliteSplitterOptions).map(String);
    // The API does not say which statement of several its params belong to: the stand-in refuses the mix.
    if (parts.length > 1 && q.params.length > 0) throw malformed();
    return parts.map((sql) => ({ sql, params: q.params }));
  });
  const atomic = statements.length > 1;
  if (atomic) db.exec('BEGIN');
  try {
    const results = statements.map((s) => execute(db, s.sql, s.params, raw));
    if (atomic) db.exec('COMMIT');
    return results;
  } catch (err) {
    if (atomic && db.isTransaction) db.exec('ROLLBACK');
    if (err instanceof D1Failure) throw err;
    const { message, code } = sqliteFailure(err);
    throw new D1Failure(400, { code: 7500, message: `${message}: ${code}` });
  }
}

export function createD1Endpoint(files: SqliteFiles) {
  const open = new Map<string, DatabaseSync>();
  return {
    /** True when `path` (below the secret) is a D1 API route this stand-in answers. */
    matches: (path: string) => path.startsWith('/client/v4/'),
    async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
      const route = ROUTE.exec(path);
      if (!route) return fail(res, 404, { code: 7000, message: 'No route for that URI' });
      if (req.method !== 'POST') return fail(res, 405, { code: 10405, message: 'Method not allowed' });
      if (!bearerOk(req)) return fail(res, 403, { code: 10000, message: 'Authentication error' });
      const [, , databaseId, kind] = route as unknown as [string, string, string, 'query' | 'raw'];
      const file = files.path(databaseId);
      if (!file) {
        return fail(res, 404, { code: 7404, message: `The database ${databaseId} could not be found` });
      }
      try {
        const queries = queriesOf(await readJson(req));
        let db = open.get(file);
        if (!db) {
          db = openSqlite(file);
          open.set(file, db);
        }
        send(res, 200, { result: run(db, queries, kind === 'raw'), success: true, errors: [], messages: [] });
      } catch (err) {
        if (!(err instanceof D1Failure)) throw err;
        fail(res, err.status, err.error);
      }
    },
    close() {
      for (const db of open.values()) db.close();
      open.clear();
    },
  };
}
