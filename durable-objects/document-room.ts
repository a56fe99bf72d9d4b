import type { Connection, ConnectionContext, WSMessage } from 'partyserver';
import { YServer } from 'y-partyserver';
import { roomMembership, touchDocument } from '../worker/documents/room-d1.ts';
import { contentOf, type DocumentContent, initialUpdate } from './document-shape.ts';
import { FrameGuard } from './frame-guard.ts';
import { LiveSockets } from './live-sockets.ts';
import { CloseCode, ROOM_LIMITS, type SchemaChangedEvent, type ServerMessage } from './protocol.ts';
import { claimRoom, closeRefused, ORG_KEY, refuseUpgrade, welcome } from './room-admission.ts';
import * as session from './room-session.ts';
import { RunChannel } from './run-channel.ts';
import type { PublishRunInput } from './run-messages.ts';
import { alarmAtExpiry, closeAll, closeExpiredTokens } from './session-check.ts';
import { UpdateLog } from './update-log.ts';

export interface RoomStats {
  updatesStored: number;
  sockets: number;
}

/**
 * One collaborative document: a y-partyserver room whose sockets hibernate when idle. Its parts:
 * room-admission (who may open a socket), frame-guard (every incoming frame, presence included),
 * run-channel (shared runs), update-log (storage), session-check (the membership re-check, through
 * the D1 lookup worker/documents/room-d1.ts gives it). Durability: every Yjs update is stored in
 * SQLite inside the update event, ahead of y-partyserver's broadcast listener (see `onLoad`), so
 * the output gate releases a frame only after the update it carries is stored; the debounced
 * `onSave` only mirrors `updated_at` into D1.
 */
export class DocumentRoom extends YServer {
  static override options = { hibernate: true };

