/**
 * Clients for document rooms inside workerd tests: real WebSockets obtained by upgrading
 * through the Worker (`exports.default.fetch`), driven either by y-partyserver's own
 * provider (through a WebSocket class that performs the upgrade) or by hand-written
 * y-protocols frames when a test needs byte-level control.
 */
import { exports } from 'cloudflare:workers';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import YProvider from 'y-partyserver/provider';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import { CUSTOM_MESSAGE_PREFIX, DOC_ROOTS, type ServerMessage } from '../../durable-objects/protocol.ts';

export const ORIGIN = 'http://atrium.test';
export const HOST = 'atrium.test';

/** Upgrades `/parties/document/:id` through the Worker; `ws` is null when the upgrade was refused. */
export async function upgrade(
  documentId: string,
  headers: Record<string, string>,
  query = '',
): Promise<{ res: Response; ws: WebSocket | null }> {
  const res = await exports.default.fetch(`${ORIGIN}/parties/document/${documentId}${query}`, {
    headers: { Upgrade: 'websocket', ...headers },
  });
  const ws = res.webSocket;
  if (ws) {
    ws.accept();
    // workerd delivers binary frames as Blobs unless asked otherwise.
    ws.binaryType = 'arraybuffer';
  }
  return { res, ws };
}

/**
 * A browser-like WebSocket class for YProvider: the constructor starts the upgrade with
 * `headers` (cookie or token) and replays the server socket's events as its own.
 */
export function socketClassWith(headers: Record<string, string>): typeof WebSocket {
  class TestSocket extends EventTarget {
    static readonly CONNECTING = 0;
    static readonly OPEN = 1;
    static readonly CLOSING = 2;
    static readonly CLOSED = 3;
    readonly CONNECTING = 0;
    readonly OPEN = 1;
    readonly CLOSING = 2;
    readonly CLOSED = 3;
    readyState = 0;
    binaryType = 'arraybuffer';
    readonly url: string;
    #ws: WebSocket | null = null;
    #closeRequested = false;

    constructor(url: string) {
      super();
      this.url = url;
      void this.#open();
    }

    async #open(): Promise<void> {
      const url = new URL(this.url);
      const documentId = url.pathname.split('/').at(-1) ?? '';
      const { ws } = await upgrade(documentId, headers, url.search).catch(() => ({ ws: null }));
      if (!ws) {
        this.#finish(1006, 'upgrade refused');
        return;
      }
      this.#ws = ws;
      ws.addEventListener('message', (e) =>
        this.dispatchEvent(new MessageEvent('message', { data: e.data })),
      );
      ws.addEventListener('close', (e) => this.#finish(e.code, e.reason));
      ws.addEventListener('error', () => this.dispatchEvent(new Event('error')));
      if (this.#closeRequested) {
        ws.close(1000);
        return;
      }
      this.readyState = 1;
      this.dispatchEvent(new Event('open'));
    }

    #finish(code: number, reason: string): void {
      if (this.readyState === 3) return;
      this.readyState = 3;
      this.dispatchEvent(new CloseEvent('close', { code, reason, wasClean: code !== 1006 }));
    }

    send(data: string | ArrayBuffer | ArrayBufferView): void {
      this.#ws?.send(data);
    }

    close(code = 1000, reason = ''): void {
      this.#closeRequested = true;
      if (!this.#ws) return;
      this.readyState = 2;
      try {
        this.#ws.close(code, reason);
      } catch {
        // Already closed by the server.
      }
      // The provider waits for 'close' to schedule a reconnect; do not depend on the peer's echo.
      this.#finish(code, reason);
    }
  }
  return TestSocket as unknown as typeof WebSocket;
}

export interface ProviderClient {
  doc: Y.Doc;
  text: Y.Text;
  provider: YProvider;
  /** Custom JSON messages received, oldest first. */
  messages: ServerMessage[];
  /** Close codes seen, oldest first. */
  closes: number[];
  synced: Promise<void>;
  destroy(): void;
}

/** A real YProvider on `documentId` authenticated with `headers`. */
export function connectProvider(
  documentId: string,
  headers: Record<string, string>,
  options: { connect?: boolean; name?: string } = {},
): ProviderClient {
  const doc = new Y.Doc();
  const provider = new YProvider(HOST, documentId, doc, {
    party: 'document',
    protocol: 'ws',
    WebSocketPolyfill: socketClassWith(headers),
    maxBackoffTime: 200,
    connect: options.connect ?? true,
  });
  if (options.name) provider.awareness.setLocalStateField('user', { name: options.name, color: '#ff8800' });
  const messages: ServerMessage[] = [];
  const closes: number[] = [];
  provider.on('custom-message', (raw: string) => messages.push(JSON.parse(raw) as ServerMessage));
  provider.on('connection-close', (event: CloseEvent) => closes.push(event.code));
  const synced = new Promise<void>((resolve) => {
    if (provider.synced) resolve();
    const onSync = (state: boolean) => {
      if (!state) return;
      provider.off('sync', onSync);
      resolve();
    };
    provider.on('sync', onSync);
  });
  return {
    doc,
    text: doc.getText(DOC_ROOTS.sql),
    provider,
    messages,
    closes,
    synced,
    destroy: () => {
      provider.destroy();
      doc.destroy();
    },
  };
}

