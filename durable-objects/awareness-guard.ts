import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import { colorFor } from './member-color.ts';
import { ROOM_LIMITS, type ServerMessage } from './protocol.ts';
import type { RoomSession } from './room-session.ts';
import { TokenBucket } from './token-bucket.ts';

const MESSAGE_AWARENESS = 1;

/** The `user` field of a presence state, as y-codemirror.next and the web app read it. */
export interface PresenceIdentity {
  id: string;
  name: string;
  color: string;
  colorLight: string;
}

export function identityOf(session: RoomSession): PresenceIdentity {
  const color = colorFor(session.userId);
  return { id: session.userId, name: session.name, color, colorLight: `${color}33` };
}

/**
 * Re-encodes an awareness frame (y-protocols: tag, then clientID/clock/JSON state entries)
 * with the sender's identity from its session stamped over each state's `user`, so a member
 * is shown with the name and colour the server knows, whatever the client claimed. Entries
 * for client ids the sender may not control (another socket's cursor) are dropped, as are
 * states that are not objects. Returns null when nothing is left to relay; throws on a
 * malformed frame.
 */
export function rewriteAwareness(
  frame: Uint8Array,
  identity: PresenceIdentity,
  mayControl: (clientId: number) => boolean,
): Uint8Array | null {
  const outer = decoding.createDecoder(frame);
  if (decoding.readVarUint(outer) !== MESSAGE_AWARENESS) throw new Error('not an awareness frame');
  const decoder = decoding.createDecoder(decoding.readVarUint8Array(outer));
  const count = decoding.readVarUint(decoder);
  const kept: Array<{ clientId: number; clock: number; state: string }> = [];
  for (let i = 0; i < count; i++) {
    const clientId = decoding.readVarUint(decoder);
    const clock = decoding.readVarUint(decoder);
    const state: unknown = JSON.parse(decoding.readVarString(decoder));
    if (!mayControl(clientId)) continue;
    // null is y-protocols' "this client left": nothing to stamp.
    if (state === null) kept.push({ clientId, clock, state: 'null' });
    else if (typeof state === 'object' && !Array.isArray(state)) {
      kept.push({ clientId, clock, state: JSON.stringify({ ...state, user: identity }) });
    }
  }
  if (kept.length === 0) return null;
  const update = encoding.createEncoder();
  encoding.writeVarUint(update, kept.length);
  for (const entry of kept) {
    encoding.writeVarUint(update, entry.clientId);
    encoding.writeVarUint(update, entry.clock);
    encoding.writeVarString(update, entry.state);
  }
  const out = encoding.createEncoder();
  encoding.writeVarUint(out, MESSAGE_AWARENESS);
  encoding.writeVarUint8Array(out, encoding.toUint8Array(update));
  return encoding.toUint8Array(out);
}

interface Lane {
  bucket: TokenBucket;
  /** The newest frame held back by the rate, and how to relay it. */
  held: { frame: Uint8Array; relay: (frame: Uint8Array) => void } | null;
  timer: ReturnType<typeof setTimeout> | null;
}

/**
 * Per-socket awareness rate: `awarenessBurst` frames at once, then `awarenessPerSecond`.
 * Frames over the rate are coalesced, not queued: an awareness state replaces the previous
 * one of the same client, so only the newest held frame is relayed when the rate allows,
 * and the room's last view of each cursor is still current. In memory only: a pending timer
 * keeps the object awake, and after a wake-up every socket starts with a full bucket.
 */
export class AwarenessThrottle {
  readonly #lanes = new Map<string, Lane>();

  /** Relays `frame` now, or holds it (replacing any held frame) until the rate allows. */
  offer(connectionId: string, frame: Uint8Array, relay: (frame: Uint8Array) => void): 'relayed' | 'held' {
    const lane = this.#lane(connectionId);
    if (!lane.held && lane.bucket.take()) {
      relay(frame);
      return 'relayed';
    }
    lane.held = { frame, relay };
    this.#schedule(connectionId, lane);
    return 'held';
  }

  /** Drops a closed socket's lane and any frame it held (relaying it would resurrect a cursor). */
  forget(connectionId: string): void {
    const lane = this.#lanes.get(connectionId);
    if (lane?.timer) clearTimeout(lane.timer);
    this.#lanes.delete(connectionId);
  }

  #lane(connectionId: string): Lane {
    let lane = this.#lanes.get(connectionId);
    if (!lane) {
      lane = {
        bucket: new TokenBucket(ROOM_LIMITS.awarenessPerSecond, ROOM_LIMITS.awarenessBurst),
        held: null,
        timer: null,
      };
      this.#lanes.set(connectionId, lane);
    }
    return lane;
  }

  #schedule(connectionId: string, lane: Lane): void {
    if (lane.timer) return;
    lane.timer = setTimeout(
      () => {
        lane.timer = null;
        if (this.#lanes.get(connectionId) !== lane || !lane.held) return;
        if (!lane.bucket.take()) {
          this.#schedule(connectionId, lane);
          return;
        }
        const { frame, relay } = lane.held;
        lane.held = null;
        relay(frame);
      },
      Math.ceil(1000 / ROOM_LIMITS.awarenessPerSecond),
    );
  }
}

/**
 * Whether a socket may speak for presence client `clientId`: a free id, or one held by a
 * socket of the same member (`memberSockets`, the sender included: a reconnect reuses its id).
 */
export function mayControl(
  states: ReadonlyMap<number, unknown>,
  memberSockets: Iterable<{ state: unknown }>,
  clientId: number,
): boolean {
  if (!states.has(clientId)) return true;
  for (const socket of memberSockets) {
    const ids = (socket.state as { __ypsAwarenessIds?: number[] } | null)?.__ypsAwarenessIds;
    if (ids?.includes(clientId)) return true;
  }
  return false;
}

/**
 * Presence from `session`'s socket: capped, stamped with the sender's real name and colour,
 * and kept to the client ids the sender may control (`memberSockets`: the member's sockets).
 * Returns the frame to relay, a notice for the sender (the socket stays open), or null to
 * drop it (malformed, or nothing left).
 */
export function guardPresence(
  bytes: Uint8Array,
  session: RoomSession,
  states: ReadonlyMap<number, unknown>,
  memberSockets: () => Iterable<{ state: unknown }>,
): { frame: Uint8Array } | { notice: ServerMessage } | null {
  if (bytes.byteLength > ROOM_LIMITS.maxAwarenessBytes) {
    const message = `Presence frames are limited to ${ROOM_LIMITS.maxAwarenessBytes} bytes`;
    return { notice: { type: 'refused', reason: 'too-large', message } };
  }
  try {
    const sockets = [...memberSockets()];
    const frame = rewriteAwareness(bytes, identityOf(session), (id) => mayControl(states, sockets, id));
    return frame ? { frame } : null;
  } catch {
    return null; // Malformed: y-partyserver would only log it; nobody else must see it.
  }
}
