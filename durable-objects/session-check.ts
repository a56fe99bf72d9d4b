import type { Connection } from 'partyserver';
import { CloseCode, ROOM_ROLES, type RoomRole } from './protocol.ts';
import { type RoomSession, sessionOf } from './room-session.ts';

/** How often a live socket's membership (and token) is re-read, on its next message. */
const RECHECK_MS = 60_000;

/** Why a live socket must go (or `ok`). */
export type SessionVerdict = 'ok' | 'revoked' | 'role-changed' | 'token-revoked' | 'token-expired';

/** What the metadata database says now about the member and token that opened a socket. */
export interface Membership {
  /** The member's current role in the session's organization; null once they are not a member. */
  role: RoomRole | null;
  /** For a token socket: the token's row now (null when it is gone). Not read for a cookie socket. */
  token: { revoked: boolean; expiresAt: number | null } | null;
}

/**
 * Reads a socket's membership (worker/documents/room-d1.ts gives the D1 one). The room holds
 * a lookup instead of reading D1 itself, so this check knows nothing of the Worker's tables.
 */
export type MembershipLookup = (session: RoomSession) => Promise<Membership>;

/** Whether the socket's API token has passed its expiry (no read: the expiry is in the attachment). */
export const tokenExpired = (session: RoomSession, now = Date.now()): boolean =>
  session.tokenExpiresAt !== undefined && session.tokenExpiresAt <= now;

const rank = (role: RoomRole) => ROOM_ROLES.indexOf(role);

/**
 * Re-reads what admitted the socket: the membership and, for a token socket, the token.
 * Throws when the lookup fails (the caller keeps the socket and tries again later).
 */
export async function recheckSession(
  lookup: MembershipLookup,
  session: RoomSession,
): Promise<SessionVerdict> {
  if (tokenExpired(session)) return 'token-expired';
  const { role, token } = await lookup(session);
  if (role === null) return 'revoked';
  if (session.tokenId) {
    // A deleted row (its org or user went) counts as revoked.
    if (!token || token.revoked) return 'token-revoked';
    if (token.expiresAt !== null && token.expiresAt <= Date.now()) return 'token-expired';
  }
  // Tokens may hold less than the member role (their ceiling), so only a demotion matters.
  return rank(role) < rank(session.role) ? 'role-changed' : 'ok';
}

const CLOSE: Record<Exclude<SessionVerdict, 'ok'>, { code: CloseCode; reason: string }> = {
  revoked: { code: CloseCode.Forbidden, reason: 'Membership revoked' },
  'role-changed': { code: CloseCode.Rejoin, reason: 'Role changed; reconnect' },
  'token-revoked': { code: CloseCode.TokenInvalid, reason: 'API token revoked' },
  'token-expired': { code: CloseCode.TokenInvalid, reason: 'API token expired' },
};

/** The close code and reason that tell the client what happened. */
export const closeReason = (verdict: Exclude<SessionVerdict, 'ok'>) => CLOSE[verdict];

/** Closes `connection` with the code and reason that tell the client what happened. */
export function closeFor(connection: Connection, verdict: Exclude<SessionVerdict, 'ok'>): void {
  connection.close(CLOSE[verdict].code, CLOSE[verdict].reason);
}

/** Closes every socket in `connections` for `verdict`; returns how many. */
export function closeAll(connections: Iterable<Connection>, verdict: Exclude<SessionVerdict, 'ok'>): number {
  let closed = 0;
  for (const connection of connections) {
    closeFor(connection, verdict);
    closed++;
  }
  return closed;
}

/** Token sockets close at their token's expiry even when idle: an alarm, which survives hibernation. */
export async function alarmAtExpiry(storage: DurableObjectStorage, expiresAt: number): Promise<void> {
  const current = await storage.getAlarm();
  if (current === null || current > expiresAt) await storage.setAlarm(expiresAt);
}

/** Closes every socket in `connections` whose token expired; returns the next expiry still ahead, if any. */
export function closeExpiredTokens(connections: Iterable<Connection>, now = Date.now()): number | null {
  let next = Number.POSITIVE_INFINITY;
  for (const connection of connections) {
    const session = sessionOf(connection);
    if (session?.tokenExpiresAt === undefined) continue;
    if (tokenExpired(session, now)) closeFor(connection, 'token-expired');
    else next = Math.min(next, session.tokenExpiresAt);
  }
  return Number.isFinite(next) ? next : null;
}

/**
 * A cheap safety net behind the room's `disconnectUser` and `disconnectToken` RPCs: at most
 * one lookup per socket per minute (on its next frame) re-checks what admitted it. In memory
 * only: after a wake-up every socket is re-checked on its next frame.
 */
export class SessionRecheck {
  readonly #lookup: MembershipLookup;
  readonly #checkedAt = new Map<string, number>();

  constructor(lookup: MembershipLookup) {
    this.#lookup = lookup;
  }

  checkedNow(connectionId: string): void {
    this.#checkedAt.set(connectionId, Date.now());
  }

  forget(connectionId: string): void {
    this.#checkedAt.delete(connectionId);
  }

  maybe(connection: Connection, session: RoomSession): void {
    const now = Date.now();
    const last = this.#checkedAt.get(connection.id);
    if (last !== undefined && now - last < RECHECK_MS) return;
    this.#checkedAt.set(connection.id, now);
    recheckSession(this.#lookup, session)
      .then((verdict) => {
        if (verdict !== 'ok') closeFor(connection, verdict);
      })
      .catch(() => {
        // Lookup failed (D1 unavailable): keep the socket; the next minute's frame checks again.
        this.#checkedAt.delete(connection.id);
      });
  }
}
