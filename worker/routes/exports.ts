import { createRoute } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { authorize } from '../auth/policy.ts';
import { getConnection } from '../connections/crud.ts';
import { usesReadOnlyLogin } from '../connections/read-only-login.ts';
import { col, sqlBuilder, tableId } from '../engines/sql-builder.ts';
import type { AppEnv } from '../env.ts';
import { badRequest } from '../errors.ts';
import { type ExportFormat, encoderFor } from '../export/encoders.ts';
import {
  ConnectionParam,
  ExportBody,
  ExportQuery,
  fileResponses,
  TicketBody,
  TicketResponse,
} from '../export/schemas.ts';
import { singleExportStatement } from '../export/statement.ts';
import { exportStream } from '../export/stream.ts';
import { consumeTicket, createTicket } from '../export/tickets.ts';
import { afterResponse, serviceContext } from '../lib/after-response.ts';
import { createRouter, errorResponses, jsonContent } from '../openapi.ts';
import { beginExecution, type Caller } from '../queries/execution.ts';
import { loadTable } from '../table-data/catalog.ts';

/** Exports may run long; the database still bounds each fetch, and the client can cancel any time. */
const EXPORT_TIMEOUT_MS = 15 * 60_000;
const BATCH_SIZE = 2000;
const security = [{ bearer: [] }];

const STREAMING =
  'Always read-only. The body is streamed in batches; if the database fails midway the response is aborted, never ended as if complete.';

const postExport = createRoute({
  method: 'post',
  path: '/api/connections/{id}/export',
  tags: ['Queries'],
  summary: 'Stream the result of one read-only statement as CSV, NDJSON or JSON',
  description: `${STREAMING} Caller-supplied SQL is only ever accepted on a POST (CSRF-guarded); a browser download that cannot send a body uses a ticket instead.`,
  security,
  request: {
    params: ConnectionParam,
    body: { content: { 'application/json': { schema: ExportBody } }, required: true },
  },
  responses: { ...fileResponses, ...errorResponses },
});

const postTicket = createRoute({
  method: 'post',
  path: '/api/connections/{id}/export/tickets',
  tags: ['Queries'],
  summary: 'Create a one-time export ticket for a plain browser download',
  description:
    'The statement is checked now (one statement, read-only) and again when the ticket is used. The ticket works once, for 60 seconds, only for the same user, organization and connection: `GET /api/connections/{id}/export?ticket=…`.',
  security,
  request: {
    params: ConnectionParam,
    body: { content: { 'application/json': { schema: TicketBody } }, required: true },
  },
  responses: { 201: jsonContent(TicketResponse, 'Created'), ...errorResponses },
});

const getExport = createRoute({
  method: 'get',
  path: '/api/connections/{id}/export',
  tags: ['Queries'],
  summary: 'Stream a whole table, or a ticketed query, as CSV, NDJSON or JSON',
  description: `${STREAMING} A GET never takes SQL: \`?sql=\` answers 400 \`sql_requires_post\` (a link on another site must not be able to run a query as a signed-in user). Use \`POST\` on this path, or a ticket.`,
  security,
  request: { params: ConnectionParam, query: ExportQuery },
  responses: { ...fileResponses, ...errorResponses },
});

type ExportSource =
  | { kind: 'query'; sql: string; params: readonly unknown[] }
  | { kind: 'table'; schema: string; table: string };

interface ExportOptions {
  format: ExportFormat;
  escapeFormulas: boolean;
  filename: string;
}

interface ExportFile {
  body: ReadableStream<Uint8Array>;
  headers: Record<string, string>;
}

