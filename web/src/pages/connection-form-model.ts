import { capabilitiesOf } from '../../../worker/engines/capabilities.ts';
import {
  defaultTransport,
  ENGINE_TRANSPORTS,
  MANAGED_TRANSPORTS,
  type TransportName,
} from '../../../worker/engines/config.ts';
import type { ConnectionTestInput } from '../api/connections.ts';
import type { Connection, ConnectionInput, ConnectionUpdate, EngineName, SslMode } from '../api/types.ts';

/** The connection form's state and how it maps to the API (web/src/pages/connection-form.tsx). */

export const COLORS = ['#2f6fde', '#8b5cf6', '#1f9d55', '#c27c0e', '#d0393e', '#0e9aa7', '#6b7280'];
export const DEFAULT_PORT: Record<EngineName, number | undefined> = {
  postgres: 5432,
  mysql: 3306,
  sqlite: undefined,
};
export const SSL_MODES: SslMode[] = ['disable', 'require', 'verify-full'];
/** The connection-string placeholder for each engine the form creates. */
export const CONNECTION_STRING_EXAMPLE: Record<EngineName, string> = {
  postgres: 'postgres://user:password@host:5432/database?sslmode=require',
  mysql: 'mysql://user:password@host:3306/database',
  sqlite: '',
};
/** How the card and the form name each transport. */
export const TRANSPORT_LABELS: Record<TransportName, string> = {
  tcp: 'TCP',
  'neon-http': 'Neon HTTP',
  'neon-ws': 'Neon WebSocket',
  'planetscale-http': 'PlanetScale HTTP',
  hyperdrive: 'Hyperdrive',
  'd1-binding': 'D1 binding',
  'd1-http': 'D1 HTTP API',
  'libsql-http': 'libSQL HTTP',
  hosted: 'Hosted by Atrium',
};

/** The transports the form offers for an engine ('' = the default for the host). */
export const transportChoices = (engine: EngineName): readonly TransportName[] =>
  ENGINE_TRANSPORTS[engine].filter((t) => !MANAGED_TRANSPORTS.includes(t));

/** What "Automatic" picks for the typed host or connection string. */
export function automaticTransport(f: FormState): TransportName {
  let host = f.host;
  if (f.mode === 'string') {
    try {
      host = new URL(f.connectionString.trim()).hostname;
    } catch {
      host = '';
    }
  }
  return defaultTransport(f.engine, host);
}

/**
 * SQLite is created here over HTTP (D1's REST API, libSQL); D1 databases bound in wrangler.toml are
 * listed as built-ins, and hosted ones are made on their own page.
 */
export const FORM_ENGINES: EngineName[] = ['postgres', 'mysql', 'sqlite'];

/** The SQLite transports the form creates, the first the default. */
export const REMOTE_SQLITE_CHOICES = ['d1-http', 'libsql-http'] as const;

/** The form's SQLite transport: what was picked, else D1's API. */
export const remoteSqliteTransport = (f: FormState): (typeof REMOTE_SQLITE_CHOICES)[number] =>
  f.transport === 'libsql-http' ? 'libsql-http' : 'd1-http';

/** Binding-addressed engines (SQLite) are reached by a transport's own fields, not a host. */
export const reachedByHost = (engine: EngineName) => capabilitiesOf(engine).addressing !== 'binding';

export interface FormState {
  name: string;
  description: string;
  color: string;
  engine: EngineName;
  mode: 'fields' | 'string';
  connectionString: string;
  host: string;
  port: string;
  database: string;
  user: string;
  password: string;
  sslMode: SslMode;
  /** '' = the default for the host (TCP, or Neon/PlanetScale for their hosts). */
  transport: TransportName | '';
  /** Transport `hyperdrive`: the binding that supplies host and login. */
  hyperdrive: string;
  /** Transport `d1-http`: the Cloudflare account id (the database id is `database`, the token `password`). */
  accountId: string;
  tags: string;
  active: boolean;
  /** The read-only login viewers and read-only runs use; its password is never shown again. */
  readOnlyUser: string;
  readOnlyPassword: string;
  /** The read-only user as saved ('' when none): clearing the field removes the login. */
  savedReadOnlyUser: string;
}

export const blank = (): FormState => ({
  name: '',
  description: '',
  color: COLORS[0] ?? '#2f6fde',
  engine: 'postgres',
  mode: 'fields',
  connectionString: '',
  host: '127.0.0.1',
  port: '5432',
  database: '',
  user: '',
  password: '',
  sslMode: 'disable',
  transport: '',
  hyperdrive: '',
  accountId: '',
  tags: '',
  active: true,
  readOnlyUser: '',
  readOnlyPassword: '',
  savedReadOnlyUser: '',
});

