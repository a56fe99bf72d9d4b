/**
 * SQLite connections reached over HTTP rather than a binding: D1 through Cloudflare's REST API
 * (`d1-http`: account id, database id, API token) and libSQL/Turso (`libsql-http`: URL, auth token).
 * They are stored in the plain columns a SQLite row leaves empty, so no column is added:
 * - d1-http: `user` = account id, `database` = database id, `host` = api.cloudflare.com;
 * - libsql-http: `usesConnectionString` set, `host` = the URL's host, `database` = its first path segment;
 * the token (and the libSQL URL) sit in the vault envelope like a password and connection string.
 * A SQLite row with no binding that is not hosted by Atrium is one of these.
 */
import type { EngineConfig } from '../engines/config.ts';
import { isBindingEngine } from '../engines/dialects.ts';
import { badRequest } from '../errors.ts';
import type { ConnectionRow } from '../meta/connections.ts';
import { hostRefusal } from './host-policy.ts';
import type { SettingsInput, StoredSecret } from './types.ts';

export type RemoteSqlite =
  | { transport: 'd1-http'; accountId: string; databaseId: string; apiToken: string }
  | { transport: 'libsql-http'; url: string; authToken: string | null };

export type RemoteSqliteTransport = RemoteSqlite['transport'];

/** Where D1's REST API lives; shown as the host of a d1-http connection. */
const CLOUDFLARE_API_HOST = 'api.cloudflare.com';
const D1_ID = /^[\w-]{1,64}$/;

const invalid = (message: string) => badRequest('invalid_config', message);

function libsqlUrl(text: string): URL {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw invalid('The libSQL URL is not a valid URL');
  }
  if (!['libsql:', 'https:', 'http:'].includes(url.protocol)) {
    throw invalid('A libSQL URL starts with libsql://, https:// or http://');
  }
  if (!url.hostname) throw invalid('The libSQL URL has no host');
  if (url.username || url.password || url.search || url.hash) {
    throw invalid('Give the libSQL auth token in its own field, not in the URL');
  }
  // Plain http is for a server on this machine or network (where the host policy allows it at all).
  if (url.protocol === 'http:' && hostRefusal(url.hostname) === null) {
    throw invalid('A public libSQL server is reached over TLS: use libsql:// or https://, not http://');
  }
  return url;
}

/** The transport an input asks for: named, or told by its fields (an account id, a URL). */
export function remoteTransportOf(input: SettingsInput): RemoteSqliteTransport | null {
  const named = input.transport as string | undefined;
  if (named === 'd1-http' || named === 'libsql-http') return named;
  if (named !== undefined) return null;
  if (input.accountId !== undefined) return 'd1-http';
  if (input.connectionString !== undefined) return 'libsql-http';
  return null;
}

/** Validates a SQLite-over-HTTP input; throws `400 invalid_config` naming the problem, never a secret. */
export function resolveRemote(input: SettingsInput, transport: RemoteSqliteTransport): RemoteSqlite {
  const stray = (['host', 'port', 'user', 'sslMode', 'd1Binding'] as const).filter(
    (k) => input[k] !== undefined && input[k] !== null,
  );
  if (stray.length > 0) throw invalid(`A ${transport} connection does not take ${stray.join(', ')}`);
  if (transport === 'd1-http') {
    if (input.connectionString !== undefined)
      throw invalid('A d1-http connection takes no connection string');
    if (!input.accountId || !D1_ID.test(input.accountId)) {
      throw invalid('accountId (your Cloudflare account id) is required for D1 over HTTP');
    }
    if (!input.database || !D1_ID.test(input.database)) {
      throw invalid('database (the D1 database id) is required for D1 over HTTP');
    }
    if (!input.password) throw invalid('password (a Cloudflare API token with D1 access) is required');
    return { transport, accountId: input.accountId, databaseId: input.database, apiToken: input.password };
  }
  if (input.accountId !== undefined || input.database !== undefined) {
    throw invalid('A libsql-http connection takes only connectionString (its URL) and password (its token)');
  }
  if (!input.connectionString) throw invalid('connectionString (the libsql:// URL) is required for libSQL');
  const url = libsqlUrl(input.connectionString);
  return { transport, url: url.toString(), authToken: input.password || null };
}

/** The host a connection dials, for the host policy; D1's API host is Cloudflare's own. */
export function remoteHost(remote: RemoteSqlite): string | null {
  return remote.transport === 'libsql-http' ? new URL(remote.url).hostname : null;
}

