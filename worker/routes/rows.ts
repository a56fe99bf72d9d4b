import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { authorize } from '../auth/policy.ts';
import type { Engine } from '../engines/engine.ts';
import type { AppEnv } from '../env.ts';
import { ApiError, badRequest } from '../errors.ts';
import { importCsv } from '../import/csv-import.ts';
import { readCsv } from '../import/csv-reader.ts';
import { MAX_IMPORT_BYTES } from '../import/limits.ts';
import { createRouter, errorResponses, jsonContent } from '../openapi.ts';
import { type ExecutionSpec, runExecution } from '../queries/execution.ts';
import { TIMEOUT_DEFAULT_MS } from '../queries/run-query.ts';
import { type LiveTable, loadTable } from '../table-data/catalog.ts';
import { FiltersParam } from '../table-data/filters.ts';
import { readRows } from '../table-data/read.ts';
import { deleteRow, insertRow, updateRow } from '../table-data/write.ts';

const security = [{ bearer: [] }];
/** A whole import shares one slot lease; each batch is still bounded by the statement timeout. */
const IMPORT_TIMEOUT_MS = 10 * 60_000;
export const TableParams = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'builtin:demo' }),
  schema: z
    .string()
    .min(1)
    .max(255)
    .openapi({ param: { name: 'schema', in: 'path' }, example: 'public' }),
  table: z
    .string()
    .min(1)
    .max(255)
    .openapi({ param: { name: 'table', in: 'path' }, example: 'film' }),
});

const Values = z.record(z.string(), z.unknown());
const RowsQuery = z.object({
  sort: z
    .string()
    .min(1)
    .max(255)
    .optional()
    .openapi({ description: 'Column to sort by; the primary key breaks ties' }),
  dir: z.enum(['asc', 'desc']).default('asc'),
  filters: FiltersParam.optional().openapi({
    description:
      'JSON array of `{column, op, value|values}`; op is eq, ne, lt, lte, gt, gte, contains, in, is_null, not_null. ANDed.',
    example: '[{"column":"rating","op":"eq","value":"PG"}]',
  }),
  cursor: z.string().max(8192).optional().openapi({ description: '`nextCursor` of the previous page' }),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
});
const RowsPage = z
  .object({
    columns: z.array(z.object({ name: z.string(), type: z.string() })),
    rows: z.array(z.array(z.unknown())),
    primaryKey: z.array(z.string()),
    pagination: z.enum(['keyset', 'offset']),
    nextCursor: z.string().nullable(),
    durationMs: z.number(),
  })
  .openapi('RowsPage');
const WriteResult = z
  .object({ affectedRows: z.number(), row: z.record(z.string(), z.unknown()).nullable() })
  .openapi('RowWriteResult');
const InsertBody = z.object({ values: Values }).openapi('RowInsert');
const UpdateBody = z
  .object({
    key: Values.openapi({ description: 'Primary-key values of the row' }),
    original: Values.default({}).openapi({
      description:
        'Values as the client last saw them; the update fails with 409 row_changed if they changed',
    }),
    values: Values,
  })
  .openapi('RowUpdate');
const DeleteBody = z.object({ key: Values, original: Values.default({}) }).openapi('RowDelete');

const path = '/api/connections/{id}/tables/{schema}/{table}/rows';
const read = createRoute({
  method: 'get',
  path,
  tags: ['Table data'],
  summary: 'A page of rows (keyset pagination on the primary key)',
  security,
  request: { params: TableParams, query: RowsQuery },
  responses: { 200: jsonContent(RowsPage, 'One page'), ...errorResponses },
});
const writeResponses = {
  200: jsonContent(WriteResult, 'Written'),
  409: jsonContent(z.object({}), '`row_changed` or `read_only_table`'),
  ...errorResponses,
};
const insert = createRoute({
  method: 'post',
  path,
  tags: ['Table data'],
  summary: 'Insert a row',
  security,
  request: {
    params: TableParams,
    body: { content: { 'application/json': { schema: InsertBody } }, required: true },
  },
  responses: writeResponses,
});
const update = createRoute({
  method: 'patch',
  path,
  tags: ['Table data'],
  summary: 'Update a row by primary key, if it did not change underneath',
  security,
  request: {
    params: TableParams,
    body: { content: { 'application/json': { schema: UpdateBody } }, required: true },
  },
  responses: writeResponses,
});
const remove = createRoute({
  method: 'delete',
  path,
  tags: ['Table data'],
  summary: 'Delete a row by primary key, if it did not change underneath',
  security,
  request: {
    params: TableParams,
    body: { content: { 'application/json': { schema: DeleteBody } }, required: true },
  },
  responses: writeResponses,
});

type Params = z.infer<typeof TableParams>;