/** Runs one export through the execution pipeline (limits, slot, history); the body streams. */
async function streamExport(
  c: Context<AppEnv>,
  caller: Caller,
  connectionId: string,
  source: ExportSource,
  options: ExportOptions,
): Promise<ExportFile> {
  const execution = await beginExecution(c, caller, {
    connectionId,
    kind: 'export',
    statement: source.kind === 'query' ? source.sql : `-- export ${source.schema}.${source.table}`,
    statementCount: 1,
    readOnly: true,
    timeoutMs: EXPORT_TIMEOUT_MS,
  });
  const { engine, signal } = execution;
  const encoder = encoderFor(options.format, { escapeFormulas: options.escapeFormulas });
  let stream: Awaited<ReturnType<typeof exportStream>>;
  try {
    let text: string;
    let values: readonly unknown[];
    // Only Atrium's own table SELECT may be wrapped by the engine (COPY); a caller's text never is.
    const ownText = source.kind === 'table';
    if (source.kind === 'query') {
      // Checked here, inside the execution, so a refusal is recorded like any other.
      text = singleExportStatement(source.sql, engine.name, {
        refuseServerEffects: !usesReadOnlyLogin(engine),
      });
      values = source.params;
    } else {
      const info = await loadTable(engine, source.schema, source.table);
      // Key order makes the file deterministic and lets engines without cursors page by key.
      let select = sqlBuilder(engine.name)
        .selectFrom(tableId(engine.name, info.schema, info.table).as('t'))
        .selectAll();
      for (const name of info.primaryKey) select = select.orderBy(col(name));
      const compiled = select.compile();
      text = compiled.sql;
      values = compiled.parameters;
    }
    stream = await exportStream(
      engine.stream(text, { params: values, batchSize: BATCH_SIZE, signal, ownText }),
      encoder,
      // The body has been sent by now; the history write must still outlive the request.
      (r) => void afterResponse(c, execution.finish(r)),
    );
  } catch (err) {
    throw await execution.finish({ rowCount: null, error: err });
  }
  const name = options.filename.replace(/[^\w.-]+/g, '_');
  return {
    body: stream.body,
    headers: {
      'content-type': encoder.contentType,
      'content-disposition': `attachment; filename="${name}.${encoder.extension}"`,
      'cache-control': 'no-store',
    },
  };
}

const router = createRouter();

// Before validation, so the answer names the mistake instead of a generic schema error.
router.use('/api/connections/:id/export', async (c, next) => {
  if (c.req.query('sql') !== undefined || c.req.query('params') !== undefined) {
    throw badRequest(
      'sql_requires_post',
      'SQL is never taken from a URL; POST it to this path (or create a ticket) instead',
    );
  }
  return next();
});

export const exports = router
  .openapi(postExport, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const caller = authorize(c.get('auth'), 'query.read');
    const file = await streamExport(
      c,
      caller,
      id,
      { kind: 'query', sql: body.sql, params: body.params ?? [] },
      { format: body.format, escapeFormulas: body.escapeFormulas, filename: body.filename ?? 'query' },
    );
    return c.body(file.body, 200, file.headers);
  })
  .openapi(postTicket, async (c) => {
    const { id } = c.req.valid('param');
    const body = c.req.valid('json');
    const caller = authorize(c.get('auth'), 'query.read');
    // Fails fast (404, 400, 403) while the page can still show the error; a download cannot.
    const connection = await getConnection(
      serviceContext(c),
      {
        auth: caller,
        orgId: caller.orgId,
        userId: caller.userId,
      },
      id,
    );
    // An early answer for the page, as strict as a run without a read-only login; the check with the
    // login known runs again when the ticket is used.
    singleExportStatement(body.sql, connection.engine, { refuseServerEffects: true });
    const { ticket, expiresAt } = await createTicket(c.env, caller, id, {
      sql: body.sql,
      params: body.params ?? [],
      escapeFormulas: body.escapeFormulas,
      filename: body.filename ?? null,
    });
    const url = `/api/connections/${encodeURIComponent(id)}/export?ticket=${ticket}`;
    return c.json({ ticket, expiresAt: new Date(expiresAt).toISOString(), url }, 201);
  })
  .openapi(getExport, async (c) => {
    const { id } = c.req.valid('param');
    const q = c.req.valid('query');
    const caller = authorize(c.get('auth'), 'query.read');
    if (q.ticket !== undefined) {
      const ticketed = await consumeTicket(c.env, caller, id, q.ticket);
      const file = await streamExport(
        c,
        caller,
        id,
        { kind: 'query', sql: ticketed.sql, params: ticketed.params },
        {
          format: q.format,
          escapeFormulas: ticketed.escapeFormulas,
          filename: ticketed.filename ?? 'query',
        },
      );
      return c.body(file.body, 200, file.headers);
    }
    // The schema refuses anything else, so both are here.
    const schema = q.schema ?? '';
    const table = q.table ?? '';
    const file = await streamExport(
      c,
      caller,
      id,
      { kind: 'table', schema, table },
      { format: q.format, escapeFormulas: q.escapeFormulas !== 'false', filename: table },
    );
    return c.body(file.body, 200, file.headers);
  });
