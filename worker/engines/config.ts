/**
 * What a connection needs to reach a database, before any driver is involved, and the
 * helpers every engine shares: config validation, local-endpoint discovery, deadlines.
 */
import { EngineError, type EngineName } from './engine.ts';

export type SslMode = 'disable' | 'prefer' | 'require' | 'verify-full';

/**
 * How a connection reaches its server. One list for the whole app (the D1 column, the route
 * schema, the web form); a new transport is one more name here plus its line in create-engine.ts.
 */
export const TRANSPORT_NAMES = [
  'neon-http',
  'neon-ws',
  'planetscale-http',
  'tcp',
  'hyperdrive',
  'd1-binding',
  'd1-http',
  'libsql-http',
  'hosted',
] as const;
export type TransportName = (typeof TRANSPORT_NAMES)[number];

/** Transports Atrium sets up itself (a hosted database's own object): never chosen in a connection form. */
export const MANAGED_TRANSPORTS: readonly TransportName[] = ['hosted'];

/** The transports each engine takes, its default first. */
export const ENGINE_TRANSPORTS: Record<EngineName, readonly TransportName[]> = {
  postgres: ['tcp', 'neon-http', 'neon-ws', 'hyperdrive'],
  mysql: ['tcp', 'planetscale-http', 'hyperdrive'],
  sqlite: ['d1-binding', 'd1-http', 'libsql-http', 'hosted'],
};

/** Hosts whose own service speaks HTTP: Neon's, and PlanetScale's (`*.psdb.cloud`, `*.connect.psdb.cloud`). */
const SERVICE_HOSTS: readonly [RegExp, TransportName][] = [
  [/(^|\.)neon\.tech$/i, 'neon-http'],
  [/(^|\.)psdb\.cloud$/i, 'planetscale-http'],
];

/**
 * The transport a connection gets when it names none: the service's own HTTP API for a Neon or
 * PlanetScale host, plain TCP for every other server, the binding for SQLite.
 */
export function defaultTransport(engine: EngineName, host: string | undefined): TransportName {
  const choices = ENGINE_TRANSPORTS[engine];
  const service = SERVICE_HOSTS.find(([pattern, t]) => choices.includes(t) && pattern.test(host ?? ''));
  return service?.[1] ?? choices[0]!;
}

/** The transport a config names, or its default: from the host field or the connection string's host. */
export function resolveTransport(config: EngineConfig): TransportName {
  if (config.transport) return config.transport;
  let host = config.host;
  if (!host && config.connectionString) {
    try {
      host = new URL(config.connectionString).hostname;
    } catch {
      // targetOf reports the malformed string when the engine is built
    }
  }
  return defaultTransport(config.engine, host);
}

export interface EngineConfig {
  engine: EngineName;
  /** `postgres[ql]://…` or `mysql://…`; wins over the separate fields when both are given. */
  connectionString?: string;
  host?: string;
  port?: number;
  database?: string;
  user?: string;
  password?: string;
  sslMode?: SslMode;
  /** SQLite only: the D1 binding name in wrangler.toml (e.g. `DEMO_DB`). */
  binding?: string;
  /**
   * Transport `d1-http`: the Cloudflare account id (the database id is `database`, the API token
   * `password`). Transport `libsql-http` takes the URL as `connectionString`, its token as `password`.
   */
  accountId?: string;
  /** Absent: `defaultTransport` for the host. */
  transport?: TransportName;
  /** Transport `hyperdrive`: the Hyperdrive binding in wrangler.toml that supplies host and login. */
  hyperdrive?: string;
}

/** Default and ceiling for one statement, so nothing waits forever on a silent server. */
export const DEFAULT_TIMEOUT_MS = 30_000;
export const MAX_TIMEOUT_MS = 300_000;
/** Extra time past the server-side limit before the client gives up itself. */
export const CLIENT_GRACE_MS = 2_000;
/** How long opening a connection (or `test()`) may take before it counts as unreachable. */
export const CONNECT_TIMEOUT_MS = 10_000;

export function timeoutOf(ms: number | undefined): number {
  if (ms === undefined) return DEFAULT_TIMEOUT_MS;
  if (!Number.isFinite(ms) || ms <= 0)
    throw new EngineError('invalid_config', 'timeoutMs must be a positive number');
  return Math.min(Math.round(ms), MAX_TIMEOUT_MS);
}

/** Base URLs of the dev/endpoints stand-ins, present only in `npm start` and the tests. */
export interface LocalEndpoints {
  neonHttp: string;
  neonWs: string;
  planetscale: string;
  /** Stand-in for Cloudflare's API base (`…/client/v4`), for transport `d1-http`. */
  d1Http?: string;
  /** Stand-in for libSQL servers: `<base>/<name>/` serves the local file `<name>`. */
  libsql?: string;
}