export function remoteColumns(remote: RemoteSqlite) {
  const common = {
    engine: 'sqlite' as const,
    port: null,
    sslMode: null,
    d1Binding: null,
  };
  if (remote.transport === 'd1-http') {
    return {
      ...common,
      usesConnectionString: false,
      host: CLOUDFLARE_API_HOST,
      database: remote.databaseId,
      user: remote.accountId,
      hasPassword: true,
    };
  }
  const url = new URL(remote.url);
  return {
    ...common,
    usesConnectionString: true,
    host: url.hostname,
    database: url.pathname.split('/').filter(Boolean)[0] ?? null,
    user: null,
    hasPassword: remote.authToken !== null,
  };
}

/** A SQLite row with no binding (and not hosted: checked first by the caller) is reached over HTTP. */
export function isRemoteSqliteRow(row: Pick<ConnectionRow, 'engine' | 'd1Binding'>): boolean {
  return isBindingEngine(row.engine) && row.d1Binding === null;
}

export function remoteTransportOfRow(
  row: Pick<ConnectionRow, 'usesConnectionString' | 'transport'>,
): RemoteSqliteTransport {
  if (row.transport === 'd1-http' || row.transport === 'libsql-http') return row.transport;
  return row.usesConnectionString ? 'libsql-http' : 'd1-http';
}

export function remoteFromRow(row: ConnectionRow, secret: StoredSecret | null): RemoteSqlite {
  if (remoteTransportOfRow(row) === 'libsql-http') {
    return {
      transport: 'libsql-http',
      url: secret?.connectionString ?? '',
      authToken: secret?.password ?? null,
    };
  }
  return {
    transport: 'd1-http',
    accountId: row.user ?? '',
    databaseId: row.database ?? '',
    apiToken: secret?.password ?? '',
  };
}

export function remoteSecret(remote: RemoteSqlite): StoredSecret {
  if (remote.transport === 'd1-http') return { password: remote.apiToken };
  return { connectionString: remote.url, ...(remote.authToken ? { password: remote.authToken } : {}) };
}

/** Every secret string, for scrubbing messages that might quote one. */
export function remoteSecrets(remote: RemoteSqlite): string[] {
  return remote.transport === 'd1-http' ? [remote.apiToken] : [remote.authToken ?? ''].filter(Boolean);
}

export function remoteEngineConfig(remote: RemoteSqlite): EngineConfig {
  if (remote.transport === 'd1-http') {
    return {
      engine: 'sqlite',
      transport: 'd1-http',
      accountId: remote.accountId,
      database: remote.databaseId,
      password: remote.apiToken,
    };
  }
  return {
    engine: 'sqlite',
    transport: 'libsql-http',
    connectionString: remote.url,
    ...(remote.authToken ? { password: remote.authToken } : {}),
  };
}

/** How error messages name the database: never a token. */
export function remoteLabel(remote: RemoteSqlite): string {
  return remote.transport === 'd1-http'
    ? `over D1's API (database ${remote.databaseId})`
    : `over libSQL at ${new URL(remote.url).host}`;
}

/**
 * A PATCH on a SQLite-over-HTTP connection, as a full input. The stored token goes along only
 * while the target (account and database, or the URL's origin) stays the same; sending it
 * elsewhere needs it typed again (`400 password_required`), as for a password.
 */
/** Scheme and host:port of a libSQL URL (`URL.origin` is "null" for the libsql: scheme). */
function serverOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return '';
  }
}

export interface RemotePatch {
  transport?: string | undefined;
  accountId?: string | undefined;
  database?: string | null | undefined;
  connectionString?: string | undefined;
  password?: string | null | undefined;
}

export function mergeRemote(current: RemoteSqlite, patch: RemotePatch): SettingsInput {
  const transport = remoteTransportOf({ engine: 'sqlite', transport: patch.transport ?? current.transport });
  if (transport === null) throw invalid('A SQLite connection over HTTP keeps its transport');
  const merged: SettingsInput =
    transport === 'd1-http'
      ? {
          engine: 'sqlite',
          transport,
          accountId: patch.accountId ?? (current.transport === 'd1-http' ? current.accountId : undefined),
          database: patch.database ?? (current.transport === 'd1-http' ? current.databaseId : undefined),
        }
      : {
          engine: 'sqlite',
          transport,
          connectionString:
            patch.connectionString ?? (current.transport === 'libsql-http' ? current.url : undefined),
        };
  const sameTarget =
    current.transport === transport &&
    (current.transport === 'd1-http'
      ? merged.accountId === current.accountId && merged.database === current.databaseId
      : serverOf(merged.connectionString ?? '') === serverOf(current.url));
  if (patch.password !== undefined) return { ...merged, password: patch.password };
  if (!sameTarget) {
    throw badRequest(
      'password_required',
      'Pointing the connection at another database needs its token again: a stored token is never sent elsewhere',
    );
  }
  const stored = current.transport === 'd1-http' ? current.apiToken : current.authToken;
  return { ...merged, password: stored ?? undefined };
}
