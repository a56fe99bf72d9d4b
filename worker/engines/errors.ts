/**
 * Failures every driver shares, for the per-engine error mappers (`postgres/postgres-errors.ts`,
 * `mysql/mysql-errors.ts`, `sqlite/sqlite-errors.ts`). Drivers report the same cause in many
 * shapes (a SQLSTATE, a MySQL errno inside a message, a Node error code from the local endpoints,
 * a fetch TypeError), so each mapper looks at all of them, most specific first. Messages pass
 * through `redact` so a password or connection string never leaves an engine.
 */
import type { EngineErrorCode } from './engine.ts';

export function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}

export function isAbort(err: unknown): boolean {
  const name = (err as { name?: string })?.name;
  return name === 'AbortError' || name === 'TimeoutError';
}

/** Failures every transport shares: aborts, local-endpoint codes, TLS and network words. */
export function transportCode(code: string | undefined, message: string): EngineErrorCode | undefined {
  if (
    code === 'ENOTFOUND' ||
    code === 'EAI_AGAIN' ||
    /ENOTFOUND|getaddrinfo|name not resolved|DNS/i.test(message)
  ) {
    return 'host_not_found';
  }
  // cloudflare:sockets says the same for a refused port and an unresolvable name.
  if (
    code === 'ECONNREFUSED' ||
    /ECONNREFUSED|connection refused|cannot connect to the specified address/i.test(message)
  )
    return 'connection_refused';
  if (code === 'ATRIUM_NONLOCAL') return 'unsupported';
  if (code === 'ETIMEDOUT' || /timed? ?out/i.test(message)) return 'timeout';
  if (/\bSSL\b|\bTLS\b|secure connection|certificate/i.test(message)) return 'tls_error';
  // The link broke mid-request (workerd's fetch, Node's sockets): the service's failure, not the query's.
  if (code === 'ECONNRESET' || /network connection lost|ECONNRESET|socket hang up/i.test(message))
    return 'upstream_error';
  return undefined;
}
