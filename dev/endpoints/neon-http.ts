/**
 * A Neon-compatible "SQL over HTTP" endpoint over a local PostgreSQL, so the unmodified `neon()`
 * driver works in `npm start` and the tests. The protocol, as the driver speaks it
 * (@neondatabase/serverless 1.x):
 * - POST, JSON body `{query, params}` or `{queries: [{query, params}...]}` (a batch = one transaction);
 * - headers `Neon-Connection-String` (the target), `Neon-Raw-Text-Output: true` (values stay the
 *   server's text so the driver's own type parsers run), `Neon-Array-Mode: true`, and for batches
 *   `Neon-Batch-Isolation-Level`, `Neon-Batch-Read-Only`, `Neon-Batch-Deferrable`;
 * - 200 with `{command, rowCount, fields: [{name, dataTypeID...}], rows}` (or `{results: [...]}`);
 *   400 with the server error's fields (`message`, `code` = SQLSTATE, `position`...).
 * Connection failures use Node's codes in `code` (ECONNREFUSED, ENOTFOUND) so callers can name them.
 *
 * Every query goes through the extended protocol (one command per query, as Neon runs them), and
 * rows are read one at a time with a cap on the response (Neon caps its responses too): past
 * `MAX_RESPONSE_BYTES` the server session is dropped and the answer is a 400 "response is too
 * large", so a huge result never sits whole in this process.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import pg from 'pg';
import { resolveLocalTarget } from './targets.ts';

type SqlRequest = { query: string; params?: unknown[] };
/** Value bytes per response, all queries of a batch together. */
export const MAX_RESPONSE_BYTES = 64 * 1024 * 1024;
/** Counters for tests: how many value bytes this process has read from PostgreSQL. */
export const neonHttpStats = { bytesRead: 0 };
type Body = SqlRequest | { queries: SqlRequest[] };

const ERROR_FIELDS = [
  'severity',
  'code',
  'detail',
  'hint',
  'position',
  'internalPosition',
  'internalQuery',
  'where',
  'schema',
  'table',
  'column',
  'dataType',
  'constraint',
  'file',
  'line',
  'routine',
] as const;

const ISOLATION: Record<string, string> = {
  Serializable: 'SERIALIZABLE',
  RepeatableRead: 'REPEATABLE READ',
  ReadCommitted: 'READ COMMITTED',
  ReadUncommitted: 'READ UNCOMMITTED',
};

/** Raw text for every type: parsing is the driver's job, as with the real service. */
const rawText = { getTypeParser: () => (value: string) => value };

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

function send(res: ServerResponse, status: number, body: unknown) {
  if (res.headersSent || res.destroyed) return;
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

function errorBody(err: unknown): Record<string, unknown> {
  const e = err as Record<string, unknown>;
  const body: Record<string, unknown> = { message: err instanceof Error ? err.message : String(err) };
  for (const key of ERROR_FIELDS) if (e[key] !== undefined) body[key] = e[key];
  return body;
}

class TooLarge extends Error {
  constructor() {
    super(`response is too large (max is ${MAX_RESPONSE_BYTES} bytes)`);
  }
}

async function run(client: pg.Client, request: SqlRequest, budget: { left: number }) {
  const query = new pg.Query({
    text: request.query,
    values: (request.params ?? []) as unknown[],
    rowMode: 'array',
    types: rawText,
    // Neon always uses the extended protocol: one statement per query, like a prepared statement.
    queryMode: 'extended',
  } as pg.QueryConfig & { queryMode: 'extended' });
  const rows: unknown[] = [];
  const result = await new Promise<pg.QueryResult>((resolve, reject) => {
    // With a 'row' listener and no callback, pg keeps no rows itself: only those counted here.
    query.on('row', (row: (string | null)[]) => {
      const size = row.reduce((n, v) => n + (v === null ? 0 : Buffer.byteLength(v)), 0);
      neonHttpStats.bytesRead += size;
      budget.left -= size;
      if (budget.left < 0) {
        // Stop the server producing the rest: the session goes, the transaction with it.
        (client as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
        reject(new TooLarge());
        return;
      }
      rows.push(row);
    });
    query.on('end', resolve);
    query.on('error', reject);
    client.query(query);
  });
  return {
    command: result.command,
    rowCount: result.rowCount,
    rows,
    fields: result.fields,
    rowAsArray: true,
  };
}

export async function handleNeonHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
  if (req.method !== 'POST') return send(res, 405, { message: 'POST only' });
  const connectionString = req.headers['neon-connection-string'];
  if (typeof connectionString !== 'string') {
    return send(res, 400, { message: 'missing Neon-Connection-String header' });
  }
  let body: Body;
  let config: pg.ClientConfig;
  try {
    body = (await readJson(req)) as Body;
    const url = new URL(connectionString);
    if (!/^postgres(ql)?:$/.test(url.protocol)) throw new Error('not a postgres:// URL');
    config = { connectionString };
    const target = await resolveLocalTarget(decodeURIComponent(url.hostname));
    if ('code' in target) return send(res, 400, target);
    // Dial the address resolved above; the rest (user, password, database, sslmode) stays as given.
    url.hostname = target.address.includes(':') ? `[${target.address}]` : target.address;
    // libpq's meaning of sslmode=require (encrypt, do not verify), which is what Neon clients expect.
    if (url.searchParams.has('sslmode')) url.searchParams.set('uselibpqcompat', 'true');
    config = { connectionString: url.toString(), connectionTimeoutMillis: 10_000 };
  } catch (err) {
    return send(res, 400, { message: `invalid request: ${err instanceof Error ? err.message : err}` });
  }

  const client = new pg.Client(config);
  // A fetch aborted by the Worker closes the request: drop the server session with it.
  res.on('close', () => {
    if (!res.writableFinished) client.end().catch(() => {});
  });
  client.on('error', () => {}); // surfaced through the pending query instead
  const budget = { left: MAX_RESPONSE_BYTES };
  try {
    await client.connect();
    if ('queries' in body) {
      const h = req.headers;
      const isolation = ISOLATION[String(h['neon-batch-isolation-level'])];
      const modes = [
        isolation ? `ISOLATION LEVEL ${isolation}` : '',
        h['neon-batch-read-only'] === 'true' ? 'READ ONLY' : '',
        h['neon-batch-deferrable'] === 'true' ? 'DEFERRABLE' : '',
      ].filter(Boolean);
      await client.query(`BEGIN ${modes.join(' ')}`);
      try {
        const results = [];
        for (const q of body.queries) results.push(await run(client, q, budget));
        await client.query('COMMIT');
        send(res, 200, { results });
      } catch (err) {
        await client.query('ROLLBACK').catch(() => {});
        throw err;
      }
    } else {
      send(res, 200, await run(client, body, budget));
    }
  } catch (err) {
    send(res, 400, errorBody(err));
  } finally {
    client.end().catch(() => {});
  }
}
