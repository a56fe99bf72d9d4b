import type { rows as rowRoutes } from '../../../worker/routes/rows.ts';
import type { FILTER_OPS } from '../../../worker/table-data/filters.ts';
import { path } from '../lib/paths.ts';
import { ApiError, api, request } from './client.ts';
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

export type ImportResult = SuccessBody<
  typeof rowRoutes,
  '/api/connections/:id/tables/:schema/:table/import',
  '$post'
>;

/**
 * Streams a CSV file into a table. XMLHttpRequest rather than fetch: only it reports upload
 * progress (fetch has no upload events), and a large file spends most of its time uploading.
 * Aborting `signal` aborts the upload; rows already inserted by then stay (the server inserts
 * in batches and keeps what the database accepted).
 */
export function importCsv(
  connectionId: string,
  schema: string,
  table: string,
  file: Blob,
  options: { signal: AbortSignal; onProgress: (fraction: number) => void },
): Promise<{ result: ImportResult; requestId: string | undefined }> {
  const url = `${path`/api/connections/${connectionId}/tables/${schema}/${table}/import`}?emptyAsNull=true`;
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Content-Type', 'text/csv');
    xhr.setRequestHeader('Accept', 'application/json');
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable && e.total > 0) options.onProgress(e.loaded / e.total);
    };
    const abort = () => xhr.abort();
    options.signal.addEventListener('abort', abort, { once: true });
    xhr.onabort = () => reject(new DOMException('The import was cancelled', 'AbortError'));
    xhr.onerror = () => reject(new ApiError(0, 'network_error', 'The server could not be reached'));
    xhr.onload = () => {
      options.signal.removeEventListener('abort', abort);
      const requestId = xhr.getResponseHeader('X-Request-Id') ?? undefined;
      let body: unknown = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // Not JSON (a proxy's error page): reported by status below.
      }
      if (xhr.status >= 200 && xhr.status < 300 && body) {
        resolve({ result: body as ImportResult, requestId });
        return;
      }
      const envelope = (body as { error?: { code?: string; message?: string; requestId?: string } } | null)
        ?.error;
      reject(
        new ApiError(
          xhr.status,
          envelope?.code ?? 'http_error',
          envelope?.message ?? `${xhr.status} ${xhr.statusText}`,
          envelope?.requestId ?? requestId,
        ),
      );
    };
    xhr.send(file);
  });
}
