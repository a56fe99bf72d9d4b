import { EngineError } from '../engines/engine.ts';
import { ApiError, fromEngineError } from '../errors.ts';

export interface StatementContext {
  /** Offset of the failing statement in the submitted text, to make `position` absolute. */
  offset?: number;
}

/**
 * An EngineError as the API envelope (worker/errors.ts decides the status), with
 * the position made relative to the whole submitted text. Anything else passes
 * through untouched.
 */
export function toApiError(err: unknown, context: StatementContext = {}): unknown {
  if (!(err instanceof EngineError)) return err;
  const mapped = fromEngineError(err);
  if (err.position === undefined || !context.offset) return mapped;
  return new ApiError(mapped.status, mapped.code, mapped.message, {
    details: { ...mapped.details, position: err.position + context.offset },
    cause: err,
  });
}

/** The code recorded in history: the engine's code and, when there is one, the database's. */
export function failureCode(err: unknown): string {
  if (err instanceof EngineError) return err.dbCode ? `${err.code}:${err.dbCode}` : err.code;
  if (err instanceof ApiError) {
    const dbCode = err.details?.dbCode;
    return typeof dbCode === 'string' ? `${err.code}:${dbCode}` : err.code;
  }
  return 'internal_error';
}
