/**
 * Driver and server failures → `EngineError` codes. Drivers report the same cause in many
 * shapes (a SQLSTATE, a MySQL errno inside a message, a Node error code from the local
 * endpoints, a fetch TypeError), so each mapper looks at all of them, most specific first.
 * Messages are passed through `redact` so a password or connection string never leaves here.
 */
import { EngineError, type EngineErrorCode } from './engine.ts';

/** Replaces every secret (and its URL-encoded form) in `text`. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < 3) continue;
    for (const form of new Set([secret, encodeURIComponent(secret)])) out = out.split(form).join('***');
  }
  // Any URL with credentials that slipped through (driver messages sometimes echo the target).
  return out.replace(/([a-z][a-z0-9+.-]*:\/\/[^:/@\s]*):[^@\s]*@/gi, '$1:***@');
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

function isAbort(err: unknown): boolean {
  const name = (err as { name?: string })?.name;
  return name === 'AbortError' || name === 'TimeoutError';
}

/** Failures every transport shares: aborts, local-endpoint codes, TLS and network words. */
function transportCode(code: string | undefined, message: string): EngineErrorCode | undefined {
  if (
    code === 'ENOTFOUND' ||
    code === 'EAI_AGAIN' ||
    /ENOTFOUND|getaddrinfo|name not resolved|DNS/i.test(message)
  ) {
    return 'host_not_found';
  }
  if (code === 'ECONNREFUSED' || /ECONNREFUSED|connection refused/i.test(message))
    return 'connection_refused';
  if (code === 'ATRIUM_NONLOCAL') return 'unsupported';
  if (code === 'ETIMEDOUT' || /timed? ?out/i.test(message)) return 'timeout';
  if (/\bSSL\b|\bTLS\b|secure connection|certificate/i.test(message)) return 'tls_error';
  return undefined;
}

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
    if (sqlstate.startsWith('08')) return new EngineError('upstream_error', message, opts);
    return new EngineError('query_error', message, opts);
  }
  const transport = transportCode(e.code, raw);
  if (transport) return new EngineError(transport, message, { cause: err });
  return new EngineError('upstream_error', message, { cause: err });
}

const MYSQL_ERRNO: Record<number, EngineErrorCode> = {
  1044: 'auth_failed', // access denied to the database
  1045: 'auth_failed', // access denied (password)
  1049: 'invalid_config', // unknown database
  1792: 'read_only_violation', // statement not allowed in a READ ONLY transaction
  1969: 'timeout', // MariaDB max_statement_time exceeded
  3024: 'timeout', // MySQL max_execution_time exceeded
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
