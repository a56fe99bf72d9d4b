/**
 * The one place that picks a driver and transport for a connection: Postgres through Neon
 * (postgres/neon.ts), MySQL through PlanetScale (mysql/planetscale-http.ts), SQLite through a
 * D1 binding (sqlite/d1-binding.ts). Routes and services call `createEngine(config, env)` and
 * only ever see the `Engine` interface.
 */
import type { Env } from '../env.ts';
import { type EngineConfig, localEndpoints } from './config.ts';
import { type Engine, EngineError } from './engine.ts';
import { planetscaleEngine } from './mysql/planetscale-http.ts';
import { neonEngine } from './postgres/neon.ts';
import { SqliteEngine } from './sqlite/d1-binding.ts';

export type { EngineConfig, SslMode } from './config.ts';

/** D1 bindings that are Atrium's own, never offered as user databases. */
const INTERNAL_BINDINGS = new Set(['DB']);

/** Service bindings and RPC stubs answer every method name, so a D1 is recognised by having no `fetch`. */
function isD1(value: unknown): value is D1Database {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<D1Database> & { fetch?: unknown };
  return v.fetch === undefined && typeof v.prepare === 'function' && typeof v.batch === 'function';
}

function d1Binding(env: Env, name: string | undefined): D1Database {
  if (!name) throw new EngineError('invalid_config', 'A SQLite connection names a D1 binding');
  const value: unknown = INTERNAL_BINDINGS.has(name)
    ? undefined
    : (env as unknown as Record<string, unknown>)[name];
  if (!isD1(value)) throw new EngineError('invalid_config', `No D1 database is bound as ${name}`);
  return value;
}

/** Throws `EngineError` (`invalid_config`, `unsupported`) for configs no driver can take. */
export function createEngine(config: EngineConfig, env: Env): Engine {
  const engine = config.engine;
  switch (engine) {
    case 'postgres':
      return neonEngine(config, localEndpoints(env));
    case 'mysql':
      return planetscaleEngine(config, localEndpoints(env));
    case 'sqlite':
      return new SqliteEngine(d1Binding(env, config.binding));
    default: {
      const never: never = engine;
      throw new EngineError('unsupported', `Unsupported engine "${String(never)}"`);
    }
  }
}
