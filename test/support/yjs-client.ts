/**
 * A minimal Yjs sync-protocol client (the y-websocket wire format, which
 * y-partyserver speaks too), used to measure edit fan-out against any server.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import WebSocket from 'ws';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';

const MESSAGE_SYNC = 0;

export class RoomClient {
  readonly doc = new Y.Doc();
  readonly text = this.doc.getText('sql');
  #ws: WebSocket;
  #waiters: Array<{ marker: string; resolve: (t: number) => void }> = [];

  private constructor(ws: WebSocket) {
    this.#ws = ws;
    ws.binaryType = 'arraybuffer';
    ws.on('message', (data: ArrayBuffer) => this.#onMessage(new Uint8Array(data)));
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin === this) return;
      const enc = encoding.createEncoder();
      encoding.writeVarUint(enc, MESSAGE_SYNC);
      syncProtocol.writeUpdate(enc, update);
      this.#ws.send(encoding.toUint8Array(enc));
    });
  }

  static connect(url: string, headers: Record<string, string> = {}): Promise<RoomClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      const client = new RoomClient(ws);
      ws.once('open', () => {
        const enc = encoding.createEncoder();
        encoding.writeVarUint(enc, MESSAGE_SYNC);
        syncProtocol.writeSyncStep1(enc, client.doc);
        ws.send(encoding.toUint8Array(enc));
        resolve(client);
      });
      ws.once('error', reject);
    });
  }

  #onMessage(data: Uint8Array) {
    const dec = decoding.createDecoder(data);
    if (decoding.readVarUint(dec) !== MESSAGE_SYNC) return;
    const enc = encoding.createEncoder();
    encoding.writeVarUint(enc, MESSAGE_SYNC);
    syncProtocol.readSyncMessage(dec, enc, this.doc, this);
    if (encoding.length(enc) > 1) this.#ws.send(encoding.toUint8Array(enc));
    if (this.#waiters.length) {
      const now = performance.now();
      const current = this.text.toString();
      this.#waiters = this.#waiters.filter((w) => {
        if (!current.includes(w.marker)) return true;
        w.resolve(now);
        return false;
      });
    }
  }

  /** Resolves with the arrival time once `marker` is in this client's text. */
  waitFor(marker: string): Promise<number> {
    if (this.text.toString().includes(marker)) return Promise.resolve(performance.now());
    return new Promise((resolve) => this.#waiters.push({ marker, resolve }));
  }

  insert(s: string) {
    this.text.insert(this.text.length, s);
  }

  /** Calls `listener` when the socket closes (the server went away, or `close()`). */
  onClose(listener: () => void) {
    this.#ws.once('close', listener);
  }

  close() {
    this.#ws.close();
  }
}

/**
 * Edit fan-out: in each room client 0 types and every other client's arrival latency is one
 * sample. With several servers the rooms take turns edit by edit (a, b, a, b, …), so a change in
 * the machine's load hits them alike; returns the samples per server, in the order given.
 */
export async function measureFanout(
  servers: readonly (() => Promise<RoomClient>)[],
  clients: number,
  edits: number,
): Promise<number[][]> {
  const rooms: RoomClient[][] = [];
  for (const connect of servers) {
    const all: RoomClient[] = [];
    for (let i = 0; i < clients; i++) all.push(await connect());
    rooms.push(all);
  }
  await new Promise((r) => setTimeout(r, 300));
  const samples = servers.map(() => [] as number[]);
  for (let e = 0; e < edits; e++) {
    for (const [k, room] of rooms.entries()) {
      const [writer, ...readers] = room as [RoomClient, ...RoomClient[]];
      const marker = `/*${e}:${Math.random().toString(36).slice(2)}*/`;
      const waits = readers.map((r) => r.waitFor(marker));
      const start = performance.now();
      writer.insert(marker);
      for (const arrived of await Promise.all(waits)) samples[k]?.push(arrived - start);
    }
  }
  for (const room of rooms) for (const c of room) c.close();
  return samples;
}
