import type { AuthContext } from './context.ts';

/**
 * How long this isolate trusts an auth context it resolved (a token's or a cookie session's)
 * without asking D1 again. The isolate that revokes a token, signs out, switches organization or
 * changes a membership forgets at once (`forgetAuth`); other isolates of the Worker learn of it
 * within this long. That is the documented bound (README, Security) on how long a revoked token,
 * a removed member or a demoted role can still act elsewhere.
 */
export const AUTH_CACHE_TTL_MS = 10_000;

/**
 * Past this age an entry is still served, and the request that finds it re-reads it after the
 * response: with steady traffic a warm isolate never waits for D1 for auth (issue 17), and no
 * entry is ever older than the TTL above.
 */
export const AUTH_REFRESH_AFTER_MS = AUTH_CACHE_TTL_MS / 2;

/** Entries kept at most; past it the cache starts over rather than grow with every caller. */
const MAX_ENTRIES = 10_000;

interface Entry {
  auth: AuthContext;
  until: number;
  loadedAt: number;
  refreshing: boolean;
}

const entries = new Map<string, Entry>();
/** Moves on every `forgetAuth`: a read that began before a revocation must not be remembered after it. */
let generation = 0;

/** Pass to `rememberAuth` what this returned before reading D1. */
export const authGeneration = () => generation;

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
export function rememberAuth(
  key: string,
  auth: AuthContext,
  expiresAt?: number | null,
  readAt: number = generation,
): void {
  if (readAt !== generation) return;
  if (entries.size >= MAX_ENTRIES) entries.clear();
  const until = Math.min(Date.now() + AUTH_CACHE_TTL_MS, expiresAt ?? Number.POSITIVE_INFINITY);
  entries.set(key, { auth: { ...auth }, until, loadedAt: Date.now(), refreshing: false });
}

/**
 * True, once per entry, when `key`'s entry is old enough to re-read in the background; the
 * caller then re-reads it after the response and calls `rememberAuth`, or `forgetAuthKey` when
 * it no longer resolves (revoked, expired, signed out).
 */
export function claimRefresh(key: string, now = Date.now()): boolean {
  const entry = entries.get(key);
  if (!entry || entry.refreshing || now - entry.loadedAt < AUTH_REFRESH_AFTER_MS) return false;
  entry.refreshing = true;
  return true;
}

/** Forgets one entry (a background re-read found it no longer valid). */
export function forgetAuthKey(key: string): void {
  entries.delete(key);
}

/**
 * Forgets every cached context in this isolate. Called by whatever changes who may act as
 * whom (token revocation, sign-out, organization switch, membership or organization changes):
 * those are rare, and forgetting everything cannot miss an entry that a narrower key would.
 */
export function forgetAuth(): void {
  generation++;
  entries.clear();
}
