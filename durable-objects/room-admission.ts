import type { Connection } from 'partyserver';
import { can } from '../worker/auth/policy.ts';
import { CloseCode, ROOM_LIMITS, type ServerMessage } from './protocol.ts';
import { mayEdit, type RoomSession, readSessionHeaders } from './room-session.ts';
import { closeReason, tokenExpired } from './session-check.ts';

/** Storage key of the room's organization: set by `claimRoom`, checked on every upgrade. */
export const ORG_KEY = 'orgId';

/**
 * Marks the room as belonging to `orgId`; a room of another organization refuses. Returns
 * whether this was the first claim (the room is new).
 */
export async function claimRoom(storage: DurableObjectStorage, orgId: string): Promise<boolean> {
  const existing = await storage.get<string>(ORG_KEY);
  if (existing !== undefined && existing !== orgId) throw new Error('Room belongs to another organization');
  await storage.put(ORG_KEY, orgId);
  return existing === undefined;
}

/**
 * Whether the room answers an upgrade itself (and how) instead of accepting it: only
 * WebSocket upgrades the Worker authorized (session headers, `document.read`) for this
 * room's organization. `orgId` is the room's org marker; none means never created through
 * the API, or deleted (storage wiped).
 */
export function refuseUpgrade(
  request: Request,
  orgId: string | undefined,
  deleted: boolean,
): Response | null {
  if (request.headers.get('upgrade')?.toLowerCase() !== 'websocket') {
    return new Response('Not found', { status: 404 });
  }
  const session = readSessionHeaders(request.headers);
  if (!session || !can(session.role, 'document.read')) return new Response('Forbidden', { status: 403 });
  if (deleted || orgId === undefined) return new Response('Not found', { status: 404 });
  if (orgId !== session.orgId) return new Response('Forbidden', { status: 403 });
  return null;
}

/**
 * Closes a socket that just opened and may not stay (no session, an expired token, a full
 * room: `openSockets` counts it too); returns whether it did.
 */
export function closeRefused(
  connection: Connection,
  session: RoomSession | null,
  openSockets: number,
): boolean {
  const refusal = !session
    ? { code: CloseCode.Forbidden, reason: 'No session' }
    : tokenExpired(session)
      ? closeReason('token-expired')
      : openSockets > ROOM_LIMITS.maxConnections
        ? { code: CloseCode.RoomFull, reason: 'Room is full' }
        : null;
  if (refusal) connection.close(refusal.code, refusal.reason);
  return refusal !== null;
}

/** The first message on a socket: who the room thinks it is, what it may do, the limits. */
export function welcome(connectionId: string, session: RoomSession): ServerMessage {
  return {
    type: 'welcome',
    connectionId,
    user: { userId: session.userId, name: session.name },
    role: session.role,
    readOnly: !mayEdit(session),
    limits: ROOM_LIMITS,
  };
}
