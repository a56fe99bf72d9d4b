import { createSignal } from 'solid-js';
import { ApiError, describeError } from '../api/client.ts';
import { type QueryRequest, runQuery, type StatementResult } from '../api/queries.ts';
import { createLongTask } from './long-task.ts';

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
 * One query tab's run state: the latest results with their round trip and request id, the failure,
 * and the long task around the run (elapsed time, and a cancel that aborts the request; the
 * Worker then stops waiting on the database).
 */
export function createQueryRunner() {
  const [results, setResults] = createSignal<StatementResult[]>([]);
  const [failure, setFailure] = createSignal<QueryFailure | null>(null);
  /** The shown results' round trip and request id (a later cancel or failure leaves them as they were). */
  const [answer, setAnswer] = createSignal<{ ms: number | null; requestId: string | undefined } | null>(null);
  const task = createLongTask();

  async function run(connectionId: string, input: QueryRequest): Promise<void> {
    setFailure(null);
    const outcome = await task.run((signal) => runQuery(connectionId, input, signal));
    switch (outcome.status) {
      case 'done':
        setResults(outcome.value.results);
        setAnswer({ ms: task.elapsedMs(), requestId: outcome.value.requestId });
        return;
      case 'cancelled':
        setFailure({
          message: 'Cancelled: the results of this run were not kept.',
          code: 'cancelled',
          position: undefined,
        });
        return;
      case 'failed':
        // The failure's message quotes its request id (describeError).
        setFailure(toFailure(outcome.error));
        return;
      case 'superseded':
        return;
    }
  }

  return {
    results,
    failure,
    answer,
    task,
    running: task.running,
    elapsedMs: task.elapsedMs,
    run,
    cancel: task.cancel,
  };
}

export type QueryRunner = ReturnType<typeof createQueryRunner>;
