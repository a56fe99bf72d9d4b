import { createRoute, z } from '@hono/zod-openapi';
import { recordAudit } from '../audit/record.ts';
import { authorizeInOrg } from '../auth/org-access.ts';
import { authorize } from '../auth/policy.ts';
import { OkSchema, RoleSchema } from '../auth/schemas.ts';
import { disconnectUserFromOrgRooms } from '../documents/rooms.ts';
import { conflict } from '../errors.ts';
import { createRouter, errorResponses, jsonContent } from '../openapi.ts';
import {
  listMembers,
  loadMember,
  memberById,
  otherOwners,
  removeMember,
  setMemberRole,
} from '../orgs/members.ts';
import {
  jsonBody,
  LastOwnerConflict,
  MemberParams,
  MemberSchema,
  OrgParams,
  security,
  tags,
} from './orgs-schemas.ts';

/** Members of an organization and their roles. Every rule comes from worker/auth/policy.ts. */

const iso = (d: Date) => d.toISOString();

export const members = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/orgs/{orgId}/members',
      tags,
      security,
      summary: 'Members and their roles',
      request: { params: OrgParams },
      responses: {
        200: jsonContent(z.object({ members: z.array(MemberSchema) }), 'Members'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const { orgId } = c.req.valid('param');
      await authorizeInOrg(c.env, c.get('auth'), orgId, 'member.read');
      const rows = await listMembers(c.env.DB, orgId);
      return c.json({ members: rows.map((m) => ({ ...m, joinedAt: iso(m.joinedAt) })) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'patch',
      path: '/api/orgs/{orgId}/members/{userId}',
      tags,
      security,
      summary: "Change a member's role (admin; owners only by an owner)",
      request: {
        params: MemberParams,
        body: jsonBody(z.strictObject({ role: RoleSchema }).openapi('RoleChange')),
      },
      responses: { 200: jsonContent(MemberSchema, 'Updated'), 409: LastOwnerConflict, ...errorResponses },
    }),
    async (c) => {
      const { orgId, userId } = c.req.valid('param');
      const { role } = c.req.valid('json');
      const auth = await authorizeInOrg(c.env, c.get('auth'), orgId, 'member.manage');
      const db = c.env.DB;
      const target = await loadMember(db, orgId, userId);
      if (target.role === 'owner' || role === 'owner') authorize(auth, 'owner.manage');
      if (target.role === 'owner' && role !== 'owner' && (await otherOwners(db, orgId, userId)) === 0) {
        throw conflict('last_owner', 'An organization needs at least one owner');
      }
      await setMemberRole(db, target.id, role);
      await recordAudit(c.env, {
        auth,
        action: 'member.role_change',
        target: `user:${userId}`,
        outcome: 'success',
        detail: { from: target.role, to: role },
      });
      // Open document sockets carry the old role; make them reconnect under the new one.
      await disconnectUserFromOrgRooms(c.env, orgId, userId, 'role-changed');
      const row = await memberById(db, target.id);
      return c.json({ ...row, joinedAt: iso(row.joinedAt) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/api/orgs/{orgId}/members/{userId}',
      tags,
      security,
      summary: 'Remove a member (admin), or leave (your own user id); the last owner cannot leave',
      request: { params: MemberParams },
      responses: { 200: jsonContent(OkSchema, 'Removed'), 409: LastOwnerConflict, ...errorResponses },
    }),
    async (c) => {
      const { orgId, userId } = c.req.valid('param');
      const caller = c.get('auth');
      const leaving = caller?.userId === userId;
      const auth = await authorizeInOrg(c.env, caller, orgId, leaving ? 'member.read' : 'member.manage');
      const db = c.env.DB;
      const target = await loadMember(db, orgId, userId);
      if (target.role === 'owner') {
        if (!leaving) authorize(auth, 'owner.manage');
        if ((await otherOwners(db, orgId, userId)) === 0) {
          throw conflict(
            'last_owner',
            'The last owner cannot leave; delete the organization or make someone else owner',
          );
        }
      }
      await removeMember(db, target.id);
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
    },
  );
