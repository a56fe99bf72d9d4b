import type { hostedSqlite as hostedRoutes } from '../../../worker/routes/hosted-sqlite.ts';
import { path } from '../lib/paths.ts';
import { ApiError, api, request } from './client.ts';
import type { JsonInput, SuccessBody } from './server-types.ts';

export type HostedDatabase = SuccessBody<typeof hostedRoutes, '/api/hosted-databases/:id', '$get'>;
export type NewHostedDatabase = JsonInput<typeof hostedRoutes, '/api/hosted-databases', '$post'>;
type HostedList = SuccessBody<typeof hostedRoutes, '/api/hosted-databases', '$get'>;

/** One line of the import's NDJSON answer (worker/hosted-sqlite/dump-import.ts). */
export interface ImportEvent {
  type: 'progress' | 'done' | 'failed';
  bytes: number;
  executed: number;
  statements?: number;
  failed?: number;
  skipped?: number;
  line?: number;
  errors?: { line: number; message: string }[];
  foreignKeyViolations?: number;
  code?: string;
  message?: string;
}

export const hosted = {
  list: async () => (await api.get<HostedList>('/api/hosted-databases')).items,
  get: (id: string) => api.get<HostedDatabase>(path`/api/hosted-databases/${id}`),
  create: (input: NewHostedDatabase) => api.post<HostedDatabase>('/api/hosted-databases', input),
  drop: (id: string, confirm: string) =>
    request<unknown>(path`/api/hosted-databases/${id}`, { method: 'DELETE', body: { confirm } }),
};

/**
 * Uploads a dump and reports progress twice over: bytes sent (the upload) and the server's
 * NDJSON events as batches finish. XHR, because fetch reports neither while a body uploads.
 */
export function importDump(
  id: string,
  file: File,
  onUpload: (sent: number) => void,
  onEvent: (event: ImportEvent) => void,
): Promise<ImportEvent> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    let read = 0;
    let last: ImportEvent | undefined;
    const drain = () => {
      const text = xhr.responseText;
      let end = text.indexOf('\n', read);
      while (end !== -1) {
        last = JSON.parse(text.slice(read, end)) as ImportEvent;
        onEvent(last);
        read = end + 1;
        end = text.indexOf('\n', read);
      }
    };
    xhr.open('POST', path`/api/hosted-databases/${id}/import`);
    xhr.withCredentials = true;
    xhr.setRequestHeader('Content-Type', 'application/sql');
    xhr.upload.onprogress = (e) => onUpload(e.loaded);
    xhr.onprogress = drain;
    xhr.onload = () => {
      if (xhr.status !== 200) {
        const body = JSON.parse(xhr.responseText || '{}') as {
          error?: { code: string; message: string; requestId?: string };
        };
        const e = body.error;
        return reject(
          new ApiError(xhr.status, e?.code ?? 'http_error', e?.message ?? xhr.statusText, e?.requestId),
        );
      }
      drain();
      if (last) resolve(last);
      else reject(new ApiError(502, 'import_failed', 'The import ended without a result'));
    };
    xhr.onerror = () => reject(new ApiError(0, 'network_error', 'The upload did not reach the server'));
    xhr.send(file);
  });
}