  readonly #log = new UpdateLog(this.ctx.storage);
  readonly #runs = new RunChannel(this.ctx.storage.sql);
  readonly #frames = new FrameGuard({
    lookup: roomMembership(this.env.DB),
    fits: (incoming) => this.#log.fits(this.document, incoming, ROOM_LIMITS.maxDocumentBytes),
    awarenessStates: () => this.document.awareness.getStates(),
    sockets: (tag) => this.getConnections(tag),
  });
  readonly #live = new LiveSockets();
  #deleted = false;

  override async fetch(request: Request): Promise<Response> {
    const orgId = await this.ctx.storage.get<string>(ORG_KEY);
    return refuseUpgrade(request, orgId, this.#deleted) ?? super.fetch(request);
  }

  override async onLoad(): Promise<void> {
    this.#log.restore(this.document);
    // Registered here, before YServer#onStart adds its broadcast listener: Yjs calls
    // update listeners in registration order, so the append precedes the broadcast.
    this.document.on('update', (update: Uint8Array) => {
      // On failure memory holds an update storage does not: restart the object from storage.
      // Every client still has its edits and sends them again when it reconnects.
      const failure = this.#deleted ? null : this.#log.tryRecord(this.document, update, this.name);
      if (failure) this.ctx.abort(failure);
    });
  }

  override async onSave(): Promise<void> {
    if (!this.#deleted) await touchDocument(this.env.DB, this.name);
  }

  /** Every open socket from the room's own list (see live-sockets.ts); by tag from the runtime. */
  override getConnections<TState = unknown>(tag?: string): Iterable<Connection<TState>> {
    if (tag !== undefined) return super.getConnections<TState>(tag);
    return this.#live.open(() => super.getConnections()) as Iterable<Connection<TState>>;
  }

  override getConnectionTags(connection: Connection, ctx: ConnectionContext): string[] {
    return session.connectionTags(session.readSessionHeaders(ctx.request.headers), connection.id);
  }

  override onConnect(connection: Connection, ctx: ConnectionContext): void {
    const who = session.readSessionHeaders(ctx.request.headers);
    if (who) connection.setState({ ...who } satisfies session.RoomSession);
    this.#live.add(connection, () => super.getConnections());
    if (closeRefused(connection, who, [...this.getConnections()].length) || !who) return;
    this.#frames.opened(connection.id);
    super.onConnect(connection, ctx);
    this.#send(connection, welcome(connection.id, who));
    this.#send(connection, { type: 'runs', runs: this.#runs.latest() });
    if (who.tokenExpiresAt !== undefined) void alarmAtExpiry(this.ctx.storage, who.tokenExpiresAt);
  }

  override onClose(connection: Connection, code: number, reason: string, wasClean: boolean): void {
    this.#frames.forget(connection.id);
    this.#live.remove(connection);
    super.onClose(connection, code, reason, wasClean);
  }

  /** Closes token sockets whose token expired, then waits for the next expiry. */
  override async onAlarm(): Promise<void> {
    const next = closeExpiredTokens(this.getConnections());
    if (next !== null) await this.ctx.storage.setAlarm(next);
  }

  override isReadOnly(connection: Connection): boolean {
    return !session.mayEdit(session.sessionOf(connection));
  }

  override onMessage(connection: Connection, message: WSMessage): void {
    const verdict = this.#frames.inspect(connection, message, (m) => super.onMessage(connection, m));
    if (verdict?.kind === 'close') connection.close(verdict.code, verdict.reason);
    else if (verdict) this.#send(connection, verdict.message);
  }

  override onCustomMessage(connection: Connection, raw: string): void {
    const who = session.sessionOf(connection);
    const { reply, broadcast } = who ? this.#runs.receive(who, raw) : {};
    if (reply) this.#send(connection, reply);
    if (broadcast) this.broadcastCustomMessage(broadcast);
  }

  // ---- RPC (called by the Worker: worker/documents/) -------------------------------------

  /** Marks the room as belonging to `orgId` (checked on every upgrade) and seeds a new room's text. */
  async initialize(orgId: string, initialSql?: string): Promise<void> {
    const isNew = await claimRoom(this.ctx.storage, orgId);
    this.#deleted = false;
    if (isNew && initialSql) this.#log.append(initialUpdate(initialSql));
  }

  /** The content as stored (rebuilt from SQLite, not from memory). */
  readContent(): DocumentContent {
    return contentOf((doc) => this.#log.restore(doc));
  }

  /**
   * Counts kept by the room itself: `updatesStored` is every Yjs update it accepted, stored and
   * relayed since it was created (one per accepted edit or content-carrying sync step 2, plus one
   * for an initial text; a refused or duplicate update adds nothing), exact across compaction and
   * restarts. `sockets` is the sockets open now.
   */
  stats(): RoomStats {
    return { updatesStored: this.#log.storedTotal, sockets: [...this.getConnections()].length };
  }

  /** Shares a run's progress with everyone in the room (the query endpoint calls this). */
  publishRun(input: PublishRunInput): { ok: true } | { ok: false; error: string } {
    const outcome = this.#runs.publish(input);
    if (!outcome.ok) return outcome;
    this.broadcastCustomMessage(outcome.json);
    return { ok: true };
  }

  /** Relays a schema change of the linked connection; not kept: a page opened later loads the new schema. */
  async schemaChanged(event: SchemaChangedEvent): Promise<void> {
    this.broadcastCustomMessage(JSON.stringify({ type: 'schema-changed', ...event } satisfies ServerMessage));
  }

  /** Closes `userId`'s sockets: `revoked` (4403, no reconnect) or `role-changed` (4001, rejoin). */
  disconnectUser(userId: string, reason: 'revoked' | 'role-changed' = 'revoked'): number {
    return closeAll(this.getConnections(session.userTag(userId)), reason);
  }

  /** Closes every socket opened with API token `tokenId` (4401, no reconnect): call on revoke. */
  disconnectToken(tokenId: string): number {
    return closeAll(this.getConnections(session.tokenTag(tokenId)), 'token-revoked');
  }

  /** Deletes the document: every socket is closed with 4410 and the room's storage wiped. */
  async destroy(): Promise<void> {
    this.#deleted = true;
    for (const connection of this.getConnections()) connection.close(CloseCode.Gone, 'Document deleted');
    await this.ctx.storage.deleteAll();
    this.#log.reset();
    this.#runs.reset();
  }

  #send(connection: Connection, message: ServerMessage): void {
    this.sendCustomMessage(connection, JSON.stringify(message));
  }
}
