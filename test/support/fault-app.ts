/**
 * The real app under `wrangler dev` for the fault suites whose links are all to local database
 * servers: one connection per target, each through a fault proxy of its own
 * (test/support/fault-proxy.ts), so a test can slow, cut or kill one link while the others stay
 * healthy, and the proxy's upstream ports name exactly the sessions that link opened.
 */
import { afterAll, beforeAll } from 'vitest';
import { type AppServer, startAppServer } from './app-server.ts';
import { type FaultProxy, startFaultProxy } from './fault-proxy.ts';
import {
  FAULT_ENGINES,
  type FaultEngine,
  HTTP_TRANSPORTS,
  type HttpTransport,
  scratchConnection,
} from './fault-targets.ts';
import { AtriumClient } from './http-client.ts';

export interface Target {
  engine: FaultEngine;
  transport: string;
}

/** Each HTTP transport to its engine's scratch database, keyed by transport. */
export const HTTP_TARGETS = Object.fromEntries(
  Object.entries(HTTP_TRANSPORTS).map(([transport, engine]) => [transport, { engine, transport }]),
) as Record<HttpTransport, Target>;

/** One target's link: the app's client, the connection id, and the fault proxy it dials. */
export interface ProxiedLink {
  client: AtriumClient;
  conn: string;
  link: FaultProxy;
}

export interface ProxiedApp<K extends string> {
  at(key: K): ProxiedLink;
  /** Stops the app and closes every proxy. */
  stop(): Promise<void>;
}

/**
 * Starts the app and, per key, a proxy in front of the engine's local server and a connection to
 * its scratch database over `transport` that dials the proxy.
 */
export async function startProxiedApp<K extends string>(targets: Record<K, Target>): Promise<ProxiedApp<K>> {
  const proxies = {} as Record<K, FaultProxy>;
  const conns = {} as Record<K, string>;
  let app: AppServer | undefined;
  const stop = async () => {
    await app?.stop();
    for (const proxy of Object.values<FaultProxy>(proxies)) await proxy.close();
  };
  try {
    app = await startAppServer();
    const client = await AtriumClient.signUp(app.url);
    for (const [key, { engine, transport }] of Object.entries(targets) as [K, Target][]) {
      proxies[key] = await startFaultProxy(FAULT_ENGINES[engine].port);
      conns[key] = await client.createConnection({
        name: `${key} through a fault proxy`,
        ...scratchConnection(engine),
        transport,
        host: '127.0.0.1',
        port: proxies[key].port,
      });
    }
    return { at: (key) => ({ client, conn: conns[key], link: proxies[key] }), stop };
  } catch (error) {
    // A half-started suite must not leave wrangler or a listening proxy behind.
    await stop();
    throw error;
  }
}

/**
 * Starts the proxied app for the calling test file (its own beforeAll and afterAll) and returns
 * how its tests reach one target's link, once beforeAll has run.
 */
export function useProxiedApp<K extends string>(targets: Record<K, Target>): (key: K) => ProxiedLink {
  let app: ProxiedApp<K> | undefined;
  beforeAll(async () => {
    app = await startProxiedApp(targets);
  }, 180_000);
  afterAll(() => app?.stop());
  return (key) => {
    if (!app) throw new Error('the proxied app is not running: its beforeAll failed');
    return app.at(key);
  };
}