function spec(params: Params, readOnly: boolean): ExecutionSpec {
  return {
    connectionId: params.id,
    kind: 'rows',
    statement: `-- table data ${params.schema}.${params.table}`,
    statementCount: 1,
    readOnly,
    timeoutMs: TIMEOUT_DEFAULT_MS,
  };
}

/** Table-data writes: authorize, then (inside the execution) catalog check and one statement. */
async function write<T extends { affectedRows: number; sql: string }>(
  c: Context<AppEnv>,
  params: Params,
  run: (engine: Engine, info: LiveTable, options: { timeoutMs: number; signal: AbortSignal }) => Promise<T>,
): Promise<T> {
  const caller = authorize(c.get('auth'), 'rows.write');
  const s = spec(params, false);
  return runExecution(c, caller, s, async (engine, signal) => {
    const info = await loadTable(engine, params.schema, params.table);
    const r = await run(engine, info, { timeoutMs: s.timeoutMs, signal });
    s.statement = r.sql;
    return { value: r, rowCount: r.affectedRows };
  });
}

const ImportResult = z
  .object({
    inserted: z.number(),
    failed: z.number(),
    errors: z.array(z.object({ row: z.number(), code: z.string(), message: z.string() })),
    batches: z.number(),
  })
  .openapi('ImportResult');
const importCsvRoute = createRoute({
  method: 'post',
  path: '/api/connections/{id}/tables/{schema}/{table}/import',
  tags: ['Table data'],
  summary: 'Import CSV rows into a table',
  description:
    'Send the CSV as the raw body (`Content-Type: text/csv`, up to 50 MB, streamed). The first line names the columns. Rows go in batches; rows the database refuses are reported in `errors` and the others are kept.',
  security,
  request: {
    params: TableParams,
    query: z.object({
      emptyAsNull: z
        .enum(['true', 'false'])
        .default('true')
        .openapi({ description: 'Empty fields become NULL' }),
    }),
  },
  responses: { 200: jsonContent(ImportResult, 'What was inserted and what failed'), ...errorResponses },
});

export const rows = createRouter()
  .openapi(read, async (c) => {
    const params = c.req.valid('param');
    const q = c.req.valid('query');
    const caller = authorize(c.get('auth'), 'query.read');
    const s = spec(params, true);
    const page = await runExecution(c, caller, s, async (engine, signal) => {
      const info = await loadTable(engine, params.schema, params.table);
      const result = await readRows(engine, info, {
        sort: q.sort,
        direction: q.dir,
        filters: q.filters ?? [],
        cursor: q.cursor,
        limit: q.limit,
        timeoutMs: s.timeoutMs,
        signal,
      });
      s.statement = result.sql;
      return { value: result, rowCount: result.rows.length };
    });
    const { sql: _sql, ...body } = page;
    return c.json(body, 200);
  })
  .openapi(insert, async (c) => {
    const params = c.req.valid('param');
    const { values } = c.req.valid('json');
    const result = await write(c, params, (engine, info, o) => insertRow(engine, info, values, o));
    return c.json({ affectedRows: result.affectedRows, row: result.row }, 200);
  })
  .openapi(update, async (c) => {
    const params = c.req.valid('param');
    const body = c.req.valid('json');
    const result = await write(c, params, (engine, info, o) => updateRow(engine, info, body, o));
    return c.json({ affectedRows: result.affectedRows, row: result.row }, 200);
  })
  .openapi(remove, async (c) => {
    const params = c.req.valid('param');
    const body = c.req.valid('json');
    const result = await write(c, params, (engine, info, o) => deleteRow(engine, info, body, o));
    return c.json({ affectedRows: result.affectedRows, row: result.row }, 200);
  })
  .openapi(importCsvRoute, async (c) => {
    const params = c.req.valid('param');
    const { emptyAsNull } = c.req.valid('query');
    const body = c.req.raw.body;
    if (!body) throw badRequest('invalid_csv', 'Send the CSV as the request body');
    const declared = Number(c.req.header('content-length'));
    if (declared > MAX_IMPORT_BYTES) {
      throw new ApiError(413, 'payload_too_large', `CSV imports are limited to ${MAX_IMPORT_BYTES} bytes`);
    }
    const caller = authorize(c.get('auth'), 'rows.write');
    const s = { ...spec(params, false), kind: 'import' as const, timeoutMs: IMPORT_TIMEOUT_MS };
    const result = await runExecution(c, caller, s, async (engine, signal) => {
      const info = await loadTable(engine, params.schema, params.table);
      s.statement = `-- import CSV into ${params.schema}.${params.table}`;
      const r = await importCsv(engine, info, readCsv(body, MAX_IMPORT_BYTES), {
        emptyAsNull: emptyAsNull === 'true',
        timeoutMs: TIMEOUT_DEFAULT_MS,
        signal,
      });
      return { value: r, rowCount: r.inserted };
    });
    return c.json(result, 200);
  });
