import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import type { Connection, ConnectionContext, WSMessage } from 'partyserver';
import { YServer } from 'y-partyserver';
import * as Y from 'yjs';
import { can } from '../worker/auth/policy.ts';
import { documents } from '../worker/meta/documents.ts';
import type { SchemaChangedEvent } from '../worker/schema/events.ts';
import { AwarenessThrottle, identityOf, mayControl, rewriteAwareness } from './awareness-guard.ts';
import { type DocumentContent, initialUpdate, readContent } from './document-shape.ts';
import { byteLength, peekKind, SYNC_UPDATE, toBytes } from './frame-kind.ts';
import {
  CloseCode,
  MAX_RUN_EVENT_BYTES,
  ROOM_LIMITS,
  type RunEvent,
  type ServerMessage,
} from './protocol.ts';
import { type RoomSession, readSessionHeaders } from './room-session.ts';
import { RunBoard } from './run-board.ts';
import { isRefusal, RunChannel } from './run-channel.ts';
import { ClientMessageSchema, type PublishRunInput, PublishRunSchema } from './run-messages.ts';
import { closeFor, SessionRecheck, type SessionVerdict, tokenExpired } from './session-check.ts';
import { TokenBucket } from './token-bucket.ts';
import { UpdateLog } from './update-log.ts';

const ORG_KEY = 'orgId';

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
  readonly #runChannel = new RunChannel(this.ctx.storage.sql);
  readonly #presence = new AwarenessThrottle();
  /** In memory only: after a wake-up every socket starts with a full bucket and a fresh re-check. */
  readonly #buckets = new Map<string, TokenBucket>();
  readonly #recheck = new SessionRecheck(this.env);
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
    if (!session) return [connection.id];
    return session.tokenId ? [userTag(session.userId), tokenTag(session.tokenId)] : [userTag(session.userId)];
  }

  override onConnect(connection: Connection, ctx: ConnectionContext): void {
    const session = readSessionHeaders(ctx.request.headers);
    if (!session) {
      connection.close(CloseCode.Forbidden, 'No session');
      return;
    }
    connection.setState({ ...session } satisfies RoomSession);
    if (tokenExpired(session)) {
      closeFor(connection, 'token-expired');
      return;
    }
    let open = 0;
    for (const _ of this.getConnections()) open++;
    if (open > ROOM_LIMITS.maxConnections) {
      connection.close(CloseCode.RoomFull, 'Room is full');
      return;
    }
    this.#recheck.checkedNow(connection.id);
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
    if (session.tokenExpiresAt !== undefined) void this.#closeAtExpiry(session.tokenExpiresAt);
  }

  override onClose(connection: Connection, code: number, reason: string, wasClean: boolean): void {
    this.#buckets.delete(connection.id);
    this.#recheck.forget(connection.id);
    this.#presence.forget(connection.id);
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
    if (tokenExpired(session)) {
      closeFor(connection, 'token-expired');
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
    this.#recheck.maybe(connection, session);
    if (typeof message === 'string') {
      super.onMessage(connection, message);
      return;
    }
    const bytes = toBytes(message);
    const kind = peekKind(bytes);
    if (kind === 'invalid') return;
    if (kind === 'awareness') {
      this.#onAwareness(connection, session, bytes);
      return;
    }
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
    const msg = parsed.data;
    if (msg.type === 'run') {
      const outcome = this.#runChannel.start(session, msg);
      if (isRefusal(outcome)) {
        this.#send(connection, outcome);
        return;
      }
      this.#send(connection, outcome.granted);
      this.#publish(outcome.started);
      return;
    }
    const outcome = this.#runChannel.finish(session, msg);
    if (isRefusal(outcome)) this.#send(connection, outcome);
    else this.#publish(outcome);
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
    return this.#closeTagged(userTag(userId), reason);
  }

  /** Closes every socket opened with API token `tokenId` (4401, no reconnect): call on revoke. */
  disconnectToken(tokenId: string): number {
    return this.#closeTagged(tokenTag(tokenId), 'token-revoked');
  }

  /** Closes token sockets whose token expired, then waits for the next expiry. */
  override async onAlarm(): Promise<void> {
    let next = Number.POSITIVE_INFINITY;
    for (const connection of this.getConnections()) {
      const session = stateOf(connection);
      if (session?.tokenExpiresAt === undefined) continue;
      if (tokenExpired(session)) closeFor(connection, 'token-expired');
      else next = Math.min(next, session.tokenExpiresAt);
    }
    if (Number.isFinite(next)) await this.ctx.storage.setAlarm(next);
  }

  /** Deletes the document: every socket is closed with 4410 and the room's storage wiped. */
  async destroy(): Promise<void> {
    this.#deleted = true;
    for (const connection of this.getConnections()) connection.close(CloseCode.Gone, 'Document deleted');
    await this.ctx.storage.deleteAll();
    this.#log.reset();
    this.#runs.reset();
    this.#runChannel.reset();
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

  #closeTagged(tag: string, verdict: Exclude<SessionVerdict, 'ok'>): number {
    let closed = 0;
    for (const connection of this.getConnections(tag)) {
      closeFor(connection, verdict);
      closed++;
    }
    return closed;
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

  /**
   * Presence: capped, stamped with the sender's real name and colour, and rate-limited per
   * socket (held frames are coalesced). A refusal keeps the socket open.
   */
  #onAwareness(connection: Connection, session: RoomSession, bytes: Uint8Array): void {
    if (bytes.byteLength > ROOM_LIMITS.maxAwarenessBytes) {
      this.#send(connection, {
        type: 'refused',
        reason: 'too-large',
        message: `Presence frames are limited to ${ROOM_LIMITS.maxAwarenessBytes} bytes`,
      });
      return;
    }
    let frame: Uint8Array | null;
    try {
      const states = this.document.awareness.getStates();
      const sockets = [...this.getConnections(userTag(session.userId))];
      frame = rewriteAwareness(bytes, identityOf(session), (id) => mayControl(states, sockets, id));
    } catch {
      return; // Malformed: y-partyserver would only log it; nobody else must see it.
    }
    if (frame) this.#presence.offer(connection.id, frame, (f) => super.onMessage(connection, f));
  }

  /** Token sockets close at their token's expiry even when idle (an alarm, which survives hibernation). */
  async #closeAtExpiry(expiresAt: number): Promise<void> {
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > expiresAt) await this.ctx.storage.setAlarm(expiresAt);
  }
}

const userTag = (userId: string) => `user:${userId}`;
const tokenTag = (tokenId: string) => `token:${tokenId}`;

/** The socket attachment survives hibernation; y-partyserver keeps its awareness ids beside it. */
function stateOf(connection: Connection): RoomSession | null {
  const state = connection.state as Partial<RoomSession> | null;
  return state?.userId && state.role && state.orgId ? (state as RoomSession) : null;
}
