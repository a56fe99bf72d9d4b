/** Postgres driver and server failures → `EngineError` codes (SQLSTATE first). */
import { EngineError } from '../engine.ts';
import { isAbort, messageOf, transportCode } from '../errors.ts';
import { redact } from '../redact.ts';

/** PostgreSQL: the Neon driver's NeonDbError (HTTP) or pg's DatabaseError (WebSocket). */
export function fromPgError(err: unknown, secrets: readonly (string | undefined)[]): EngineError {
  if (err instanceof EngineError) return err;
  const e = (err ?? {}) as { code?: string; position?: string | number; sourceError?: unknown };
  const raw = messageOf(err);
  const message = redact(raw, secrets);
  if (isAbort(err) || isAbort(e.sourceError)) {
    return new EngineError('timeout', 'The database did not answer in time', { cause: err });
  }
  const sqlstate = typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : undefined;
  const position = e.position !== undefined ? Number(e.position) || undefined : undefined;
  if (sqlstate) {
    const opts = { dbCode: sqlstate, position, cause: err };
    if (sqlstate === '28P01' || sqlstate === '28000') return new EngineError('auth_failed', message, opts);
    if (sqlstate === '57014') return new EngineError('timeout', `Statement timed out: ${message}`, opts);
    if (sqlstate === '25006') return new EngineError('read_only_violation', message, opts);
    if (sqlstate === '3D000') return new EngineError('invalid_config', message, opts);
    // 53300: max_connections, or the role's CONNECTION LIMIT, is reached.
    if (sqlstate === '53300') return new EngineError('too_many_connections', message, opts);
    // 08: the connection failed; 57P0x: the server ended the session (pg_terminate_backend, a
    // shutdown, a crash, an idle-session timeout). Neither is the statement's fault.
    if (sqlstate.startsWith('08') || sqlstate.startsWith('57P'))
      return new EngineError('upstream_error', message, opts);
    return new EngineError('query_error', message, opts);
  }
  const transport = transportCode(e.code, raw);
  if (transport) return new EngineError(transport, message, { cause: err });
  return new EngineError('upstream_error', message, { cause: err });
}
