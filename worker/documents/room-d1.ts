/**
 * What a document room reads and writes in Atrium's metadata D1. The room is handed these
 * functions (durable-objects/ knows no Worker tables); this file imports no Worker module
 * that leads back to the room, so the two stay free of import circles.
 */
import { and, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import type { MembershipLookup } from '../../durable-objects/session-check.ts';
import { apiTokens, members } from '../meta/auth.ts';
import { documents } from '../meta/documents.ts';

/** The member's role and (for a token socket) the token, read together. */
export function roomMembership(db: D1Database): MembershipLookup {
  const d1 = drizzle(db);
  return async (session) => {
    const [member, token] = await Promise.all([
      d1
        .select({ role: members.role })
        .from(members)
        .where(and(eq(members.organizationId, session.orgId), eq(members.userId, session.userId)))
        .get(),
      session.tokenId
        ? d1
            .select({ revokedAt: apiTokens.revokedAt, expiresAt: apiTokens.expiresAt })
            .from(apiTokens)
            .where(eq(apiTokens.id, session.tokenId))
            .get()
        : undefined,
    ]);
    return {
      role: member?.role ?? null,
      token: token
        ? { revoked: token.revokedAt !== null, expiresAt: token.expiresAt?.getTime() ?? null }
        : null,
    };
  };
}

/** Mirrors a room's last save into the document row (`updated_at`, which orders the document list). */
export async function touchDocument(db: D1Database, documentId: string): Promise<void> {
  await drizzle(db).update(documents).set({ updatedAt: new Date() }).where(eq(documents.id, documentId));
}
