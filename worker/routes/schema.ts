import { createRoute, z } from '@hono/zod-openapi';
import { badRequest, notFound } from '../errors.ts';
import { decodeCursor, encodeCursor } from '../lib/cursor.ts';
import { createRouter, errorResponses, jsonContent } from '../openapi.ts';
import { type CacheScope, cached } from '../schema/cache.ts';
import { listChanges } from '../schema/changes.ts';
import { exportDdl } from '../schema/ddl-export.ts';
import { toErd } from '../schema/erd.ts';
import { toMarkdown } from '../schema/markdown.ts';
import { openSchema, type SchemaScope, syncConnection } from '../schema/service.ts';
import {
  listColumns,
  listNamespaces,
  listObjects,
  listTables,
  loadSnapshot,
  search,
  tableDetail,
  tableExists,
} from '../schema/snapshot-read.ts';
import {
  cursor,
  ErdSchema,
  HistorySchema,
  id,
  limit,
  name,
  ObjectListSchema,
  SearchSchema,
  SyncResultSchema,
  TableDetailSchema,
  TreeSchema,
} from './schema-schemas.ts';

/** A connection's synced schema: sync it, then browse, search, diff history, ERD and export from D1. */

const tags = ['schema'];
const security = [{ bearer: [] }];

const meta = (s: SchemaScope) => ({
  id: s.head.snapshotId,
  version: s.head.version,
  syncedAt: new Date(s.head.syncedAt).toISOString(),
  stale: s.stale,
  engine: s.head.engine,
  serverVersion: s.head.serverVersion,
  tableCount: s.head.tableCount,
  columnCount: s.head.columnCount,
  queryCount: s.head.queryCount,
});

const cacheScope = (s: SchemaScope): CacheScope => ({
  orgId: s.orgId,
  connectionId: s.connectionId,
  head: s.head,
});

function afterName(value: string | undefined): string | null {
  if (value === undefined) return null;
  const decoded = decodeCursor(value);
  if (typeof decoded !== 'string')
    throw badRequest('invalid_cursor', 'The cursor is not one this API returned');
  return decoded;
}

/** One page plus the cursor of the next (fetches one extra row to know whether there is one). */
function page<T>(rows: T[], limitValue: number, last: (row: T) => unknown) {
  const items = rows.slice(0, limitValue);
  const tail = items.at(-1);
  return {
    items,
    nextCursor: rows.length > limitValue && tail !== undefined ? encodeCursor(last(tail)) : null,
  };
}

