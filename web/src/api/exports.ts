import type { exports as exportRoutes } from '../../../worker/routes/exports.ts';
import { path } from '../lib/paths.ts';
import { api } from './client.ts';
import type { JsonInput, SuccessBody } from './server-types.ts';

export type ExportFormat = 'csv' | 'ndjson' | 'json';
export type ExportTicket = SuccessBody<typeof exportRoutes, '/api/connections/:id/export/tickets', '$post'>;
export type ExportTicketRequest = JsonInput<
  typeof exportRoutes,
  '/api/connections/:id/export/tickets',
  '$post'
>;

const base = (connectionId: string) => path`/api/connections/${connectionId}/export`;

/**
 * Export downloads go to disk through the browser's own download manager (a plain GET), so a
 * large file never sits in the page's memory. A GET never carries SQL: a query first becomes a
 * one-time ticket (a CSRF-guarded POST), and the GET names only the ticket.
 */
export const exportsApi = {
  ticket: (connectionId: string, input: ExportTicketRequest) =>
    api.post<ExportTicket>(`${base(connectionId)}/tickets`, input),
  ticketUrl: (connectionId: string, ticket: string, format: ExportFormat) =>
    `${base(connectionId)}?${new URLSearchParams({ ticket, format })}`,
  /** The web app always asks for formula escaping: its files are opened in spreadsheets. */
  tableUrl: (connectionId: string, schema: string, table: string, format: ExportFormat) =>
    `${base(connectionId)}?${new URLSearchParams({ format, schema, table, escapeFormulas: 'true' })}`,
};
