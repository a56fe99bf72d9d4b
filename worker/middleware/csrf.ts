import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors.ts';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Cookie-authenticated writes must come from our own origin (or an allowed one).
 * Hono's csrf() only guards form content types; a JSON write that carries the
 * session cookie is checked here too. Bearer-token requests carry no ambient
 * credential, so they are exempt.
 */
export const csrfGuard = createMiddleware<AppEnv>(async (c, next) => {
  if (SAFE_METHODS.has(c.req.method)) return next();
  const cookie = c.req.header('cookie');
  const bearer = c.req.header('authorization')?.startsWith('Bearer ');
  if (!cookie || bearer) return next();

  const site = c.req.header('sec-fetch-site');
  const origin = c.req.header('origin');
  const self = new URL(c.req.url).origin;
  const allowed = allowedOrigins(c.env.CORS_ORIGINS);
  const sameOrigin = origin
    ? origin === self || allowed.has(origin)
    : site === 'same-origin' || site === 'none';
  if (!sameOrigin) {
    throw new ApiError(403, 'csrf_rejected', 'Cross-site request with a session cookie was refused');
  }
  return next();
});

export function allowedOrigins(config: string | undefined): Set<string> {
  return new Set(
    (config ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
}
