import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { recordAudit } from '../audit/index.ts';
import { type Action, authorize } from '../auth/policy.ts';
import type { Scope } from '../connections/scope.ts';
import type { AppEnv } from '../env.ts';
import { ApiError, badRequest } from '../errors.ts';
import { type ImportEvent, importDump, MAX_DUMP_BYTES } from '../hosted-sqlite/dump-import.ts';
import {
  createHosted,
  dropHosted,
  getHosted,
  listHosted,
  loadHosted,
  rememberImport,
} from '../hosted-sqlite/service.ts';
import { createRouter, errorResponses, jsonContent } from '../openapi.ts';

const security = [{ bearer: [] }];
const tags = ['Hosted SQLite'];

const HostedDatabase = z
  .object({
    id: z
      .string()
      .openapi({ description: 'Also its connection id: query and browse it under /api/connections/{id}' }),
    name: z.string(),
    description: z.string(),
    sizeBytes: z.number().openapi({ description: 'Storage the database takes (as last measured in lists)' }),
    limitBytes: z
      .number()
      .openapi({ description: 'Storage one Durable Object may hold: 10 GB on the Workers Paid plan' }),
    lastImportAt: z.string().nullable(),
    createdAt: z.string(),
  })
  .openapi('HostedDatabase');
const CreateBody = z
  .strictObject({ name: z.string().trim().min(1).max(100), description: z.string().max(1000).optional() })
  .openapi('HostedDatabaseCreate');
const DropBody = z
  .strictObject({ confirm: z.string().max(100).openapi({ description: "The database's name, typed again" }) })
  .openapi('HostedDatabaseDrop');
const IdParam = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'id', in: 'path' } }),
});

const list = createRoute({
  method: 'get',
  path: '/api/hosted-databases',
  tags,
  summary: "The organization's SQLite databases hosted by Atrium",
  security,
  responses: {
    200: jsonContent(z.object({ items: z.array(HostedDatabase) }), 'Hosted databases'),
    ...errorResponses,
  },
});
const create = createRoute({
  method: 'post',
  path: '/api/hosted-databases',
  tags,
  summary: 'Create an empty SQLite database hosted by Atrium (admins and owners)',
  description:
    'It lives in its own Durable Object and appears as a SQLite connection with transport `hosted`.',
  security,
  request: { body: { content: { 'application/json': { schema: CreateBody } }, required: true } },
  responses: { 201: jsonContent(HostedDatabase, 'Created'), ...errorResponses },
});
const read = createRoute({
  method: 'get',
  path: '/api/hosted-databases/{id}',
  tags,
  summary: 'One hosted database, with its size measured now',
  security,
  request: { params: IdParam },
  responses: { 200: jsonContent(HostedDatabase, 'Hosted database'), ...errorResponses },
});
const importRoute = createRoute({
  method: 'post',
  path: '/api/hosted-databases/{id}/import',
  tags,
  summary: 'Import a SQL dump (`sqlite3 .dump` output) into a hosted database (editors and up)',
  description: `Send the dump as the raw body (\`Content-Type: application/sql\` or \`text/plain\`, up to ${MAX_DUMP_BYTES} bytes, streamed). The answer is NDJSON, one event per line as batches finish: \`progress\` events, then \`done\` (with every refused statement's line and SQLite's message, first 100) or \`failed\` (the import stopped; batches before it stay). BEGIN/COMMIT and \`PRAGMA foreign_keys\` are skipped: each batch commits on its own and foreign keys are off while a batch runs. CSV goes into a table through POST /api/connections/{id}/tables/main/{table}/import.`,
  security,
  request: { params: IdParam },
  responses: {
    200: {
      description:
        'NDJSON, one event a line: `{"type":"progress","bytes","statements","executed","failed","skipped","line"}`…, then `{"type":"done",…,"errors":[{"line","message"}],"foreignKeyViolations"}` or `{"type":"failed","code","message","bytes","executed"}`',
      content: { 'application/x-ndjson': { schema: z.string() } },
    },
    ...errorResponses,
  },
});
const drop = createRoute({
  method: 'delete',
  path: '/api/hosted-databases/{id}',
  tags,
  summary: 'Drop a hosted database and all its data (admins and owners; type its name to confirm)',
  security,
  request: {
    params: IdParam,
    body: { content: { 'application/json': { schema: DropBody } }, required: true },
  },
  responses: { 204: { description: 'Dropped' }, ...errorResponses },
});

function scopeOf(c: Context<AppEnv>, action: Action): Scope {
  const auth = authorize(c.get('auth'), action);
  return { auth, orgId: auth.orgId, userId: auth.userId };
}

const DUMP_TYPES = /^(application\/sql|text\/plain|application\/octet-stream)\b/i;

export const hostedSqlite = createRouter()
  .openapi(list, async (c) => {
    const scope = scopeOf(c, 'connection.read');
    return c.json({ items: await listHosted(c, scope) }, 200);
  })
  .openapi(create, async (c) => {
    const scope = scopeOf(c, 'connection.write');
    return c.json(await createHosted(c, scope, c.req.valid('json')), 201);
  })
  .openapi(read, async (c) => {
    const scope = scopeOf(c, 'connection.read');
    return c.json(await getHosted(c, scope, c.req.valid('param').id), 200);
  })
  .openapi(importRoute, async (c) => {
    const { id } = c.req.valid('param');
    const scope = scopeOf(c, 'query.write');
    await loadHosted(c.env, scope.orgId, id);
    const body = c.req.raw.body;
    if (!body) throw badRequest('invalid_dump', 'Send the SQL dump as the request body');
    if (!DUMP_TYPES.test(c.req.header('content-type') ?? '')) {
      throw new ApiError(415, 'unsupported_media_type', 'Send the dump as application/sql or text/plain');
    }
    if (Number(c.req.header('content-length')) > MAX_DUMP_BYTES) {
      throw new ApiError(413, 'payload_too_large', `SQL dumps are limited to ${MAX_DUMP_BYTES} bytes`);
    }
    const started = Date.now();
    const encoder = new TextEncoder();
    const events = importDump(c.env, id, body);
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        const { value, done } = await events.next();
        if (done) return controller.close();
        // The last event goes out once it is audited, so a client that read it finds the entry.
        if (value.type !== 'progress') await audited(value);
        controller.enqueue(encoder.encode(`${JSON.stringify(value)}\n`));
      },
      async cancel() {
        await events.return(undefined);
      },
    });
    const audited = async (last: Exclude<ImportEvent, { type: 'progress' }>) => {
      await rememberImport(c.env, id, new Date()).catch(() => {}); // the size is re-measured on every read
      await recordAudit(c.env, {
        auth: scope.auth,
        orgId: scope.orgId,
        action: 'hosted_database.import',
        target: `connection:${id}`,
        outcome: last.type === 'done' ? 'success' : 'failure',
        durationMs: Date.now() - started,
        rows: last.executed,
        detail:
          last.type === 'done'
            ? { bytes: last.bytes, statements: last.statements, failed: last.failed, skipped: last.skipped }
            : { code: last.code, bytes: last.bytes },
      });
    };
    const res = c.body(stream, 200, {
      'content-type': 'application/x-ndjson; charset=utf-8',
      'cache-control': 'no-store',
    });
    // zod-openapi types `application/x-…json` answers as `never` (it knows only JSON and text/plain).
    return res as never;
  })
  .openapi(drop, async (c) => {
    const scope = scopeOf(c, 'connection.write');
    await dropHosted(c, scope, c.req.valid('param').id, c.req.valid('json').confirm);
    return c.body(null, 204);
  });
