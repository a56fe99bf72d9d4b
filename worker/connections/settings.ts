import { defaultTransport, MANAGED_TRANSPORTS, type TransportName } from '../engines/config.ts';
import { addressedByBinding, isBindingEngine } from '../engines/dialects.ts';
import type { Env } from '../env.ts';
import { badRequest } from '../errors.ts';
import type { ConnectionRow } from '../meta/connections.ts';
import { BUILTIN_D1, RESERVED_D1_BINDINGS, userD1Bindings } from './builtins.ts';
import { ConnectionStringError, DEFAULT_PORTS, parseConnectionString } from './connection-string.ts';
import { assertHostAllowed } from './host-policy.ts';
import { isHostedRow } from './hosted-row.ts';
import {
  assertHyperdriveAllowed,
  resolveHyperdrive,
  transportOf,
  wantsHyperdrive,
} from './hyperdrive-settings.ts';
import {
  isRemoteSqliteRow,
  remoteFromRow,
  remoteHost,
  remoteSecret,
  remoteSecrets,
  remoteTransportOf,
  resolveRemote,
} from './remote-sqlite.ts';
import type { ResolvedSettings, SettingsInput, StoredSecret } from './types.ts';

const FIELD_KEYS = ['host', 'port', 'database', 'user', 'password', 'sslMode'] as const;

const invalidConfig = (message: string) => badRequest('invalid_config', message);

function bindingNotAllowed(binding: string, allowed: readonly string[] | null) {
  const builtin = BUILTIN_D1.find((b) => b.binding === binding);
  const why = !allowed
    ? builtin
      ? `it is a built-in database that belongs to no organization; use it, read-only, as ${builtin.id}`
      : "it holds Atrium's own data"
    : allowed.length > 0
      ? `this deployment lets organizations attach only ${allowed.join(', ')}`
      : 'this deployment lets no organization attach a D1 database (USER_D1_BINDINGS is empty)';
  return badRequest('binding_not_allowed', `SQLite connections cannot use ${binding}: ${why}`);
}

/**
 * Validates one engine's settings as a whole: either a connection string or
 * fields for Postgres/MySQL, a D1 binding for SQLite. Throws `400 invalid_config`
 * naming the problem, never quoting a secret; `400 binding_not_allowed` for a
 * built-in binding. The deployment's policy is `assertSettingsAllowed`.
 */
export function resolveSettings(input: SettingsInput): ResolvedSettings {
  const givenFields = FIELD_KEYS.filter((k) => input[k] !== undefined && input[k] !== null);
  if (isBindingEngine(input.engine)) {
    if (MANAGED_TRANSPORTS.includes(input.transport as TransportName)) {
      throw invalidConfig('Hosted SQLite databases are created with POST /api/hosted-databases');
    }
    const remote = remoteTransportOf(input);
    if (remote) return { engine: 'sqlite', d1Binding: '', remote: resolveRemote(input, remote) };
    if (input.connectionString !== undefined || givenFields.length > 0) {
      throw invalidConfig('SQLite connections take only d1Binding, not a connection string or host fields');
    }
    if (!input.d1Binding) throw invalidConfig('d1Binding is required for SQLite');
    // Built-in and metadata databases are refused whatever the deployment's config says.
    if (RESERVED_D1_BINDINGS.has(input.d1Binding)) throw bindingNotAllowed(input.d1Binding, null);
    return { engine: 'sqlite', d1Binding: input.d1Binding };
  }

  if (input.d1Binding !== undefined) throw invalidConfig('d1Binding applies only to SQLite connections');
  if (input.accountId !== undefined) throw invalidConfig('accountId applies only to D1 connections');
  if (wantsHyperdrive(input)) return resolveHyperdrive(input);
  if (input.connectionString !== undefined) {
    if (givenFields.length > 0) {
      throw invalidConfig(
        `Give either a connection string or host/port/database/user/password/sslMode, not both (got ${givenFields.join(', ')})`,
      );
    }
    let parsed: ReturnType<typeof parseConnectionString>;
    try {
      parsed = parseConnectionString(input.engine, input.connectionString);
    } catch (err) {
      if (err instanceof ConnectionStringError) throw invalidConfig(err.message);
      throw err;
    }
    return {
      engine: input.engine,
      usesConnectionString: true,
      host: parsed.host,
      port: parsed.port,
      database: parsed.database,
      user: parsed.user,
      sslMode: parsed.sslMode,
      password: parsed.password,
      connectionString: input.connectionString.trim(),
      ...transportOf(input, parsed.host),
    };
  }

  if (!input.host) throw invalidConfig('host (or connectionString) is required');
  return {
    engine: input.engine,
    usesConnectionString: false,
    host: input.host,
    port: input.port ?? DEFAULT_PORTS[input.engine],
    database: input.database ?? null,
    user: input.user ?? null,
    sslMode: input.sslMode ?? null,
    password: input.password ? input.password : null,
    connectionString: null,
    ...transportOf(input, input.host),
  };
}

