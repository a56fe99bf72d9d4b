/**
 * A connection's second login, for viewers and every read-only run. It reaches the same
 * server, database and TLS settings as the main login; only the user and password differ,
 * and the password is sealed in the connection's one vault envelope (so key rotation
 * re-encrypts it with the rest). What viewers may do is then the database's decision.
 */

import type { Action } from '../auth/policy.ts';
import { addressedByBinding } from '../engines/dialects.ts';
import type { Engine } from '../engines/engine.ts';
import { badRequest } from '../errors.ts';
import type { ConnectionRow, PrivilegeFindings } from '../meta/connections.ts';
import { readOnlyLoginTrusted } from './privileges.ts';
import { secretsIn } from './settings.ts';
import type { ReadOnlyLogin, ReadOnlyLoginInput, ResolvedSettings, StoredSecret } from './types.ts';

/** An engine opened for a route, saying which login it runs as. */
export type OpenedEngine = Engine & {
  /**
   * The run is under the read-only login and that login was not found privileged at its
   * last test, so the database itself holds it to reading; when false, read-only runs
   * also refuse known server-side effects (defence in depth).
   */
  readonly usesReadOnlyLogin: boolean;
};

/** Actions that change data; every other engine use only reads. */
const WRITE_ACTIONS: ReadonlySet<Action> = new Set(['query.write', 'rows.write']);

export const readsOnly = (action: Action) => !WRITE_ACTIONS.has(action);

/** The read-only flag of an engine from `openEngine`; false for any other engine. */
export function usesReadOnlyLogin(engine: Engine): boolean {
  return (engine as Partial<OpenedEngine>).usesReadOnlyLogin === true;
}

export function markLogin(engine: Engine, usesReadOnly: boolean): OpenedEngine {
  return Object.assign(engine, { usesReadOnlyLogin: usesReadOnly });
}

/** The stored read-only login of a row and its opened secret; null when there is none. */
export function currentReadOnlyLogin(row: ConnectionRow, secret: StoredSecret | null): ReadOnlyLogin | null {
  if (row.readOnlyUser === null || !secret?.readOnlyPassword) return null;
  return { user: row.readOnlyUser, password: secret.readOnlyPassword };
}

/** The envelope's content with the read-only password set (or removed). */
export function withReadOnlyPassword(
  secret: StoredSecret | null,
  login: ReadOnlyLogin | null,
): StoredSecret | null {
  const { readOnlyPassword: _dropped, ...rest } = secret ?? {};
  if (login) return { ...rest, readOnlyPassword: login.password };
  return Object.keys(rest).length > 0 ? rest : null;
}

/** Settings that reach the same server as `settings`, as the read-only login. */
export function readOnlySettings(settings: ResolvedSettings, login: ReadOnlyLogin): ResolvedSettings {
  if (addressedByBinding(settings)) return settings;
  return {
    ...settings,
    usesConnectionString: false,
    connectionString: null,
    user: login.user,
    password: login.password,
  };
}

/**
 * Which login a run uses: the read-only one for read-only runs when there is one, the
 * main one otherwise. `secrets` covers both, since either may surface in a message.
 */
export function chooseLogin(
  settings: ResolvedSettings,
  login: ReadOnlyLogin | null,
  findings: PrivilegeFindings | null,
  readOnly: boolean,
): { settings: ResolvedSettings; usesReadOnlyLogin: boolean; secrets: string[] } {
  const secrets = [...secretsIn(settings), ...(login ? [login.password] : [])];
  if (!readOnly || !login) return { settings, usesReadOnlyLogin: false, secrets };
  return {
    settings: readOnlySettings(settings, login),
    usesReadOnlyLogin: readOnlyLoginTrusted(findings),
    secrets,
  };
}

/** A server is the engine, host and port; a new one must not inherit a stored password. */
function serverChanged(before: ResolvedSettings, after: ResolvedSettings): boolean {
  if (addressedByBinding(before) || addressedByBinding(after)) return before.engine !== after.engine;
  return before.engine !== after.engine || before.host !== after.host || before.port !== after.port;
}

const passwordRequired = (message: string) => badRequest('password_required', message);

/**
 * The read-only login after a create (`current` null) or an update. `input` null removes
 * it; undefined keeps it, unless the server changed: then the caller must send it again
 * (or null), so its password never follows the connection to another host. A password
 * left out keeps the stored one only for the same user on the same server.
 */
export function nextReadOnlyLogin(
  input: ReadOnlyLoginInput | null | undefined,
  current: ReadOnlyLogin | null,
  before: ResolvedSettings | null,
  after: ResolvedSettings,
): ReadOnlyLogin | null {
  if (input === null) return null;
  const moved = before !== null && serverChanged(before, after);
  // A Hyperdrive binding carries one login; a read-only one would need a binding of its own.
  const hyperdrive = !addressedByBinding(after) && after.hyperdrive !== null;
  if (input === undefined) {
    if (!current || addressedByBinding(after) || hyperdrive) return null;
    if (moved) {
      throw passwordRequired(
        'The server changed: send readOnlyLogin again with its password, or null to remove it',
      );
    }
    return current;
  }
  if (addressedByBinding(after)) {
    throw badRequest('invalid_config', 'SQLite connections have no logins; readOnlyLogin does not apply');
  }
  if (hyperdrive) {
    throw badRequest(
      'invalid_config',
      'A Hyperdrive binding supplies its one login; readOnlyLogin does not apply',
    );
  }
  if (input.password) return { user: input.user, password: input.password };
  if (current && current.user === input.user && !moved) return current;
  throw passwordRequired('readOnlyLogin needs a password');
}

/** The plain columns of a read-only login; the password goes in the envelope. */
export const readOnlyColumns = (login: ReadOnlyLogin | null) => ({ readOnlyUser: login?.user ?? null });
