/** D1 failures → `EngineError` codes. */
import { EngineError } from '../engine.ts';
import { isAbort, messageOf } from '../errors.ts';

/** D1: errors are plain Errors whose message starts `D1_ERROR:` and quotes SQLite's text. */
export function fromD1Error(err: unknown): EngineError {
  if (err instanceof EngineError) return err;
  const message = messageOf(err);
  if (isAbort(err)) return new EngineError('timeout', 'The database did not answer in time', { cause: err });
  if (/SQLITE_READONLY|attempt to write a readonly database|query_only/i.test(message)) {
    return new EngineError('read_only_violation', message, { cause: err });
  }
  if (/SQLITE_AUTH|not authorized/i.test(message))
    return new EngineError('query_error', message, { cause: err });
  return new EngineError('query_error', message, { cause: err });
}
