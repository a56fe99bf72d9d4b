import { describe, expect, it } from 'vitest';
import {
  AUTH_REFRESH_AFTER_MS,
  authGeneration,
  cachedAuth,
  claimRefresh,
  forgetAuth,
  forgetAuthKey,
  rememberAuth,
} from '../../../worker/auth/auth-cache.ts';
import type { AuthContext } from '../../../worker/auth/context.ts';

const auth: AuthContext = { userId: 'u1', email: 'u1@example.com', orgId: 'o1', role: 'owner', via: 'token' };

describe('auth cache refresh', () => {
  it('hands out one background re-read once an entry is half its TTL old', () => {
    const key = `token:${crypto.randomUUID()}`;
    rememberAuth(key, auth);
    const now = Date.now();
    expect(claimRefresh(key, now)).toBe(false);
    expect(claimRefresh(key, now + AUTH_REFRESH_AFTER_MS + 1)).toBe(true);
    // Only one request re-reads it; the others keep using the entry meanwhile.
    expect(claimRefresh(key, now + AUTH_REFRESH_AFTER_MS + 2)).toBe(false);
    expect(cachedAuth(key)).toEqual(auth);
    // The re-read found the token revoked.
    forgetAuthKey(key);
    expect(cachedAuth(key)).toBeUndefined();
  });

  it('never remembers a read that began before a revocation in this isolate', () => {
    const key = `token:${crypto.randomUUID()}`;
    const readAt = authGeneration();
    forgetAuth(); // e.g. a token revoked while the read was in flight
    rememberAuth(key, auth, null, readAt);
    expect(cachedAuth(key)).toBeUndefined();
    rememberAuth(key, auth, null, authGeneration());
    expect(cachedAuth(key)).toEqual(auth);
  });
});
