import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import * as decoding from 'lib0/decoding';
import type { Connection, ConnectionContext, WSMessage } from 'partyserver';
import { YServer } from 'y-partyserver';
import * as Y from 'yjs';
import { memberRole } from '../worker/auth/orgs.ts';
import { can, roleRank } from '../worker/auth/policy.ts';
import { documents } from '../worker/meta/documents.ts';
import type { SchemaChangedEvent } from '../worker/schema/events.ts';
import { type DocumentContent, initialUpdate, readContent } from './document-shape.ts';
import {
  CloseCode,
  MAX_RUN_EVENT_BYTES,
  ROOM_LIMITS,
  type RoomActor,
  type RunEvent,
  type ServerMessage,
} from './protocol.ts';
import { type RoomSession, readSessionHeaders } from './room-session.ts';
import { RunBoard } from './run-board.ts';
import { ClientMessageSchema, type PublishRunInput, PublishRunSchema } from './run-messages.ts';
import { TokenBucket } from './token-bucket.ts';
import { UpdateLog } from './update-log.ts';

// y-protocols message tags (the first varuints of every binary frame).
const MESSAGE_SYNC = 0;
const MESSAGE_AWARENESS = 1;
const SYNC_STEP_1 = 0;
const SYNC_UPDATE = 2;

/** How often a live socket's membership is re-read from D1 (on its next message). */
const MEMBERSHIP_RECHECK_MS = 60_000;
const ORG_KEY = 'orgId';

/** The socket attachment: survives hibernation. y-partyserver adds its awareness ids beside it. */
type SocketState = RoomSession;

/**
 * One collaborative document: a y-partyserver room whose sockets hibernate when idle.
 *
 * Durability: every Yjs update is appended to SQLite inside the update event, ahead of
 * y-partyserver's broadcast listener (see `onLoad`), so the output gate releases a frame
 * only after the update it carries is stored. y-partyserver's debounced `onSave` only
 * mirrors `updated_at` into D1.
 */
export class DocumentRoom extends YServer {
  static override options = { hibernate: true };

  readonly #log = new UpdateLog(this.ctx.storage);
  readonly #runs = new RunBoard(this.ctx.storage.sql);
  /** In memory only: after a wake-up every socket starts with a full bucket and a fresh re-check. */
  readonly #buckets = new Map<string, TokenBucket>();
  readonly #checkedAt = new Map<string, number>();
  #deleted = false;

  // ---- Lifecycle -------------------------------------------------------------------------

