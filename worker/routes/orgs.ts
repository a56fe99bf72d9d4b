import { createRoute, z } from '@hono/zod-openapi';
import { recordAudit } from '../audit/record.ts';
import { authorizeInOrg } from '../auth/org-access.ts';
import { createOrganization, memberRole } from '../auth/orgs.ts';
import { OkSchema, OrgSchema } from '../auth/schemas.ts';
import { destroyOrgRooms } from '../documents/rooms.ts';
import { notFound, unauthorized } from '../errors.ts';
import { destroyOrgHosted } from '../hosted-sqlite/service.ts';
import { createRouter, errorResponses, jsonContent } from '../openapi.ts';
import { sessionOnly } from '../orgs/access.ts';
import { activateOrg, deleteOrg, loadOrg, orgsVisibleTo, renameOrg } from '../orgs/orgs.ts';
import { ActiveOrgSchema, jsonBody, NameBody, OrgParams, security, tags } from './orgs-schemas.ts';

/** Organizations the caller belongs to. Every rule comes from worker/auth/policy.ts. */

const iso = (d: Date) => d.toISOString();

export const orgs = createRouter()
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/orgs',
      tags,
      security,
      summary: 'Organizations the caller belongs to (a token: only its own)',
      responses: {
        200: jsonContent(z.object({ orgs: z.array(OrgSchema) }), 'Organizations'),
        ...errorResponses,
      },
    }),
    async (c) => {
      const auth = c.get('auth');
      if (!auth) throw unauthorized();
      const visible = await orgsVisibleTo(c.env.DB, auth);
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
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/orgs',
      tags,
      security,
      summary: 'Create an organization; the caller becomes its owner (sessions only)',
      request: { body: jsonBody(NameBody) },
      responses: { 201: jsonContent(OrgSchema, 'Created'), ...errorResponses },
    }),
    async (c) => {
      const auth = sessionOnly(c.get('auth'));
      const { name } = c.req.valid('json');
      const id = await createOrganization(c.env, { name, ownerId: auth.userId });
      const org = await loadOrg(c.env.DB, id);
      await recordAudit(c.env, {
        auth,
        orgId: id,
        action: 'org.create',
        target: `org:${id}`,
        outcome: 'success',
      });
      return c.json({ ...org, role: 'owner' as const, createdAt: iso(org.createdAt) }, 201);
    },
  )
  .openapi(
    createRoute({
      method: 'patch',
      path: '/api/orgs/{orgId}',
      tags,
      security,
      summary: 'Rename an organization (admin)',
      request: { params: OrgParams, body: jsonBody(NameBody) },
      responses: { 200: jsonContent(OrgSchema, 'Renamed'), ...errorResponses },
    }),
    async (c) => {
      const { orgId } = c.req.valid('param');
      const auth = await authorizeInOrg(c.env, c.get('auth'), orgId, 'org.update');
      const { name } = c.req.valid('json');
      await renameOrg(c.env.DB, orgId, name);
      const org = await loadOrg(c.env.DB, orgId);
      await recordAudit(c.env, {
        auth,
        action: 'org.update',
        target: `org:${orgId}`,
        outcome: 'success',
        detail: { name },
      });
      return c.json({ ...org, role: auth.role, createdAt: iso(org.createdAt) }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'delete',
      path: '/api/orgs/{orgId}',
      tags,
      security,
      summary: 'Delete an organization and everything in it (owner)',
      request: { params: OrgParams },
      responses: { 200: jsonContent(OkSchema, 'Deleted'), ...errorResponses },
    }),
    async (c) => {
      const { orgId } = c.req.valid('param');
      const auth = await authorizeInOrg(c.env, c.get('auth'), orgId, 'org.delete');
      // Document rooms and hosted databases keep their content in Durable Object storage, which no
      // cascade reaches.
      await destroyOrgRooms(c.env, orgId);
      await destroyOrgHosted(c.env, orgId);
      await deleteOrg(c.env.DB, orgId);
      await recordAudit(c.env, { auth, action: 'org.delete', target: `org:${orgId}`, outcome: 'success' });
      return c.json({ ok: true as const }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/orgs/{orgId}/activate',
      tags,
      security,
      summary: "Switch the session's active organization (sessions only)",
      request: { params: OrgParams },
      responses: { 200: jsonContent(ActiveOrgSchema, 'Now active'), ...errorResponses },
    }),
    async (c) => {
      const { orgId } = c.req.valid('param');
      const auth = sessionOnly(c.get('auth'));
      const role = await memberRole(c.env, orgId, auth.userId);
      if (!role) throw notFound('Organization');
      const org = await loadOrg(c.env.DB, orgId);
      await activateOrg(c.env.DB, auth, orgId);
      return c.json({ activeOrg: { id: org.id, name: org.name, role } }, 200);
    },
  );
