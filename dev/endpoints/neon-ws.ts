/**
 * The WebSocket-to-TCP bridge the Neon driver's `Pool`/`Client` expect (neonConfig.wsProxy):
 * `ws://<proxy>/v2?address=host:port`, then raw PostgreSQL protocol bytes both ways, one binary
 * message per chunk. Postgres authentication happens inside the tunnel, so no secret passes
 * through this code in a form it reads. Upgrades reach here only past gate.ts (the install's
 * secret, no browser Origin): otherwise any page the developer opens could tunnel to their database.
 */
import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import type { Duplex } from 'node:stream';
import { type WebSocket, WebSocketServer } from 'ws';
import { resolveLocalTarget } from './targets.ts';

export function createNeonWsBridge() {
  const wss = new WebSocketServer({ noServer: true });

  function bridge(ws: WebSocket, address: string, port: number) {
    // Writes made while the socket is still connecting are queued by Node.
    const tcp = connect({ host: address, port });
    tcp.on('data', (data) => ws.send(data));
    tcp.on('error', () => ws.close(1011, 'database connection failed'));
    tcp.on('close', () => ws.close());
    ws.on('message', (data: Buffer) => tcp.write(data));
    ws.on('close', () => tcp.destroy());
    ws.on('error', () => tcp.destroy());
  }

  async function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const match = /^(.+):(\d+)$/.exec(url.searchParams.get('address') ?? '');
    const target = match ? await resolveLocalTarget(match[1]!) : undefined;
    if (!match || !target || 'code' in target) {
      socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => bridge(ws, target.address, Number(match[2])));
  }

  return {
    handleUpgrade,
    close() {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
    },
  };
}
