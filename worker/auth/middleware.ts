import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors.ts';
import { afterResponse, serviceContext } from '../lib/after-response.ts';
import { sha256Hex } from '../lib/hash.ts';
import { enforceLeasedLimit } from '../middleware/rate-lease.ts';
import { limitFromVar } from '../middleware/rate-limit.ts';
import { timed } from '../middleware/server-timing.ts';
import { authGeneration, cachedAuth, claimRefresh, forgetAuthKey, rememberAuth } from './auth-cache.ts';
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
  const auth = await timed(c, 'auth', resolve(c));
  if (auth?.tokenId) {
    const limit = limitFromVar(c.env.RATE_LIMIT_TOKEN, TOKEN_LIMIT);
    await timed(c, 'limits', enforceLeasedLimit(serviceContext(c), `token:${auth.tokenId}`, limit));
  }
  c.set('auth', auth);
  await next();
});

async function resolve(c: Context<AppEnv>): Promise<AuthContext | undefined> {
  const header = c.req.header('authorization');
  if (header !== undefined) {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
    // The token's last-used stamp and background re-reads never hold up the request that carried it.
    const auth = token ? await authenticateToken(c.env, token, (work) => void afterResponse(c, work)) : null;
    if (!auth) throw new ApiError(401, 'invalid_token', 'The API token is invalid, revoked or expired');
    return auth;
  }
  const cookie = sessionCookie(c.req.header('cookie'));
  if (!cookie) return undefined;
  const key = `session:${await sha256Hex(cookie)}`;
  const cached = cachedAuth(key);
  if (cached) {
    // Re-read after the response once the entry is half its TTL old (auth-cache.ts).
    if (claimRefresh(key)) {
      void afterResponse(c, async () => {
        if (!(await loadSession(c, key))) forgetAuthKey(key);
      });
    }
    return cached;
  }
  return loadSession(c, key);
}

/** Better Auth's session, then the member's role in its organization; remembered under `key`. */
async function loadSession(c: Context<AppEnv>, key: string): Promise<AuthContext | undefined> {
  const readAt = authGeneration();
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
  const auth: AuthContext = {
    userId: session.user.id,
    email: session.user.email,
    orgId: role ? orgId : null,
    role,
    via: 'session',
    sessionId: session.session.id,
  };
  // A session in no organization is about to get one (sign-up's hook): not worth remembering.
  if (role) rememberAuth(key, auth, new Date(session.session.expiresAt).getTime(), readAt);
  return auth;
}

/** The session cookie's value (Better Auth may prefix its name with `__Secure-`). */
function sessionCookie(header: string | undefined): string | null {
  if (!header?.includes(SESSION_COOKIE)) return null;
  for (const part of header.split(';')) {
    const [name = '', ...value] = part.trim().split('=');
    if (name === SESSION_COOKIE || name === `__Secure-${SESSION_COOKIE}`) return value.join('=');
  }
  return null;
}