/** Sends a custom JSON message through the provider (which adds the `__YPS:` prefix). */
export function sendJson(client: ProviderClient, message: unknown): void {
  client.provider.sendMessage(JSON.stringify(message));
}

/** The presence state `observer` holds for `subject`'s awareness client. */
export function presenceOf(
  observer: ProviderClient,
  subject: ProviderClient,
): Record<string, unknown> | undefined {
  return observer.provider.awareness.getStates().get(subject.doc.clientID);
}

/**
 * A hand-driven client speaking y-protocols over a raw socket: it keeps its own Y.Doc in
 * step with the room and records custom messages and the close code.
 */
export class RawClient {
  readonly doc = new Y.Doc();
  readonly messages: ServerMessage[] = [];
  readonly awareness = new awarenessProtocol.Awareness(this.doc);
  closeCode: number | null = null;
  readonly closed: Promise<number>;
  readonly #ws: WebSocket;

  constructor(ws: WebSocket) {
    this.#ws = ws;
    clearInterval(
      (this.awareness as unknown as { _checkInterval: ReturnType<typeof setInterval> })._checkInterval,
    );
    this.closed = new Promise((resolve) => {
      ws.addEventListener('close', (e) => {
        this.closeCode = e.code;
        resolve(e.code);
      });
    });
    ws.addEventListener('message', (e) => this.#onMessage(e.data));
    this.doc.on('update', (update: Uint8Array, origin: unknown) => {
      if (origin !== this) this.sendUpdate(update);
    });
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, 0);
    syncProtocol.writeSyncStep1(encoder, this.doc);
    this.send(encoding.toUint8Array(encoder));
  }

  static async open(documentId: string, headers: Record<string, string>): Promise<RawClient> {
    const { res, ws } = await upgrade(documentId, headers);
    if (!ws) throw new Error(`upgrade refused: ${res.status} ${await res.text()}`);
    return new RawClient(ws);
  }

  get text(): string {
    return this.doc.getText(DOC_ROOTS.sql).toString();
  }

  send(data: Uint8Array | string): void {
    if (this.closeCode !== null) return;
    try {
      this.#ws.send(data);
    } catch {
      // The server closed the socket; `closed` reports why.
    }
  }

  sendUpdate(update: Uint8Array): void {
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, 0);
    syncProtocol.writeUpdate(encoder, update);
    this.send(encoding.toUint8Array(encoder));
  }

  sendCustom(message: unknown): void {
    this.send(`${CUSTOM_MESSAGE_PREFIX}${JSON.stringify(message)}`);
  }

  sendAwareness(state: Record<string, unknown>): void {
    this.awareness.setLocalState(state);
    const encoder = encoding.createEncoder();
    encoding.writeVarUint(encoder, 1);
    encoding.writeVarUint8Array(
      encoder,
      awarenessProtocol.encodeAwarenessUpdate(this.awareness, [this.doc.clientID]),
    );
    this.send(encoding.toUint8Array(encoder));
  }

  /** Remote awareness states by client id (own state excluded). */
  peers(): Map<number, Record<string, unknown>> {
    const out = new Map<number, Record<string, unknown>>();
    for (const [id, state] of this.awareness.getStates()) if (id !== this.doc.clientID) out.set(id, state);
    return out;
  }

  close(): void {
    try {
      this.#ws.close(1000);
    } catch {
      // Already closed.
    }
  }

  #onMessage(data: unknown): void {
    if (typeof data === 'string') {
      if (data.startsWith(CUSTOM_MESSAGE_PREFIX)) {
        this.messages.push(JSON.parse(data.slice(CUSTOM_MESSAGE_PREFIX.length)) as ServerMessage);
      }
      return;
    }
    const bytes = new Uint8Array(data as ArrayBuffer);
    const decoder = decoding.createDecoder(bytes);
    const type = decoding.readVarUint(decoder);
    if (type === 0) {
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, 0);
      syncProtocol.readSyncMessage(decoder, encoder, this.doc, this);
      if (encoding.length(encoder) > 1) this.send(encoding.toUint8Array(encoder));
    } else if (type === 1) {
      awarenessProtocol.applyAwarenessUpdate(this.awareness, decoding.readVarUint8Array(decoder), this);
    }
  }
}

/** Polls `check` until it returns true (or throws the last failure after `timeoutMs`). */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  timeoutMs = 15_000,
  what = 'condition',
) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Creates a document through the REST API as `headers`' owner; returns its id. */
export async function newDocument(headers: Record<string, string>, body: Record<string, unknown> = {}) {
  const res = await exports.default.fetch(`${ORIGIN}/api/documents`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify({ title: 'Untitled', ...body }),
  });
  if (res.status !== 201) throw new Error(`create document: ${res.status} ${await res.text()}`);
  return (await res.json<{ id: string }>()).id;
}

/** A small seeded PRNG (mulberry32) so random edit sequences are reproducible. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One random insert or delete on `text`; inserts carry `tag` so they can be found later. */
export function randomEdit(text: Y.Text, random: () => number, tag: string): void {
  const length = text.length;
  if (length > 0 && random() < 0.3) {
    const at = Math.floor(random() * length);
    text.delete(at, Math.min(length - at, 1 + Math.floor(random() * 3)));
  } else {
    text.insert(Math.floor(random() * (length + 1)), tag);
  }
}

export const tick = (ms = 0) => new Promise((r) => setTimeout(r, ms));
