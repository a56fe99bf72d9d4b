import { createRoute, z } from '@hono/zod-openapi';
import { authorize, can } from '../auth/policy.ts';
import { dashboard } from '../connections/dashboard.ts';
import { prereadList } from '../connections/preload.ts';
import { serviceContext } from '../lib/after-response.ts';
import { createRouter, errorResponses, jsonContent } from '../openapi.ts';
import { ConnectionSchema } from './connections.ts';
import { MetricsSchema } from './queries.ts';

/** GET /api/dashboard: the first screen's data in one call (issue 17). */

const DashboardSchema = z
  .object({
    connections: z.array(ConnectionSchema),
    recent: z.array(z.object({ id: z.string(), metrics: MetricsSchema.nullable() })).openapi({
      description:
        'The most recently used connections, most recent first; `metrics` is null when they could not be read or the caller may not read history',
    }),
    windowMinutes: z.number(),
  })
  .openapi('Dashboard');

const read = createRoute({
  method: 'get',
  path: '/api/dashboard',
  tags: ['connections'],
  security: [{ bearer: [] }],
  summary: "The dashboard: the organization's connections and the recently used ones' query metrics",
  description:
    'Served from the isolate for up to 10 s; a change to a connection in that isolate shows at once.',
  responses: { 200: jsonContent(DashboardSchema, 'The dashboard; never a secret'), ...errorResponses },
});

export const dashboardRoutes = createRouter().openapi(read, async (c) => {
  const auth = authorize(c.get('auth'), 'connection.read');
  const scope = { auth, orgId: auth.orgId, userId: auth.userId };
  // The list may have come with the auth read (connections/preload.ts): one round trip less.
  const data = await dashboard(serviceContext(c), scope, prereadList(c.req.raw, auth.orgId));
  const history = can(auth.role, 'history.read');
  return c.json(
    {
      ...data,
      recent: data.recent.map((r) => ({ id: r.id, metrics: history ? r.metrics : null })),
    },
    200,
  );
});