export function fromConnection(c: Connection): FormState {
  return {
    ...blank(),
    name: c.name,
    description: c.description ?? '',
    color: c.color ?? COLORS[0] ?? '#2f6fde',
    engine: c.engine,
    mode: c.usesConnectionString && !c.host ? 'string' : 'fields',
    host: c.host ?? '',
    port: c.port ? String(c.port) : '',
    database: c.database ?? '',
    user: c.user ?? '',
    sslMode: c.sslMode ?? 'disable',
    transport: c.transport ?? '',
    hyperdrive: c.hyperdrive ?? '',
    // A D1-over-HTTP connection keeps its account id as its user (worker/connections/remote-sqlite.ts).
    accountId: c.transport === 'd1-http' ? (c.user ?? '') : '',
    tags: c.tags.join(', '),
    active: c.active,
    readOnlyUser: c.readOnlyUser ?? '',
    savedReadOnlyUser: c.readOnlyUser ?? '',
  };
}

/** The typed read-only login, when there is one to send (a test needs its password too). */
function typedReadOnlyLogin(f: FormState) {
  const user = f.readOnlyUser.trim();
  if (!user || !capabilitiesOf(f.engine).logins) return undefined;
  return f.readOnlyPassword ? { user, password: f.readOnlyPassword } : { user };
}

/** How to reach the database: exactly what a test needs (the test route refuses other fields). */
export function toSettings(f: FormState): ConnectionTestInput {
  if (!reachedByHost(f.engine)) {
    const password = f.password ? { password: f.password } : {};
    if (remoteSqliteTransport(f) === 'libsql-http') {
      // On edit an empty URL keeps the stored one (it sits in the vault with the token).
      const url = f.connectionString.trim() ? { connectionString: f.connectionString.trim() } : {};
      return { engine: f.engine, transport: 'libsql-http', ...url, ...password };
    }
    const ids = { accountId: f.accountId.trim(), database: f.database.trim() };
    return { engine: f.engine, transport: 'd1-http', ...ids, ...password };
  }
  // A Hyperdrive binding carries its own server and one login.
  if (f.transport === 'hyperdrive')
    return { engine: f.engine, transport: 'hyperdrive', hyperdrive: f.hyperdrive.trim() };
  const login = typedReadOnlyLogin(f);
  const readOnlyLogin = login && 'password' in login ? { readOnlyLogin: login } : {};
  const transport = f.transport ? { transport: f.transport } : {};
  if (f.mode === 'string') {
    return { engine: f.engine, ...transport, connectionString: f.connectionString.trim(), ...readOnlyLogin };
  }
  return {
    ...readOnlyLogin,
    ...transport,
    engine: f.engine,
    host: f.host.trim(),
    port: f.port ? Number(f.port) : undefined,
    database: f.database.trim() || undefined,
    user: f.user.trim() || undefined,
    password: f.password || undefined,
    sslMode: f.sslMode,
  };
}

function toFields(f: FormState) {
  return {
    name: f.name.trim(),
    description: f.description.trim() || undefined,
    color: f.color,
    active: f.active,
    tags: f.tags
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
  };
}

export const toCreate = (f: FormState): ConnectionInput => ({ ...toFields(f), ...toSettings(f) });

/**
 * The read-only login part of an update: null when the field was cleared, the login when it
 * was typed or must be confirmed (another user, another server), nothing when unchanged.
 */
function readOnlyUpdate(f: FormState, serverMoved: boolean): Pick<ConnectionUpdate, 'readOnlyLogin'> {
  const login = typedReadOnlyLogin(f);
  if (!login) return f.savedReadOnlyUser ? { readOnlyLogin: null } : {};
  const changed = 'password' in login || login.user !== f.savedReadOnlyUser || serverMoved;
  return changed ? { readOnlyLogin: login } : {};
}

/**
 * On edit, secrets are sent only when typed: an empty password or connection
 * string keeps the stored one; an emptied database or user is cleared.
 */
export function toUpdate(f: FormState, serverMoved = false): ConnectionUpdate {
  const { engine: _engine, readOnlyLogin: _typed, ...settings } = toSettings(f);
  if (f.transport === 'hyperdrive' || !reachedByHost(f.engine)) return { ...toFields(f), ...settings };
  const readOnly = readOnlyUpdate(f, serverMoved);
  if (f.mode === 'string') {
    return f.connectionString
      ? { ...toFields(f), ...settings, ...readOnly }
      : { ...toFields(f), ...readOnly };
  }
  return {
    ...toFields(f),
    ...settings,
    ...readOnly,
    database: settings.database ?? null,
    user: settings.user ?? null,
    password: settings.password,
  };
}

/**
 * Whether the form now points at another server or login than the saved connection. A saved
 * password is only ever sent to the one it was saved for, so the API then wants it typed again
 * (400 password_required).
 */
export function targetChanged(f: FormState, c: Connection): boolean {
  if (f.mode !== 'fields') return false;
  return (
    f.engine !== c.engine ||
    f.host.trim().toLowerCase() !== (c.host ?? '').toLowerCase() ||
    f.port !== (c.port ? String(c.port) : '') ||
    f.user.trim() !== (c.user ?? '')
  );
}

/** Another engine, host or port: a saved read-only password is not sent there either. */
export function serverChanged(f: FormState, c: Connection): boolean {
  if (f.mode !== 'fields') return false;
  return (
    f.engine !== c.engine ||
    f.host.trim().toLowerCase() !== (c.host ?? '').toLowerCase() ||
    f.port !== (c.port ? String(c.port) : '')
  );
}