/**
 * The deployment's policy on what a user connection may reach, checked before
 * anything is saved and again before every engine is built (rows saved under an
 * older policy included): a SQLite binding listed in `USER_D1_BINDINGS`, or a
 * host allowed by the host policy (`400 binding_not_allowed`, `400 host_not_allowed`).
 */
export function assertSettingsAllowed(env: Env, settings: ResolvedSettings): void {
  if (addressedByBinding(settings)) {
    // A hosted database is the organization's own object, made by the hosted-database route.
    if (settings.hosted) return;
    if (settings.remote) {
      const host = remoteHost(settings.remote);
      if (host !== null) assertHostAllowed(env, host);
      return;
    }
    const allowed = userD1Bindings(env);
    if (!allowed.includes(settings.d1Binding)) throw bindingNotAllowed(settings.d1Binding, allowed);
    return;
  }
  // Every other transport dials the host itself, so the host policy holds for all of them.
  if (settings.hyperdrive) assertHyperdriveAllowed(env, settings.hyperdrive);
  else assertHostAllowed(env, settings.host);
}

/** The stored secret of resolved settings; null when there is nothing to hide. */
export function secretOf(settings: ResolvedSettings): StoredSecret | null {
  if (addressedByBinding(settings)) return settings.remote ? remoteSecret(settings.remote) : null;
  if (settings.connectionString) return { connectionString: settings.connectionString };
  if (settings.password) return { password: settings.password };
  return null;
}

/** Rebuilds resolved settings from a row and its opened secret. */
export function settingsFromRow(row: ConnectionRow, secret: StoredSecret | null): ResolvedSettings {
  if (isHostedRow(row)) return { engine: 'sqlite', d1Binding: '', hosted: row.id };
  if (isRemoteSqliteRow(row)) return { engine: 'sqlite', d1Binding: '', remote: remoteFromRow(row, secret) };
  if (isBindingEngine(row.engine)) return { engine: row.engine, d1Binding: row.d1Binding ?? '' };
  const transport = row.transport ?? undefined;
  if (row.hyperdrive) return resolveSettings({ engine: row.engine, transport, hyperdrive: row.hyperdrive });
  if (row.usesConnectionString && secret?.connectionString) {
    return resolveSettings({ engine: row.engine, connectionString: secret.connectionString, transport });
  }
  return {
    engine: row.engine,
    usesConnectionString: false,
    host: row.host ?? '',
    port: row.port ?? DEFAULT_PORTS[row.engine],
    database: row.database,
    user: row.user,
    sslMode: row.sslMode,
    password: secret?.password ?? null,
    connectionString: null,
    transport: row.transport ?? defaultTransport(row.engine, row.host ?? ''),
    hyperdrive: null,
  };
}

/** Every secret string in the settings, for scrubbing messages that might quote them. */
export function secretsIn(settings: ResolvedSettings): string[] {
  if (addressedByBinding(settings)) return settings.remote ? remoteSecrets(settings.remote) : [];
  return [settings.password, settings.connectionString].filter((s): s is string => !!s);
}
