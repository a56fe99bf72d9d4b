import { api, request } from '../api/client.ts';
import type { ResultColumn } from './query-runner.ts';

export type FilterOp =
  | 'eq'
  | 'neq'
  | 'lt'
  | 'lte'
  | 'gt'
  | 'gte'
  | 'contains'
  | 'in'
  | 'is_null'
  | 'not_null';

export const FILTER_OPS: { op: FilterOp; label: string; takesValue: boolean }[] = [
  { op: 'eq', label: '=', takesValue: true },
  { op: 'neq', label: '≠', takesValue: true },
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
  /** `in` takes a list; the builder splits the text on commas. */
  value?: unknown;
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
  prevCursor: string | null;
}

export interface RowsRequest {
  limit: number;
  sort: RowSort | null;
  filters: RowFilter[];
  after?: string | null;
  before?: string | null;
}

const path = (connectionId: string, schema: string, table: string) =>
  `/api/connections/${encodeURIComponent(connectionId)}/tables/${encodeURIComponent(schema)}/${encodeURIComponent(table)}/rows`;

interface RawRowsPage {
  columns: ResultColumn[];
  rows: unknown[][] | Record<string, unknown>[];
  primaryKey?: string[];
  nextCursor?: string | null;
  prevCursor?: string | null;
}

export async function fetchRows(
  connectionId: string,
  schema: string,
  table: string,
  req: RowsRequest,
  signal?: AbortSignal,
): Promise<RowsPage> {
  const raw = await api.get<RawRowsPage>(
    path(connectionId, schema, table),
    {
      limit: req.limit,
      sort: req.sort ? `${req.sort.column}:${req.sort.direction}` : undefined,
      filters: req.filters.length ? JSON.stringify(req.filters) : undefined,
      after: req.after ?? undefined,
      before: req.before ?? undefined,
    },
    signal,
  );
  const rows = raw.rows.map((r) => (Array.isArray(r) ? r : raw.columns.map((c) => r[c.name])));
  return {
    columns: raw.columns,
    rows,
    primaryKey: raw.primaryKey ?? [],
    nextCursor: raw.nextCursor ?? null,
    prevCursor: raw.prevCursor ?? null,
  };
}

export const insertRow = (c: string, s: string, t: string, values: Record<string, unknown>) =>
  api.post<unknown>(path(c, s, t), { values });

/** `expected` holds the values as last read, so the server refuses if the row changed underneath. */
export const updateRow = (
  c: string,
  s: string,
  t: string,
  key: Record<string, unknown>,
  values: Record<string, unknown>,
  expected: Record<string, unknown>,
) => api.patch<unknown>(path(c, s, t), { key, values, expected });

export const deleteRow = (
  c: string,
  s: string,
  t: string,
  key: Record<string, unknown>,
  expected: Record<string, unknown>,
) => request<unknown>(path(c, s, t), { method: 'DELETE', body: { key, expected } });
