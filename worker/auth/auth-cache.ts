import type { AuthContext } from './context.ts';

/**
 * How long this isolate trusts an auth context it resolved (a token's or a cookie session's)
 * without asking D1 again. The isolate that revokes a token, signs out, switches organization or
 * changes a membership forgets at once (`forgetAuth`); other isolates of the Worker learn of it
 * within this long. That is the documented bound (README, Security) on how long a revoked token,
 * a removed member or a demoted role can still act elsewhere.
 */
export const AUTH_CACHE_TTL_MS = 10_000;

/** Entries kept at most; past it the cache starts over rather than grow with every caller. */
const MAX_ENTRIES = 10_000;

interface Entry {
  auth: AuthContext;
  until: number;
}

const entries = new Map<string, Entry>();

/**
 * The cached context for `key` (`token:<sha256>` or `session:<sha256 of the cookie>`), or
 * undefined when there is none or it is older than the TTL. A copy, so a route cannot change
 * what the next request sees.
 */
export function cachedAuth(key: string, now = Date.now()): AuthContext | undefined {
  const entry = entries.get(key);
  if (!entry) return undefined;
  if (entry.until <= now) {
    entries.delete(key);
    return undefined;
  }
  return { ...entry.auth };
}

/** Remembers `auth` for the TTL, or until `expiresAt` (a token's or session's own end) if sooner. */
export function rememberAuth(key: string, auth: AuthContext, expiresAt?: number | null): void {
  if (entries.size >= MAX_ENTRIES) entries.clear();
  const until = Math.min(Date.now() + AUTH_CACHE_TTL_MS, expiresAt ?? Number.POSITIVE_INFINITY);
  entries.set(key, { auth: { ...auth }, until });
}

/**
 * Forgets every cached context in this isolate. Called by whatever changes who may act as
 * whom (token revocation, sign-out, organization switch, membership or organization changes):
 * those are rare, and forgetting everything cannot miss an entry that a narrower key would.
 */
export function forgetAuth(): void {
  entries.clear();
}
