/**
 * Database server faults on the HTTP transports (neon-http, neon-ws, planetscale-http), against
 * the real app under `wrangler dev` and the local stand-ins (dev/endpoints):
 * - the server ends the session mid-query, mid-export or mid-sync (MariaDB's KILL, PostgreSQL's
 *   pg_terminate_backend: what an admin, a reaper or a failover does) → a clear JSON error, a
 *   failed download, a failed sync that leaves the last good snapshot;
 * - a login with no free connection slot → `too_many_connections` with the server's code;
 * and each time the next query on the same connection works, without restarting Atrium.
 * Only the sessions Atrium opened are ended: its connections go through a fault proxy
 * (test/support/fault-proxy.ts), whose upstream ports name them to the server. Crashing the
 * whole PostgreSQL server over these transports is database-faults.test.ts; the shared MariaDB
 * cannot be crashed here (other suites use it), so KILL is the MariaDB server fault.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppServer, startAppServer } from '../support/app-server.ts';
import { killSessionsFrom } from '../support/fault-kill.ts';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.ts';
import { ensureSlotLogins, holdSlot, SLOT_LOGIN } from '../support/fault-slots.ts';
import {
  type ErrorBody,
  endingOf,
  expectCleanError,
  expectWorks,
  FAULT_ENGINES,
  HTTP_TRANSPORTS,
  type HttpTransport,
  queryOn,
  startExport,
  syncUnderFault,
} from '../support/fault-targets.ts';
import { AtriumClient } from '../support/http-client.ts';

const TRANSPORTS = Object.keys(HTTP_TRANSPORTS) as HttpTransport[];

let app: AppServer;
let client: AtriumClient;
const proxies = {} as Record<HttpTransport, FaultProxy>;
const conns = {} as Record<HttpTransport, string>;

beforeAll(async () => {
  app = await startAppServer();
  client = await AtriumClient.signUp(app.url);
  for (const transport of TRANSPORTS) {
    const engine = FAULT_ENGINES[HTTP_TRANSPORTS[transport]];
    proxies[transport] = await startFaultProxy(engine.port);
    conns[transport] = await client.createConnection({
      name: `${transport} watched by a fault proxy`,
      ...engine.config,
      transport,
      host: '127.0.0.1',
      port: proxies[transport].port,
    });
  }
}, 180_000);

afterAll(async () => {
  await app?.stop();
  for (const proxy of Object.values(proxies)) await proxy.close();
});

describe.each(TRANSPORTS)('server faults over %s', (transport) => {
  const engine = HTTP_TRANSPORTS[transport];
  const proxy = () => proxies[transport];
  const conn = () => conns[transport];
  const kill = async () => {
    expect(await killSessionsFrom(engine, proxy().upstreamPorts)).toBeGreaterThan(0);
  };

  it('fails a query whose session the server kills mid-statement with a clear error, then recovers', async () => {
    const pending = queryOn(client, conn(), FAULT_ENGINES[engine].sleep(20), 15_000);
    await expect.poll(() => proxy().openConnections, { timeout: 10_000 }).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1_000));
    await kill();
    // Told by the server at once, so not `timeout`: a killed session is the database's failure.
    await expectCleanError(await pending, /upstream_error|connection_refused/);
    await expectWorks(client, conn());
  }, 60_000);

  it('turns the session killed mid-export into a failed download, not a truncated file', async () => {
    const table = `server_export_fault_${transport.replace('-', '_')}`;
    const reader = await startExport(client, conn(), engine, table);
    await kill();
    expect(await endingOf(reader)).toBe('failed');
    expect((await queryOn(client, conn(), `drop table ${table}`)).status).toBe(200);
    await expectWorks(client, conn());
  }, 120_000);

  it('fails a sync whose session is killed mid-introspection and keeps the last good snapshot', async () => {
    await syncUnderFault(client, conn(), FAULT_ENGINES[engine].schema, proxy(), kill);
    await expectWorks(client, conn());
  }, 120_000);

  it('answers too_many_connections while the login has no free slot, and works once it is freed', async () => {
    ensureSlotLogins();
    const slotConn = await client.createConnection({
      name: `${transport} with one slot`,
      ...FAULT_ENGINES[engine].config,
      transport,
      host: '127.0.0.1',
      port: FAULT_ENGINES[engine].port,
      ...SLOT_LOGIN,
    });
    const release = await holdSlot(engine);
    try {
      const res = await queryOn(client, slotConn, 'select 1');
      const text = await res.text();
      expect({ status: res.status, text }).toMatchObject({ status: 503 });
      const err = JSON.parse(text) as ErrorBody;
      expect(err.error.code).toBe('too_many_connections');
      expect(err.error.details?.dbCode).toBe(engine === 'postgres' ? '53300' : '1226');
    } finally {
      await release();
    }
    await expectWorks(client, slotConn);
  }, 60_000);
});
