/**
 * Network faults on the HTTP transports (neon-http, neon-ws, planetscale-http), against the real
 * app under `wrangler dev`. The local stand-ins (dev/endpoints) dial the host:port a connection
 * names, so a connection whose port is a fault proxy's (test/support/fault-proxy.ts) puts the
 * proxy on the stand-in's link to the database, the hop a real Neon or PlanetScale proxy owns:
 * - a slow link → `timeout` within the statement's timeout, not whenever the link wakes up;
 * - a link cut mid-query, mid-export or mid-sync → a clear JSON error, a failed download (never
 *   a file that ends like a complete one), a failed sync that leaves the last good snapshot;
 * and each time the next query on the same connection works, without restarting Atrium.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AppServer, startAppServer } from '../support/app-server.ts';
import { type FaultProxy, startFaultProxy } from '../support/fault-proxy.ts';
import {
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

/** Slack on top of a statement's timeout for the request to come back (a busy 2-core CI machine). */
const GRACE_MS = 6_000;
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
      name: `${transport} through a fault proxy`,
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

describe.each(TRANSPORTS)('network faults over %s', (transport) => {
  const engine = HTTP_TRANSPORTS[transport];
  const proxy = () => proxies[transport];
  const conn = () => conns[transport];

  it('answers through the proxy while the link behaves', async () => {
    await expectWorks(client, conn());
  });

  it('times a query out within its timeout on a link slower than the timeout, then recovers', async () => {
    proxy().latencyMs = 8_000;
    try {
      const timeoutMs = 2_000;
      const started = Date.now();
      const res = await queryOn(client, conn(), 'select 1', timeoutMs);
      const elapsed = Date.now() - started;
      expect({ status: res.status, body: await res.json() }).toMatchObject({
        status: 504,
        body: { error: { code: 'timeout' } },
      });
      // Not a hang until the slow link delivers: the answer came back near the timeout.
      expect(elapsed).toBeLessThan(timeoutMs + GRACE_MS);
    } finally {
      proxy().latencyMs = 0;
    }
    await expectWorks(client, conn());
  }, 60_000);

  it('fails a query whose link is cut mid-statement with a clear error, then recovers', async () => {
    const timeoutMs = 5_000;
    const pending = queryOn(client, conn(), FAULT_ENGINES[engine].sleep(20), timeoutMs);
    await expect.poll(() => proxy().openConnections, { timeout: 10_000 }).toBeGreaterThan(0);
    await new Promise((r) => setTimeout(r, 1_000));
    proxy().dropAll();
    // Noticed when the socket breaks (so not `timeout`): the stand-in answers for the lost session.
    await expectCleanError(await pending, /upstream_error|connection_refused/);
    await expectWorks(client, conn());
  }, 60_000);

  it('turns a link cut mid-export into a failed download, not a truncated file', async () => {
    const table = `http_export_fault_${transport.replace('-', '_')}`;
    const reader = await startExport(client, conn(), engine, table);
    proxy().dropAll();
    expect(await endingOf(reader)).toBe('failed');
    expect((await queryOn(client, conn(), `drop table ${table}`)).status).toBe(200);
    await expectWorks(client, conn());
  }, 120_000);

  it('fails a sync whose link is cut mid-introspection and keeps the last good snapshot', async () => {
    await syncUnderFault(client, conn(), FAULT_ENGINES[engine].schema, proxy(), () => proxy().dropAll());
    await expectWorks(client, conn());
  }, 120_000);
});