/** Names in Content-Disposition: ASCII fallback plus the exact UTF-8 name (RFC 6266). */
function attachment(base: string, extension: string): string {
  const file = `${base}.${extension}`;
  const ascii = file.replace(/[^\x20-\x7e]|["\\]/g, '_');
  return `attachment; filename="${ascii}"; filename*=UTF-8''${encodeURIComponent(file)}`;
}

export const schema = createRouter()
  .openapi(
    createRoute({
      method: 'post',
      path: '/api/connections/{id}/sync',
      tags,
      security,
      summary: 'Introspect the database now and replace the synced schema atomically (editors and up)',
      request: { params: z.object({ id }) },
      responses: {
        200: jsonContent(SyncResultSchema, 'Synced; `changed` says whether a history entry was recorded'),
        ...errorResponses,
        409: errorResponses[404],
        502: errorResponses[404],
        503: errorResponses[404],
      },
    }),
    async (c) => {
      const result = await syncConnection(c, c.req.valid('param').id);
      return c.json({ ...result, syncedAt: new Date(result.syncedAt).toISOString() }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/connections/{id}/schema',
      tags,
      security,
      summary:
        'The schema tree, one level at a time: schemas, then tables of `schema` (paged), then columns of `table`',
      request: {
        params: z.object({ id }),
        query: z.object({
          schema: z.string().min(1).max(512).optional(),
          table: z.string().min(1).max(512).optional(),
          cursor,
          limit: limit(500, 100),
        }),
      },
      responses: {
        200: jsonContent(TreeSchema, 'One level of the tree'),
        ...errorResponses,
        502: errorResponses[404],
      },
    }),
    async (c) => {
      const { id: connectionId } = c.req.valid('param');
      const q = c.req.valid('query');
      if (q.table !== undefined && q.schema === undefined)
        throw badRequest('invalid_request', '`table` needs `schema`');
      const s = await openSchema(c, connectionId);
      const db = c.env.DB;
      const snapshotId = s.head.snapshotId;
      if (q.schema !== undefined && q.table !== undefined) {
        const { schema: schemaName, table } = q;
        const items = await cached(
          cacheScope(s),
          `columns/${encodeURIComponent(schemaName)}/${encodeURIComponent(table)}`,
          () => listColumns(db, snapshotId, schemaName, table),
        );
        if (items.length === 0 && !(await tableExists(db, snapshotId, schemaName, table))) {
          throw notFound(`Table ${schemaName}.${table}`);
        }
        return c.json(
          {
            level: 'columns' as const,
            snapshot: meta(s),
            schema: schemaName,
            table,
            items,
            nextCursor: null,
          },
          200,
        );
      }
      const after = afterName(q.cursor);
      if (q.schema !== undefined) {
        const schemaName = q.schema;
        const rows = await cached(
          cacheScope(s),
          `tables/${encodeURIComponent(schemaName)}/${q.cursor ?? ''}/${q.limit}`,
          () => listTables(db, snapshotId, schemaName, after, q.limit + 1),
        );
        return c.json(
          {
            level: 'tables' as const,
            snapshot: meta(s),
            schema: schemaName,
            ...page(rows, q.limit, (r) => r.name),
          },
          200,
        );
      }
      const rows = await cached(cacheScope(s), `schemas/${q.cursor ?? ''}/${q.limit}`, () =>
        listNamespaces(db, snapshotId, after, q.limit + 1),
      );
      return c.json(
        { level: 'schemas' as const, snapshot: meta(s), ...page(rows, q.limit, (r) => r.name) },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/connections/{id}/schema/tables/{schema}/{table}',
      tags,
      security,
      summary: "One table's full detail: columns, keys, indexes, foreign keys in and out, row estimate",
      request: { params: z.object({ id, schema: name('schema'), table: name('table') }) },
      responses: {
        200: jsonContent(TableDetailSchema, 'The table'),
        ...errorResponses,
        502: errorResponses[404],
      },
    }),
    async (c) => {
      const { id: connectionId, schema: schemaName, table } = c.req.valid('param');
      const s = await openSchema(c, connectionId);
      const found = await cached(
        cacheScope(s),
        `table/${encodeURIComponent(schemaName)}/${encodeURIComponent(table)}`,
        () => tableDetail(c.env.DB, s.head.snapshotId, schemaName, table),
      );
      if (!found) throw notFound(`Table ${schemaName}.${table}`);
      return c.json({ snapshot: meta(s), ...found }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/connections/{id}/schema/objects',
      tags,
      security,
      summary: "A schema's sequences, domains, functions, procedures, aggregates, triggers and events",
      request: { params: z.object({ id }), query: z.object({ schema: z.string().min(1).max(512) }) },
      responses: {
        200: jsonContent(ObjectListSchema, 'By kind, then name'),
        ...errorResponses,
        502: errorResponses[404],
      },
    }),
    async (c) => {
      const { id: connectionId } = c.req.valid('param');
      const { schema: schemaName } = c.req.valid('query');
      const s = await openSchema(c, connectionId);
      const items = await cached(cacheScope(s), `objects/${encodeURIComponent(schemaName)}`, () =>
        listObjects(c.env.DB, s.head.snapshotId, schemaName),
      );
      return c.json({ snapshot: meta(s), schema: schemaName, items }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/connections/{id}/schema/search',
      tags,
      security,
      summary: 'Schemas, tables, columns and other schema objects whose name contains `q`',
      request: {
        params: z.object({ id }),
        query: z.object({ q: z.string().trim().min(1).max(128), limit: limit(200, 50) }),
      },
      responses: {
        200: jsonContent(SearchSchema, 'Matches, exact first'),
        ...errorResponses,
        502: errorResponses[404],
      },
    }),
    async (c) => {
      const { id: connectionId } = c.req.valid('param');
      const { q, limit: max } = c.req.valid('query');
      const s = await openSchema(c, connectionId);
      const items = await cached(cacheScope(s), `search/${encodeURIComponent(q)}/${max}`, () =>
        search(c.env.DB, s.head.snapshotId, q, max),
      );
      return c.json({ snapshot: meta(s), items }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/connections/{id}/schema/history',
      tags,
      security,
      summary: 'Structural changes seen by syncs, newest first',
      request: { params: z.object({ id }), query: z.object({ cursor, limit: limit(100, 20) }) },
      responses: { 200: jsonContent(HistorySchema, 'Changes'), ...errorResponses },
    }),
    async (c) => {
      const { id: connectionId } = c.req.valid('param');
      const q = c.req.valid('query');
      const s = await openSchema(c, connectionId);
      let before: { createdAt: number; id: string } | null = null;
      if (q.cursor !== undefined) {
        const decoded = decodeCursor(q.cursor);
        if (!Array.isArray(decoded) || typeof decoded[0] !== 'number' || typeof decoded[1] !== 'string') {
          throw badRequest('invalid_cursor', 'The cursor is not one this API returned');
        }
        before = { createdAt: decoded[0], id: decoded[1] };
      }
      const rows = await listChanges(c.env.DB, s.orgId, connectionId, before, q.limit + 1);
      const { items, nextCursor } = page(rows, q.limit, (r) => [r.createdAt, r.id]);
      return c.json(
        { items: items.map((r) => ({ ...r, createdAt: new Date(r.createdAt).toISOString() })), nextCursor },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/connections/{id}/schema/erd',
      tags,
      security,
      summary: 'ER-diagram graph: tables as nodes with PK/FK markers, foreign keys as edges',
      request: {
        params: z.object({ id }),
        query: z.object({ schema: z.string().min(1).max(512).optional() }),
      },
      responses: { 200: jsonContent(ErdSchema, 'The graph'), ...errorResponses, 502: errorResponses[404] },
    }),
    async (c) => {
      const { id: connectionId } = c.req.valid('param');
      const { schema: only } = c.req.valid('query');
      const s = await openSchema(c, connectionId);
      const graph = await cached(
        cacheScope(s),
        `erd/${only === undefined ? '*' : encodeURIComponent(only)}`,
        async () =>
          toErd(await cached(cacheScope(s), 'snapshot', () => loadSnapshot(c.env.DB, s.head)), only ?? null),
      );
      return c.json({ snapshot: meta(s), ...graph }, 200);
    },
  )
  .openapi(
    createRoute({
      method: 'get',
      path: '/api/connections/{id}/schema/export',
      tags,
      security,
      summary: "The schema as DDL in the engine's dialect, as JSON, or as a Markdown data dictionary",
      request: {
        params: z.object({ id }),
        query: z.object({
          format: z.enum(['ddl', 'json', 'markdown']).default('ddl'),
          grants: z
            .enum(['true', 'false'])
            .optional()
            .openapi({ description: 'DDL only: add GRANT statements for the privileges others hold' }),
        }),
      },
      responses: {
        200: {
          description: 'A file download',
          content: {
            'application/sql': { schema: z.string() },
            'application/json': { schema: z.unknown() },
            'text/markdown': { schema: z.string() },
          },
        },
        ...errorResponses,
        502: errorResponses[404],
      },
    }),
    async (c) => {
      const { id: connectionId } = c.req.valid('param');
      const { format, grants } = c.req.valid('query');
      const s = await openSchema(c, connectionId);
      const snapshot = () => cached(cacheScope(s), 'snapshot', () => loadSnapshot(c.env.DB, s.head));
      const base = `${s.connectionName}-schema`;
      if (format === 'json') {
        const { queryCount: _q, ...body } = await snapshot();
        return c.body(JSON.stringify({ syncedAt: meta(s).syncedAt, ...body }, null, 2), 200, {
          'content-type': 'application/json; charset=utf-8',
          'content-disposition': attachment(base, 'json'),
        });
      }
      if (format === 'markdown') {
        const text = await cached(cacheScope(s), 'export/markdown', async () =>
          toMarkdown(await snapshot(), s.connectionName),
        );
        return c.body(text, 200, {
          'content-type': 'text/markdown; charset=utf-8',
          'content-disposition': attachment(base, 'md'),
        });
      }
      const text = await exportDdl(c, connectionId, await snapshot(), { grants: grants === 'true' });
      return c.body(text, 200, {
        'content-type': 'application/sql; charset=utf-8',
        'content-disposition': attachment(base, 'sql'),
      });
    },
  );
