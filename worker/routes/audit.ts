import { createRoute, z } from '@hono/zod-openapi';
import { and, desc, eq, gte, lt, lte, or, type SQL, sql } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import { authorize } from '../auth/policy.ts';
import { auditLog } from '../meta/audit.ts';
import { createRouter, errorResponses, jsonContent } from '../openapi.ts';

const DEFAULT_LIMIT = 50;
const MAX_LIMIT = 200;

const Query = z.strictObject({
  actor: z.string().max(254).optional().openapi({ description: 'User id or email' }),
  action: z
    .string()
    .max(100)
    .optional()
    .openapi({ description: 'Exact action, or a prefix ending in `.*` (`auth.*`)', example: 'member.*' }),
  target: z.string().max(200).optional().openapi({ example: 'connection:abc' }),
  from: z.iso.datetime({ offset: true }).optional(),
  to: z.iso.datetime({ offset: true }).optional(),
  cursor: z
    .string()
    .regex(/^\d+$/)
    .max(20)
    .optional()
    .openapi({ description: '`nextCursor` of the previous page' }),
  limit: z.coerce.number().int().min(1).max(MAX_LIMIT).optional(),
});

const EntrySchema = z
  .object({
    id: z.number().int(),
    createdAt: z.string().openapi({ format: 'date-time' }),
    actorId: z.string().nullable(),
    actorEmail: z.string().nullable(),
    via: z.string().nullable(),
    tokenId: z.string().nullable(),
    action: z.string(),
    target: z.string().nullable(),
    outcome: z.enum(['success', 'failure', 'denied']),
    statement: z.string().nullable(),
    durationMs: z.number().nullable(),
    rows: z.number().nullable(),
    ip: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()).nullable(),
  })
  .openapi('AuditEntry');

const route = createRoute({
  method: 'get',
  path: '/api/audit',
  tags: ['audit'],
  security: [{ bearer: [] }],
  summary: "The active organization's audit log, newest first (admins and owners)",
  request: { query: Query },
  responses: {
    200: jsonContent(
      z.object({ entries: z.array(EntrySchema), nextCursor: z.string().nullable() }).openapi('AuditPage'),
      'A page of entries',
    ),
    ...errorResponses,
  },
});

export const audit = createRouter().openapi(route, async (c) => {
  const auth = authorize(c.get('auth'), 'audit.read');
  const q = c.req.valid('query');
  const limit = q.limit ?? DEFAULT_LIMIT;
  const where: (SQL | undefined)[] = [eq(auditLog.organizationId, auth.orgId)];
  if (q.actor) where.push(or(eq(auditLog.actorId, q.actor), eq(auditLog.actorEmail, q.actor.toLowerCase())));
  if (q.action) {
    where.push(
      q.action.endsWith('.*')
        ? sql`substr(${auditLog.action}, 1, ${q.action.length - 1}) = ${q.action.slice(0, -1)}`
        : eq(auditLog.action, q.action),
    );
  }
  if (q.target) where.push(eq(auditLog.target, q.target));
  if (q.from) where.push(gte(auditLog.createdAt, new Date(q.from)));
  if (q.to) where.push(lte(auditLog.createdAt, new Date(q.to)));
  if (q.cursor) where.push(lt(auditLog.id, Number(q.cursor)));
  const rows = await drizzle(c.env.DB)
    .select()
    .from(auditLog)
    .where(and(...where))
    .orderBy(desc(auditLog.id))
    .limit(limit + 1)
    .all();
  const page = rows.slice(0, limit);
  return c.json(
    {
      entries: page.map(({ organizationId: _org, createdAt, detail, ...rest }) => ({
        ...rest,
        createdAt: createdAt.toISOString(),
        detail: detail ? (JSON.parse(detail) as Record<string, unknown>) : null,
      })),
      nextCursor: rows.length > limit ? String(page.at(-1)?.id) : null,
    },
    200,
  );
});
