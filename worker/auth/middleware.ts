import { and, eq } from 'drizzle-orm';
import { drizzle } from 'drizzle-orm/d1';
import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import { connectionOfPath, connectionPreload, dashboardPreload } from '../connections/preload.ts';
import { documentOfRequest, documentPreload } from '../documents/preload.ts';
import type { AppEnv } from '../env.ts';
import { ApiError } from '../errors.ts';
import { afterResponse, serviceContext } from '../lib/after-response.ts';
import { sha256Hex } from '../lib/hash.ts';
import type { Preload } from '../lib/preload.ts';
import { members } from '../meta/auth.ts';
import { enforceLeasedLimit } from '../middleware/rate-lease.ts';
import { limitFromVar } from '../middleware/rate-limit.ts';
import { timed } from '../middleware/server-timing.ts';
import { authGeneration, cachedAuth, claimRefresh, forgetAuthKey, rememberAuth } from './auth-cache.ts';
import { getAuth, SESSION_COOKIE } from './better-auth.ts';
import type { AuthContext } from './context.ts';
import { sessionOrg } from './orgs.ts';
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

/**
 * What the route will read about the connection or document the request names, to send in the
 * same D1 batch as a token read (lib/preload.ts): a cold request then waits for one round trip.
 */
function preloadOf(c: Context<AppEnv>): Preload | undefined {
  if (c.req.path === '/api/dashboard' && c.req.method === 'GET') return dashboardPreload(c.req.raw);
  const connectionId = connectionOfPath(c.req.path);
  if (connectionId !== undefined) return connectionPreload(connectionId);
  const documentId = documentOfRequest(c.req.method, c.req.path);
  return documentId === undefined ? undefined : documentPreload(c.req.raw, documentId);
}

async function resolve(c: Context<AppEnv>): Promise<AuthContext | undefined> {
  const header = c.req.header('authorization');
  if (header !== undefined) {
    const token = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
    // The token's last-used stamp and background re-reads never hold up the request that carried it.
    const auth = token
      ? await authenticateToken(c.env, token, (work) => void afterResponse(c, work), preloadOf(c))
      : null;
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
  return loadSession(c, key, preloadOf(c));
}

/**
 * Better Auth's session, then in one D1 batch the member's organization and role (lib/preload.ts:
 * with what the route will read about the connection or document it names); remembered under `key`.
 */
async function loadSession(
  c: Context<AppEnv>,
  key: string,
  preload?: Preload,
): Promise<AuthContext | undefined> {
  const readAt = authGeneration();
  const session = await getAuth(c.env, c.req.url).api.getSession({ headers: c.req.raw.headers });
  if (!session) return undefined;
  const db = drizzle(c.env.DB);
  const org = sessionOrg(session.user.id, session.session.activeOrganizationId ?? null);
  const [membership, ...extra] = await db.batch([
    db
      .select({ orgId: members.organizationId, role: members.role })
      .from(members)
      .where(and(eq(members.userId, session.user.id), eq(members.organizationId, org)))
      .limit(1),
    ...(preload?.queries(db, org) ?? []),
  ]);
  const orgId = membership[0]?.orgId ?? null;
  const role = membership[0]?.role ?? null;
  const auth: AuthContext = {
    userId: session.user.id,
    email: session.user.email,
    orgId: role ? orgId : null,
    role,
    via: 'session',
    sessionId: session.session.id,
    name: session.user.name,
  };
  // A session in no organization is about to get one (sign-up's hook): not worth remembering.
  if (role) rememberAuth(key, auth, new Date(session.session.expiresAt).getTime(), readAt);
  if (orgId && preload) await preload.prime(c.env, extra, orgId);
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
