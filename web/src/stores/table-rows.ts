import { api, request } from '../api/client.ts';
import { path } from '../lib/paths.ts';
import type { ResultColumn } from './query-runner.ts';

export type FilterOp = 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte' | 'contains' | 'in' | 'is_null' | 'not_null';

export const FILTER_OPS: { op: FilterOp; label: string; takesValue: boolean }[] = [
  { op: 'eq', label: '=', takesValue: true },
  { op: 'ne', label: '≠', takesValue: true },
  { op: 'lt', label: '<', takesValue: true },
  { op: 'lte', label: '≤', takesValue: true },
  { op: 'gt', label: '>', takesValue: true },
  { op: 'gte', label: '≥', takesValue: true },
  { op: 'contains', label: 'contains', takesValue: true },
  { op: 'in', label: 'in', takesValue: true },
  { op: 'is_null', label: 'is null', takesValue: false },
  { op: 'not_null', label: 'is not null', takesValue: false },
];

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

export interface RowsPage {
  columns: ResultColumn[];
  rows: unknown[][];
  primaryKey: string[];
  nextCursor: string | null;
  pagination: 'keyset' | 'offset';
}

export interface RowsRequest {
  limit: number;
  sort: RowSort | null;
  filters: RowFilter[];
  /** `nextCursor` of the previous page; the API pages forward only, the grid keeps the trail. */
  cursor?: string | null;
}

const rowsPath = (connectionId: string, schema: string, table: string) =>
  path`/api/connections/${connectionId}/tables/${schema}/${table}/rows`;

interface RawRowsPage {
  columns: ResultColumn[];
  rows: unknown[][];
  primaryKey: string[];
  pagination: 'keyset' | 'offset';
  nextCursor: string | null;
}

export async function fetchRows(
  connectionId: string,
  schema: string,
  table: string,
  req: RowsRequest,
  signal?: AbortSignal,
): Promise<RowsPage> {
  const raw = await api.get<RawRowsPage>(
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
  return raw;
}

export const insertRow = (c: string, s: string, t: string, values: Record<string, unknown>) =>
  api.post<unknown>(rowsPath(c, s, t), { values });

/** `expected` holds the values as last read, so the server refuses if the row changed underneath. */
export const updateRow = (
  c: string,
  s: string,
  t: string,
  key: Record<string, unknown>,
  values: Record<string, unknown>,
  expected: Record<string, unknown>,
) => api.patch<unknown>(rowsPath(c, s, t), { key, values, original: expected });

export const deleteRow = (
  c: string,
  s: string,
  t: string,
  key: Record<string, unknown>,
  expected: Record<string, unknown>,
) => request<unknown>(rowsPath(c, s, t), { method: 'DELETE', body: { key, original: expected } });
