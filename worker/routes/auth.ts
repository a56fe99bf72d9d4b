import { createRoute, z } from '@hono/zod-openapi';
import { recordAudit } from '../audit/record.ts';
import { forgetAuth } from '../auth/auth-cache.ts';
import { getAuth, MAX_PASSWORD, MIN_PASSWORD } from '../auth/better-auth.ts';
import { defaultOrgId } from '../auth/orgs.ts';
import { EmailSchema, OkSchema, UserSchema } from '../auth/schemas.ts';
import { admitSignIn } from '../auth/sign-in-limits.ts';
import type { Env } from '../env.ts';
import { ApiError, unauthorized } from '../errors.ts';
import { clientIp, enforceRateLimit, limitFromVar } from '../middleware/rate-limit.ts';
import { createRouter, errorResponses, jsonContent } from '../openapi.ts';

/**
 * Better Auth's email/password endpoints, at Better Auth's paths, behind Atrium's
 * edge: strict zod input, attempt limits (sign-in ones in auth/sign-in-limits.ts), the audit log, and
 * responses that carry the session only as an HttpOnly cookie (Better Auth's JSON
 * also returns the session token, which page scripts must never see).
 */

const SignUpBody = z
  .strictObject({
    email: EmailSchema,
    password: z.string().min(MIN_PASSWORD).max(MAX_PASSWORD),
    name: z.string().trim().min(1).max(100),
  })
  .openapi('SignUp');

const SignInBody = z
  .strictObject({
    email: EmailSchema,
    password: z.string().min(1).max(MAX_PASSWORD),
    rememberMe: z.boolean().optional(),
  })
  .openapi('SignIn');

const SessionSchema = z.object({ user: UserSchema, orgId: z.string().nullable() }).openapi('SignedIn');

const cookieHeader = {
  'Set-Cookie': {
    description: '`atrium.session_token`: HttpOnly; Secure; SameSite=Lax',
    schema: { type: 'string' },
  },
} as const;

const signUp = createRoute({
  method: 'post',
  path: '/api/auth/sign-up/email',
  tags: ['auth'],
  summary: 'Create an account (and its personal organization) and sign in',
  request: { body: { required: true, content: { 'application/json': { schema: SignUpBody } } } },
  responses: {
    201: { ...jsonContent(SessionSchema, 'Signed up and signed in'), headers: cookieHeader },
    409: jsonContent(z.unknown(), 'An account with this email exists'),
    ...errorResponses,
  },
});

const signIn = createRoute({
  method: 'post',
  path: '/api/auth/sign-in/email',
  tags: ['auth'],
  summary: 'Sign in with email and password',
  request: { body: { required: true, content: { 'application/json': { schema: SignInBody } } } },
  responses: {
    200: { ...jsonContent(SessionSchema, 'Signed in'), headers: cookieHeader },
    ...errorResponses,
  },
});

const signOut = createRoute({
  method: 'post',
  path: '/api/auth/sign-out',
  tags: ['auth'],
  summary: 'End the current session',
  responses: { 200: jsonContent(OkSchema, 'Signed out; the cookie is cleared'), ...errorResponses },
});

/** Defaults; each is overridable by a `RATE_LIMIT_*` var written "n/seconds". */
const SIGN_UP_LIMITS = {
  ip: (env: Env) => limitFromVar(env.RATE_LIMIT_SIGN_UP_IP, { limit: 10, windowSeconds: 3600 }),
  account: (env: Env) => limitFromVar(env.RATE_LIMIT_SIGN_UP_ACCOUNT, { limit: 5, windowSeconds: 3600 }),
};

/**
 * Sign-ups are limited per client IP (when Cloudflare names one) and per email, so neither
 * one address nor one email gets far. (An email that exists cannot be signed up again, so
 * its limit locks nobody out.)
 */
async function limitSignUp(env: Env, ip: string | null, email: string) {
  if (ip) await enforceRateLimit(env, `sign-up:ip:${ip}`, SIGN_UP_LIMITS.ip(env));
  await enforceRateLimit(env, `sign-up:account:${email}`, SIGN_UP_LIMITS.account(env));
}

