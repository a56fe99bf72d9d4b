import { createSignal, onCleanup } from 'solid-js';
import { ApiError, describeError } from '../api/client.ts';
import { type QueryRequest, runQuery, type StatementResult } from '../api/queries.ts';

export type { ResultColumn, StatementResult } from '../api/queries.ts';

export interface QueryFailure {
  message: string;
  code: string;
  /** 1-based character offset into the statement, when the engine reports one. */
  position: number | undefined;
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
