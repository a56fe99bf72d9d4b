import { createRoute, z } from '@hono/zod-openapi';
import { recordAudit } from '../audit/record.ts';
import { authorize } from '../auth/policy.ts';
import { IdParam } from '../auth/schemas.ts';
import { getConnection } from '../connections/crud.ts';
import { openDocument } from '../documents/preload.ts';
import { locationHintOf } from '../documents/room-location.ts';
import {
  createDocument,
  deleteDocument,
  documentContent,
  documentStats,
  listDocuments,
  loadDocument,
  updateDocument,
  viewOf,
} from '../documents/service.ts';
import { afterResponse, serviceContext } from '../lib/after-response.ts';
import { createRouter, errorResponses, jsonContent } from '../openapi.ts';

/**
 * Shared SQL documents of the active organization. The live content is edited over the
 * room's WebSocket (`/parties/document/{id}`, see durable-objects/protocol.ts); these routes
 * manage the metadata and return the stored content on single reads.
 */

const security = [{ bearer: [] }];
const tags = ['documents'];

const BlockSchema = z.object({
  id: z.string(),
  kind: z.enum(['query', 'note']),
  name: z.string(),
  text: z.string(),
});

const DocumentSchema = z
  .object({
    id: z.string(),
    title: z.string(),
    connectionId: z.string().nullable(),
    ownerId: z.string().nullable(),
    createdAt: z.string().openapi({ format: 'date-time' }),
    updatedAt: z.string().openapi({ format: 'date-time' }),
    content: z
      .object({ sql: z.string(), blocks: z.array(BlockSchema) })
      .optional()
      .openapi({ description: 'The stored Yjs content as plain text (single reads only)' }),
  })
  .openapi('Document');

const Title = z.string().trim().min(1).max(200);
const ConnectionRef = z.string().min(1).max(128);

const NewDocumentBody = z
  .strictObject({
    title: Title,
    connectionId: ConnectionRef.nullable().optional(),
    sql: z
      .string()
      .max(256 * 1024)
      .optional()
      .openapi({ description: 'Initial SQL text' }),
  })
  .openapi('NewDocument');

const PatchDocumentBody = z
  .strictObject({
    title: Title.optional(),
    connectionId: ConnectionRef.nullable().optional().openapi({ description: 'Move to another connection' }),
  })
  .refine((b) => b.title !== undefined || b.connectionId !== undefined, 'Nothing to change')
  .openapi('DocumentPatch');

const ListQuery = z.object({
  q: z.string().max(200).optional().openapi({ description: 'Case-insensitive title search' }),
  cursor: z.string().max(512).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});

const params = z.object({ documentId: IdParam('documentId') });

const list = createRoute({
  method: 'get',
  path: '/api/documents',
  tags,
  security,
  summary: 'Documents of the active organization, most recently updated first',
  request: { query: ListQuery },
  responses: {
    200: jsonContent(
      z
        .object({ documents: z.array(DocumentSchema), nextCursor: z.string().nullable() })
        .openapi('DocumentPage'),
      'A page of documents',
    ),
    ...errorResponses,
  },
});

const create = createRoute({
  method: 'post',
  path: '/api/documents',
  tags,
  security,
  summary: 'Create a document',
  request: { body: { required: true, content: { 'application/json': { schema: NewDocumentBody } } } },
  responses: { 201: jsonContent(DocumentSchema, 'Created'), ...errorResponses },
});

const get = createRoute({
  method: 'get',
  path: '/api/documents/{documentId}',
  tags,
  security,
  summary: 'A document with its stored content',
  request: { params },
  responses: { 200: jsonContent(DocumentSchema, 'The document'), ...errorResponses },
});

const StatsSchema = z
  .object({
    updatesStored: z.number().int().openapi({
      description:
        'Yjs updates the room accepted, stored and relayed since the document was created: one per accepted edit, plus one for an initial text. Refused edits add nothing; compaction and restarts keep the count.',
    }),
    sockets: z.number().int().openapi({ description: 'Live sockets open in the room now' }),
  })
  .openapi('DocumentStats');

const stats = createRoute({
  method: 'get',
  path: '/api/documents/{documentId}/stats',
  tags,
  security,
  summary: "Counts kept by the document's room",
  request: { params },
  responses: { 200: jsonContent(StatsSchema, 'The counts'), ...errorResponses },
});

const patch = createRoute({
  method: 'patch',
  path: '/api/documents/{documentId}',
  tags,
  security,
  summary: 'Rename a document or move it to another connection',
  request: {
    params,
    body: { required: true, content: { 'application/json': { schema: PatchDocumentBody } } },
  },
  responses: { 200: jsonContent(DocumentSchema, 'Updated'), ...errorResponses },
});

const remove = createRoute({
  method: 'delete',
  path: '/api/documents/{documentId}',
  tags,
  security,
  summary: "Delete a document: its room's sockets close with 4410 and its storage is wiped",
  request: { params },
  responses: { 204: { description: 'Deleted' }, ...errorResponses },
});

export const documents = createRouter()
  .openapi(list, async (c) => {
    const { orgId } = authorize(c.get('auth'), 'document.read');
    const query = c.req.valid('query');
    return c.json(await listDocuments(c.env, orgId, query), 200);
  })
  .openapi(create, async (c) => {
    const auth = authorize(c.get('auth'), 'document.write');
    const body = c.req.valid('json');
    const connectionId = body.connectionId ?? null;
    if (connectionId !== null)
      await getConnection(serviceContext(c), { auth, orgId: auth.orgId, userId: auth.userId }, connectionId);
    const row = await createDocument(c.env, {
      orgId: auth.orgId,
      ownerId: auth.userId,
      title: body.title,
      connectionId,
      sql: body.sql,
      locationHint: locationHintOf(c.req.raw.cf),
    });
    await afterResponse(
      c,
      recordAudit(c.env, {
        auth,
        action: 'document.create',
        target: `document:${row.id}`,
        outcome: 'success',
      }),
    );
    return c.json(viewOf(row), 201);
  })
  .openapi(get, async (c) => {
    const { orgId } = authorize(c.get('auth'), 'document.read');
    const row = await openDocument(c.env, c.req.raw, orgId, c.req.valid('param').documentId);
    return c.json({ ...viewOf(row), content: await documentContent(c.env, row.id) }, 200);
  })
  .openapi(stats, async (c) => {
    const { orgId } = authorize(c.get('auth'), 'document.read');
    const row = await loadDocument(c.env, orgId, c.req.valid('param').documentId);
    return c.json(await documentStats(c.env, row.id), 200);
  })
  .openapi(patch, async (c) => {
    const auth = authorize(c.get('auth'), 'document.write');
    const { documentId } = c.req.valid('param');
    const body = c.req.valid('json');
    if (body.connectionId) {
      await getConnection(
        serviceContext(c),
        { auth, orgId: auth.orgId, userId: auth.userId },
        body.connectionId,
      );
    }
    const row = await updateDocument(c.env, auth.orgId, documentId, body);
    return c.json(viewOf(row), 200);
  })
  .openapi(remove, async (c) => {
    const auth = authorize(c.get('auth'), 'document.write');
    const { documentId } = c.req.valid('param');
    await deleteDocument(c.env, auth.orgId, documentId);
    await afterResponse(
      c,
      recordAudit(c.env, {
        auth,
        action: 'document.delete',
        target: `document:${documentId}`,
        outcome: 'success',
      }),
    );
    return c.body(null, 204);
  });
