import { createSignal, onCleanup } from 'solid-js';
import { ApiError, api, describeError, request } from '../api/client.ts';
import { path } from '../lib/paths.ts';

export interface ResultColumn {
  name: string;
  type: string;
}

/** One statement's answer from `POST /api/connections/:id/query`. */
export interface StatementResult {
  columns: ResultColumn[];
  rows: unknown[][];
  affectedRows: number | null;
  durationMs: number;
  truncated: boolean;
  notices: string[];
  command?: string | null;
  cached?: boolean;
}

export interface QueryRequest {
  sql: string;
  params?: unknown[];
  maxRows?: number;
  timeoutMs?: number;
  readOnly?: boolean;
}

export interface QueryFailure {
  message: string;
  code: string;
  /** 1-based character offset into the statement, when the engine reports one. */
  position: number | undefined;
}

const queryPath = (connectionId: string) => path`/api/connections/${connectionId}/query`;

export async function runQuery(
  connectionId: string,
  input: QueryRequest,
  signal?: AbortSignal,
): Promise<StatementResult[]> {
  const body = await request<{ results: StatementResult[] }>(queryPath(connectionId), {
    method: 'POST',
    body: input,
    signal,
  });
  return body.results;
}

export function toFailure(err: unknown): QueryFailure {
  if (err instanceof ApiError) {
    const position = err.details?.position;
    return {
      message: describeError(err),
      code: typeof err.details?.dbCode === 'string' ? `${err.code} ${err.details.dbCode}` : err.code,
      position: typeof position === 'number' ? position : undefined,
    };
  }
  return { message: describeError(err), code: 'error', position: undefined };
}

/**
 * One query tab's run state: the latest results, the failure, and a cancel that
 * aborts the request (the server aborts the statement with it).
 */
export function createQueryRunner() {
  const [results, setResults] = createSignal<StatementResult[]>([]);
  const [failure, setFailure] = createSignal<QueryFailure | null>(null);
  const [running, setRunning] = createSignal(false);
  const [elapsedMs, setElapsedMs] = createSignal<number | null>(null);
  let controller: AbortController | null = null;

  async function run(connectionId: string, input: QueryRequest): Promise<void> {
    controller?.abort();
    const mine = new AbortController();
    controller = mine;
    setRunning(true);
    setFailure(null);
    const started = performance.now();
    try {
      const answer = await runQuery(connectionId, input, mine.signal);
      if (controller !== mine) return;
      setResults(answer);
      setElapsedMs(Math.round(performance.now() - started));
    } catch (err) {
      if (controller !== mine) return;
      if (err instanceof DOMException && err.name === 'AbortError') {
        setFailure({ message: 'Cancelled', code: 'cancelled', position: undefined });
      } else {
        setFailure(toFailure(err));
      }
    } finally {
      if (controller === mine) {
        setRunning(false);
        controller = null;
      }
    }
  }

  function cancel() {
    controller?.abort();
  }

  onCleanup(cancel);
  return { results, failure, running, elapsedMs, run, cancel };
}

export type QueryRunner = ReturnType<typeof createQueryRunner>;

export interface HistoryEntry {
  id: string;
  connectionId: string;
  /** The SQL, first 4 KB. */
  statement: string;
  durationMs: number;
  rowCount: number | null;
  outcome: 'ok' | 'error' | 'timeout' | 'denied' | 'rate_limited';
  startedAt: string;
  cached: boolean;
}

export interface SavedQuery {
  id: string;
  name: string;
  sql: string;
  connectionId: string | null;
  createdAt?: string | number;
}

export async function fetchHistory(connectionId: string | undefined): Promise<HistoryEntry[]> {
  return (await api.get<{ items: HistoryEntry[] }>('/api/history', { connectionId, limit: 50 })).items;
}

export async function fetchSavedQueries(connectionId: string | undefined): Promise<SavedQuery[]> {
  return (await api.get<{ items: SavedQuery[] }>('/api/saved-queries', { connectionId })).items;
}

export const saveQuery = (input: { name: string; sql: string; connectionId: string | null }) =>
  api.post<SavedQuery>('/api/saved-queries', input);

export const deleteSavedQuery = (id: string) => api.delete<unknown>(path`/api/saved-queries/${id}`);
