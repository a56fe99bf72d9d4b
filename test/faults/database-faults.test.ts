/**
 * Faults from outside Atrium, against the real app under `wrangler dev`:
 * - the database server crashes while idle and mid-query → a clear error within
 *   the timeout, the connection's status says so, and once the server is back
 *   Atrium works again without a restart;
 * - the local Neon endpoint dies mid-export → the client sees a failed
 *   download, never a truncated file that ends like a complete one.
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
let endpoints: { json: string; kill(): void };
let client: AtriumClient;
let conn: string;

beforeAll(async () => {
  await startFaultPostgres();
  endpoints = await spawnEndpoints();
  app = await startAppServer({ localEndpoints: endpoints.json });
  client = await AtriumClient.signUp(app.url);
  conn = await client.createConnection({
    name: 'fault target',
    engine: 'postgres',
    host: '127.0.0.1',
    port: FAULT_PG_PORT,
    database: 'postgres',
    user: 'postgres',
    sslMode: 'disable',
  });
}, 180_000);

afterAll(async () => {
  await app?.stop();
  endpoints?.kill();
  await startFaultPostgres();
});

const query = (sql: string, timeoutMs = 10_000) =>
  client.request('POST', `/api/connections/${conn}/query`, { sql, timeoutMs });

describe('database server faults', () => {
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

    const test = await client.request('POST', `/api/connections/${conn}/test`, {});
    expect(test.ok).toBe(false);
    const saved = await client.json<{ status: { state: string; error: { code: string } | null } }>(
      'GET',
      `/api/connections/${conn}`,
    );
    expect(saved.status.state).toBe('error');
    expect(saved.status.error?.code).toBeTruthy();
    // Atrium itself is fine: its own store still answers.
    expect((await fetch(`${app.url}/health`)).status).toBe(200);

    await startFaultPostgres();
    const again = await query('select 2 as back');
    expect(again.status).toBe(200);
    const retest = await client.json<{ ok: boolean }>('POST', `/api/connections/${conn}/test`, {});
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

describe('driver endpoint faults', () => {
  it('turns an endpoint killed mid-export into a failed download', async () => {
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
    let bytes = 0;
    const first = await reader.read();
    bytes += first.value?.length ?? 0;
    endpoints.kill();
    const outcome = await (async () => {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return 'ended cleanly';
          bytes += value.length;
        }
      } catch {
        return 'failed';
      }
    })();
    expect(outcome, `stream after ${bytes} bytes`).toBe('failed');
  }, 120_000);
});
