/**
 * The references for the room benchmark: a plain Node Yjs WebSocket server in the style of
 * y-websocket (one in-memory Y.Doc per room, sync + awareness relay, no auth). Given a file
 * (`--persist=PATH`), it appends every update to SQLite (WAL, `synchronous=FULL`: each append is
 * on disk) before relaying it, as Atrium's rooms store each update before their frame leaves —
 * the fair reference. Without one it persists nothing: the floor.
 */
import { createServer, type Server } from 'node:http';
import { DatabaseSync } from 'node:sqlite';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { type WebSocket, WebSocketServer } from 'ws';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';

const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;

interface Room {
  doc: Y.Doc;
  awareness: awarenessProtocol.Awareness;
  conns: Set<WebSocket>;
}

export function startReferenceYjsServer(
  port = 0,
  persist?: string,
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const rooms = new Map<string, Room>();
  const db = persist ? new DatabaseSync(persist) : null;
  db?.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;
    CREATE TABLE IF NOT EXISTS updates (seq INTEGER PRIMARY KEY, room TEXT NOT NULL, data BLOB NOT NULL)`);
  const append = db?.prepare('INSERT INTO updates (room, data) VALUES (?, ?)');
  const room = (name: string): Room => {
    let r = rooms.get(name);
    if (!r) {
      const doc = new Y.Doc();
      const awareness = new awarenessProtocol.Awareness(doc);
      const created: Room = { doc, awareness, conns: new Set() };
      doc.on('update', (update: Uint8Array, origin: unknown) => {
        append?.run(name, update);
        const enc = encoding.createEncoder();
        encoding.writeVarUint(enc, MESSAGE_SYNC);
        syncProtocol.writeUpdate(enc, update);
        const msg = encoding.toUint8Array(enc);
        for (const c of created.conns) if (c !== origin && c.readyState === c.OPEN) c.send(msg);
      });
      r = created;
      rooms.set(name, r);
    }
    return r;
  };

  const server = createServer();
  const wss = new WebSocketServer({ server });
  wss.on('connection', (ws, req) => {
    const r = room(new URL(req.url ?? '/', 'http://x').pathname);
    r.conns.add(ws);
    ws.binaryType = 'arraybuffer';
    ws.on('message', (data: ArrayBuffer) => {
      const dec = decoding.createDecoder(new Uint8Array(data));
      const type = decoding.readVarUint(dec);
      if (type === MESSAGE_SYNC) {
        const enc = encoding.createEncoder();
        encoding.writeVarUint(enc, MESSAGE_SYNC);
        syncProtocol.readSyncMessage(dec, enc, r.doc, ws);
        if (encoding.length(enc) > 1) ws.send(encoding.toUint8Array(enc));
      } else if (type === MESSAGE_AWARENESS) {
        const update = decoding.readVarUint8Array(dec);
        for (const c of r.conns) if (c !== ws && c.readyState === c.OPEN) c.send(new Uint8Array(data));
        awarenessProtocol.applyAwarenessUpdate(r.awareness, update, ws);
      }
    });
    ws.on('close', () => r.conns.delete(ws));
    const enc = encoding.createEncoder();
    encoding.writeVarUint(enc, MESSAGE_SYNC);
    syncProtocol.writeSyncStep1(enc, r.doc);
    ws.send(encoding.toUint8Array(enc));
  });

  return new Promise((resolve) => {
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      const actual = typeof address === 'object' && address ? address.port : port;
      resolve({
        url: `ws://127.0.0.1:${actual}`,
        server,
        close: () =>
          new Promise<void>((done) => {
            for (const c of wss.clients) c.terminate();
            wss.close();
            server.close(() => done());
          }),
      });
    });
  });
}

// Run on its own (`node bench/reference/yjs-ws-server.ts`), the reference is a separate
// process like workerd, so the benchmark can read its memory the same way.
if (import.meta.url === `file://${process.argv[1]}`) {
  const persist = process.argv.find((a) => a.startsWith('--persist='))?.slice('--persist='.length);
  const { url } = await startReferenceYjsServer(0, persist);
  console.log(url);
}
