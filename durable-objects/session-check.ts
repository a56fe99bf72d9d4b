import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import type { Connection } from 'partyserver';
import { memberRole } from '../worker/auth/orgs.ts';
import { roleRank } from '../worker/auth/policy.ts';
import type { Env } from '../worker/env.ts';
import { apiTokens } from '../worker/meta/auth.ts';
import { CloseCode } from './protocol.ts';
import type { RoomSession } from './room-session.ts';

/** How often a live socket's membership (and token) is re-read from D1, on its next message. */
const RECHECK_MS = 60_000;

/** Why a live socket must go (or `ok`). */
export type SessionVerdict = 'ok' | 'revoked' | 'role-changed' | 'token-revoked' | 'token-expired';

/** Whether the socket's API token has passed its expiry (no D1 read: the expiry is in the attachment). */
export const tokenExpired = (session: RoomSession, now = Date.now()): boolean =>
  session.tokenExpiresAt !== undefined && session.tokenExpiresAt <= now;

/**
 * Re-reads what admitted the socket: the membership and, for a token socket, the token.
 * Throws when D1 is unavailable (the caller keeps the socket and tries again later).
 */
export async function recheckSession(env: Env, session: RoomSession): Promise<SessionVerdict> {
  if (tokenExpired(session)) return 'token-expired';
  const [role, token] = await Promise.all([
    memberRole(env, session.orgId, session.userId),
    session.tokenId
      ? drizzle(env.DB)
          .select({ revokedAt: apiTokens.revokedAt, expiresAt: apiTokens.expiresAt })
          .from(apiTokens)
          .where(eq(apiTokens.id, session.tokenId))
          .get()
      : null,
  ]);
  if (role === null) return 'revoked';
  if (session.tokenId) {
    // A deleted row (its org or user went) counts as revoked.
    if (!token || token.revokedAt) return 'token-revoked';
    if (token.expiresAt && token.expiresAt.getTime() <= Date.now()) return 'token-expired';
  }
  // Tokens may hold less than the member role (their ceiling), so only a demotion matters.
  return roleRank(role) < roleRank(session.role) ? 'role-changed' : 'ok';
}

/** Closes `connection` with the code and reason that tell the client what happened. */
export function closeFor(connection: Connection, verdict: Exclude<SessionVerdict, 'ok'>): void {
  switch (verdict) {
    case 'revoked':
      connection.close(CloseCode.Forbidden, 'Membership revoked');
      return;
    case 'role-changed':
      connection.close(CloseCode.Rejoin, 'Role changed; reconnect');
      return;
    case 'token-revoked':
      connection.close(CloseCode.TokenInvalid, 'API token revoked');
      return;
    case 'token-expired':
      connection.close(CloseCode.TokenInvalid, 'API token expired');
      return;
  }
}

/**
 * A cheap safety net behind the room's `disconnectUser` and `disconnectToken` RPCs: at most
 * one D1 read per socket per minute (on its next frame) re-checks what admitted it. In memory
 * only: after a wake-up every socket is re-checked on its next frame.
 */
export class SessionRecheck {
  readonly #env: Env;
  readonly #checkedAt = new Map<string, number>();

  constructor(env: Env) {
    this.#env = env;
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
    recheckSession(this.#env, session)
      .then((verdict) => {
        if (verdict !== 'ok') closeFor(connection, verdict);
      })
      .catch(() => {
        // D1 unavailable: keep the socket; the next minute's frame checks again.
        this.#checkedAt.delete(connection.id);
      });
  }
}
