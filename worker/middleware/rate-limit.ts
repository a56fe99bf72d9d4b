import type { RateLimitResult } from '../../durable-objects/rate-limiter.ts';
import type { Env } from '../env.ts';
import { tooManyRequests } from '../errors.ts';

export interface RateLimitOptions {
  limit: number;
  windowSeconds: number;
}

/**
 * Counts one hit against `key` (any string: `query:user:<id>`, `sign-in:ip:<ip>`)
 * in the RateLimiter Durable Object and reports whether it is within the limit.
 */
export async function rateLimit(env: Env, key: string, options: RateLimitOptions): Promise<RateLimitResult> {
  const stub = env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(key));
  return stub.hit(options.limit, options.windowSeconds);
}

/** Like `rateLimit`, but throws the 429 (with Retry-After) when the key is over its limit. */
export async function enforceRateLimit(env: Env, key: string, options: RateLimitOptions): Promise<void> {
  const result = await rateLimit(env, key, options);
  if (!result.allowed) throw tooManyRequests(result.retryAfter);
}

/**
 * Reads a `"<limit>/<windowSeconds>"` var (e.g. `RATE_LIMIT_SIGN_IN_IP = "20/60"`),
 * falling back when unset or malformed so a typo never disables a limit.
 */
export function limitFromVar(value: string | undefined, fallback: RateLimitOptions): RateLimitOptions {
  const match = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(value ?? '');
  if (!match) return fallback;
  const limit = Number(match[1]);
  const windowSeconds = Number(match[2]);
  return limit > 0 && windowSeconds > 0 ? { limit, windowSeconds } : fallback;
}

/** Cloudflare always sets CF-Connecting-IP; without it (local dev, tests) there is no client IP to limit. */
export const clientIp = (headers: Headers): string | null => headers.get('cf-connecting-ip');
