import type { Connection, WSMessage } from 'partyserver';
import { AwarenessThrottle, guardPresence } from './awareness-guard.ts';
import { byteLength, peekKind, SYNC_UPDATE, toBytes } from './frame-kind.ts';
import { CloseCode, ROOM_LIMITS, type ServerMessage } from './protocol.ts';
import { mayEdit, sessionOf, userTag } from './room-session.ts';
import { closeReason, type MembershipLookup, SessionRecheck, tokenExpired } from './session-check.ts';
import { TokenBucket } from './token-bucket.ts';

/** What the room must do about a frame besides relaying it: close the socket, or tell the sender. */
export type FrameVerdict =
  | { kind: 'close'; code: number; reason: string }
  | { kind: 'notice'; message: ServerMessage };

/** What the guard needs to know about its room. */
export interface GuardedRoom {
  /** Reads a socket's membership for the once-a-minute re-check. */
  lookup: MembershipLookup;
  /** Whether an update of `incoming` bytes keeps the stored document within its limit. */
  fits(incoming: number): boolean;
  /** The room's current presence states, by Yjs client id. */
  awarenessStates(): ReadonlyMap<number, unknown>;
  /** The open sockets carrying `tag`. */
  sockets(tag: string): Iterable<Connection>;
}

const close = (code: number, reason: string): FrameVerdict => ({ kind: 'close', code, reason });
const TOO_LARGE = close(
  CloseCode.MessageTooLarge,
  `Frames are limited to ${ROOM_LIMITS.maxMessageBytes} bytes`,
);
const RATE_LIMITED = close(CloseCode.RateLimited, 'Too many messages');
const DOCUMENT_TOO_LARGE = close(
  CloseCode.DocumentTooLarge,
  `Documents are limited to ${ROOM_LIMITS.maxDocumentBytes} bytes`,
);
const VIEWER_EDIT: FrameVerdict = {
  kind: 'notice',
  message: { type: 'refused', reason: 'read-only', message: 'Viewers cannot edit this document' },
};

/**
 * The first look at every frame, in order: a session, an unexpired token, the frame size,
 * the socket's message rate (then, at most once a minute, the membership re-check), and by
 * y-protocol kind: a viewer's document updates are dropped, an edit that would take the
 * stored document past its limit closes the socket, and presence goes through the awareness
 * guard and its per-socket rate. Buckets and re-check times live in memory only: after a
 * wake-up every socket starts with a full bucket and is re-checked on its next frame.
 */
export class FrameGuard {
  readonly #room: GuardedRoom;
  readonly #buckets = new Map<string, TokenBucket>();
  readonly #recheck: SessionRecheck;
  readonly #presence = new AwarenessThrottle();

  constructor(room: GuardedRoom) {
    this.#room = room;
    this.#recheck = new SessionRecheck(room.lookup);
  }

  /** A socket was just admitted: its membership was checked by the Worker a moment ago. */
  opened(connectionId: string): void {
    this.#recheck.checkedNow(connectionId);
  }

  /** Relays `message` through `relay` (y-partyserver) when it passes; otherwise says what to do. */
  inspect(
    connection: Connection,
    message: WSMessage,
    relay: (message: WSMessage) => void,
  ): FrameVerdict | null {
    const session = sessionOf(connection);
    if (!session) return close(CloseCode.Forbidden, 'No session');
    if (tokenExpired(session)) return { kind: 'close', ...closeReason('token-expired') };
    const size = byteLength(message);
    if (size > ROOM_LIMITS.maxMessageBytes) return TOO_LARGE;
    if (!this.#bucket(connection.id).take()) return RATE_LIMITED;
    this.#recheck.maybe(connection, session);
    if (typeof message === 'string') {
      relay(message);
      return null;
    }
    const bytes = toBytes(message);
    const kind = peekKind(bytes);
    if (kind === 'invalid') return null;
    if (kind === 'awareness') {
      const states = this.#room.awarenessStates();
      const out = guardPresence(bytes, session, states, () => this.#room.sockets(userTag(session.userId)));
      if (out && 'notice' in out) return { kind: 'notice', message: out.notice };
      if (out) this.#presence.offer(connection.id, out.frame, relay);
      return null;
    }
    if (kind === 'doc-update') {
      // Sync step 2 is every client's routine reply on join; only explicit edits get a notice.
      if (!mayEdit(session)) return bytes[1] === SYNC_UPDATE ? VIEWER_EDIT : null;
      if (!this.#room.fits(size)) return DOCUMENT_TOO_LARGE;
    }
    relay(bytes);
    return null;
  }

  /** Drops a closed socket's state, including any presence frame it held back. */
  forget(connectionId: string): void {
    this.#buckets.delete(connectionId);
    this.#recheck.forget(connectionId);
    this.#presence.forget(connectionId);
  }

  #bucket(id: string): TokenBucket {
    let bucket = this.#buckets.get(id);
    if (!bucket) {
      bucket = new TokenBucket(ROOM_LIMITS.messagesPerSecond, ROOM_LIMITS.messageBurst);
      this.#buckets.set(id, bucket);
    }
    return bucket;
  }
}
