/**
 * A stand-in for a libSQL server's Hrana-over-HTTP API (version 2, JSON), over local SQLite files
 * (sqlite-files.ts), so the unmodified `@libsql/client/web` is tested against real SQLite:
 * - `GET  /libsql/<name>/v2`: 200, the version check;
 * - `POST /libsql/<name>/v2/pipeline`, `Authorization: Bearer <token>`, body
 *   `{ baton, requests: [...] }` → `{ baton, base_url, results: [{type: 'ok', response} |
 *   {type: 'error', error: {message, code}}] }`;
 * - requests `execute`, `batch` (steps with `ok`/`error`/`not`/`and`/`or`/`is_autocommit`
 *   conditions), `sequence`, `describe`, `store_sql`, `close_sql`, `get_autocommit`, `close`;
 * - values `{type: 'null'|'integer'|'float'|'text'|'blob', value|base64}`, integers as strings.
 * A stream is one SQLite connection of its own, kept between requests by its baton (so a
 * transaction spans requests, as on sqld) and dropped after 10 s idle. libSQL's
 * `BEGIN TRANSACTION READONLY` (the client's `'read'` batches) is a deferred transaction with
 * `PRAGMA query_only` on until it ends. Version 3 is protobuf-only in the client; its probe gets 404.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import { splitQuery, sqliteSplitterOptions } from 'dbgate-query-splitter';
import { bearerOk, openSqlite, readJson, type SqliteFiles, sqliteFailure } from './sqlite-files.ts';

const ROUTE = /^\/libsql\/([^/]+)\/(v2|v2\/pipeline)$/;
const STREAM_IDLE_MS = 10_000;

type HranaValue =
  | { type: 'null' }
  | { type: 'integer'; value: string }
  | { type: 'float'; value: number }
  | { type: 'text'; value: string }
  | { type: 'blob'; base64: string };

interface Stmt {
  sql?: string;
  sql_id?: number;
  args?: HranaValue[];
  named_args?: { name: string; value: HranaValue }[];
  want_rows?: boolean;
}

type Cond =
  | { type: 'ok' | 'error'; step: number }
  | { type: 'not'; cond: Cond }
  | { type: 'and' | 'or'; conds: Cond[] }
  | { type: 'is_autocommit' };

interface Stream {
  file: string;
  db: DatabaseSync;
  sqls: Map<number, string>;
  /** `PRAGMA query_only` is on for a READONLY transaction, off again when it ends. */
  readOnlyTx: boolean;
  timer?: NodeJS.Timeout;
}

class HranaError extends Error {
  readonly code: string;

  constructor(message: string, code: string) {
    super(message);
    this.code = code;
  }
}

const READONLY_BEGIN = /^\s*begin\s+transaction\s+readonly\s*;?\s*$/i;

function fromHrana(v: HranaValue): SQLInputValue {
  switch (v.type) {
    case 'null':
      return null;
    case 'integer':
      return BigInt(v.value);
    case 'float':
      return v.value;
    case 'text':
      return v.value;
    case 'blob':
      return Buffer.from(v.base64, 'base64');
    default:
      throw new HranaError('Unknown value type', 'PROTO_ERROR');
  }
}

function toHrana(v: unknown): HranaValue {
  if (v === null || v === undefined) return { type: 'null' };
  if (typeof v === 'bigint') return { type: 'integer', value: v.toString() };
  if (typeof v === 'number') return { type: 'float', value: v };
  if (typeof v === 'string') return { type: 'text', value: v };
  if (v instanceof Uint8Array) return { type: 'blob', base64: Buffer.from(v).toString('base64') };
  return { type: 'text', value: String(v) };
}

function sqlOf(stream: Stream, s: { sql?: string; sql_id?: number }): string {
  if (typeof s.sql === 'string') return s.sql;
  const stored = s.sql_id === undefined ? undefined : stream.sqls.get(s.sql_id);
  if (stored === undefined) throw new HranaError('SQL text not found', 'SQL_NOT_FOUND');
  return stored;
}

