import { createRoute, z } from '@hono/zod-openapi';
import { recordAudit } from '../audit/record.ts';
import { authorizeInOrg } from '../auth/org-access.ts';
import { memberRole } from '../auth/orgs.ts';
import { authorize } from '../auth/policy.ts';
import { EmailSchema, OkSchema, RoleSchema } from '../auth/schemas.ts';
import { ApiError, forbidden, notFound } from '../errors.ts';
import { createRouter, errorResponses, jsonContent } from '../openapi.ts';
import { sessionOnly } from '../orgs/access.ts';
import {
  claimInvitation,
  createInvitation,
  type InvitationRow,
  invitationByToken,
  pendingInvitations,
  revokeInvitation,
} from '../orgs/invitations.ts';
import { addMember } from '../orgs/members.ts';
import { activateOrg, loadOrg } from '../orgs/orgs.ts';
import {
  ActiveOrgSchema,
  CreatedInvitationSchema,
  InvitationParams,
  InvitationSchema,
  jsonBody,
  OrgParams,
  security,
  tags,
} from './orgs-schemas.ts';

/** Invitations to an organization: issued by admins, accepted by the invitee's own session. */

const iso = (d: Date) => d.toISOString();

function publicInvitation(row: InvitationRow) {
  return {
    id: row.id,
    email: row.email,
    role: row.role,
    status: row.status,
    expiresAt: iso(row.expiresAt),
    createdAt: iso(row.createdAt),
  };
}

export const invitations = createRouter()
  .openapi(
    createRoute({
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
    }),
    async (c) => {
      const { orgId } = c.req.valid('param');
      await authorizeInOrg(c.env, c.get('auth'), orgId, 'invitation.manage');
      const rows = await pendingInvitations(c.env.DB, orgId);
      return c.json({ invitations: rows.map(publicInvitation) }, 200);
    },
  )
  .openapi(
    createRoute({
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
    }),
    async (c) => {
      const { orgId } = c.req.valid('param');
      const { email, role } = c.req.valid('json');
      const auth = await authorizeInOrg(c.env, c.get('auth'), orgId, 'invitation.manage');
      if (role === 'owner') authorize(auth, 'owner.manage');
      const { invitation, token } = await createInvitation(c.env.DB, {
        orgId,
        email,
        role,
        inviterId: auth.userId,
      });
      await recordAudit(c.env, {
        auth,
        action: 'invitation.create',
        target: `invitation:${invitation.id}`,
        outcome: 'success',
        detail: { email, role },
      });
      const url = `${new URL(c.req.url).origin}/invite/${token}`;
      return c.json({ invitation: publicInvitation(invitation), token, url }, 201);
    },
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/api/orgs/{orgId}/invitations/{invitationId}',
      tags,
      security,
      summary: 'Revoke a pending invitation (admin)',
      request: { params: InvitationParams },
      responses: { 200: jsonContent(OkSchema, 'Revoked'), ...errorResponses },
    }),
    async (c) => {
      const { orgId, invitationId } = c.req.valid('param');
      const auth = await authorizeInOrg(c.env, c.get('auth'), orgId, 'invitation.manage');
      if (!(await revokeInvitation(c.env.DB, orgId, invitationId))) throw notFound('Invitation');
      await recordAudit(c.env, {
        auth,
        action: 'invitation.revoke',
        target: `invitation:${invitationId}`,
        outcome: 'success',
      });
      return c.json({ ok: true as const }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/invitations/accept',
      tags,
      security,
      summary: 'Accept an invitation as the signed-in user it was sent to; makes that org active',
      request: {
        body: jsonBody(z.strictObject({ token: z.string().min(1).max(200) }).openapi('AcceptInvitation')),
      },
      responses: { 200: jsonContent(ActiveOrgSchema, 'Joined'), ...errorResponses },
    }),
    async (c) => {
      const auth = sessionOnly(c.get('auth'));
      const { token } = c.req.valid('json');
      const db = c.env.DB;
      const invitation = await invitationByToken(db, token);
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
      if (!(await claimInvitation(db, invitation.id)))
        throw new ApiError(404, 'invitation_invalid', 'This invitation was already used');
      const orgId = invitation.organizationId;
      const existing = await memberRole(c.env, orgId, auth.userId);
      const role = existing ?? invitation.role;
      if (!existing) await addMember(db, orgId, auth.userId, role);
      await activateOrg(db, auth, orgId);
      const org = await loadOrg(db, orgId);
      await recordAudit(c.env, {
        auth,
        orgId: org.id,
        action: 'invitation.accept',
        target: `invitation:${invitation.id}`,
        outcome: 'success',
        detail: { role },
      });
      return c.json({ activeOrg: { id: org.id, name: org.name, role } }, 200);
    },
  );
