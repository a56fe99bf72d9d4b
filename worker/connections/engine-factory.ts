import { createEngine, type EngineConfig } from '../engines/create-engine.ts';
import { addressedByBinding } from '../engines/dialects.ts';
import type { Engine } from '../engines/engine.ts';
import type { Env } from '../env.ts';
import { remoteEngineConfig, remoteLabel } from './remote-sqlite.ts';
import { assertSettingsAllowed } from './settings.ts';
import type { ResolvedSettings } from './types.ts';

const ENGINE_TITLES = { postgres: 'PostgreSQL', mysql: 'MySQL', sqlite: 'D1' } as const;

/** How error messages name a database: `PostgreSQL "Pagila" at 127.0.0.1:5432`. Never a secret. */
export function upstreamName(settings: ResolvedSettings, name: string | null): string {
  const title = ENGINE_TITLES[settings.engine];
  const named = name ? `${title} "${name}"` : title;
  if (addressedByBinding(settings) && settings.remote) {
    return `${name ? `SQLite "${name}"` : 'SQLite'} ${remoteLabel(settings.remote)}`;
  }
  if (addressedByBinding(settings))
    return `${named} (${settings.hosted ? 'hosted by Atrium' : settings.d1Binding})`;
  if (settings.hyperdrive) return `${named} through Hyperdrive ${settings.hyperdrive}`;
  const host = settings.host.includes(':') ? `[${settings.host}]` : settings.host;
  return `${named} at ${host}:${settings.port}`;
}

/** Validated settings in the shape worker/engines takes. A connection string wins over fields. */
export function engineConfigOf(settings: ResolvedSettings): EngineConfig {
  if (addressedByBinding(settings) && settings.remote) return remoteEngineConfig(settings.remote);
  if (addressedByBinding(settings) && settings.hosted)
    return { engine: settings.engine, transport: 'hosted', database: settings.hosted };
  if (addressedByBinding(settings)) return { engine: settings.engine, binding: settings.d1Binding };
  const { transport } = settings;
  if (settings.hyperdrive) return { engine: settings.engine, transport, hyperdrive: settings.hyperdrive };
  if (settings.connectionString)
    return { engine: settings.engine, transport, connectionString: settings.connectionString };
  const config: EngineConfig = {
    engine: settings.engine,
    transport,
    host: settings.host,
    port: settings.port,
  };
  if (settings.database) config.database = settings.database;
  if (settings.user) config.user = settings.user;
  if (settings.password) config.password = settings.password;
  if (settings.sslMode) config.sslMode = settings.sslMode;
  return config;
}

/**
 * The engine for validated settings; throws `EngineError` for configs no driver takes.
 * Every user connection is built here, so the deployment's policy (allowed hosts and
 * D1 bindings) is checked here, before a driver exists to dial anything.
 */
export function createUserEngine(settings: ResolvedSettings, env: Env): Engine {
  assertSettingsAllowed(env, settings);
  return createEngine(engineConfigOf(settings), env);
}
