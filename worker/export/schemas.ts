import { z } from '@hono/zod-openapi';
import { Param } from '../queries/run-query.ts';
import { EXPORT_FORMATS } from './encoders.ts';

export const MAX_EXPORT_SQL_CHARS = 100_000;

const ESCAPE_DESCRIPTION =
  "CSV only. Default true: text cells starting with `=`, `+`, `-`, `@`, tab or CR get a leading `'` and are quoted, so a spreadsheet shows them instead of running them (OWASP CSV injection). Cells that are exactly a number (`-5`, `1.5e3`) are never changed. Send false for raw data meant for re-import or other programs.";

export const ConnectionParam = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: 'id', in: 'path' }, example: 'builtin:demo' }),
});

/** A file name without path, quotes or extension; the format adds the extension. */
const Filename = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[\w .-]+$/)
  .optional()
  .openapi({ description: 'File name for the download, without extension (default `query`)' });

const QueryFields = {
  sql: z.string().min(1).max(MAX_EXPORT_SQL_CHARS).openapi({
    description:
      'Exactly one read-only statement (a script answers 400 `single_statement_required`; transaction control and server-side effects answer 403 `read_only_violation`).',
    example: 'select * from film where rating = $1',
  }),
  params: z.array(Param).max(10_000).optional().openapi({ description: 'Positional parameters for `sql`' }),
  escapeFormulas: z.boolean().default(true).openapi({ description: ESCAPE_DESCRIPTION }),
  filename: Filename,
};

export const ExportBody = z
  .object({ ...QueryFields, format: z.enum(EXPORT_FORMATS).default('csv') })
  .openapi('QueryExportRequest');

export const TicketBody = z.object(QueryFields).openapi('ExportTicketRequest');

export const TicketResponse = z
  .object({
    ticket: z.string(),
    expiresAt: z.string().openapi({ description: 'ISO time; the ticket also dies on first use' }),
    url: z.string().openapi({
      description: 'GET this (add `&format=ndjson|json` for another format) with the same credentials',
      example: '/api/connections/builtin:demo/export?ticket=…',
    }),
  })
  .openapi('ExportTicket');

export const ExportQuery = z
  .object({
    format: z.enum(EXPORT_FORMATS).default('csv'),
    ticket: z.string().min(1).max(100).optional().openapi({
      description: 'A one-time ticket from `POST /api/connections/{id}/export/tickets`',
    }),
    schema: z.string().min(1).max(255).optional(),
    table: z
      .string()
      .min(1)
      .max(255)
      .optional()
      .openapi({ description: 'Export a whole table (with `schema`)' }),
    escapeFormulas: z
      .enum(['true', 'false'])
      .optional()
      .openapi({ description: `${ESCAPE_DESCRIPTION} For a ticket, its own setting applies.` }),
  })
  .refine(
    (q) =>
      q.ticket !== undefined
        ? q.schema === undefined && q.table === undefined && q.escapeFormulas === undefined
        : q.schema !== undefined && q.table !== undefined,
    { message: 'Give either `ticket` or `schema` and `table`' },
  );

export const fileResponses = {
  200: {
    description: 'The file, streamed',
    content: {
      'text/csv': { schema: z.string() },
      'application/x-ndjson': { schema: z.string() },
      'application/json': { schema: z.array(z.record(z.string(), z.unknown())) },
    },
  },
};