export function localEndpoints(env: { LOCAL_ENDPOINTS?: string }): LocalEndpoints | undefined {
  if (!env.LOCAL_ENDPOINTS) return undefined;
  try {
    const v = JSON.parse(env.LOCAL_ENDPOINTS) as Partial<LocalEndpoints>;
    if (typeof v.neonHttp === 'string' && typeof v.neonWs === 'string' && typeof v.planetscale === 'string') {
      const sqlite = {
        ...(typeof v.d1Http === 'string' ? { d1Http: v.d1Http } : {}),
        ...(typeof v.libsql === 'string' ? { libsql: v.libsql } : {}),
      };
      return { neonHttp: v.neonHttp, neonWs: v.neonWs, planetscale: v.planetscale, ...sqlite };
    }
  } catch {
    // fall through: a malformed dev var is a setup mistake worth failing loudly on
  }
  throw new EngineError(
    'invalid_config',
    'LOCAL_ENDPOINTS is set but is not the JSON that dev/endpoints writes',
  );
}

/** A parsed URL-style connection target; `sslMode` from `?sslmode=` / `?ssl-mode=`. */
export interface Target {
  host: string;
  port: number | undefined;
  database: string | undefined;
  user: string | undefined;
  password: string | undefined;
  sslMode: SslMode | undefined;
}

const SSL_MODES: Record<string, SslMode> = {
  disable: 'disable',
  disabled: 'disable',
  allow: 'prefer',
  prefer: 'prefer',
  preferred: 'prefer',
  require: 'require',
  required: 'require',
  'verify-ca': 'verify-full',
  verify_ca: 'verify-full',
  'verify-full': 'verify-full',
  verify_identity: 'verify-full',
};

/** Validates either form of a config against the URL schemes of `engine`. */
export function targetOf(config: EngineConfig, schemes: readonly string[]): Target {
  if (config.connectionString !== undefined && config.connectionString !== '') {
    let url: URL;
    try {
      url = new URL(config.connectionString);
    } catch {
      // Never echo the string: it holds the password.
      throw new EngineError('invalid_config', 'The connection string is not a valid URL');
    }
    if (!schemes.includes(url.protocol.replace(/:$/, ''))) {
      throw new EngineError('invalid_config', `The connection string must start with ${schemes[0]}://`);
    }
    if (!url.hostname) throw new EngineError('invalid_config', 'The connection string has no host');
    const sslParam = url.searchParams.get('sslmode') ?? url.searchParams.get('ssl-mode') ?? undefined;
    const sslMode = sslParam === undefined ? undefined : SSL_MODES[sslParam.toLowerCase()];
    if (sslParam !== undefined && !sslMode)
      throw new EngineError('invalid_config', `Unknown sslmode "${sslParam}"`);
    const port = url.port ? Number(url.port) : undefined;
    const decode = (s: string) => {
      try {
        return decodeURIComponent(s);
      } catch {
        throw new EngineError('invalid_config', 'The connection string has a malformed %-escape');
      }
    };
    return {
      host: decode(url.hostname),
      port,
      database: url.pathname.length > 1 ? decode(url.pathname.slice(1)) : undefined,
      user: url.username ? decode(url.username) : undefined,
      password: url.password ? decode(url.password) : undefined,
      sslMode,
    };
  }
  if (!config.host) throw new EngineError('invalid_config', 'Give a connection string or a host');
  if (
    config.port !== undefined &&
    !(Number.isInteger(config.port) && config.port > 0 && config.port < 65536)
  ) {
    throw new EngineError('invalid_config', 'The port must be an integer between 1 and 65535');
  }
  if (/[\s/@?#]/.test(config.host)) throw new EngineError('invalid_config', 'The host name is not valid');
  return {
    host: config.host,
    port: config.port,
    database: config.database || undefined,
    user: config.user || undefined,
    password: config.password || undefined,
    sslMode: config.sslMode,
  };
}

/**
 * Races `work` against a deadline; on expiry runs `onTimeout` (close the socket) and rejects with
 * a `timeout` EngineError, so a hung server never hangs the caller.
 */
export async function withDeadline<T>(
  work: Promise<T>,
  ms: number,
  options: { signal?: AbortSignal; onTimeout?: () => void; what?: string } = {},
): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onAbort: (() => void) | undefined;
  const expired = new Promise<never>((_, reject) => {
    const fail = (message: string) => {
      options.onTimeout?.();
      reject(new EngineError('timeout', message));
    };
    timer = setTimeout(() => fail(`${options.what ?? 'The database'} did not answer within ${ms} ms`), ms);
    if (options.signal) {
      onAbort = () => fail('The request was cancelled');
      if (options.signal.aborted) onAbort();
      else options.signal.addEventListener('abort', onAbort, { once: true });
    }
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
    if (onAbort) options.signal?.removeEventListener('abort', onAbort);
    work.catch(() => {}); // the loser of the race may still reject later
  }
}
