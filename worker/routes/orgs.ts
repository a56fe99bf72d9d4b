import { createRoute, z } from '@hono/zod-openapi';
import { and, eq, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { recordAudit } from '../audit/record.ts';
import type { AuthContext } from '../auth/context.ts';
import { authorizeInOrg } from '../auth/org-access.ts';
import { createOrganization, memberRole } from '../auth/orgs.ts';
import { authorize } from '../auth/policy.ts';
import { EmailSchema, IdParam, OkSchema, OrgSchema, RoleSchema } from '../auth/schemas.ts';
import { newId, randomSecret, sha256Hex } from '../auth/secrets.ts';
import { destroyOrgRooms, disconnectUserFromOrgRooms } from '../documents/rooms.ts';
import { ApiError, conflict, forbidden, notFound, unauthorized } from '../errors.ts';
import { invitations, members, organizations, sessions, users } from '../meta/auth.ts';
import { createRouter, errorResponses, jsonContent } from '../openapi.ts';

/** Organizations, their members and invitations. Every rule comes from worker/auth/policy.ts. */

const INVITATION_TTL_DAYS = 7;
const security = [{ bearer: [] }];
const tags = ['organizations'];
const OrgParams = z.object({ orgId: IdParam('orgId') });
const MemberParams = z.object({ orgId: IdParam('orgId'), userId: IdParam('userId') });
const InvitationParams = z.object({ orgId: IdParam('orgId'), invitationId: IdParam('invitationId') });
const NameBody = z.strictObject({ name: z.string().trim().min(1).max(100) }).openapi('OrgName');
const jsonBody = <T>(schema: T) => ({ required: true, content: { 'application/json': { schema } } });

const MemberSchema = z
  .object({
    userId: z.string(),
    email: z.string(),
    name: z.string(),
    role: RoleSchema,
    joinedAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Member');

const InvitationSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    role: RoleSchema,
    status: z.enum(['pending', 'accepted', 'revoked']),
    expiresAt: z.string().openapi({ format: 'date-time' }),
    createdAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('Invitation');

const CreatedInvitationSchema = z
  .object({
    invitation: InvitationSchema,
    token: z.string().openapi({ description: 'One-time secret, shown only in this response' }),
    url: z.string().openapi({ description: 'The link to hand to the invitee: `<origin>/invite/<token>`' }),
  })
  .openapi('CreatedInvitation');

const ActiveOrgSchema = z
  .object({ activeOrg: z.object({ id: z.string(), name: z.string(), role: RoleSchema }) })
  .openapi('ActiveOrg');

const iso = (d: Date) => d.toISOString();

function sessionOnly(auth: AuthContext | undefined): AuthContext & { sessionId: string } {
  if (!auth) throw unauthorized();
  if (auth.via !== 'session' || !auth.sessionId) {
    throw forbidden('API tokens are scoped to one organization; sign in to do this');
  }
  return auth as AuthContext & { sessionId: string };
}

async function loadOrg(env: { DB: D1Database }, orgId: string) {
  const org = await drizzle(env.DB).select().from(organizations).where(eq(organizations.id, orgId)).get();
  if (!org) throw notFound('Organization');
  return org;
}

async function loadMember(env: { DB: D1Database }, orgId: string, userId: string) {
  const row = await drizzle(env.DB)
    .select({ id: members.id, role: members.role })
    .from(members)
    .where(and(eq(members.organizationId, orgId), eq(members.userId, userId)))
    .get();
  if (!row) throw notFound('Member');
  return row;
}

/** Owners left besides `userId`; guards "the last owner cannot be demoted or leave". */
async function otherOwners(env: { DB: D1Database }, orgId: string, userId: string): Promise<number> {
  const row = await drizzle(env.DB)
    .select({ n: sql<number>`count(*)` })
    .from(members)
    .where(
      and(eq(members.organizationId, orgId), eq(members.role, 'owner'), sql`${members.userId} <> ${userId}`),
    )
    .get();
  return row?.n ?? 0;
}

const listOrgs = createRoute({
  method: 'get',
  path: '/api/orgs',
  tags,
  security,
  summary: 'Organizations the caller belongs to (a token: only its own)',
  responses: { 200: jsonContent(z.object({ orgs: z.array(OrgSchema) }), 'Organizations'), ...errorResponses },
});

const createOrg = createRoute({
  method: 'post',
  path: '/api/orgs',
  tags,
  security,
  summary: 'Create an organization; the caller becomes its owner (sessions only)',
  request: { body: jsonBody(NameBody) },
  responses: { 201: jsonContent(OrgSchema, 'Created'), ...errorResponses },
});

const renameOrg = createRoute({
  method: 'patch',
  path: '/api/orgs/{orgId}',
  tags,
  security,
  summary: 'Rename an organization (admin)',
  request: { params: OrgParams, body: jsonBody(NameBody) },
  responses: { 200: jsonContent(OrgSchema, 'Renamed'), ...errorResponses },
});

const deleteOrg = createRoute({
  method: 'delete',
  path: '/api/orgs/{orgId}',
  tags,
  security,
  summary: 'Delete an organization and everything in it (owner)',
  request: { params: OrgParams },
  responses: { 200: jsonContent(OkSchema, 'Deleted'), ...errorResponses },
});

const activateOrg = createRoute({
  method: 'post',
  path: '/api/orgs/{orgId}/activate',
  tags,
  security,
  summary: "Switch the session's active organization (sessions only)",
  request: { params: OrgParams },
  responses: { 200: jsonContent(ActiveOrgSchema, 'Now active'), ...errorResponses },
});

const listMembers = createRoute({
  method: 'get',
  path: '/api/orgs/{orgId}/members',
  tags,
  security,
  summary: 'Members and their roles',
  request: { params: OrgParams },
  responses: { 200: jsonContent(z.object({ members: z.array(MemberSchema) }), 'Members'), ...errorResponses },
});

const changeRole = createRoute({
  method: 'patch',
  path: '/api/orgs/{orgId}/members/{userId}',
  tags,
  security,
  summary: "Change a member's role (admin; owners only by an owner)",
  request: {
    params: MemberParams,
    body: jsonBody(z.strictObject({ role: RoleSchema }).openapi('RoleChange')),
  },
  responses: {
    200: jsonContent(MemberSchema, 'Updated'),
    409: jsonContent(z.unknown(), 'Would leave the organization without an owner'),
    ...errorResponses,
  },
});

const removeMember = createRoute({
  method: 'delete',
  path: '/api/orgs/{orgId}/members/{userId}',
  tags,
  security,
  summary: 'Remove a member (admin), or leave (your own user id); the last owner cannot leave',
  request: { params: MemberParams },
  responses: {
    200: jsonContent(OkSchema, 'Removed'),
    409: jsonContent(z.unknown(), 'Would leave the organization without an owner'),
    ...errorResponses,
  },
});

const listInvitations = createRoute({
  method: 'get',
  path: '/api/orgs/{orgId}/invitations',
  tags,
  security,
  summary: 'Pending invitations (admin)',
  request: { params: OrgParams },
  responses: {
    200: jsonContent(z.object({ invitations: z.array(InvitationSchema) }), 'Invitations'),
    ...errorResponses,
  },
});

const createInvitation = createRoute({
  method: 'post',
  path: '/api/orgs/{orgId}/invitations',
  tags,
  security,
  summary: 'Invite someone by email; returns a one-time link (no mail is sent)',
  request: {
    params: OrgParams,
    body: jsonBody(z.strictObject({ email: EmailSchema, role: RoleSchema }).openapi('NewInvitation')),
  },
  responses: { 201: jsonContent(CreatedInvitationSchema, 'Created'), ...errorResponses },
});

const revokeInvitation = createRoute({
  method: 'delete',
  path: '/api/orgs/{orgId}/invitations/{invitationId}',
  tags,
  security,
  summary: 'Revoke a pending invitation (admin)',
  request: { params: InvitationParams },
  responses: { 200: jsonContent(OkSchema, 'Revoked'), ...errorResponses },
});

const acceptInvitation = createRoute({
  method: 'post',
  path: '/api/invitations/accept',
  tags,
  security,
  summary: 'Accept an invitation as the signed-in user it was sent to; makes that org active',
  request: {
    body: jsonBody(z.strictObject({ token: z.string().min(1).max(200) }).openapi('AcceptInvitation')),
  },
  responses: { 200: jsonContent(ActiveOrgSchema, 'Joined'), ...errorResponses },
});

export const orgs = createRouter()
  .openapi(listOrgs, async (c) => {
    const auth = c.get('auth');
    if (!auth) throw unauthorized();
    const rows = await drizzle(c.env.DB)
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
    const visible = rows.filter((org) => auth.via === 'session' || org.id === auth.orgId);
    return c.json(
      {
        orgs: visible.map((org) => ({
          ...org,
          role: auth.via === 'token' && auth.role ? auth.role : org.role,
          createdAt: iso(org.createdAt),
        })),
      },
      200,
    );
  })
  .openapi(createOrg, async (c) => {
    const auth = sessionOnly(c.get('auth'));
    const { name } = c.req.valid('json');
    const id = await createOrganization(c.env, { name, ownerId: auth.userId });
    const org = await loadOrg(c.env, id);
    await recordAudit(c.env, {
      auth,
      orgId: id,
      action: 'org.create',
      target: `org:${id}`,
      outcome: 'success',
    });
    return c.json({ ...org, role: 'owner' as const, createdAt: iso(org.createdAt) }, 201);
  })
  .openapi(renameOrg, async (c) => {
    const { orgId } = c.req.valid('param');
    const auth = await authorizeInOrg(c.env, c.get('auth'), orgId, 'org.update');
    const { name } = c.req.valid('json');
    await drizzle(c.env.DB).update(organizations).set({ name }).where(eq(organizations.id, orgId));
    const org = await loadOrg(c.env, orgId);
    await recordAudit(c.env, {
      auth,
      action: 'org.update',
      target: `org:${orgId}`,
      outcome: 'success',
      detail: { name },
    });
    return c.json({ ...org, role: auth.role, createdAt: iso(org.createdAt) }, 200);
  })
  .openapi(deleteOrg, async (c) => {
    const { orgId } = c.req.valid('param');
    const auth = await authorizeInOrg(c.env, c.get('auth'), orgId, 'org.delete');
    // Document rooms keep their content in Durable Object storage, which no cascade reaches.
    await destroyOrgRooms(c.env, orgId);
    // Members, invitations and tokens go with it (ON DELETE CASCADE); sessions that had it active act in no org.
    await drizzle(c.env.DB).delete(organizations).where(eq(organizations.id, orgId));
    await recordAudit(c.env, { auth, action: 'org.delete', target: `org:${orgId}`, outcome: 'success' });
    return c.json({ ok: true as const }, 200);
  })
  .openapi(activateOrg, async (c) => {
    const { orgId } = c.req.valid('param');
    const auth = sessionOnly(c.get('auth'));
    const role = await memberRole(c.env, orgId, auth.userId);
    if (!role) throw notFound('Organization');
    const org = await loadOrg(c.env, orgId);
    await drizzle(c.env.DB)
      .update(sessions)
      .set({ activeOrganizationId: orgId })
      .where(and(eq(sessions.id, auth.sessionId), eq(sessions.userId, auth.userId)));
    return c.json({ activeOrg: { id: org.id, name: org.name, role } }, 200);
  })
  .openapi(listMembers, async (c) => {
    const { orgId } = c.req.valid('param');
    await authorizeInOrg(c.env, c.get('auth'), orgId, 'member.read');
    const rows = await drizzle(c.env.DB)
      .select({
        userId: members.userId,
        email: users.email,
        name: users.name,
        role: members.role,
        joinedAt: members.createdAt,
      })
      .from(members)
      .innerJoin(users, eq(users.id, members.userId))
      .where(eq(members.organizationId, orgId))
      .orderBy(members.createdAt, members.id)
      .all();
    return c.json({ members: rows.map((m) => ({ ...m, joinedAt: iso(m.joinedAt) })) }, 200);
  })
  .openapi(changeRole, async (c) => {
    const { orgId, userId } = c.req.valid('param');
    const { role } = c.req.valid('json');
    const auth = await authorizeInOrg(c.env, c.get('auth'), orgId, 'member.manage');
    const target = await loadMember(c.env, orgId, userId);
    if (target.role === 'owner' || role === 'owner') authorize(auth, 'owner.manage');
    if (target.role === 'owner' && role !== 'owner' && (await otherOwners(c.env, orgId, userId)) === 0) {
      throw conflict('last_owner', 'An organization needs at least one owner');
    }
    await drizzle(c.env.DB).update(members).set({ role }).where(eq(members.id, target.id));
    await recordAudit(c.env, {
      auth,
      action: 'member.role_change',
      target: `user:${userId}`,
      outcome: 'success',
      detail: { from: target.role, to: role },
    });
    // Open document sockets carry the old role; make them reconnect under the new one.
    await disconnectUserFromOrgRooms(c.env, orgId, userId, 'role-changed');
    const row = await drizzle(c.env.DB)
      .select({
        userId: members.userId,
        email: users.email,
        name: users.name,
        role: members.role,
        joinedAt: members.createdAt,
      })
      .from(members)
      .innerJoin(users, eq(users.id, members.userId))
      .where(eq(members.id, target.id))
      .get();
    if (!row) throw notFound('Member');
    return c.json({ ...row, joinedAt: iso(row.joinedAt) }, 200);
  })
  .openapi(removeMember, async (c) => {
    const { orgId, userId } = c.req.valid('param');
    const caller = c.get('auth');
    const leaving = caller?.userId === userId;
    const auth = await authorizeInOrg(c.env, caller, orgId, leaving ? 'member.read' : 'member.manage');
    const target = await loadMember(c.env, orgId, userId);
    if (target.role === 'owner') {
      if (!leaving) authorize(auth, 'owner.manage');
      if ((await otherOwners(c.env, orgId, userId)) === 0) {
        throw conflict(
          'last_owner',
          'The last owner cannot leave; delete the organization or make someone else owner',
        );
      }
    }
    await drizzle(c.env.DB).delete(members).where(eq(members.id, target.id));
    await recordAudit(c.env, {
      auth,
      action: leaving ? 'member.leave' : 'member.remove',
      target: `user:${userId}`,
      outcome: 'success',
      detail: { role: target.role },
    });
    // A removed member must not keep editing through a socket opened before.
    await disconnectUserFromOrgRooms(c.env, orgId, userId, 'revoked');
    return c.json({ ok: true as const }, 200);
  })
  .openapi(listInvitations, async (c) => {
    const { orgId } = c.req.valid('param');
    await authorizeInOrg(c.env, c.get('auth'), orgId, 'invitation.manage');
    const rows = await drizzle(c.env.DB)
      .select()
      .from(invitations)
      .where(and(eq(invitations.organizationId, orgId), eq(invitations.status, 'pending')))
      .orderBy(invitations.createdAt, invitations.id)
      .all();
    return c.json({ invitations: rows.map(publicInvitation) }, 200);
  })
  .openapi(createInvitation, async (c) => {
    const { orgId } = c.req.valid('param');
    const { email, role } = c.req.valid('json');
    const auth = await authorizeInOrg(c.env, c.get('auth'), orgId, 'invitation.manage');
    if (role === 'owner') authorize(auth, 'owner.manage');
    const token = randomSecret(32);
    const row = {
      id: newId(),
      organizationId: orgId,
      email,
      role,
      tokenHash: await sha256Hex(token),
      inviterId: auth.userId,
      status: 'pending' as const,
      expiresAt: new Date(Date.now() + INVITATION_TTL_DAYS * 86_400_000),
      createdAt: new Date(),
    };
    await drizzle(c.env.DB).insert(invitations).values(row);
    await recordAudit(c.env, {
      auth,
      action: 'invitation.create',
      target: `invitation:${row.id}`,
      outcome: 'success',
      detail: { email, role },
    });
    const url = `${new URL(c.req.url).origin}/invite/${token}`;
    return c.json({ invitation: publicInvitation(row), token, url }, 201);
  })
  .openapi(revokeInvitation, async (c) => {
    const { orgId, invitationId } = c.req.valid('param');
    const auth = await authorizeInOrg(c.env, c.get('auth'), orgId, 'invitation.manage');
    const result = await drizzle(c.env.DB)
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
    if (!result.meta.changes) throw notFound('Invitation');
    await recordAudit(c.env, {
      auth,
      action: 'invitation.revoke',
      target: `invitation:${invitationId}`,
      outcome: 'success',
    });
    return c.json({ ok: true as const }, 200);
  })
  .openapi(acceptInvitation, async (c) => {
    const auth = sessionOnly(c.get('auth'));
    const { token } = c.req.valid('json');
    const db = drizzle(c.env.DB);
    const invitation = await db
      .select()
      .from(invitations)
      .where(eq(invitations.tokenHash, await sha256Hex(token)))
      .get();
    if (invitation?.status !== 'pending' || invitation.expiresAt.getTime() <= Date.now()) {
      throw new ApiError(
        404,
        'invitation_invalid',
        'This invitation link is invalid, used, revoked or expired',
      );
    }
    if (invitation.email !== auth.email.toLowerCase()) {
      throw forbidden(`This invitation was sent to another email address; sign in as that account`);
    }
    // Claim first, so a link raced from two tabs joins once.
    const claimed = await db
      .update(invitations)
      .set({ status: 'accepted' })
      .where(and(eq(invitations.id, invitation.id), eq(invitations.status, 'pending')))
      .run();
    if (!claimed.meta.changes)
      throw new ApiError(404, 'invitation_invalid', 'This invitation was already used');
    const existing = await memberRole(c.env, invitation.organizationId, auth.userId);
    const role = existing ?? invitation.role;
    if (!existing) {
      await db
        .insert(members)
        .values({ id: newId(), organizationId: invitation.organizationId, userId: auth.userId, role });
    }
    await db
      .update(sessions)
      .set({ activeOrganizationId: invitation.organizationId })
      .where(eq(sessions.id, auth.sessionId));
    const org = await loadOrg(c.env, invitation.organizationId);
    await recordAudit(c.env, {
      auth,
      orgId: org.id,
      action: 'invitation.accept',
      target: `invitation:${invitation.id}`,
      outcome: 'success',
      detail: { role },
    });
    return c.json({ activeOrg: { id: org.id, name: org.name, role } }, 200);
  });

function publicInvitation(row: typeof invitations.$inferSelect) {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    status: row.status,
    expiresAt: iso(row.expiresAt),
    createdAt: iso(row.createdAt),
  };
}
