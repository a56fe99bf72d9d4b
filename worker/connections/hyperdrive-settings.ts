/**
 * The transport part of a PostgreSQL or MySQL connection's settings: which one it asked for (or the
 * default for its host, worker/engines/config.ts), and the Hyperdrive form, where a binding replaces
 * host and login. A Hyperdrive binding is deployment configuration pointing at a real database, so
 * organizations may name only the bindings listed in `USER_HYPERDRIVE_BINDINGS` (like D1 bindings).
 */
import { defaultTransport, ENGINE_TRANSPORTS, type TransportName } from '../engines/config.ts';
import { addressedByBinding, isBindingEngine, type NetworkEngine } from '../engines/dialects.ts';
import type { Env } from '../env.ts';
import { badRequest } from '../errors.ts';
import type { ResolvedSettings, SettingsInput } from './types.ts';

type NetworkSettings = Extract<ResolvedSettings, { engine: 'postgres' | 'mysql' }>;

const invalidConfig = (message: string) => badRequest('invalid_config', message);

/** The transport for a host-addressed connection: the one asked for, if the engine takes it. */
export function transportOf(
  input: SettingsInput,
  host: string,
): { transport: TransportName; hyperdrive: null } {
  const engine = input.engine as NetworkEngine;
  const asked = input.transport;
  if (asked === undefined) return { transport: defaultTransport(engine, host), hyperdrive: null };
  const allowed = ENGINE_TRANSPORTS[engine].filter((t) => t !== 'hyperdrive');
  if (!(allowed as readonly string[]).includes(asked)) {
    throw invalidConfig(`A ${engine} connection's transport is one of ${allowed.join(', ')} or hyperdrive`);
  }
  return { transport: asked as TransportName, hyperdrive: null };
}

/** True when the input asks for Hyperdrive (by transport or by naming a binding). */
export function wantsHyperdrive(input: SettingsInput): boolean {
  return input.transport === 'hyperdrive' || input.hyperdrive !== undefined;
}

/** Validates a Hyperdrive input: a binding name and nothing that addresses a server itself. */
export function resolveHyperdrive(input: SettingsInput): NetworkSettings {
  if (input.transport !== undefined && input.transport !== 'hyperdrive') {
    throw invalidConfig('hyperdrive applies only to the hyperdrive transport');
  }
  const stray = (
    ['connectionString', 'host', 'port', 'database', 'user', 'password', 'sslMode'] as const
  ).filter((k) => input[k] !== undefined && input[k] !== null);
  if (stray.length > 0) {
    throw invalidConfig(
      `A Hyperdrive connection takes its server and login from the binding, not ${stray.join(', ')}`,
    );
  }
  if (!input.hyperdrive || !/^[A-Za-z_][A-Za-z0-9_]{0,63}$/.test(input.hyperdrive)) {
    throw invalidConfig('hyperdrive names the Hyperdrive binding (as in wrangler.toml)');
  }
  return {
    engine: input.engine as NetworkEngine,
    usesConnectionString: false,
    host: '',
    port: 0,
    database: null,
    user: null,
    sslMode: null,
    password: null,
    connectionString: null,
    transport: 'hyperdrive',
    hyperdrive: input.hyperdrive,
  };
}

/** Comma-separated `USER_HYPERDRIVE_BINDINGS`: the Hyperdrive bindings organizations may use. */
export function userHyperdriveBindings(env: Pick<Env, 'USER_HYPERDRIVE_BINDINGS'>): string[] {
  return (env.USER_HYPERDRIVE_BINDINGS ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
}

/** `400 binding_not_allowed` unless the deployment lists the binding. */
export function assertHyperdriveAllowed(env: Env, binding: string): void {
  const allowed = userHyperdriveBindings(env);
  if (allowed.includes(binding)) return;
  const why =
    allowed.length > 0
      ? `this deployment lets organizations use only ${allowed.join(', ')}`
      : 'this deployment lets no organization use a Hyperdrive binding (USER_HYPERDRIVE_BINDINGS is empty)';
  throw badRequest('binding_not_allowed', `Connections cannot use the Hyperdrive binding ${binding}: ${why}`);
}

/**
 * A PATCH's transport on top of the merged address: Hyperdrive when asked (or kept when nothing
 * else changes), else the transport asked for, else the current one while the engine stays, else
 * the new host's default. SQLite inputs pass through (their transports are the binding's or URL's).
 */
export function mergeTransport(
  merged: SettingsInput,
  current: ResolvedSettings,
  patch: Pick<SettingsInput, 'transport' | 'hyperdrive' | 'host' | 'connectionString'>,
): SettingsInput {
  if (isBindingEngine(merged.engine)) return merged;
  const same = !addressedByBinding(current) && current.engine === merged.engine ? current : null;
  const readdressed = patch.host !== undefined || patch.connectionString !== undefined;
  const keepHyperdrive = patch.transport === undefined && !readdressed && same?.hyperdrive;
  if (patch.hyperdrive !== undefined || patch.transport === 'hyperdrive' || keepHyperdrive) {
    return {
      engine: merged.engine,
      transport: 'hyperdrive',
      hyperdrive: patch.hyperdrive ?? same?.hyperdrive ?? undefined,
    };
  }
  const kept = same && !same.hyperdrive ? same.transport : undefined;
  // Leaving Hyperdrive: its placeholder port is no port.
  const port = merged.port === 0 ? undefined : merged.port;
  return { ...merged, port, transport: patch.transport ?? kept };
}
