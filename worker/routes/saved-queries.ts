import { createRoute, z } from '@hono/zod-openapi';
import { authorize } from '../auth/policy.ts';
import { createRouter, errorResponses, jsonContent } from '../openapi.ts';
import { createSaved, deleteSaved, getSaved, listSaved, updateSaved } from '../queries/saved.ts';

const security = [{ bearer: [] }];
const tags = ['Saved queries'];
const SavedQuery = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string(),
    sql: z.string(),
    connectionId: z.string().nullable(),
    createdBy: z.string(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi('SavedQuery');
const fields = {
  name: z.string().trim().min(1).max(200),
  sql: z.string().min(1).max(100_000),
  description: z.string().max(2000).optional(),
  connectionId: z.string().min(1).max(100).nullable().optional(),
};
const CreateBody = z.strictObject(fields).openapi('SavedQueryCreate');
const UpdateBody = z
  .strictObject({ ...fields, name: fields.name.optional(), sql: fields.sql.optional() })
  .openapi('SavedQueryUpdate');
const IdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'id', in: 'path' } }),
});

const list = createRoute({
  method: 'get',
  path: '/api/saved-queries',
  tags,
  summary: "The organization's saved queries",
  security,
  request: { query: z.object({ connectionId: z.string().min(1).max(100).optional() }) },
  responses: {
    200: jsonContent(z.object({ items: z.array(SavedQuery) }), 'Saved queries'),
    ...errorResponses,
  },
});
const create = createRoute({
  method: 'post',
  path: '/api/saved-queries',
  tags,
  summary: 'Save a query',
  security,
  request: { body: { content: { 'application/json': { schema: CreateBody } }, required: true } },
  responses: { 201: jsonContent(SavedQuery, 'Saved'), ...errorResponses },
});
const read = createRoute({
  method: 'get',
  path: '/api/saved-queries/{id}',
  tags,
  summary: 'One saved query',
  security,
  request: { params: IdParam },
  responses: { 200: jsonContent(SavedQuery, 'Saved query'), ...errorResponses },
});
const update = createRoute({
  method: 'patch',
  path: '/api/saved-queries/{id}',
  tags,
  summary: 'Change a saved query',
  security,
  request: {
    params: IdParam,
    body: { content: { 'application/json': { schema: UpdateBody } }, required: true },
  },
  responses: { 200: jsonContent(SavedQuery, 'Saved'), ...errorResponses },
});
const remove = createRoute({
  method: 'delete',
  path: '/api/saved-queries/{id}',
  tags,
  summary: 'Delete a saved query',
  security,
  request: { params: IdParam },
  responses: { 204: { description: 'Deleted' }, ...errorResponses },
});

export const savedQueries = createRouter()
  .openapi(list, async (c) => {
    const auth = authorize(c.get('auth'), 'history.read');
    return c.json({ items: await listSaved(c.env, auth.orgId, c.req.valid('query').connectionId) }, 200);
  })
  .openapi(create, async (c) => {
    const auth = authorize(c.get('auth'), 'saved-query.write');
    return c.json(await createSaved(c.env, auth.orgId, auth.userId, c.req.valid('json')), 201);
  })
  .openapi(read, async (c) => {
    const auth = authorize(c.get('auth'), 'history.read');
    return c.json(await getSaved(c.env, auth.orgId, c.req.valid('param').id), 200);
  })
  .openapi(update, async (c) => {
    const auth = authorize(c.get('auth'), 'saved-query.write');
    return c.json(await updateSaved(c.env, auth.orgId, c.req.valid('param').id, c.req.valid('json')), 200);
  })
  .openapi(remove, async (c) => {
    const auth = authorize(c.get('auth'), 'saved-query.write');
    await deleteSaved(c.env, auth.orgId, c.req.valid('param').id);
    return c.body(null, 204);
  });
