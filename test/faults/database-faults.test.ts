/**
 * Faults from outside Atrium, against the real app under `wrangler dev`:
 * - the database server crashes while idle and mid-query → a clear error within
 *   the timeout, the connection's status says so, and once the server is back
 *   Atrium works again without a restart;
 * - the local Neon endpoint dies mid-export, or the server itself over TCP → the
 *   client sees a failed download, never a truncated file that ends like a complete one.
 * The server faults run over each Postgres transport a connection can pick. Hyperdrive is not
 * faulted apart: the test app binds none, and in `wrangler dev` a binding is the tcp transport's
 * code to a local server. The server ending sessions on the HTTP transports, MariaDB's
 * included, without crashing a server: http-server-faults.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppServer, startAppServer } from '../support/app-server.ts';
import { spawnEndpoints } from '../support/endpoint-process.ts';
import { crashFaultPostgres, FAULT_PG_PORT, startFaultPostgres } from '../support/fault-postgres.ts';
import { AtriumClient } from '../support/http-client.ts';

interface ErrorBody {
  error: { code: string; message: string };
}

let app: AppServer;
let endpoints: { json: string; kill(): Promise<void> };
let client: AtriumClient;
const TRANSPORTS = ['tcp', 'neon-http', 'neon-ws'] as const;
type Transport = (typeof TRANSPORTS)[number];
const conns = {} as Record<Transport, string>;

beforeAll(async () => {
  await startFaultPostgres();
  endpoints = await spawnEndpoints();
  app = await startAppServer({ localEndpoints: endpoints.json });
  client = await AtriumClient.signUp(app.url);
  for (const transport of TRANSPORTS) {
    conns[transport] = await client.createConnection({
      name: `fault target over ${transport}`,
      engine: 'postgres',
      transport,
      host: '127.0.0.1',
      port: FAULT_PG_PORT,
      database: 'postgres',
      user: 'postgres',
      sslMode: 'disable',
    });
  }
}, 180_000);

afterAll(async () => {
  await app?.stop();
  await endpoints?.kill();
  await startFaultPostgres();
});

const over = (transport: Transport) => ({
  conn: conns[transport],
  query: (sql: string, timeoutMs = 10_000) =>
    client.request('POST', `/api/connections/${conns[transport]}/query`, { sql, timeoutMs }),
});

/** Reads the first chunk of a big table export, runs `fault`, and says how the download ended. */
async function exportThrough(transport: Transport, fault: () => unknown): Promise<string> {
  const { conn, query } = over(transport);
  const setup = await query(
    'drop table if exists export_fault; create table export_fault as select g as id, repeat(md5(g::text), 4) as pad from generate_series(1, 300000) g',
    30_000,
  );
  expect(setup.status).toBe(200);
  const res = await client.request(
    'GET',
    `/api/connections/${conn}/export?format=csv&schema=public&table=export_fault`,
  );
  expect(res.status).toBe(200);
  const reader = (res.body as ReadableStream<Uint8Array>).getReader();
  let bytes = (await reader.read()).value?.length ?? 0;
  await fault();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return `ended cleanly after ${bytes} bytes`;
      bytes += value.length;
    }
  } catch {
    return 'failed';
  }
}

describe.each(TRANSPORTS)('database server faults over %s', (transport) => {
  const { query } = over(transport);
  const conn = () => conns[transport];

  it('answers normally while the server is up', async () => {
    const res = await query('select 41 + 1 as answer');
    expect(res.status).toBe(200);
    const body = (await res.json()) as { results: Array<{ rows: unknown[][] }> };
    expect(body.results[0]?.rows).toEqual([[42]]);
  });

  it('reports a server that crashed while idle, then recovers without restarting Atrium', async () => {
    await crashFaultPostgres();

    const res = await query('select 1');
    expect(res.status).toBeGreaterThanOrEqual(500);
    const err = (await res.json()) as ErrorBody;
    expect(err.error.code).toMatch(/connection_refused|upstream|unavailable|timeout/);

    const test = await client.request('POST', `/api/connections/${conn()}/test`, {});
    expect(test.ok).toBe(false);
    const saved = await client.json<{ status: { state: string; error: { code: string } | null } }>(
      'GET',
      `/api/connections/${conn()}`,
    );
    expect(saved.status.state).toBe('error');
    expect(saved.status.error?.code).toBeTruthy();
    // Atrium itself is fine: its own store still answers.
    expect((await fetch(`${app.url}/health`)).status).toBe(200);

    await startFaultPostgres();
    const again = await query('select 2 as back');
    expect(again.status).toBe(200);
    const retest = await client.json<{ ok: boolean }>('POST', `/api/connections/${conn()}/test`, {});
    expect(retest.ok).toBe(true);
  }, 120_000);

  it('fails a query whose server crashes mid-statement with a clear error, not a hang', async () => {
    const pending = query('select pg_sleep(20)', 30_000);
    await new Promise((r) => setTimeout(r, 1500));
    await crashFaultPostgres();
    const res = await pending;
    expect(res.status).toBeGreaterThanOrEqual(500);
    const err = (await res.json()) as ErrorBody;
    expect(err.error.code).toBeTruthy();
    expect(err.error.message).not.toMatch(/password/i);
    await startFaultPostgres();
    expect((await query('select 3')).status).toBe(200);
  }, 120_000);
});

describe('faults mid-export', () => {
  // Before the endpoint is killed below: neon-ws streams through the same stand-in.
  it('turns the server crashing mid-export over neon-ws into a failed download', async () => {
    try {
      expect(await exportThrough('neon-ws', () => crashFaultPostgres())).toBe('failed');
    } finally {
      await startFaultPostgres();
    }
  }, 120_000);

  it('turns the Neon endpoint killed mid-export into a failed download', async () => {
    expect(await exportThrough('neon-http', () => endpoints.kill())).toBe('failed');
  }, 120_000);

  it('turns the server crashing mid-export over TCP into a failed download', async () => {
    try {
      expect(await exportThrough('tcp', () => crashFaultPostgres())).toBe('failed');
    } finally {
      await startFaultPostgres();
    }
  }, 120_000);
});
