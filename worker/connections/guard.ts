import { type Engine, EngineError } from '../engines/engine.ts';
import { redact } from '../engines/redact.ts';
import { ApiError } from '../errors.ts';

/** Codes about reaching the server (as opposed to a statement's own error). */
const CONNECTION_CODES = new Set<EngineError['code']>([
  'auth_failed',
  'host_not_found',
  'connection_refused',
  'tls_error',
  'timeout',
  'too_many_connections',
  'upstream_error',
]);

/**
 * Normalizes anything an engine threw into an `EngineError` that is safe to show:
 * secrets scrubbed, connection failures prefixed with the upstream's name, and
 * unknown errors (a driver bug, a raw socket error) reduced to their class name,
 * because raw driver messages can quote the connection string.
 */
export function toSafeEngineError(err: unknown, upstream: string, secrets: readonly string[]): Error {
  if (err instanceof ApiError) return err;
  if (err instanceof EngineError) {
    const message = redact(err.message, secrets);
    const named =
      CONNECTION_CODES.has(err.code) && !message.includes(upstream) ? `${upstream}: ${message}` : message;
    return new EngineError(err.code, named, { dbCode: err.dbCode, position: err.position });
  }
  const name = err instanceof Error ? err.name : typeof err;
  console.error(JSON.stringify({ level: 'error', event: 'engine.unexpected_error', upstream, error: name }));
  return new EngineError('upstream_error', `${upstream}: the driver failed unexpectedly (${name})`);
}

export interface GuardOptions {
  /** How messages name the database, e.g. `PostgreSQL "Pagila" at 127.0.0.1:5432`. */
  upstream: string;
  secrets: readonly string[];
  /** Force every statement read-only (built-in databases are shared by all organizations). */
  readOnly: boolean;
}

/** Wraps an engine so every failure leaving it is a safe `EngineError` (see `toSafeEngineError`). */
export function guardEngine(engine: Engine, options: GuardOptions): Engine {
  const fail = (err: unknown): never => {
    throw toSafeEngineError(err, options.upstream, options.secrets);
  };
  const forceReadOnly = <T extends { readOnly?: boolean }>(o: T | undefined): T =>
    (options.readOnly ? { ...o, readOnly: true } : (o ?? {})) as T;
  return {
    name: engine.name,
    capabilities: engine.capabilities,
    dialect: engine.dialect,
    test: (o) => engine.test(o).catch(fail),
    query: (sql, o) => engine.query(sql, forceReadOnly(o)).catch(fail),
    script: (statements, o) => engine.script(statements, forceReadOnly(o)).catch(fail),
    async *stream(sql, o) {
      try {
        yield* engine.stream(sql, o);
      } catch (err) {
        fail(err);
      }
    },
    privileges: (o) => engine.privileges(o).catch(fail),
    introspect: () => engine.introspect().catch(fail),
    schemaObjects: () => engine.schemaObjects().catch(fail),
    describeTable: (schema, table) => engine.describeTable(schema, table).catch(fail),
    close: () => engine.close().catch(fail),
  };
}
