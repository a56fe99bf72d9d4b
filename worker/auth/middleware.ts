import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors.ts';
import { enforceRateLimit, limitFromVar } from '../middleware/rate-limit.ts';
import { getAuth, SESSION_COOKIE } from './better-auth.ts';
import type { AuthContext } from './context.ts';
import { defaultOrgId, memberRole } from './orgs.ts';
import { authenticateToken } from './tokens.ts';

const TOKEN_LIMIT = { limit: 600, windowSeconds: 60 };

/**
 * Resolves `c.var.auth` once per request: a Bearer token wins over a cookie. A
 * Bearer header that does not resolve is a 401 right here (a script with a dead
 * token must not silently run anonymous); no cookie/token leaves `auth` undefined
 * and each route's `authorize()` decides.
 */
export const resolveAuth = createMiddleware<AppEnv>(async (c, next) => {
  c.set('auth', await resolve(c));
  await next();
});

async function resolve(c: Context<AppEnv>): Promise<AuthContext | undefined> {
  const header = c.req.header('authorization');
  if (header !== undefined) {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
    const auth = token ? await authenticateToken(c.env, token, (work) => background(c, work)) : null;
    if (!auth) throw new ApiError(401, 'invalid_token', 'The API token is invalid, revoked or expired');
    await enforceRateLimit(c.env, `token:${auth.tokenId}`, limitFromVar(c.env.RATE_LIMIT_TOKEN, TOKEN_LIMIT));
    return auth;
  }
  if (!c.req.header('cookie')?.includes(SESSION_COOKIE)) return undefined;
  const session = await getAuth(c.env, c.req.url).api.getSession({ headers: c.req.raw.headers });
  if (!session) return undefined;
  let orgId = session.session.activeOrganizationId ?? null;
  let role = orgId ? await memberRole(c.env, orgId, session.user.id) : null;
  if (!role) {
    // A new session (Better Auth runs user-created hooks after the session exists), or one
    // whose org was deleted or left: act in the user's oldest remaining org until they switch.
    orgId = await defaultOrgId(c.env, session.user.id);
    role = orgId ? await memberRole(c.env, orgId, session.user.id) : null;
  }
  return {
    userId: session.user.id,
    email: session.user.email,
    orgId: role ? orgId : null,
    role,
    via: 'session',
    sessionId: session.session.id,
  };
}

/** Off the response path when the runtime offers waitUntil (app.request() in tests does not). */
export function background(c: Context<AppEnv>, work: Promise<unknown>): void {
  try {
    c.executionCtx.waitUntil(work);
  } catch {
    // No ExecutionContext outside a real fetch event: the work still runs, unawaited.
    work.catch(() => {});
  }
}
