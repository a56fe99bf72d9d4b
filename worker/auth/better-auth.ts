import { drizzleAdapter } from 'better-auth/adapters/drizzle';
import { betterAuth } from 'better-auth/minimal';
import { drizzle } from 'drizzle-orm/d1';
import type { Env } from '../env.ts';
import { ApiError } from '../errors.ts';
import { accounts, sessions, users, verifications } from '../meta/auth.ts';
import { allowedOrigins } from '../middleware/csrf.ts';
import { createOrganization } from './orgs.ts';
import { hashPassword, verifyPassword } from './password.ts';

export const SESSION_COOKIE = 'atrium.session_token';
export const MIN_PASSWORD = 8;
export const MAX_PASSWORD = 256;

function build(env: Env, origin: string, secret: string) {
  return betterAuth({
    appName: 'Atrium',
    baseURL: origin,
    basePath: '/api/auth',
    secret,
    database: drizzleAdapter(drizzle(env.DB), {
      provider: 'sqlite',
      schema: { user: users, session: sessions, account: accounts, verification: verifications },
    }),
    emailAndPassword: {
      enabled: true,
      autoSignIn: true,
      minPasswordLength: MIN_PASSWORD,
      maxPasswordLength: MAX_PASSWORD,
      password: { hash: hashPassword, verify: verifyPassword },
    },
    session: {
      additionalFields: { activeOrganizationId: { type: 'string', required: false, input: false } },
    },
    databaseHooks: {
      user: {
        create: {
          after: async (user) => {
            await createOrganization(env, {
              name: `${user.name}'s workspace`,
              ownerId: user.id,
              personal: true,
            });
          },
        },
      },
    },
    trustedOrigins: [origin, ...allowedOrigins(env.CORS_ORIGINS)],
    // Atrium limits sign-in/up itself (RateLimiter Durable Object), per IP and per account.
    rateLimit: { enabled: false },
    telemetry: { enabled: false },
    advanced: {
      cookiePrefix: 'atrium',
      // Secure even on http://localhost: browsers treat localhost as a secure context.
      defaultCookieAttributes: { secure: true, httpOnly: true, sameSite: 'lax' },
      ipAddress: { ipAddressHeaders: ['cf-connecting-ip'] },
    },
  });
}

export type Auth = ReturnType<typeof build>;

// Workers have no env at module load, so the instance is built on first use and
// kept per env object and origin (tests pass their own env objects).
const cache = new WeakMap<Env, Map<string, Auth>>();

export function getAuth(env: Env, requestUrl: string): Auth {
  if (!env.AUTH_SECRET) {
    throw new ApiError(
      500,
      'auth_not_configured',
      'AUTH_SECRET is not set; run `npm start` to generate .dev.vars',
    );
  }
  const origin = new URL(requestUrl).origin;
  const byOrigin = cache.get(env) ?? new Map<string, Auth>();
  cache.set(env, byOrigin);
  const auth = byOrigin.get(origin) ?? build(env, origin, env.AUTH_SECRET);
  byOrigin.set(origin, auth);
  return auth;
}