/** Ends libSQL's read-only transaction mode once the connection is back in autocommit. */
function settle(stream: Stream) {
  if (stream.readOnlyTx && !stream.db.isTransaction) {
    stream.db.exec('pragma query_only = 0');
    stream.readOnlyTx = false;
  }
}

function execute(stream: Stream, stmt: Stmt) {
  const sql = sqlOf(stream, stmt);
  try {
    if (READONLY_BEGIN.test(sql)) {
      stream.db.exec('BEGIN DEFERRED');
      stream.db.exec('pragma query_only = 1');
      stream.readOnlyTx = true;
      return { cols: [], rows: [], affected_row_count: 0, last_insert_rowid: null };
    }
    // sqld compiles one statement per `execute`; a second one is an error, not silently dropped.
    if (splitQuery(sql, sqliteSplitterOptions).length > 1) {
      throw new HranaError('SQL string contains more than one statement', 'SQLITE_ERROR');
    }
    const prepared = stream.db.prepare(sql);
    prepared.setReadBigInts(true);
    const named = Object.fromEntries(
      (stmt.named_args ?? []).map((a) => [a.name.replace(/^[:@$]/, ''), fromHrana(a.value)]),
    );
    const args = (stmt.args ?? []).map(fromHrana);
    const hasNamed = Object.keys(named).length > 0;
    const columns = prepared.columns();
    const before = Number((stream.db.prepare('select total_changes() n').get() as { n: number }).n);
    let rows: unknown[][] = [];
    let lastRowid: string | null = null;
    if (columns.length > 0) {
      prepared.setReturnArrays(true);
      rows = (hasNamed ? prepared.all(named, ...args) : prepared.all(...args)) as unknown as unknown[][];
    } else {
      const done = hasNamed ? prepared.run(named, ...args) : prepared.run(...args);
      lastRowid = String(done.lastInsertRowid);
    }
    const after = Number((stream.db.prepare('select total_changes() n').get() as { n: number }).n);
    return {
      cols: columns.map((c) => ({ name: c.name, decltype: c.type ?? null })),
      rows: stmt.want_rows === false ? [] : rows.map((r) => r.map(toHrana)),
      affected_row_count: after - before,
      last_insert_rowid: lastRowid,
    };
  } catch (err) {
    if (err instanceof HranaError) throw err;
    const { message, code } = sqliteFailure(err);
    throw new HranaError(message, code);
  } finally {
    settle(stream);
  }
}

function batch(stream: Stream, steps: { condition?: Cond; stmt: Stmt }[]) {
  const results: (ReturnType<typeof execute> | null)[] = [];
  const errors: ({ message: string; code: string } | null)[] = [];
  const holds = (c: Cond): boolean => {
    switch (c.type) {
      case 'ok':
        return results[c.step] != null;
      case 'error':
        return errors[c.step] != null;
      case 'not':
        return !holds(c.cond);
      case 'and':
        return c.conds.every(holds);
      case 'or':
        return c.conds.some(holds);
      case 'is_autocommit':
        return !stream.db.isTransaction;
      default:
        throw new HranaError('Unknown batch condition', 'PROTO_ERROR');
    }
  };
  for (const step of steps) {
    results.push(null);
    errors.push(null);
    if (step.condition && !holds(step.condition)) continue;
    try {
      results[results.length - 1] = execute(stream, step.stmt);
    } catch (err) {
      const e = err as HranaError;
      errors[errors.length - 1] = { message: e.message, code: e.code };
    }
  }
  return { step_results: results, step_errors: errors };
}

type Request = { type: string; stmt?: Stmt; batch?: { steps: { condition?: Cond; stmt: Stmt }[] } } & {
  sql?: string;
  sql_id?: number;
};

