/**
 * A TCP proxy on loopback that puts a simulated distance between a Worker and the local
 * PostgreSQL: every chunk waits half a round trip in each direction, in order, and a new
 * connection pays one round trip (the TCP handshake) before its first byte. Atrium and the
 * reference both reach the database through it, so both pay the same distance to the user's
 * database. Forwards only to the one target it is given.
 */
import { connect, createServer, type Socket } from 'node:net';

export interface DelayProxy {
  port: number;
  /**
   * Round trips the database's clients have made so far: a connection's handshake, then every
   * time a client speaks again after the server answered (one protocol turn each).
   */
  readonly turns: number;
  close(): Promise<void>;
}

function forward(from: Socket, to: Socket, oneWayMs: number, firstByteAt: number, onChunk: () => void) {
  let last = firstByteAt;
  const after = (at: number, fn: () => void) => setTimeout(fn, Math.max(0, at - Date.now()));
  from.on('data', (chunk) => {
    onChunk();
    // In order: a chunk never overtakes the one before it.
    last = Math.max(Date.now() + oneWayMs, last);
    after(last, () => {
      if (!to.destroyed) to.write(chunk);
    });
  });
  from.on('end', () => after(last, () => to.end()));
  from.on('error', () => to.destroy());
  from.on('close', () => after(last + 1, () => to.destroy()));
}

export async function startDelayProxy(
  target: { host: string; port: number },
  roundTripMs: number,
): Promise<DelayProxy> {
  const sockets = new Set<Socket>();
  let turns = 0;
  const server = createServer((client) => {
    const upstream = connect(target.port, target.host);
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    }
    const oneWay = roundTripMs / 2;
    turns++; // the TCP handshake
    let serverSpoke = true; // the startup message is the first turn after the handshake
    forward(client, upstream, oneWay, Date.now() + roundTripMs + oneWay, () => {
      if (serverSpoke) turns++;
      serverSpoke = false;
    });
    forward(upstream, client, oneWay, 0, () => {
      serverSpoke = true;
    });
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (typeof address === 'object' && address) resolve(address.port);
      else reject(new Error('no port'));
    });
  });
  return {
    port,
    get turns() {
      return turns;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
