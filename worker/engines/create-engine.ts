/**
 * The one place that picks a driver and transport for a connection: one line per (engine,
 * transport) in `FACTORIES`. Postgres through TCP (postgres/pg-tcp.ts) or Neon (postgres/neon.ts),
 * MySQL through TCP (mysql/mysql-tcp.ts) or PlanetScale (mysql/planetscale-http.ts), either
 * through Hyperdrive (hyperdrive.ts), SQLite through a D1 binding (sqlite/d1-binding.ts). Routes
 * and services call `createEngine(config, env)` and only ever see the `Engine` interface.
 */
import type { Env } from '../env.ts';
import {
  ENGINE_TRANSPORTS,
  type EngineConfig,
  localEndpoints,
  resolveTransport,
  type TransportName,
  targetOf,
} from './config.ts';
import { type Engine, EngineError, type EngineName } from './engine.ts';
import { hyperdriveTarget } from './hyperdrive.ts';
import { mysqlTcpEngine } from './mysql/mysql-tcp.ts';
import { planetscaleEngine } from './mysql/planetscale-http.ts';
import { neonEngine, neonWsEngine } from './postgres/neon.ts';
import { pgTcpEngine } from './postgres/pg-tcp.ts';
import { d1BindingEngine } from './sqlite/d1-binding.ts';
import { d1HttpEngine } from './sqlite/d1-http.ts';
import { hostedSqliteEngine } from './sqlite/hosted-do.ts';
import { libsqlHttpEngine } from './sqlite/libsql-http.ts';

export type { EngineConfig, SslMode, TransportName } from './config.ts';

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

type Factory = (config: EngineConfig, env: Env) => Engine;

const PG_SCHEMES = ['postgres', 'postgresql'];
const MYSQL_SCHEMES = ['mysql', 'mariadb'];
const secretsOf = (config: EngineConfig, password: string | undefined) => [password, config.connectionString];

const FACTORIES: Record<EngineName, Partial<Record<TransportName, Factory>>> = {
  postgres: {
    'neon-http': (config, env) => neonEngine(config, localEndpoints(env)),
    'neon-ws': (config, env) => neonWsEngine(config, localEndpoints(env)),
    tcp: (config) => {
      const target = targetOf(config, PG_SCHEMES);
      return pgTcpEngine(target, secretsOf(config, target.password));
    },
    hyperdrive: (config, env) => {
      const target = hyperdriveTarget(env, config.hyperdrive);
      return pgTcpEngine(target, [target.password]);
    },
  },
  mysql: {
    'planetscale-http': (config, env) => planetscaleEngine(config, localEndpoints(env)),
    tcp: (config) => {
      const target = targetOf(config, MYSQL_SCHEMES);
      return mysqlTcpEngine(target, secretsOf(config, target.password));
    },
    hyperdrive: (config, env) => {
      const target = hyperdriveTarget(env, config.hyperdrive);
      return mysqlTcpEngine(target, [target.password]);
    },
  },
  sqlite: {
    'd1-binding': (config, env) => d1BindingEngine(d1Binding(env, config.binding)),
    // A hosted database's object is named by its connection's id, carried as `database`.
    hosted: (config, env) => hostedSqliteEngine(env.HOSTED_SQLITE, config.database),
    'd1-http': (config, env) =>
      d1HttpEngine(
        {
          accountId: config.accountId ?? '',
          databaseId: config.database ?? '',
          apiToken: config.password ?? '',
        },
        localEndpoints(env),
      ),
    'libsql-http': (config, env) =>
      libsqlHttpEngine(
        { url: config.connectionString ?? '', authToken: config.password },
        localEndpoints(env),
      ),
  },
};

/** Throws `EngineError` (`invalid_config`, `unsupported`) for configs no driver can take. */
export function createEngine(config: EngineConfig, env: Env): Engine {
  const byTransport = FACTORIES[config.engine];
  if (!byTransport) throw new EngineError('unsupported', `Unsupported engine "${String(config.engine)}"`);
  const transport = resolveTransport(config);
  const factory = byTransport[transport];
  if (!factory || !ENGINE_TRANSPORTS[config.engine].includes(transport)) {
    throw new EngineError(
      'unsupported',
      `${config.engine} connections cannot use the ${transport} transport`,
    );
  }
  return factory(config, env);
}
