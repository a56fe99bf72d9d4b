import type { Connection } from 'partyserver';
import { can } from '../worker/auth/policy.ts';
import { ROOM_ROLES, type RoomRole } from './protocol.ts';

/**
 * Who a socket belongs to. The Worker authenticates the upgrade and passes this to the
 * room in request headers (the room is reachable only through the Worker, which always
 * overwrites them); the room re-checks it and keeps it in the socket attachment, where it
 * survives hibernation.
 */
export interface RoomSession {
  userId: string;
  name: string;
  orgId: string;
  role: RoomRole;
  /** Set when the socket was opened with an API token: revoking the token closes the socket. */
  tokenId?: string;
  /** The token's expiry (epoch ms), when it has one: the socket closes then. */
  tokenExpiresAt?: number;
}

const HEADER = {
  userId: 'x-atrium-user-id',
  name: 'x-atrium-user-name',
  orgId: 'x-atrium-org-id',
  role: 'x-atrium-role',
  tokenId: 'x-atrium-token-id',
  tokenExpiresAt: 'x-atrium-token-expires-at',
} as const;

const ROLES: ReadonlySet<string> = new Set(ROOM_ROLES);

/** Sets the session headers on `headers`, replacing anything a client sent under those names. */
export function writeSessionHeaders(headers: Headers, session: RoomSession): void {
  headers.set(HEADER.userId, session.userId);
  // Header values must be ASCII; names are not.
  headers.set(HEADER.name, encodeURIComponent(session.name));
  headers.set(HEADER.orgId, session.orgId);
  headers.set(HEADER.role, session.role);
  headers.delete(HEADER.tokenId);
  headers.delete(HEADER.tokenExpiresAt);
  if (session.tokenId) headers.set(HEADER.tokenId, session.tokenId);
  if (session.tokenExpiresAt !== undefined)
    headers.set(HEADER.tokenExpiresAt, String(session.tokenExpiresAt));
}

export function readSessionHeaders(headers: Headers): RoomSession | null {
  const userId = headers.get(HEADER.userId);
  const orgId = headers.get(HEADER.orgId);
  const role = headers.get(HEADER.role);
  const rawName = headers.get(HEADER.name) ?? '';
  if (!userId || !orgId || !role || !ROLES.has(role)) return null;
  let name: string;
  try {
    name = decodeURIComponent(rawName);
  } catch {
    name = '';
  }
  const session: RoomSession = { userId, orgId, role: role as RoomRole, name };
  const tokenId = headers.get(HEADER.tokenId);
  if (tokenId) session.tokenId = tokenId;
  const expiresAt = Number(headers.get(HEADER.tokenExpiresAt) ?? Number.NaN);
  if (Number.isFinite(expiresAt)) session.tokenExpiresAt = expiresAt;
  return session;
}

/** The socket's session from its attachment, which survives hibernation (y-partyserver keeps its awareness ids beside it). */
export function sessionOf(connection: Connection): RoomSession | null {
  const state = connection.state as Partial<RoomSession> | null;
  return state?.userId && state.role && state.orgId ? (state as RoomSession) : null;
}

/** Connection tags (kept by the runtime across hibernation) that find a member's or a token's sockets. */
export const userTag = (userId: string) => `user:${userId}`;
export const tokenTag = (tokenId: string) => `token:${tokenId}`;

/** The tags a socket is found by: its member's, and its token's when it has one. */
export function connectionTags(session: RoomSession | null, connectionId: string): string[] {
  if (!session) return [connectionId];
  return session.tokenId ? [userTag(session.userId), tokenTag(session.tokenId)] : [userTag(session.userId)];
}

/** Whether the socket's member may change the document (and share runs): editors and up. */
export const mayEdit = (session: RoomSession | null): boolean =>
  !!session && can(session.role, 'document.write');
