/**
 * Hyperdrive: a binding in wrangler.toml that pools connections near the database and hands the
 * Worker a host, port and login that speak the database's own wire protocol, so the TCP
 * transports (postgres/pg-tcp.ts, mysql/mysql-tcp.ts) serve it unchanged. In `wrangler dev` and
 * the tests the binding's `localConnectionString` points at the local server, so the same code
 * path runs there. The binding's TLS to the origin is Hyperdrive's own (it also takes a custom
 * CA); the hop from the Worker to Hyperdrive needs none.
 */
import type { Target } from './config.ts';
import { EngineError } from './engine.ts';

function isHyperdrive(value: unknown): value is Hyperdrive {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Hyperdrive>;
  return typeof v.connectionString === 'string' && typeof v.host === 'string' && typeof v.port === 'number';
}

/** The target a Hyperdrive binding supplies; `invalid_config` when `name` is not one. */
export function hyperdriveTarget(env: object, name: string | undefined): Target {
  if (!name) throw new EngineError('invalid_config', 'A Hyperdrive connection names a Hyperdrive binding');
  const value: unknown = (env as Record<string, unknown>)[name];
  if (!isHyperdrive(value)) throw new EngineError('invalid_config', `No Hyperdrive is bound as ${name}`);
  return {
    host: value.host,
    port: value.port,
    database: value.database || undefined,
    user: value.user || undefined,
    password: value.password || undefined,
    sslMode: 'disable',
  };
}
