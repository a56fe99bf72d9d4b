import { addressedByBinding } from '../engines/dialects.ts';
import { badRequest } from '../errors.ts';
import { canonicalHost } from './host-policy.ts';
import type { ResolvedSettings } from './types.ts';

/**
 * A stored password belongs to the server and login it was typed for. Without
 * this rule an editor could point a saved connection at a host they control,
 * press "Test", and receive the password in the login handshake.
 */

/** The server and login a secret is presented to. The database name is not part of it: same server, same login. */
function targetOf(settings: ResolvedSettings): string | null {
  if (addressedByBinding(settings)) return null;
  const host = canonicalHost(settings.host) ?? settings.host.toLowerCase();
  return JSON.stringify([settings.engine, host, settings.port, settings.user ?? '']);
}

const SECRET_KEYS = ['password', 'connectionString'] as const;

/**
 * Throws `400 password_required` when an update moves a connection that has a
 * stored secret to another engine, host, port or user without supplying the
 * secret again (a password, `password: null`, or a new connection string).
 */
export function requirePasswordForNewTarget(
  current: ResolvedSettings,
  next: ResolvedSettings,
  patch: Partial<Record<(typeof SECRET_KEYS)[number], unknown>>,
): void {
  // Nothing stored goes along: no password at all, or one the request typed itself.
  if (addressedByBinding(next) || !next.password) return;
  if (SECRET_KEYS.some((k) => patch[k] !== undefined)) return;
  if (targetOf(current) === targetOf(next)) return;
  throw badRequest(
    'password_required',
    'Changing the engine, host, port or user of a connection needs its password again: a stored password is never sent to a different server',
  );
}
