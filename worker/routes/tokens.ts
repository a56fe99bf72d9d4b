import { createRoute, z } from '@hono/zod-openapi';
import { and, desc, eq, isNull } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { recordAudit } from '../audit/record.ts';
import { forgetAuth } from '../auth/auth-cache.ts';
import { authorize, can, roleRank } from '../auth/policy.ts';
import { IdParam, OkSchema, RoleSchema } from '../auth/schemas.ts';
import { issueToken } from '../auth/tokens.ts';
import { disconnectTokenFromOrgRooms } from '../documents/rooms.ts';
import { badRequest, forbidden, notFound } from '../errors.ts';
import { apiTokens } from '../meta/auth.ts';
import { createRouter, errorResponses, jsonContent } from '../openapi.ts';

/** API tokens for scripts: scoped to the active org, capped at a role, shown once, stored as SHA-256. */

const security = [{ bearer: [] }];
const tags = ['tokens'];

const TokenSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    prefix: z.string().openapi({ description: 'Shown as `atr_<prefix>…` so tokens can be told apart' }),
    ceiling: RoleSchema,
    expiresAt: z.string().nullable().openapi({ format: 'date-time' }),
    lastUsedAt: z.string().nullable().openapi({ format: 'date-time' }),
    createdAt: z.string().openapi({ format: 'date-time' }),
  })
  .openapi('ApiToken');

const NewTokenBody = z
  .strictObject({
    name: z.string().trim().min(1).max(100),
    ceiling: RoleSchema.openapi({
      description: "The most this token may do; never more than its owner's role",
    }),
    expiresAt: z.iso.datetime({ offset: true }).nullable().optional(),
  })
  .openapi('NewApiToken');

const listTokens = createRoute({
  method: 'get',
  path: '/api/tokens',
  tags,
  security,
  summary: "The caller's live tokens in the active organization",
  responses: { 200: jsonContent(z.object({ tokens: z.array(TokenSchema) }), 'Tokens'), ...errorResponses },
});

const createToken = createRoute({
  method: 'post',
  path: '/api/tokens',
  tags,
  security,
  summary: 'Create a token for the active organization; the secret is in this response only',
  request: { body: { required: true, content: { 'application/json': { schema: NewTokenBody } } } },
  responses: {
    201: jsonContent(
      z
        .object({ token: z.string().openapi({ example: 'atr_…' }), apiToken: TokenSchema })
        .openapi('CreatedApiToken'),
      'Created',
    ),
    ...errorResponses,
  },
});

const revokeToken = createRoute({
  method: 'delete',
  path: '/api/tokens/{tokenId}',
  tags,
  security,
  summary: 'Revoke a token (your own; admins may revoke any in the organization)',
  request: { params: z.object({ tokenId: IdParam('tokenId') }) },
  responses: { 200: jsonContent(OkSchema, 'Revoked'), ...errorResponses },
});

const iso = (d: Date | null) => (d ? d.toISOString() : null);
const publicToken = (row: typeof apiTokens.$inferSelect) => ({
  id: row.id,
  name: row.name,
  prefix: row.prefix,
  ceiling: row.ceiling,
  expiresAt: iso(row.expiresAt),
  lastUsedAt: iso(row.lastUsedAt),
  createdAt: row.createdAt.toISOString(),
});

export const tokens = createRouter()
  .openapi(listTokens, async (c) => {
    const auth = authorize(c.get('auth'), 'token.manage');
    const rows = await drizzle(c.env.DB)
      .select()
      .from(apiTokens)
      .where(
        and(
          eq(apiTokens.organizationId, auth.orgId),
          eq(apiTokens.userId, auth.userId),
          isNull(apiTokens.revokedAt),
        ),
      )
      .orderBy(desc(apiTokens.createdAt))
      .all();
    return c.json({ tokens: rows.map(publicToken) }, 200);
  })
  .openapi(createToken, async (c) => {
    const auth = authorize(c.get('auth'), 'token.manage');
    // A token minting tokens would outlive its own revocation or expiry.
    if (auth.via === 'token') throw forbidden('API tokens cannot create tokens; sign in to do this');
    const body = c.req.valid('json');
    if (roleRank(body.ceiling) > roleRank(auth.role)) {
      throw forbidden(`A token cannot exceed your role (${auth.role})`);
    }
    const expiresAt = body.expiresAt ? new Date(body.expiresAt) : null;
    if (expiresAt && expiresAt.getTime() <= Date.now())
      throw badRequest('invalid_request', 'expiresAt is in the past');
    const issued = await issueToken(c.env, {
      userId: auth.userId,
      orgId: auth.orgId,
      name: body.name,
      ceiling: body.ceiling,
      expiresAt,
    });
    const row = await drizzle(c.env.DB).select().from(apiTokens).where(eq(apiTokens.id, issued.id)).get();
    if (!row) throw notFound('Token');
    await recordAudit(c.env, {
      auth,
      action: 'token.create',
      target: `token:${issued.id}`,
      outcome: 'success',
      detail: { name: body.name, ceiling: body.ceiling },
    });
    return c.json({ token: issued.token, apiToken: publicToken(row) }, 201);
  })
  .openapi(revokeToken, async (c) => {
    const auth = authorize(c.get('auth'), 'token.manage');
    const { tokenId } = c.req.valid('param');
    const db = drizzle(c.env.DB);
    const row = await db
      .select({ userId: apiTokens.userId })
      .from(apiTokens)
      .where(
        and(eq(apiTokens.id, tokenId), eq(apiTokens.organizationId, auth.orgId), isNull(apiTokens.revokedAt)),
      )
      .get();
    if (!row || (row.userId !== auth.userId && !can(auth.role, 'member.manage'))) throw notFound('Token');
    await db.update(apiTokens).set({ revokedAt: new Date() }).where(eq(apiTokens.id, tokenId));
    forgetAuth();
    // Live document sockets opened with the token close now; should a room be unreachable,
    // its own per-minute re-check of the token closes them instead.
    await disconnectTokenFromOrgRooms(c.env, auth.orgId, tokenId).catch(() => {
      console.error(JSON.stringify({ level: 'error', event: 'token.revoke_rooms_failed', token: tokenId }));
    });
    await recordAudit(c.env, {
      auth,
      action: 'token.revoke',
      target: `token:${tokenId}`,
      outcome: 'success',
    });
    return c.json({ ok: true as const }, 200);
  });
