import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import type { DocumentRoom } from '../../durable-objects/document-room.ts';
import type { Env } from '../env.ts';
import { documents } from '../meta/documents.ts';

/**
 * The room of document `id` (one Durable Object per document, addressed by name). `locationHint`
 * matters only for the call that creates the object (documents/room-location.ts).
 */
export function roomOf(
  env: Env,
  id: string,
  locationHint?: DurableObjectLocationHint,
): DurableObjectStub<DocumentRoom> {
  return env.DOCUMENT_ROOM.get(env.DOCUMENT_ROOM.idFromName(id), locationHint ? { locationHint } : undefined);
}

/**
 * Disconnects `userId` from every document room of `orgId`: call it after removing a
 * member (`revoked`: 4403, no reconnect) or changing their role (`role-changed`: 4001,
 * the client rejoins with the new role). Rooms also re-check membership on their own,
 * at most once a minute per socket; this makes it immediate. Returns sockets closed.
 */
export async function disconnectUserFromOrgRooms(
  env: Env,
  orgId: string,
  userId: string,
  reason: 'revoked' | 'role-changed' = 'revoked',
): Promise<number> {
  const rows = await drizzle(env.DB)
    .select({ id: documents.id })
    .from(documents)
    .where(eq(documents.organizationId, orgId));
  const counts = await Promise.all(rows.map((row) => roomOf(env, row.id).disconnectUser(userId, reason)));
  return counts.reduce((sum, n) => sum + n, 0);
}

/**
 * Closes every socket opened with API token `tokenId` in the rooms of `orgId` (4401, no
 * reconnect): call after revoking the token. A token belongs to one organization, so only
 * its rooms can hold such sockets; rooms also re-check the token at most once a minute per
 * socket and close at its expiry on their own. Returns sockets closed.
 */
export async function disconnectTokenFromOrgRooms(env: Env, orgId: string, tokenId: string): Promise<number> {
  const rows = await drizzle(env.DB)
    .select({ id: documents.id })
    .from(documents)
    .where(eq(documents.organizationId, orgId));
  const counts = await Promise.all(rows.map((row) => roomOf(env, row.id).disconnectToken(tokenId)));
  return counts.reduce((sum, n) => sum + n, 0);
}

/** Rooms destroyed at once: each call is a subrequest, so an org with many documents is paced. */
const DESTROY_CONCURRENCY = 16;

/**
 * Wipes the room of every document of `orgId` (sockets closed with 4410, storage deleted).
 * Call before deleting the organization: its D1 rows cascade, but Durable Object storage
 * is outside D1 and would otherwise be orphaned. A failure throws before the org row goes,
 * so the delete can be retried (rooms already wiped stay wiped). Returns rooms destroyed.
 */
export async function destroyOrgRooms(env: Env, orgId: string): Promise<number> {
  const rows = await drizzle(env.DB)
    .select({ id: documents.id })
    .from(documents)
    .where(eq(documents.organizationId, orgId));
  for (let i = 0; i < rows.length; i += DESTROY_CONCURRENCY) {
    await Promise.all(rows.slice(i, i + DESTROY_CONCURRENCY).map((row) => roomOf(env, row.id).destroy()));
  }
  return rows.length;
}
