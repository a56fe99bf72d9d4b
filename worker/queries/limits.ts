import type { Env } from '../env.ts';
import type { ServiceContext } from '../lib/after-response.ts';
import { enforceLeasedLimit } from '../middleware/rate-lease.ts';
import { limitFromVar, type RateLimitOptions } from '../middleware/rate-limit.ts';

const USER_DEFAULT: RateLimitOptions = { limit: 300, windowSeconds: 60 };
const CONNECTION_DEFAULT: RateLimitOptions = { limit: 1200, windowSeconds: 60 };
const CONCURRENCY_DEFAULT = 8;

/**
 * 429 with Retry-After when the user or the connection is over its execution rate. The
 * connection's budget is per organization: built-ins are one id shared by every organization,
 * and one organization's load must not use up another's.
 */
export async function enforceQueryRateLimits(
  ctx: ServiceContext,
  userId: string,
  orgId: string,
  connectionId: string,
): Promise<void> {
  const { env } = ctx;
  // Two objects: leased hits are spent from the isolate's memory, and when a lease must be
  // fetched both are sent together. Both count the hit, as when run in turn with the user
  // within its limit; the user's refusal is reported first.
  const [user, connection] = await Promise.allSettled([
    enforceLeasedLimit(ctx, `query:user:${userId}`, limitFromVar(env.QUERY_RATE_LIMIT_USER, USER_DEFAULT)),
    enforceLeasedLimit(
      ctx,
      `query:connection:${orgId}:${connectionId}`,
      limitFromVar(env.QUERY_RATE_LIMIT_CONNECTION, CONNECTION_DEFAULT),
    ),
  ]);
  if (user.status === 'rejected') throw user.reason;
  if (connection.status === 'rejected') throw connection.reason;
}

export function concurrencyCap(env: Env): number {
  const n = Number(env.QUERY_CONCURRENCY);
  return Number.isSafeInteger(n) && n > 0 ? n : CONCURRENCY_DEFAULT;
}
