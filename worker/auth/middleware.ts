import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env.ts';

/** Resolves `c.var.auth` from the session cookie or a Bearer token. Placeholder until the accounts issue. */
export const resolveAuth = createMiddleware<AppEnv>(async (c, next) => {
  c.set('auth', undefined);
  await next();
});
