import { and, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import type { Role } from '../auth/policy.ts';
import { newId, randomSecret } from '../auth/secrets.ts';
import { sha256Hex } from '../lib/hash.ts';
import { invitations } from '../meta/auth.ts';

/** Invitations by one-time link: only the token's SHA-256 is stored; the token is shown once. */

const INVITATION_TTL_DAYS = 7;

export type InvitationRow = typeof invitations.$inferSelect;

export async function pendingInvitations(db: D1Database, orgId: string): Promise<InvitationRow[]> {
  return drizzle(db)
    .select()
    .from(invitations)
    .where(and(eq(invitations.organizationId, orgId), eq(invitations.status, 'pending')))
    .orderBy(invitations.createdAt, invitations.id)
    .all();
}

export async function createInvitation(
  db: D1Database,
  input: { orgId: string; email: string; role: Role; inviterId: string },
): Promise<{ invitation: InvitationRow; token: string }> {
  const token = randomSecret(32);
  const invitation = {
    id: newId(),
    organizationId: input.orgId,
    email: input.email,
    role: input.role,
    tokenHash: await sha256Hex(token),
    inviterId: input.inviterId,
    status: 'pending' as const,
    expiresAt: new Date(Date.now() + INVITATION_TTL_DAYS * 86_400_000),
    createdAt: new Date(),
  };
  await drizzle(db).insert(invitations).values(invitation);
  return { invitation, token };
}

/** Revokes a pending invitation of `orgId`; false when there is no such pending invitation. */
export async function revokeInvitation(
  db: D1Database,
  orgId: string,
  invitationId: string,
): Promise<boolean> {
  const result = await drizzle(db)
    .update(invitations)
    .set({ status: 'revoked' })
    .where(
      and(
        eq(invitations.id, invitationId),
        eq(invitations.organizationId, orgId),
        eq(invitations.status, 'pending'),
      ),
    )
    .run();
  return result.meta.changes > 0;
}

export async function invitationByToken(db: D1Database, token: string): Promise<InvitationRow | undefined> {
  return drizzle(db)
    .select()
    .from(invitations)
    .where(eq(invitations.tokenHash, await sha256Hex(token)))
    .get();
}

/** Marks a pending invitation accepted; false when another request claimed it first. */
export async function claimInvitation(db: D1Database, invitationId: string): Promise<boolean> {
  const claimed = await drizzle(db)
    .update(invitations)
    .set({ status: 'accepted' })
    .where(and(eq(invitations.id, invitationId), eq(invitations.status, 'pending')))
    .run();
  return claimed.meta.changes > 0;
}
