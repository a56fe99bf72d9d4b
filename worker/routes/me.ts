import { createRoute, z } from '@hono/zod-openapi';
import { eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { OrgSchema, RoleSchema, UserSchema } from '../auth/schemas.ts';
import { unauthorized } from '../errors.ts';
import { users } from '../meta/auth.ts';
import { createRouter, errorResponses, jsonContent } from '../openapi.ts';
import { orgsVisibleTo } from '../orgs/orgs.ts';

const MeSchema = z
  .object({
    user: UserSchema,
    via: z.enum(['session', 'token']),
    /** The org requests act in, with the caller's effective role there. */
    activeOrg: z.object({ id: z.string(), name: z.string(), role: RoleSchema }).nullable(),
    orgs: z.array(OrgSchema),
  })
  .openapi('Me');

const route = createRoute({
  method: 'get',
  path: '/api/me',
  tags: ['account'],
  summary: 'The caller, its active organization and every organization it belongs to',
  security: [{ bearer: [] }],
  responses: { 200: jsonContent(MeSchema, 'The caller'), ...errorResponses },
});

export const me = createRouter().openapi(route, async (c) => {
  const auth = c.get('auth');
  if (!auth) throw unauthorized();
  const db = drizzle(c.env.DB);
  const user = await db
    .select({ id: users.id, email: users.email, name: users.name })
    .from(users)
    .where(eq(users.id, auth.userId))
    .get();
  if (!user) throw unauthorized();
  // A token sees only the org it is scoped to, at its capped role.
  const orgs = (await orgsVisibleTo(c.env.DB, auth)).map((org) => ({
    ...org,
    role: org.id === auth.orgId && auth.role ? auth.role : org.role,
    createdAt: org.createdAt.toISOString(),
  }));
  const active = orgs.find((org) => org.id === auth.orgId);
  return c.json(
    {
      user,
      via: auth.via,
      activeOrg: active && auth.role ? { id: active.id, name: active.name, role: auth.role } : null,
      orgs,
    },
    200,
  );
});
