/**
 * The runtime's floor for the room benchmark: a bare Durable Object that accepts hibernatable
 * WebSockets and relays each y-sync update frame to the room's other sockets, storing it in its
 * SQLite first (so the output gate holds the frame until it is stored, as in Atrium's rooms). No
 * auth, no Yjs, no limits. Sync steps 1 and 2 are dropped, not relayed: the bench's rooms start
 * empty, and relaying every join's handshake to every member would flood a 100-member room. Atrium's rooms compared with it show Atrium's own cost; compared with
 * the Node server they show the runtime's too. Started by bench/run.ts under `wrangler dev`.
 */
import { DurableObject } from 'cloudflare:workers';

interface Env {
  RELAY: DurableObjectNamespace<RoomRelay>;
}

export class RoomRelay extends DurableObject<Env> {
  #ready = false;

  override async fetch(): Promise<Response> {
    const [client, server] = Object.values(new WebSocketPair()) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server);
    return new Response(null, { status: 101, webSocket: client });
  }

  override webSocketMessage(ws: WebSocket, message: ArrayBuffer | string): void {
    if (typeof message === 'string') return;
    const bytes = new Uint8Array(message);
    // y-protocols: message type 0 (sync), then 2 (update).
    if (bytes[0] !== 0 || bytes[1] !== 2) return;
    if (!this.#ready) {
      this.ctx.storage.sql.exec('CREATE TABLE IF NOT EXISTS frames (seq INTEGER PRIMARY KEY, data BLOB)');
      this.#ready = true;
    }
    this.ctx.storage.sql.exec('INSERT INTO frames (data) VALUES (?)', message);
    for (const other of this.ctx.getWebSockets()) if (other !== ws) other.send(message);
  }
}

export default {
  async fetch(request: Request, env: Env): Promise<Response> {
    const { pathname } = new URL(request.url);
    if (pathname === '/ping') return Response.json({ ok: true });
    return env.RELAY.get(env.RELAY.idFromName(pathname)).fetch(request);
  },
};
