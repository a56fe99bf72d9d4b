import { and, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { forgetAuth } from '../auth/auth-cache.ts';
import type { AuthContext } from '../auth/context.ts';
import { notFound } from '../errors.ts';
import { members, organizations, sessions } from '../meta/auth.ts';

/** Organizations: lookups and changes behind the org routes and `/api/me`. */

export type Organization = typeof organizations.$inferSelect;

export async function loadOrg(db: D1Database, orgId: string): Promise<Organization> {
  const org = await drizzle(db).select().from(organizations).where(eq(organizations.id, orgId)).get();
  if (!org) throw notFound('Organization');
  return org;
}

/**
 * The organizations the caller belongs to, oldest first, each with the caller's member
 * role. A token sees only the org it is scoped to.
 */
export async function orgsVisibleTo(db: D1Database, auth: AuthContext) {
  const rows = await drizzle(db)
    .select({
      id: organizations.id,
      name: organizations.name,
      personal: organizations.personal,
      role: members.role,
      createdAt: organizations.createdAt,
    })
    .from(members)
    .innerJoin(organizations, eq(organizations.id, members.organizationId))
    .where(eq(members.userId, auth.userId))
    .orderBy(organizations.createdAt, organizations.id)
    .all();
  return rows.filter((org) => auth.via === 'session' || org.id === auth.orgId);
}

export async function renameOrg(db: D1Database, orgId: string, name: string): Promise<void> {
  await drizzle(db).update(organizations).set({ name }).where(eq(organizations.id, orgId));
}

/**
 * Members, invitations and tokens go with it (ON DELETE CASCADE); sessions that had it
 * active act in no org. Document rooms are not reached by any cascade: destroy them first.
 */
export async function deleteOrg(db: D1Database, orgId: string): Promise<void> {
  await drizzle(db).delete(organizations).where(eq(organizations.id, orgId));
  forgetAuth();
}

/** Makes `orgId` the organization a cookie session acts in. */
export async function activateOrg(
  db: D1Database,
  session: { sessionId: string; userId: string },
  orgId: string,
): Promise<void> {
  await drizzle(db)
    .update(sessions)
    .set({ activeOrganizationId: orgId })
    .where(and(eq(sessions.id, session.sessionId), eq(sessions.userId, session.userId)));
  forgetAuth();
}
