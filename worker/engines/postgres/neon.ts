/**
 * PostgreSQL reached through Neon's serverless driver: HTTP (neon-http.ts) for one-shot
 * statements and WebSocket sessions (neon-ws.ts) for scripts and streams, or WebSocket only.
 */
import { type EngineConfig, type LocalEndpoints, type Target, targetOf } from '../config.ts';
import { EngineError } from '../engine.ts';
import { neonHttp } from './neon-http.ts';
import { neonWebSocket } from './neon-ws.ts';
import { PostgresEngine } from './postgres-engine.ts';
import { SessionOneShots } from './session-one-shot.ts';

/** `postgresql://user:password@host:port/db?sslmode=…`, what both Neon transports take. */
export function postgresConnectionString(t: Target): string {
  if (!t.user) throw new EngineError('invalid_config', 'PostgreSQL needs a user name');
  const auth = `${encodeURIComponent(t.user)}${t.password ? `:${encodeURIComponent(t.password)}` : ''}`;
  const host = t.host.includes(':') ? `[${t.host}]` : t.host;
  const url = new URL(`postgresql://${auth}@${host}${t.port ? `:${t.port}` : ''}/`);
  url.pathname = `/${encodeURIComponent(t.database ?? 'postgres')}`;
  if (t.sslMode) url.searchParams.set('sslmode', t.sslMode);
  return url.toString();
}

function neonTarget(config: EngineConfig) {
  const target = targetOf(config, ['postgres', 'postgresql']);
  const connectionString = postgresConnectionString(target);
  const secrets = [target.password, config.connectionString, connectionString].filter(
    (s): s is string => !!s,
  );
  return { connectionString, secrets };
}

/** `neon-http`: one-shots over HTTP, scripts and streams over WebSocket sessions. */
export function neonEngine(config: EngineConfig, local: LocalEndpoints | undefined): PostgresEngine {
  const target = neonTarget(config);
  const { connectionString } = target;
  return new PostgresEngine(target, {
    oneShot: neonHttp(connectionString, local),
    connect: neonWebSocket(connectionString, local),
  });
}

/**
 * `neon-ws`: everything over WebSocket sessions, one-shots sharing one (session-one-shot.ts), for
 * a network that lets the WebSocket through but not Neon's HTTP endpoint, or a Neon-compatible
 * proxy that speaks only WebSocket.
 */
export function neonWsEngine(config: EngineConfig, local: LocalEndpoints | undefined): PostgresEngine {
  const target = neonTarget(config);
  const sessions = neonWebSocket(target.connectionString, local);
  const shots = new SessionOneShots(sessions);
  return new PostgresEngine(target, {
    oneShot: shots.oneShot,
    connect: sessions,
    close: () => shots.close(),
  });
}