  /** Refuses upgrades the Worker did not authorize for this document's organization. */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket') {
      return new Response('Not found', { status: 404 });
    }
    const session = readSessionHeaders(request.headers);
    if (!session || !can(session.role, 'document.read')) {
      return new Response('Forbidden', { status: 403 });
    }
    const orgId = await this.ctx.storage.get<string>(ORG_KEY);
    // No org marker: never created through the API, or deleted (storage wiped).
    if (this.#deleted || orgId === undefined) return new Response('Not found', { status: 404 });
    if (orgId !== session.orgId) return new Response('Forbidden', { status: 403 });
    return super.fetch(request);
  }

  override async onLoad(): Promise<void> {
    const parts = this.#log.load();
    if (parts.length > 0) Y.applyUpdate(this.document, Y.mergeUpdates(parts));
    // Registered here, before YServer#onStart adds its broadcast listener: Yjs calls
    // update listeners in registration order, so the append precedes the broadcast.
    this.document.on('update', (update: Uint8Array) => this.#persist(update));
  }

  override async onSave(): Promise<void> {
    if (this.#deleted) return;
    await drizzle(this.env.DB)
      .update(documents)
      .set({ updatedAt: new Date() })
      .where(eq(documents.id, this.name));
  }

  override getConnectionTags(connection: Connection, ctx: ConnectionContext): string[] {
    const session = readSessionHeaders(ctx.request.headers);
    return session ? [userTag(session.userId)] : [connection.id];
  }

  override onConnect(connection: Connection, ctx: ConnectionContext): void {
    const session = readSessionHeaders(ctx.request.headers);
    if (!session) {
      connection.close(CloseCode.Forbidden, 'No session');
      return;
    }
    connection.setState({ ...session } satisfies SocketState);
    let open = 0;
    for (const _ of this.getConnections()) open++;
    if (open > ROOM_LIMITS.maxConnections) {
      connection.close(CloseCode.RoomFull, 'Room is full');
      return;
    }
    this.#checkedAt.set(connection.id, Date.now());
    super.onConnect(connection, ctx);
    this.#send(connection, {
      type: 'welcome',
      connectionId: connection.id,
      user: { userId: session.userId, name: session.name },
      role: session.role,
      readOnly: !can(session.role, 'document.write'),
      limits: ROOM_LIMITS,
    });
    this.#send(connection, { type: 'runs', runs: this.#runs.latest() });
  }

  override onClose(connection: Connection, code: number, reason: string, wasClean: boolean): void {
    this.#buckets.delete(connection.id);
    this.#checkedAt.delete(connection.id);
    super.onClose(connection, code, reason, wasClean);
  }

  // ---- Incoming frames -------------------------------------------------------------------

  override isReadOnly(connection: Connection): boolean {
    const session = stateOf(connection);
    return !session || !can(session.role, 'document.write');
  }

  override onMessage(connection: Connection, message: WSMessage): void {
    const session = stateOf(connection);
    if (!session) {
      connection.close(CloseCode.Forbidden, 'No session');
      return;
    }
    const size = byteLength(message);
    if (size > ROOM_LIMITS.maxMessageBytes) {
      connection.close(
        CloseCode.MessageTooLarge,
        `Frames are limited to ${ROOM_LIMITS.maxMessageBytes} bytes`,
      );
      return;
    }
    if (!this.#bucket(connection.id).take()) {
      connection.close(CloseCode.RateLimited, 'Too many messages');
      return;
    }
    this.#maybeRecheckMembership(connection, session);
    if (typeof message === 'string') {
      super.onMessage(connection, message);
      return;
    }
    const bytes = toBytes(message);
    const kind = peekKind(bytes);
    if (kind === 'invalid') return;
    if (kind === 'doc-update') {
      if (!can(session.role, 'document.write')) {
        // Sync step 2 is every client's routine reply on join; only explicit edits get a notice.
        if (bytes[1] === SYNC_UPDATE) {
          this.#send(connection, {
            type: 'refused',
            reason: 'read-only',
            message: 'Viewers cannot edit this document',
          });
        }
        return;
      }
      if (!this.#fits(size)) {
        connection.close(
          CloseCode.DocumentTooLarge,
          `Documents are limited to ${ROOM_LIMITS.maxDocumentBytes} bytes`,
        );
        return;
      }
    }
    super.onMessage(connection, bytes);
  }

  override onCustomMessage(connection: Connection, raw: string): void {
    const session = stateOf(connection);
    if (!session) return;
    let parsed: ReturnType<typeof ClientMessageSchema.safeParse>;
    try {
      parsed = ClientMessageSchema.safeParse(JSON.parse(raw));
    } catch {
      parsed = ClientMessageSchema.safeParse(undefined);
    }
    if (!parsed.success) {
      this.#send(connection, { type: 'refused', reason: 'invalid-message', message: 'Unknown message' });
      return;
    }
    const by: RoomActor = { userId: session.userId, name: session.name };
    const msg = parsed.data;
    if (msg.type === 'run') {
      this.#publish({
        type: 'run-started',
        runId: msg.runId ?? crypto.randomUUID(),
        blockId: msg.blockId,
        by,
        at: Date.now(),
      });
      return;
    }
    if (!can(session.role, 'document.write')) {
      this.#send(connection, {
        type: 'refused',
        reason: 'read-only',
        message: 'Viewers cannot share run results',
      });
      return;
    }
    const event: RunEvent = { ...msg, type: 'run-finished', by, at: Date.now() };
    if (!this.#publish(event)) {
      this.#send(connection, {
        type: 'refused',
        reason: 'invalid-message',
        message: `Run results are limited to ${MAX_RUN_EVENT_BYTES} bytes; share a handle instead of rows`,
      });
    }
  }

  // ---- RPC (called by the Worker) --------------------------------------------------------

  /** Marks the room as belonging to `orgId` (checked on every upgrade) and seeds its text. */
  async initialize(orgId: string, initialSql?: string): Promise<void> {
    const existing = await this.ctx.storage.get<string>(ORG_KEY);
    if (existing !== undefined && existing !== orgId) throw new Error('Room belongs to another organization');
    await this.ctx.storage.put(ORG_KEY, orgId);
    this.#deleted = false;
    if (existing === undefined && initialSql) this.#log.append(initialUpdate(initialSql));
  }

  /** The content as stored (rebuilt from SQLite, not from memory). */
  readContent(): DocumentContent {
    const doc = new Y.Doc();
    const parts = this.#log.load();
    if (parts.length > 0) Y.applyUpdate(doc, Y.mergeUpdates(parts));
    const content = readContent(doc);
    doc.destroy();
    return content;
  }

  /** Shares a run's progress with everyone in the room (the query endpoint calls this). */
  publishRun(input: PublishRunInput): { ok: true } | { ok: false; error: string } {
    const parsed = PublishRunSchema.safeParse(input);
    if (!parsed.success) return { ok: false, error: 'invalid run event' };
    const event: RunEvent = { ...parsed.data, at: parsed.data.at ?? Date.now() };
    return this.#publish(event) ? { ok: true } : { ok: false, error: 'run event too large' };
  }

  /**
   * Relays a schema change of the linked connection to every socket (worker/schema/events.ts
   * picks the rooms). Not kept for late joiners: a page that opens later loads the new schema.
   */
  async schemaChanged(event: SchemaChangedEvent): Promise<void> {
    const message: ServerMessage = { type: 'schema-changed', ...event };
    this.broadcastCustomMessage(JSON.stringify(message));
  }

  /**
   * Closes every socket of `userId`: `revoked` (membership removed, 4403, no reconnect) or
   * `role-changed` (4001, the client reconnects and joins with its new role).
   */
  disconnectUser(userId: string, reason: 'revoked' | 'role-changed' = 'revoked'): number {
    let closed = 0;
    for (const connection of this.getConnections(userTag(userId))) {
      closeFor(connection, reason);
      closed++;
    }
    return closed;
  }

  /** Deletes the document: every socket is closed with 4410 and the room's storage wiped. */
  async destroy(): Promise<void> {
    this.#deleted = true;
    for (const connection of this.getConnections()) connection.close(CloseCode.Gone, 'Document deleted');
    await this.ctx.storage.deleteAll();
    this.#log.reset();
    this.#runs.reset();
  }

  // ---- Internals -------------------------------------------------------------------------

  #persist(update: Uint8Array): void {
    if (this.#deleted) return;
    try {
      this.#log.append(update);
      if (this.#log.needsCompaction) this.#log.compact(Y.encodeStateAsUpdate(this.document));
    } catch (err) {
      // Memory now holds an update storage does not: restart the object from storage.
      // Every client still has its edits and sends them again when it reconnects.
      console.error(JSON.stringify({ level: 'error', event: 'room.persist_failed', room: this.name }));
      this.ctx.abort(err instanceof Error ? err.message : 'persist failed');
    }
  }

  /** Whether an update of `incoming` bytes keeps the stored document within its limit. */
  #fits(incoming: number): boolean {
    const max = ROOM_LIMITS.maxDocumentBytes;
    if (this.#log.storedBytes + incoming <= max) return true;
    // The log over-counts (superseded and duplicate updates); compacting gives the exact size.
    this.#log.compact(Y.encodeStateAsUpdate(this.document));
    return this.#log.storedBytes + incoming <= max;
  }

  #publish(event: RunEvent): boolean {
    const json = JSON.stringify(event);
    if (json.length > MAX_RUN_EVENT_BYTES) return false;
    this.#runs.record(event);
    this.broadcastCustomMessage(json);
    return true;
  }

  #send(connection: Connection, message: ServerMessage): void {
    this.sendCustomMessage(connection, JSON.stringify(message));
  }

  #bucket(id: string): TokenBucket {
    let bucket = this.#buckets.get(id);
    if (!bucket) {
      bucket = new TokenBucket(ROOM_LIMITS.messagesPerSecond, ROOM_LIMITS.messageBurst);
      this.#buckets.set(id, bucket);
    }
    return bucket;
  }

  /** A cheap safety net behind `disconnectUser`: at most one D1 read per socket per minute. */
  #maybeRecheckMembership(connection: Connection, session: RoomSession): void {
    const now = Date.now();
    const last = this.#checkedAt.get(connection.id);
    if (last !== undefined && now - last < MEMBERSHIP_RECHECK_MS) return;
    this.#checkedAt.set(connection.id, now);
    memberRole(this.env, session.orgId, session.userId)
      .then((role) => {
        if (role === null) closeFor(connection, 'revoked');
        // Tokens may hold less than the member role (their ceiling), so only a demotion matters.
        else if (roleRank(role) < roleRank(session.role)) closeFor(connection, 'role-changed');
      })
      .catch(() => {
        // D1 unavailable: keep the socket; the next minute's message checks again.
        this.#checkedAt.delete(connection.id);
      });
  }
}

