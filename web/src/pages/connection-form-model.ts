import { capabilitiesOf } from '../../../worker/engines/capabilities.ts';
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
/** SQLite connections are D1 databases bound in wrangler.toml, listed as built-ins; not created here. */
export const FORM_ENGINES: EngineName[] = ['postgres', 'mysql'];

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
  const login = typedReadOnlyLogin(f);
  const readOnlyLogin = login && 'password' in login ? { readOnlyLogin: login } : {};
  if (f.mode === 'string') {
    return { engine: f.engine, connectionString: f.connectionString.trim(), ...readOnlyLogin };
  }
  return {
    ...readOnlyLogin,
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
