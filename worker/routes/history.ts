import { createRoute, z } from '@hono/zod-openapi';
import { authorize } from '../auth/policy.ts';
import { QUERY_OUTCOMES } from '../meta/queries.ts';
import { createRouter, errorResponses, jsonContent } from '../openapi.ts';
import { decodeHistoryCursor, listHistory } from '../queries/history.ts';

const HistoryItem = z
  .object({
    id: z.string(),
    connectionId: z.string(),
    userId: z.string(),
    startedAt: z.string().openapi({ format: 'date-time' }),
    statement: z.string().openapi({ description: 'The SQL, first 4 KB' }),
    statementCount: z.number(),
    kind: z.string().openapi({ example: 'query' }),
    readOnly: z.boolean(),
    cached: z.boolean(),
    durationMs: z.number(),
    rowCount: z.number().nullable(),
    outcome: z.enum(QUERY_OUTCOMES),
    errorCode: z.string().nullable(),
  })
  .openapi('HistoryItem');

const route = createRoute({
  method: 'get',
  path: '/api/history',
  tags: ['Queries'],
  summary: "Executions in the caller's organization, newest first",
  security: [{ bearer: [] }],
  request: {
    query: z.object({
      connectionId: z.string().min(1).max(100).optional(),
      mine: z.enum(['true', 'false']).optional().openapi({ description: "Only the caller's own executions" }),
      cursor: z.string().max(512).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
  },
  responses: {
    200: jsonContent(
      z.object({ items: z.array(HistoryItem), nextCursor: z.string().nullable() }),
      'One page',
    ),
    ...errorResponses,
  },
});

export const history = createRouter().openapi(route, async (c) => {
  const auth = authorize(c.get('auth'), 'history.read');
  const q = c.req.valid('query');
  const page = await listHistory(c.env, auth.orgId, {
    connectionId: q.connectionId,
    userId: q.mine === 'true' ? auth.userId : undefined,
    cursor: q.cursor ? decodeHistoryCursor(q.cursor) : undefined,
    limit: q.limit,
  });
  return c.json(
    {
      items: page.items.map(({ orgId: _org, startedAt, ...item }) => ({
        ...item,
        startedAt: new Date(startedAt).toISOString(),
      })),
      nextCursor: page.nextCursor,
    },
    200,
  );
});
