/**
 * Faults on the SQLite HTTP transports (d1-http, libsql-http), against the real app under
 * `wrangler dev`. Their service is the local stand-in (dev/endpoints: D1's REST API and a libSQL
 * server over SQLite files), run in a child process of its own behind a fault proxy
 * (test/support/fault-proxy.ts) that Atrium is told is the stand-in's address:
 * - a slow link → `timeout` within the statement's timeout;
 * - the link cut mid-query or mid-sync, the stand-in killed mid-query or mid-export → a clear
 *   JSON error, a failed download (never a file that ends like a complete one), a failed sync
 *   that leaves the last good snapshot;
 * and the next query on the same connection works once the service is back, without
 * restarting Atrium. (d1-binding and hosted run inside workerd itself: no link to fault.)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newEndpointSecret } from '../../dev/endpoints/gate.ts';
import { LOCAL_SQLITE_TOKEN } from '../../dev/endpoints/sqlite-files.ts';
import { type AppServer, startAppServer } from '../support/app-server.ts';
import { spawnEndpoints } from '../support/endpoint-process.ts';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.ts';
import {
  endingOf,
  expectCleanError,
  expectWorks,
  itAnswersThenTimesOutOnASlowLink,
  queryOn,
  syncUnderFault,
} from '../support/fault-targets.ts';
import { AtriumClient } from '../support/http-client.ts';

const DB = 'faults';
const ROWS = 200_000;
/** Keeps the stand-in busy for a few seconds (node:sqlite runs it synchronously). */
const SLOW_SQL =
  'with recursive c(x) as (select 1 union all select x + 1 from c where x < 10000000) select count(*) from c';
const TRANSPORTS = {
  'd1-http': { engine: 'sqlite', transport: 'd1-http', accountId: 'local', database: DB },
  'libsql-http': { engine: 'sqlite', transport: 'libsql-http', connectionString: `libsql://localhost/${DB}` },
} as const;
type Transport = keyof typeof TRANSPORTS;

let app: AppServer;
let client: AtriumClient;
let proxy: FaultProxy;
let endpoints: Awaited<ReturnType<typeof spawnEndpoints>>;
let standInPort: number;
const dir = mkdtempSync(join(tmpdir(), 'atrium-sqlite-faults-'));
const secret = newEndpointSecret();
const conns = {} as Record<Transport, string>;

/**
 * Whether the stand-in is running a statement: node:sqlite runs it synchronously, so the stand-in
 * answers nothing else (its health check, asked directly) until it is done.
 */
async function standInBusy(): Promise<boolean> {
  try {
    await fetch(`http://127.0.0.1:${standInPort}/${secret}/health`, { signal: AbortSignal.timeout(300) });
    return false;
  } catch {
    return true;
  }
}

/** Starts the stand-in (again) at the same port, secret and files. */
async function startStandIn() {
  endpoints = await spawnEndpoints({ port: standInPort, secret, sqliteDir: dir });
  standInPort = Number(new URL(JSON.parse(endpoints.json).d1Http as string).port);
}

beforeAll(async () => {
  const db = new DatabaseSync(join(dir, `${DB}.sqlite`));
  db.exec(
    `create table export_fault as with recursive g(id) as (select 1 union all select id + 1 from g where id < ${ROWS}) select id, hex(randomblob(64)) as pad from g`,
  );
  db.close();
  standInPort = 0;
  await startStandIn();
  proxy = await startFaultProxy(standInPort);
  // Atrium reaches the stand-in only through the proxy.
  const urls = JSON.parse(endpoints.json) as Record<string, string>;
  const proxied = Object.fromEntries(
    Object.entries(urls).map(([k, v]) => [k, v.replace(`:${standInPort}/`, `:${proxy.port}/`)]),
  );
  app = await startAppServer({ localEndpoints: JSON.stringify(proxied) });
  client = await AtriumClient.signUp(app.url);
  for (const [name, settings] of Object.entries(TRANSPORTS) as [Transport, object][]) {
    conns[name] = await client.createConnection({ name, ...settings, password: LOCAL_SQLITE_TOKEN });
  }
}, 180_000);

afterAll(async () => {
  await app?.stop();
  await proxy?.close();
  await endpoints?.kill();
  rmSync(dir, { recursive: true, force: true });
});

describe.each(Object.keys(TRANSPORTS) as Transport[])('stand-in faults over %s', (transport) => {
  const conn = () => conns[transport];

  itAnswersThenTimesOutOnASlowLink(() => ({ client, conn: conn(), link: proxy }));

  it('fails a query whose link is cut mid-statement with a clear error, then recovers', async () => {
    const pending = queryOn(client, conn(), SLOW_SQL, 20_000);
    // Not the proxy's connection count: workerd keeps idle connections to the stand-in open.
    await expect.poll(standInBusy, { timeout: 10_000 }).toBe(true);
    proxy.dropAll();
    proxy.down = true;
    try {
      await expectCleanError(await pending, /upstream_error|connection_refused/);
    } finally {
      proxy.down = false;
    }
    await expectWorks(client, conn());
  }, 60_000);

  it('fails a query whose stand-in is killed mid-statement, and works once it is back', async () => {
    const pending = queryOn(client, conn(), SLOW_SQL, 20_000);
    // Not the proxy's connection count: workerd keeps idle connections to the stand-in open.
    await expect.poll(standInBusy, { timeout: 10_000 }).toBe(true);
    await endpoints.kill();
    await expectCleanError(await pending, /upstream_error|connection_refused/);
    // While it is down, the same clear error rather than a hang.
    await expectCleanError(await queryOn(client, conn(), 'select 1'), /upstream_error|connection_refused/);
    await startStandIn();
    await expectWorks(client, conn());
  }, 60_000);

  it('turns the stand-in killed mid-export into a failed download, not a truncated file', async () => {
    const res = await client.request(
      'GET',
      `/api/connections/${conn()}/export?format=csv&schema=main&table=export_fault`,
    );
    expect(res.status).toBe(200);
    const reader = (res.body as ReadableStream<Uint8Array>).getReader();
    await reader.read();
    try {
      await endpoints.kill();
      expect(await endingOf(reader)).toBe('failed');
    } finally {
      await startStandIn();
    }
    await expectWorks(client, conn());
  }, 120_000);

  it('fails a sync whose link is cut mid-introspection and keeps the last good snapshot', async () => {
    await syncUnderFault(client, conn(), 'main', proxy, () => {
      proxy.dropAll();
      proxy.down = true;
    });
  }, 120_000);
});