const userTag = (userId: string) => `user:${userId}`;

function closeFor(connection: Connection, reason: 'revoked' | 'role-changed'): void {
  if (reason === 'revoked') connection.close(CloseCode.Forbidden, 'Membership revoked');
  else connection.close(CloseCode.Rejoin, 'Role changed; reconnect');
}

function stateOf(connection: Connection): SocketState | null {
  const state = connection.state as Partial<SocketState> | null;
  return state?.userId && state.role && state.orgId ? (state as SocketState) : null;
}

function byteLength(message: WSMessage): number {
  if (typeof message !== 'string') return message.byteLength;
  // UTF-8 needs at most 3 bytes per UTF-16 unit: encode only when that bound could exceed the limit.
  return message.length * 3 <= ROOM_LIMITS.maxMessageBytes
    ? message.length
    : new TextEncoder().encode(message).byteLength;
}

function toBytes(message: ArrayBuffer | ArrayBufferView): Uint8Array {
  return message instanceof ArrayBuffer
    ? new Uint8Array(message)
    : new Uint8Array(message.buffer, message.byteOffset, message.byteLength);
}

/** Classifies a binary frame without decoding its payload. */
function peekKind(bytes: Uint8Array): 'doc-read' | 'doc-update' | 'awareness' | 'invalid' {
  try {
    const decoder = decoding.createDecoder(bytes);
    const type = decoding.readVarUint(decoder);
    if (type === MESSAGE_AWARENESS) return 'awareness';
    if (type !== MESSAGE_SYNC) return 'invalid';
    const step = decoding.readVarUint(decoder);
    if (step === SYNC_STEP_1) return 'doc-read';
    return step === 1 || step === SYNC_UPDATE ? 'doc-update' : 'invalid';
  } catch {
    return 'invalid';
  }
}
