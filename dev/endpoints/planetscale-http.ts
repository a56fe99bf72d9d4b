/**
 * A PlanetScale-compatible HTTP endpoint over a local MariaDB/MySQL, so the unmodified
 * `@planetscale/database` driver works in `npm start` and the tests. The protocol, as the driver
 * speaks it (1.x):
 * - POST /psdb.v1alpha1.Database/CreateSession and /Execute, Basic auth = the MySQL user/password;
 * - Execute body `{query, session}`: one statement, parameters already inlined by the driver;
 * - 200 `{session, result: {fields, rows: [{lengths, values}], rowsAffected, insertId}, timing}`
 *   where `values` is the base64 of the row's raw bytes and `lengths` their byte counts (-1 = NULL),
 *   or 200 `{session, error: {code, message}}` for a statement error;
 * - field types are Vitess names (INT64, DECIMAL, DATETIME, JSON, BLOB...), `charset` 63 = binary.
 *
 * Sessions map to one server connection each, so the driver's BEGIN ... COMMIT (its
 * `transaction()`) and session variables behave as on PlanetScale. PlanetScale credentials imply
 * the database; here the target server and database come from the `X-Atrium-Mysql-Target` header
 * (`host:port/database[?ssl=require]`), defaulting to 127.0.0.1:3306.
 *
 * One statement per request: connections refuse multi-statement text (`multipleStatements:
 * false`, so the server itself rejects `select 1; commit`). Rows are read one at a time with a
 * cap on the response, as PlanetScale caps its own: past `MAX_RESPONSE_BYTES` the session is
 * dropped and the answer is a RESOURCE_EXHAUSTED error, so a huge result never sits whole here.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Connection as CoreConnection, FieldPacket, ResultSetHeader } from 'mysql2';
import mysql from 'mysql2/promise';
import { vitessType } from '../../worker/engines/mysql/mysql-tcp-types.ts';
import { resolveLocalTarget } from './targets.ts';

type Session = { signature: string; vitessSession: { inTransaction: boolean } };
type Live = { conn: mysql.Connection; timer: NodeJS.Timeout; busy: Promise<unknown> };

// The driver keeps no handle to close a session, so idle ones are reaped quickly to spare the
// server's connection slots (MariaDB's default max_connections is 151).
const IDLE_MS = 3_000;
/** Value bytes per response. */
export const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
/** Counters for tests: how many value bytes this process has read from MySQL. */
export const planetScaleStats = { bytesRead: 0 };

class TooLarge extends Error {
  readonly code = 'RESOURCE_EXHAUSTED';
  constructor() {
    super(`response is too large (max is ${MAX_RESPONSE_BYTES} bytes)`);
  }
}

/**
 * Runs one statement reading rows as they arrive (the promise API would buffer them all).
 * The first result set is the answer; a CALL's later ones are read and dropped.
 */
function streamQuery(conn: mysql.Connection, sql: string) {
  // The promise wrapper's core connection: the only one whose queries emit rows one by one.
  const core = (conn as unknown as { connection: CoreConnection }).connection;
  return new Promise<{ fields?: FieldPacket[]; rows: (Buffer | null)[][]; header?: ResultSetHeader }>(
    (resolve, reject) => {
      let fields: FieldPacket[] | undefined;
      let header: ResultSetHeader | undefined;
      let sets = 0;
      let left = MAX_RESPONSE_BYTES;
      let failed = false;
      const rows: (Buffer | null)[][] = [];
      const query = core.query({ sql, rowsAsArray: true, typeCast: (field) => field.buffer() });
      // mysql2 tells a broken socket to the connection only, not to a query that has no callback:
      // fail the statement with it, as PlanetScale answers a lost backend, rather than hang.
      const broken = (err: Error) => {
        if (failed) return;
        failed = true;
        reject(err);
      };
      core.once('error', broken);
      const settled = () => core.off('error', broken);
      query.on('fields', (f: FieldPacket[]) => {
        sets++;
        if (sets === 1) fields = f;
      });
      query.on('result', (row: (Buffer | null)[] | ResultSetHeader) => {
        if (failed) return;
        if (!Array.isArray(row)) {
          header ??= row;
          return;
        }
        const size = row.reduce((n, v) => n + (v?.length ?? 0), 0);
        planetScaleStats.bytesRead += size;
        left -= size;
        if (left < 0) {
          failed = true;
          // The server would send the rest regardless: dropping the connection stops it.
          core.destroy();
          reject(new TooLarge());
          return;
        }
        if (sets === 1) rows.push(row);
      });
      query.on('error', (err: Error) => {
        settled();
        if (!failed) reject(err);
      });
      query.on('end', () => {
        settled();
        if (!failed) resolve({ fields, rows, header });
      });
    },
  );
}