function handleRequest(stream: Stream, r: Request): Record<string, unknown> {
  switch (r.type) {
    case 'execute':
      return { type: 'execute', result: execute(stream, r.stmt ?? {}) };
    case 'batch':
      return { type: 'batch', result: batch(stream, r.batch?.steps ?? []) };
    case 'sequence':
      try {
        stream.db.exec(sqlOf(stream, r));
      } catch (err) {
        const { message, code } = sqliteFailure(err);
        throw new HranaError(message, code);
      } finally {
        settle(stream);
      }
      return { type: 'sequence' };
    case 'describe': {
      const prepared = stream.db.prepare(sqlOf(stream, r));
      const cols = prepared.columns().map((c) => ({ name: c.name, decltype: c.type ?? null }));
      const readonly = !/^\s*(insert|update|delete|replace|create|drop|alter)/i.test(sqlOf(stream, r));
      return {
        type: 'describe',
        result: {
          params: [],
          cols,
          is_explain: /^\s*explain/i.test(sqlOf(stream, r)),
          is_readonly: readonly,
        },
      };
    }
    case 'store_sql':
      stream.sqls.set(Number(r.sql_id), String(r.sql));
      return { type: 'store_sql' };
    case 'close_sql':
      stream.sqls.delete(Number(r.sql_id));
      return { type: 'close_sql' };
    case 'get_autocommit':
      return { type: 'get_autocommit', is_autocommit: !stream.db.isTransaction };
    default:
      throw new HranaError(`Unknown request type ${r.type}`, 'PROTO_ERROR');
  }
}

export function createLibsqlEndpoint(files: SqliteFiles) {
  const streams = new Map<string, Stream>();
  const drop = (baton: string) => {
    const stream = streams.get(baton);
    if (!stream) return;
    streams.delete(baton);
    clearTimeout(stream.timer);
    // Closing a connection rolls back whatever transaction it left open, as sqld does on expiry.
    stream.db.close();
  };
  const json = (res: ServerResponse, status: number, body: unknown): void => {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  };
  const plain = (res: ServerResponse, status: number, text: string): void => {
    res.writeHead(status, { 'content-type': 'text/plain' }).end(text);
  };

  return {
    matches: (path: string) => path.startsWith('/libsql/'),
    async handle(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
      const route = ROUTE.exec(path);
      if (!route) return plain(res, 404, 'Not found');
      if (!bearerOk(req)) return plain(res, 401, 'Unauthorized');
      const file = files.path(route[1]!);
      if (!file) return plain(res, 404, 'Namespace does not exist');
      if (route[2] === 'v2') return plain(res, 200, 'Hello, this is HTTP API v2 (Hrana over HTTP)');
      if (req.method !== 'POST') return plain(res, 405, 'Method not allowed');
      const body = (await readJson(req)) as { baton?: string | null; requests?: Request[] } | undefined;
      if (!body || !Array.isArray(body.requests)) return plain(res, 400, 'Invalid request body');

      let stream: Stream | undefined;
      if (body.baton) {
        stream = streams.get(body.baton);
        if (!stream || stream.file !== file) return plain(res, 400, 'Invalid baton');
        streams.delete(body.baton);
        clearTimeout(stream.timer);
      } else {
        stream = { file, db: openSqlite(file), sqls: new Map(), readOnlyTx: false };
      }
      const results: unknown[] = [];
      let closed = false;
      for (const r of body.requests) {
        if (closed) {
          results.push({ type: 'error', error: { message: 'Stream is closed', code: 'STREAM_CLOSED' } });
          continue;
        }
        if (r.type === 'close') {
          closed = true;
          results.push({ type: 'ok', response: { type: 'close' } });
          continue;
        }
        try {
          results.push({ type: 'ok', response: handleRequest(stream, r) });
        } catch (err) {
          const e = err instanceof HranaError ? err : new HranaError(String(err), 'INTERNAL');
          results.push({ type: 'error', error: { message: e.message, code: e.code } });
        }
      }
      let baton: string | null = null;
      if (closed) {
        stream.db.close();
      } else {
        baton = randomBytes(16).toString('hex');
        stream.timer = setTimeout(() => drop(baton!), STREAM_IDLE_MS);
        stream.timer.unref();
        streams.set(baton, stream);
      }
      json(res, 200, { baton, base_url: null, results });
    },
    close() {
      for (const baton of [...streams.keys()]) drop(baton);
    },
  };
}
