import { badRequest } from '../errors.ts';
import type { ConnectionRow } from '../meta/connections.ts';
import { D1_BINDINGS } from './builtins.ts';
import { ConnectionStringError, DEFAULT_PORTS, parseConnectionString } from './connection-string.ts';
import type { ResolvedSettings, SettingsInput, StoredSecret } from './types.ts';

const FIELD_KEYS = ['host', 'port', 'database', 'user', 'password', 'sslMode'] as const;

const invalidConfig = (message: string) => badRequest('invalid_config', message);

/**
 * Validates one engine's settings as a whole: either a connection string or
 * fields for Postgres/MySQL, a built-in D1 binding for SQLite. Throws
 * `400 invalid_config` naming the problem, never quoting a secret.
 */
export function resolveSettings(input: SettingsInput): ResolvedSettings {
  const givenFields = FIELD_KEYS.filter((k) => input[k] !== undefined && input[k] !== null);
  if (input.engine === 'sqlite') {
    if (input.connectionString !== undefined || givenFields.length > 0) {
      throw invalidConfig('SQLite connections take only d1Binding, not a connection string or host fields');
    }
    if (!input.d1Binding)
      throw invalidConfig(`d1Binding is required for SQLite (one of ${D1_BINDINGS.join(', ')})`);
    if (!D1_BINDINGS.includes(input.d1Binding)) {
      throw invalidConfig(`d1Binding must be one of the built-in D1 databases: ${D1_BINDINGS.join(', ')}`);
    }
    return { engine: 'sqlite', d1Binding: input.d1Binding };
  }

  if (input.d1Binding !== undefined) throw invalidConfig('d1Binding applies only to SQLite connections');
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
  };
}

/** The stored secret of resolved settings; null when there is nothing to hide. */
export function secretOf(settings: ResolvedSettings): StoredSecret | null {
  if (settings.engine === 'sqlite') return null;
  if (settings.connectionString) return { connectionString: settings.connectionString };
  if (settings.password) return { password: settings.password };
  return null;
}

/** Rebuilds resolved settings from a row and its opened secret. */
export function settingsFromRow(row: ConnectionRow, secret: StoredSecret | null): ResolvedSettings {
  if (row.engine === 'sqlite') return { engine: 'sqlite', d1Binding: row.d1Binding ?? '' };
  if (row.usesConnectionString && secret?.connectionString) {
    return resolveSettings({ engine: row.engine, connectionString: secret.connectionString });
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
  };
}

/** Every secret string in the settings, for scrubbing messages that might quote them. */
export function secretsIn(settings: ResolvedSettings): string[] {
  if (settings.engine === 'sqlite') return [];
  return [settings.password, settings.connectionString].filter((s): s is string => !!s);
}
