import { createRoute, z } from '@hono/zod-openapi';
import { authorize } from '../auth/policy.ts';
import { getConnection } from '../connections/crud.ts';
import { serviceContext } from '../lib/after-response.ts';
import { timing } from '../middleware/server-timing.ts';
import { createRouter, errorResponses, jsonContent } from '../openapi.ts';
import { readQuerySettings, writeQuerySettings } from '../queries/cache.ts';
import { connectionMetrics } from '../queries/metrics.ts';
import { QueryBody, QueryResponse, runQuery } from '../queries/run-query.ts';

const security = [{ bearer: [] }];
const ConnectionParam = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'builtin:demo' }),
});
const QuerySettingsSchema = z
  .object({
    cacheEnabled: z
      .boolean()
      .openapi({ description: 'Cache identical read-only query results (off by default)' }),
    cacheTtlSeconds: z.number().int().min(1).max(86_400),
  })
  .openapi('QuerySettings');
export const MetricsSchema = z
  .object({
    windowMinutes: z.number(),
    total: z.number(),
    errors: z.number(),
    errorRate: z.number(),
    queriesPerMinute: z.number(),
    p50Ms: z.number().nullable(),
    p95Ms: z.number().nullable(),
    series: z.array(
      z.object({ minute: z.string(), count: z.number(), errors: z.number(), avgMs: z.number() }),
    ),
  })
  .openapi('ConnectionMetrics');

const query = createRoute({
  method: 'post',
  path: '/api/connections/{id}/query',
  tags: ['Queries'],
  summary: 'Run SQL (one statement, or a script in one transaction)',
  description:
    'Viewers always run read-only; editors choose with `readOnly`. Read-only is enforced by the database. Database errors answer 4xx with `details.dbCode` (SQLSTATE / errno) and `details.position`.',
  security,
  request: {
    params: ConnectionParam,
    body: { content: { 'application/json': { schema: QueryBody } }, required: true },
  },
  responses: { 200: jsonContent(QueryResponse, 'One result per statement'), ...errorResponses },
});

const readSettings = createRoute({
  method: 'get',
  path: '/api/connections/{id}/query-settings',
  tags: ['Queries'],
  summary: 'Query settings of a connection (result cache)',
  security,
  request: { params: ConnectionParam },
  responses: { 200: jsonContent(QuerySettingsSchema, 'Settings'), ...errorResponses },
});

const writeSettings = createRoute({
  method: 'put',
  path: '/api/connections/{id}/query-settings',
  tags: ['Queries'],
  summary: 'Change query settings of a connection (admins)',
  security,
  request: {
    params: ConnectionParam,
    body: { content: { 'application/json': { schema: QuerySettingsSchema } }, required: true },
  },
  responses: { 200: jsonContent(QuerySettingsSchema, 'Settings'), ...errorResponses },
});

const metrics = createRoute({
  method: 'get',
  path: '/api/connections/{id}/metrics',
  tags: ['Queries'],
  summary: 'Latency percentiles, error rate and throughput of a connection',
  security,
  request: {
    params: ConnectionParam,
    query: z.object({
      windowMinutes: z.coerce
        .number()
        .int()
        .min(1)
        .max(7 * 24 * 60)
        .default(60),
    }),
  },
  responses: { 200: jsonContent(MetricsSchema, 'Metrics over the window'), ...errorResponses },
});

export const queries = createRouter()
  .openapi(query, async (c) => {
    const { id } = c.req.valid('param');
    const result = await runQuery(c, id, c.req.valid('json'));
    const started = performance.now();
    const res = c.json(result, 200);
    timing(c).add('format', performance.now() - started);
    return res;
  })
  .openapi(readSettings, async (c) => {
    const auth = authorize(c.get('auth'), 'connection.read');
    const { id } = c.req.valid('param');
    await getConnection(serviceContext(c), { auth, orgId: auth.orgId, userId: auth.userId }, id);
    return c.json(await readQuerySettings(c.env, auth.orgId, id), 200);
  })
  .openapi(writeSettings, async (c) => {
    const auth = authorize(c.get('auth'), 'connection.write');
    const { id } = c.req.valid('param');
    await getConnection(serviceContext(c), { auth, orgId: auth.orgId, userId: auth.userId }, id);
    return c.json(await writeQuerySettings(c.env, auth.orgId, id, c.req.valid('json')), 200);
  })
  .openapi(metrics, async (c) => {
    const auth = authorize(c.get('auth'), 'history.read');
    const { id } = c.req.valid('param');
    await getConnection(serviceContext(c), { auth, orgId: auth.orgId, userId: auth.userId }, id);
    return c.json(await connectionMetrics(c.env, auth.orgId, id, c.req.valid('query').windowMinutes), 200);
  });
