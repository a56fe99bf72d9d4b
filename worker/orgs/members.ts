import { and, eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { forgetAuth } from '../auth/auth-cache.ts';
import type { Role } from '../auth/policy.ts';
import { newId } from '../auth/secrets.ts';
import { notFound } from '../errors.ts';
import { members, users } from '../meta/auth.ts';

/** Memberships of an organization: who is in it, with which role. */

const memberView = {
  userId: members.userId,
  email: users.email,
  name: users.name,
  role: members.role,
  joinedAt: members.createdAt,
};

export async function listMembers(db: D1Database, orgId: string) {
  return drizzle(db)
    .select(memberView)
    .from(members)
    .innerJoin(users, eq(users.id, members.userId))
    .where(eq(members.organizationId, orgId))
    .orderBy(members.createdAt, members.id)
    .all();
}

/** One membership as the API shows it, by membership id; 404 when gone. */
export async function memberById(db: D1Database, memberId: string) {
  const row = await drizzle(db)
    .select(memberView)
    .from(members)
    .innerJoin(users, eq(users.id, members.userId))
    .where(eq(members.id, memberId))
    .get();
  if (!row) throw notFound('Member');
  return row;
}

/** The membership of `userId` in `orgId`; 404 when there is none. */
export async function loadMember(db: D1Database, orgId: string, userId: string) {
  const row = await drizzle(db)
    .select({ id: members.id, role: members.role })
    .from(members)
    .where(and(eq(members.organizationId, orgId), eq(members.userId, userId)))
    .get();
  if (!row) throw notFound('Member');
  return row;
}

/** Owners left besides `userId`; guards "the last owner cannot be demoted or leave". */
export async function otherOwners(db: D1Database, orgId: string, userId: string): Promise<number> {
  const row = await drizzle(db)
    .select({ n: sql<number>`count(*)` })
    .from(members)
    .where(
      and(eq(members.organizationId, orgId), eq(members.role, 'owner'), sql`${members.userId} <> ${userId}`),
    )
    .get();
  return row?.n ?? 0;
}

export async function setMemberRole(db: D1Database, memberId: string, role: Role): Promise<void> {
  await drizzle(db).update(members).set({ role }).where(eq(members.id, memberId));
  forgetAuth();
}

export async function removeMember(db: D1Database, memberId: string): Promise<void> {
  await drizzle(db).delete(members).where(eq(members.id, memberId));
  forgetAuth();
}

export async function addMember(db: D1Database, orgId: string, userId: string, role: Role): Promise<void> {
  await drizzle(db).insert(members).values({ id: newId(), organizationId: orgId, userId, role });
  forgetAuth();
}
