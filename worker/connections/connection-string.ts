import type { SslMode } from './types.ts';

/**
 * Connection strings: parsed once when saved, so the plain columns (host, port,
 * database, user) can be listed and previewed without decrypting anything.
 * Error messages never quote the string: it usually carries the password.
 */

export type NetworkEngine = 'postgres' | 'mysql';

export interface ParsedConnectionString {
  host: string;
  port: number;
  database: string | null;
  user: string | null;
  password: string | null;
  sslMode: SslMode | null;
}

export const DEFAULT_PORTS: Record<NetworkEngine, number> = { postgres: 5432, mysql: 3306 };

const SCHEMES: Record<NetworkEngine, readonly string[]> = {
  postgres: ['postgres:', 'postgresql:'],
  mysql: ['mysql:'],
};

export class ConnectionStringError extends Error {
  override name = 'ConnectionStringError';
}

export function parseConnectionString(engine: NetworkEngine, text: string): ParsedConnectionString {
  const expected = SCHEMES[engine].map((s) => `${s}//`).join(' or ');
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw new ConnectionStringError(
      `connectionString is not a URL; expected ${expected}user:password@host/database`,
    );
  }
  if (!SCHEMES[engine].includes(url.protocol)) {
    throw new ConnectionStringError(`connectionString for ${engine} must start with ${expected}`);
  }
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!host) throw new ConnectionStringError('connectionString has no host');
  const port = url.port ? Number(url.port) : DEFAULT_PORTS[engine];
  const path = decodeSafely(url.pathname.replace(/^\//, ''));
  if (path.includes('/'))
    throw new ConnectionStringError('connectionString path must be a single database name');
  return {
    host,
    port,
    database: path || null,
    user: url.username ? decodeSafely(url.username) : null,
    password: url.password ? decodeSafely(url.password) : null,
    sslMode: sslModeFromParams(url.searchParams),
  };
}

function decodeSafely(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new ConnectionStringError('connectionString has an invalid percent-encoding');
  }
}

/** Maps libpq `sslmode` and MySQL `ssl-mode` spellings onto Atrium's three modes. */
function sslModeFromParams(params: URLSearchParams): SslMode | null {
  const raw = (params.get('sslmode') ?? params.get('ssl-mode') ?? params.get('ssl_mode'))?.toLowerCase();
  if (!raw) return null;
  if (raw === 'disable' || raw === 'disabled') return 'disable';
  if (['allow', 'prefer', 'preferred', 'require', 'required', 'no-verify'].includes(raw)) return 'require';
  if (['verify-ca', 'verify_ca', 'verify-full', 'verify_identity'].includes(raw)) return 'verify-full';
  throw new ConnectionStringError(`connectionString has an unknown sslmode "${raw.slice(0, 20)}"`);
}

/** `postgres://user:****@host:5432/db?sslmode=require`, built from non-secret parts only. */
export function redactedConnectionString(
  engine: NetworkEngine,
  parts: {
    host: string | null;
    port: number | null;
    database: string | null;
    user: string | null;
    sslMode: SslMode | null;
    hasPassword: boolean;
  },
): string {
  const user = parts.user ? encodeURIComponent(parts.user) : '';
  const credentials = user
    ? `${user}${parts.hasPassword ? ':****' : ''}@`
    : parts.hasPassword
      ? ':****@'
      : '';
  const host = parts.host?.includes(':') ? `[${parts.host}]` : (parts.host ?? '');
  const port = parts.port ? `:${parts.port}` : '';
  const database = parts.database ? `/${encodeURIComponent(parts.database)}` : '';
  const ssl = parts.sslMode ? `?sslmode=${parts.sslMode}` : '';
  return `${engine}://${credentials}${host}${port}${database}${ssl}`;
}
