import { createRoute, z } from '@hono/zod-openapi';
import { authorize } from '../auth/policy.ts';
import { badRequest } from '../errors.ts';
import { EXPORT_FORMATS, encoderFor } from '../export/encoders.ts';
import { exportStream } from '../export/stream.ts';
import { createRouter, errorResponses } from '../openapi.ts';
import { beginExecution, serviceContext } from '../queries/execution.ts';
import { loadTable } from '../table-data/catalog.ts';
import { builderFor, col, tableId } from '../table-data/sql.ts';

/** Exports may run long; the database still bounds each fetch, and the client can cancel any time. */
const EXPORT_TIMEOUT_MS = 15 * 60_000;
const BATCH_SIZE = 2000;

const ExportQuery = z
  .object({
    format: z.enum(EXPORT_FORMATS).default('csv'),
    sql: z.string().min(1).max(100_000).optional().openapi({ description: 'A read-only query to export' }),
    params: z
      .string()
      .max(100_000)
      .optional()
      .openapi({ description: 'JSON array of positional parameters for `sql`' }),
    schema: z.string().min(1).max(255).optional(),
    table: z
      .string()
      .min(1)
      .max(255)
      .optional()
      .openapi({ description: 'Export a whole table (with `schema`)' }),
  })
  .refine((q) => (q.sql !== undefined) !== (q.table !== undefined && q.schema !== undefined), {
    message: 'Give either `sql` or `schema` and `table`',
  });

const route = createRoute({
  method: 'get',
  path: '/api/connections/{id}/export',
  tags: ['Queries'],
  summary: 'Stream a query result or a whole table as CSV, NDJSON or JSON',
  description:
    'Always read-only. The body is streamed in batches; if the database fails midway the response is aborted, never ended as if complete.',
  security: [{ bearer: [] }],
  request: {
    params: z.object({
      id: z
        .string()
        .min(1)
        .max(100)
        .openapi({ param: { name: 'id', in: 'path' } }),
    }),
    query: ExportQuery,
  },
  responses: {
    200: {
      description: 'The file, streamed',
      content: {
        'text/csv': { schema: z.string() },
        'application/x-ndjson': { schema: z.string() },
        'application/json': { schema: z.array(z.record(z.string(), z.unknown())) },
      },
    },
    ...errorResponses,
  },
});

function parseParams(text: string | undefined): unknown[] {
  if (text === undefined) return [];
  try {
    const value: unknown = JSON.parse(text);
    if (Array.isArray(value)) return value;
  } catch {
    // answered below
  }
  throw badRequest('invalid_params', '`params` must be a JSON array');
}

export const exports = createRouter().openapi(route, async (c) => {
  const { id } = c.req.valid('param');
  const q = c.req.valid('query');
  const caller = authorize(c.get('auth'), 'query.read');
  const params = parseParams(q.params);
  const execution = await beginExecution(c, caller, {
    connectionId: id,
    kind: 'export',
    action: 'query.read',
    statement: q.sql ?? `-- export ${q.schema}.${q.table}`,
    statementCount: 1,
    readOnly: true,
    timeoutMs: EXPORT_TIMEOUT_MS,
  });
  const { engine, signal } = execution;
  const encoder = encoderFor(q.format);
  let stream: Awaited<ReturnType<typeof exportStream>>;
  try {
    let text = q.sql ?? '';
    let values: readonly unknown[] = params;
    if (q.schema !== undefined && q.table !== undefined) {
      const info = await loadTable(engine, q.schema, q.table);
      // Key order makes the file deterministic and lets engines without cursors page by key.
      let select = builderFor(engine.name)
        .selectFrom(tableId(engine.name, info.schema, info.table).as('t'))
        .selectAll();
      for (const name of info.primaryKey) select = select.orderBy(col(name));
      const compiled = select.compile();
      text = compiled.sql;
      values = compiled.parameters;
    }
    const ctx = serviceContext(c);
    stream = await exportStream(
      engine.stream(text, { params: values, batchSize: BATCH_SIZE, signal }),
      encoder,
      (r) => {
        const recorded = execution.finish(r);
        if (ctx.executionCtx) ctx.executionCtx.waitUntil(recorded);
      },
    );
  } catch (err) {
    throw await execution.finish({ rowCount: null, error: err });
  }
  const name = (q.table ?? 'query').replace(/[^\w.-]+/g, '_');
  return c.body(stream.body, 200, {
    'content-type': encoder.contentType,
    'content-disposition': `attachment; filename="${name}.${encoder.extension}"`,
    'cache-control': 'no-store',
  });
});
