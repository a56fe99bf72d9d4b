/**
 * A loopback TCP proxy between Atrium and a database server, for fault tests: it
 * can hold every chunk back for a while (a slow or congested link) and can cut
 * every open connection mid-stream (a dropped link), then behave normally again.
 * Real sockets both ways, so the drivers see exactly what a bad network shows
 * them; it only ever listens on and dials 127.0.0.1.
 */
import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface FaultProxy {
  /** The port Atrium should connect to (on 127.0.0.1). */
  readonly port: number;
  /** Delay added to every chunk, in both directions; 0 to behave. */
  latencyMs: number;
  /** Cuts every open connection with a TCP reset, as a pulled cable or a dying middlebox does. */
  dropAll(): void;
  /**
   * While true the link is down: new connections are reset at once instead of forwarded. With
   * `dropAll` it keeps a cut from being papered over by a client that retries on a new connection
   * (workerd re-sends a request whose reused keep-alive connection breaks before any answer).
   */
  down: boolean;
  /** How many client connections are open right now. */
  readonly openConnections: number;
  /** Local ports of the open upstream sockets: how the server names them (to kill them there). */
  readonly upstreamPorts: number[];
  close(): Promise<void>;
}

export async function startFaultProxy(targetPort: number): Promise<FaultProxy> {
  const pairs = new Set<[Socket, Socket]>();
  let latencyMs = 0;
  let down = false;

  /** Forwards chunks in order, each held back by the latency in force when it arrived. */
  const pipe = (from: Socket, to: Socket) => {
    let chain = Promise.resolve();
    from.on('data', (chunk) => {
      const delay = latencyMs;
      chain = chain.then(async () => {
        if (delay > 0) await new Promise((r) => setTimeout(r, delay));
        if (!to.destroyed) to.write(chunk);
      });
    });
    from.on('end', () => {
      chain = chain.then(() => {
        to.end();
      });
    });
  };

  const server: Server = createServer((client) => {
    if (down) {
      client.resetAndDestroy();
      return;
    }
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    const pair: [Socket, Socket] = [client, upstream];
    pairs.add(pair);
    const teardown = () => {
      pairs.delete(pair);
      if (!client.destroyed) client.destroy();
      if (!upstream.destroyed) upstream.destroy();
    };
    client.on('error', teardown).on('close', teardown);
    upstream.on('error', teardown).on('close', teardown);
    pipe(client, upstream);
    pipe(upstream, client);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (typeof address !== 'object' || !address) throw new Error('fault proxy has no port');

  return {
    port: address.port,
    get latencyMs() {
      return latencyMs;
    },
    set latencyMs(ms: number) {
      latencyMs = ms;
    },
    get down() {
      return down;
    },
    set down(value: boolean) {
      down = value;
    },
    dropAll() {
      for (const [client, upstream] of [...pairs]) {
        client.resetAndDestroy();
        upstream.resetAndDestroy();
      }
      pairs.clear();
    },
    get openConnections() {
      return pairs.size;
    },
    get upstreamPorts() {
      return [...pairs].flatMap(([, upstream]) => (upstream.localPort ? [upstream.localPort] : []));
    },
    close() {
      for (const [client, upstream] of [...pairs]) {
        client.destroy();
        upstream.destroy();
      }
      return new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
