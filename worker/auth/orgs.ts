import { and, asc, eq, type SQL, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import type { Env } from '../env.ts';
import { members, organizations } from '../meta/auth.ts';
import { forgetAuth } from './auth-cache.ts';
import type { Role } from './policy.ts';
import { newId } from './secrets.ts';

/** Membership lookups shared by the auth middleware, Better Auth hooks and the org routes. */

export async function createOrganization(
  env: Env,
  input: { name: string; ownerId: string; personal?: boolean },
): Promise<string> {
  const id = newId();
  const db = drizzle(env.DB);
  // One batch: D1 runs it as a single transaction, so an org never exists without its owner.
  await db.batch([
    db.insert(organizations).values({ id, name: input.name, personal: input.personal ?? false }),
    db.insert(members).values({ id: newId(), organizationId: id, userId: input.ownerId, role: 'owner' }),
  ]);
  forgetAuth();
  return id;
}

export async function memberRole(env: Env, orgId: string, userId: string): Promise<Role | null> {
  const row = await drizzle(env.DB)
    .select({ role: members.role })
    .from(members)
    .where(and(eq(members.organizationId, orgId), eq(members.userId, userId)))
    .get();
  return row?.role ?? null;
}

/** The org a new session starts in: the user's oldest membership (their personal org at first). */
export async function defaultOrgId(env: Env, userId: string): Promise<string | null> {
  const row = await drizzle(env.DB)
    .select({ orgId: members.organizationId })
    .from(members)
    .where(eq(members.userId, userId))
    .orderBy(asc(members.createdAt), asc(members.id))
    .get();
  return row?.orgId ?? null;
}

/**
 * The organization a session acts in, as SQL other statements of one batch can compare with:
 * its active one while the user is still a member there, else the user's oldest membership (a
 * new session, whose org is set by sign-up's hook, or one whose org was deleted or left).
 */
export function sessionOrg(userId: string, activeOrgId: string | null): SQL {
  const oldest = sql`(select ${members.organizationId} from ${members} where ${members.userId} = ${userId} order by ${members.createdAt}, ${members.id} limit 1)`;
  if (activeOrgId === null) return oldest;
  return sql`coalesce((select ${members.organizationId} from ${members} where ${members.organizationId} = ${activeOrgId} and ${members.userId} = ${userId}), ${oldest})`;
}
