import type { rows as rowRoutes } from '../../../worker/routes/rows.ts';
import type { FILTER_OPS } from '../../../worker/table-data/filters.ts';
import { path } from '../lib/paths.ts';
import { api, request } from './client.ts';
import type { SuccessBody } from './server-types.ts';

const ROWS = '/api/connections/:id/tables/:schema/:table/rows';

export type RowsPage = SuccessBody<typeof rowRoutes, typeof ROWS, '$get'>;
export type RowWriteResult = SuccessBody<typeof rowRoutes, typeof ROWS, '$patch'>;
export type FilterOp = (typeof FILTER_OPS)[number];

/** A filter as the grid edits it; the server validates values per operator. */
export interface RowFilter {
  column: string;
  op: FilterOp;
  value?: unknown;
  /** Only for `in`. */
  values?: unknown[];
}

export interface RowSort {
  column: string;
  direction: 'asc' | 'desc';
}

export interface RowsRequest {
  limit: number;
  sort: RowSort | null;
  filters: RowFilter[];
  /** `nextCursor` of the previous page; the API pages forward only, the grid keeps the trail. */
  cursor?: string | null;
}

type Values = Record<string, unknown>;

const rowsPath = (connectionId: string, schema: string, table: string) =>
  path`/api/connections/${connectionId}/tables/${schema}/${table}/rows`;

export function fetchRows(
  connectionId: string,
  schema: string,
  table: string,
  req: RowsRequest,
  signal?: AbortSignal,
): Promise<RowsPage> {
  return api.get<RowsPage>(
    rowsPath(connectionId, schema, table),
    {
      limit: req.limit,
      sort: req.sort?.column,
      dir: req.sort?.direction,
      filters: req.filters.length ? JSON.stringify(req.filters) : undefined,
      cursor: req.cursor ?? undefined,
    },
    signal,
  );
}

export const insertRow = (c: string, s: string, t: string, values: Values) =>
  api.post<RowWriteResult>(rowsPath(c, s, t), { values });

/** `expected` holds the values as last read, so the server refuses if the row changed underneath. */
export const updateRow = (c: string, s: string, t: string, key: Values, values: Values, expected: Values) =>
  api.patch<RowWriteResult>(rowsPath(c, s, t), { key, values, original: expected });

export const deleteRow = (c: string, s: string, t: string, key: Values, expected: Values) =>
  request<RowWriteResult>(rowsPath(c, s, t), { method: 'DELETE', body: { key, original: expected } });
