/** MySQL (PlanetScale driver) failures → `EngineError` codes (errno first, then SQLSTATE). */
import { EngineError, type EngineErrorCode } from '../engine.ts';
import { isAbort, messageOf, transportCode } from '../errors.ts';
import { redact } from '../redact.ts';

const MYSQL_ERRNO: Record<number, EngineErrorCode> = {
  1044: 'auth_failed', // access denied to the database
  1045: 'auth_failed', // access denied (password)
  1049: 'invalid_config', // unknown database
  1792: 'read_only_violation', // statement not allowed in a READ ONLY transaction
  1969: 'timeout', // MariaDB max_statement_time exceeded
  3024: 'timeout', // MySQL max_execution_time exceeded
  1040: 'too_many_connections', // the server's max_connections
  1203: 'too_many_connections', // the global max_user_connections
  1226: 'too_many_connections', // the user's MAX_USER_CONNECTIONS resource
  2003: 'connection_refused',
  2005: 'host_not_found',
};

/** MySQL via PlanetScale: DatabaseError with `status` and `body.code`, errno/SQLSTATE in the message. */
export function fromMysqlError(err: unknown, secrets: readonly (string | undefined)[]): EngineError {
  if (err instanceof EngineError) return err;
  const e = (err ?? {}) as { status?: number; body?: { code?: string }; cause?: unknown };
  const raw = messageOf(err);
  const message = redact(raw, secrets);
  if (isAbort(err) || isAbort(e.cause)) {
    return new EngineError('timeout', 'The database did not answer in time', { cause: err });
  }
  const errno = Number(/\(errno (\d+)\)/.exec(raw)?.[1]) || undefined;
  const sqlstate = /\(sqlstate ([0-9A-Z]{5})\)/.exec(raw)?.[1];
  const opts = { dbCode: errno !== undefined ? String(errno) : sqlstate, cause: err };
  const known = errno !== undefined ? MYSQL_ERRNO[errno] : undefined;
  if (known) return new EngineError(known, message, opts);
  if (e.status === 401 || e.body?.code === 'unauthenticated')
    return new EngineError('auth_failed', message, opts);
  const transport = transportCode(e.body?.code, raw);
  if (transport) return new EngineError(transport, message, opts);
  if (errno !== undefined || sqlstate) return new EngineError('query_error', message, opts);
  return new EngineError('upstream_error', message, opts);
}