function send(res: ServerResponse, status: number, body: unknown) {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

async function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

/** PlanetScale's error text carries the MySQL errno and SQLSTATE in this form. */
function errorMessage(err: unknown): string {
  const e = err as { message?: string; errno?: number; sqlState?: string };
  const parts = [e.message ?? String(err)];
  if (e.errno !== undefined) parts.push(`(errno ${e.errno})`);
  if (e.sqlState) parts.push(`(sqlstate ${e.sqlState})`);
  return parts.join(' ');
}

export function createPlanetScaleEndpoint() {
  const sessions = new Map<string, Live>();

  /** `abandon`: the caller is gone mid-statement, so do not wait for it to finish. */
  function forget(id: string, abandon = false) {
    const live = sessions.get(id);
    if (!live) return;
    sessions.delete(id);
    clearTimeout(live.timer);
    if (abandon) live.conn.destroy();
    else live.conn.end().catch(() => live.conn.destroy());
  }

  function touch(id: string, live: Live) {
    clearTimeout(live.timer);
    live.timer = setTimeout(() => forget(id), IDLE_MS);
    live.timer.unref();
  }

  async function open(req: IncomingMessage): Promise<mysql.Connection> {
    const auth = /^Basic (.+)$/.exec(req.headers.authorization ?? '');
    if (!auth) throw Object.assign(new Error('missing Basic credentials'), { status: 401 });
    const decoded = Buffer.from(auth[1]!, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    const user = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    const spec = String(req.headers['x-atrium-mysql-target'] ?? '127.0.0.1:3306');
    const [where = '', query = ''] = spec.split('?');
    const m = /^([^/]+?)(?::(\d+))?(?:\/(.*))?$/.exec(where);
    if (!m) throw Object.assign(new Error('malformed X-Atrium-Mysql-Target'), { status: 400 });
    const target = await resolveLocalTarget(m[1]!);
    if ('code' in target) throw Object.assign(new Error(target.message), { code: target.code });
    return mysql.createConnection({
      host: target.address,
      port: Number(m[2] ?? 3306),
      user,
      password,
      database: m[3] ? decodeURIComponent(m[3]) : undefined,
      connectTimeout: 10_000,
      charset: 'utf8mb4',
      timezone: 'Z',
      multipleStatements: false,
      // `?ssl=require`: the caller's sslmode, so a TLS mismatch fails here as it would remotely.
      ssl: new URLSearchParams(query).get('ssl') === 'require' ? { rejectUnauthorized: true } : undefined,
    });
  }

  async function execute(conn: mysql.Connection, query: string) {
    const started = performance.now();
    // Raw bytes for every column: the driver decodes them (as from PlanetScale).
    const { fields, rows, header } = await streamQuery(conn, query);
    const timing = (performance.now() - started) / 1000;
    if (!fields && header) {
      return {
        result: { rowsAffected: String(header.affectedRows), insertId: String(header.insertId ?? 0) },
        timing,
      };
    }
    return {
      result: {
        fields: (fields ?? []).map((f) => ({
          name: f.name,
          type: vitessType(f),
          table: f.table,
          orgTable: f.orgTable,
          database: f.db ?? f.schema,
          orgName: f.orgName,
          columnLength: f.columnLength,
          charset: f.characterSet,
          decimals: f.decimals,
          flags: typeof f.flags === 'number' ? f.flags : 0,
        })),
        rows: rows.map((row) => ({
          lengths: row.map((v) => (v === null ? '-1' : String(v.length))),
          values: Buffer.concat(row.filter((v): v is Buffer => v !== null)).toString('base64'),
        })),
        rowsAffected: '0',
        insertId: '0',
      },
      timing,
    };
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (req.method !== 'POST') return send(res, 405, { code: 'method_not_allowed', message: 'POST only' });
    let body: Record<string, unknown>;
    try {
      body = await readJson(req);
    } catch {
      return send(res, 400, { code: 'bad_request', message: 'invalid JSON' });
    }
    const given = body.session as Session | null | undefined;
    let id = given?.signature;
    let live = id ? sessions.get(id) : undefined;
    if (id && !live) return send(res, 200, { error: { code: 'NOT_FOUND', message: 'session expired' } });
    if (!live) {
      try {
        const conn = await open(req);
        conn.on('error', () => forget(id!));
        id = randomUUID();
        live = { conn, timer: setTimeout(() => {}, 0), busy: Promise.resolve() };
        sessions.set(id, live);
      } catch (err) {
        const e = err as { errno?: number; status?: number; code?: string };
        if (e.errno === 1045 || e.status === 401) {
          return send(res, 401, { error: { code: 'unauthenticated', message: errorMessage(err) } });
        }
        const code = e.code && /^E[A-Z]+|ATRIUM_/.test(e.code) ? e.code : 'UNAVAILABLE';
        return send(res, e.status ?? 200, { error: { code, message: errorMessage(err) } });
      }
    }
    touch(id!, live);
    const session: Session = { signature: id!, vitessSession: { inTransaction: false } };
    if (url.pathname.endsWith('/CreateSession')) return send(res, 200, { session });
    if (!url.pathname.endsWith('/Execute'))
      return send(res, 404, { code: 'not_found', message: 'unknown method' });
    if (typeof body.query !== 'string')
      return send(res, 400, { code: 'bad_request', message: 'query missing' });

    const conn = live.conn;
    const query = body.query;
    // A session answers one statement at a time, in arrival order.
    const work = live.busy.then(() => execute(conn, query));
    live.busy = work.catch(() => {});
    res.on('close', () => {
      // The caller gave up (its timeout): the connection may still be running the statement.
      if (!res.writableFinished) forget(id!, true);
    });
    try {
      send(res, 200, { session, ...(await work) });
    } catch (err) {
      const e = err as { code?: string; fatal?: boolean };
      if (e.fatal || err instanceof TooLarge) forget(id!, true);
      send(res, 200, { session, error: { code: e.code ?? 'UNKNOWN', message: errorMessage(err) } });
    }
  }

  return {
    handle,
    close() {
      for (const id of [...sessions.keys()]) forget(id);
    },
  };
}