/** A successful sign-up or sign-in: audit it under the user's default org; the body to answer. */
async function recordSignIn(env: Env, res: Response, action: string, ip: string | null) {
  const { user } = await res.json<{ user: { id: string; email: string; name: string } }>();
  const orgId = await defaultOrgId(env, user.id);
  await recordAudit(env, {
    actorId: user.id,
    actorEmail: user.email,
    orgId,
    action,
    target: `user:${user.id}`,
    outcome: 'success',
    ip,
  });
  return { user: pickUser(user), orgId };
}

export const auth = createRouter()
  .openapi(signUp, async (c) => {
    const body = c.req.valid('json');
    const ip = clientIp(c.req.raw.headers);
    await limitSignUp(c.env, ip, body.email);
    const res = await getAuth(c.env, c.req.url).api.signUpEmail({
      body,
      headers: c.req.raw.headers,
      asResponse: true,
    });
    if (!res.ok) throw await betterAuthError(res);
    return withCookies(res, c.json(await recordSignIn(c.env, res, 'auth.sign_up', ip), 201));
  })
  .openapi(signIn, async (c) => {
    const body = c.req.valid('json');
    const ip = clientIp(c.req.raw.headers);
    const attempt = await admitSignIn(c.env, ip, body.email);
    const res = await getAuth(c.env, c.req.url).api.signInEmail({
      body,
      headers: c.req.raw.headers,
      asResponse: true,
    });
    if (!res.ok) {
      const known = await c.env.DB.prepare('select id from user where email = ?')
        .bind(body.email)
        .first<{ id: string }>();
      await recordAudit(c.env, {
        actorId: known?.id ?? null,
        actorEmail: body.email,
        orgId: known ? await defaultOrgId(c.env, known.id) : null,
        action: 'auth.sign_in',
        outcome: 'failure',
        ip,
        detail: { status: res.status },
      });
      if (res.status === 401 || res.status === 403) {
        throw new ApiError(401, 'invalid_credentials', 'Invalid email or password');
      }
      throw await betterAuthError(res);
    }
    await attempt.succeeded();
    return withCookies(res, c.json(await recordSignIn(c.env, res, 'auth.sign_in', ip), 200));
  })
  .openapi(signOut, async (c) => {
    const caller = c.get('auth');
    if (caller?.via !== 'session') throw unauthorized('No session to sign out of');
    const res = await getAuth(c.env, c.req.url).api.signOut({ headers: c.req.raw.headers, asResponse: true });
    if (!res.ok) throw await betterAuthError(res);
    forgetAuth();
    await recordAudit(c.env, {
      auth: caller,
      action: 'auth.sign_out',
      target: `user:${caller.userId}`,
      outcome: 'success',
      ip: clientIp(c.req.raw.headers),
    });
    return withCookies(res, c.json({ ok: true as const }, 200));
  });

const pickUser = (user: { id: string; email: string; name: string }) => ({
  id: user.id,
  email: user.email,
  name: user.name,
});

function withCookies<R extends Response>(from: Response, to: R): R {
  for (const cookie of from.headers.getSetCookie()) to.headers.append('Set-Cookie', cookie);
  return to;
}

/** Better Auth answers `{ code, message }`; re-issue it in Atrium's envelope (its messages hold no secrets). */
async function betterAuthError(res: Response): Promise<ApiError> {
  const body = await res
    .json<{ code?: string; message?: string }>()
    .catch(() => ({}) as { code?: string; message?: string });
  const code = (body.code ?? 'auth_error').toLowerCase();
  if (code.startsWith('user_already_exists')) {
    return new ApiError(409, 'user_exists', 'An account with this email already exists');
  }
  const status = res.status >= 400 && res.status < 500 ? res.status : 502;
  return new ApiError(status as 400, code, body.message ?? 'Authentication failed');
}
