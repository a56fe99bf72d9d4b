/**
 * Rate limits on the hot path (API tokens, query executions) without a Durable Object call per
 * request. The RateLimiter object for a key stays the one counter, but it hands out hits in
 * leases (`RateLimiter.lease`): the isolate spends them from memory and asks for the next lease
 * after the response, before this one runs out. A warm request then waits for no round trip;
 * only the first request of a key in an isolate, and the first after its window closes, do.
 *
 * What this gives up, stated so nobody relies on more: hits leased to an isolate that then goes
 * away are never spent, so across many isolates a key can be refused up to one lease early
 * (a hit is counted by the object before it is spent). A lease is a tenth of the limit, so small
 * limits still go one hit at a time; sign-in and sign-up limits never use leases.
 *
 * One exception, so that a cold isolate waits for no limiter round trip (issue 17): the first
 * hit of a key in an isolate that has never leased it is spent on credit while its first lease is
 * fetched beside the request, and that lease pays it back (the object counts it then). If the key
 * had already run out, that one hit was allowed late: at most one per key per isolate (again only
 * after the isolate's table of keys fills and starts over).
 */
import type { RateLease } from '../../durable-objects/rate-limiter.ts';
import { tooManyRequests } from '../errors.ts';
import type { ServiceContext } from '../lib/after-response.ts';
import { uncounted } from '../lib/round-trips.ts';
import type { RateLimitOptions } from './rate-limit.ts';

interface Held {
  left: number;
  until: number;
  /** Set when the object granted nothing: refused until then. */
  refusedUntil: number;
  /** A lease request in flight, shared by every request that needs it. */
  pending: Promise<void> | undefined;
  /** Hits spent on credit before the first lease; that lease pays them back. */
  owed: number;
}

const MAX_KEYS = 10_000;
const held = new Map<string, Held>();

/** Hits asked for at once: a tenth of the limit, 1 to 100. */
export const leaseSize = (limit: number) => Math.max(1, Math.min(100, Math.ceil(limit / 10)));

function request(ctx: ServiceContext, key: string, options: RateLimitOptions, entry: Held): Promise<void> {
  entry.pending ??= (async () => {
    try {
      const ns = ctx.env.RATE_LIMITER;
      const lease: RateLease = await ns
        .get(ns.idFromName(key))
        .lease(options.limit, options.windowSeconds, leaseSize(options.limit));
      // Hits left from a closed window are void; the object has started a new count.
      if (entry.until !== lease.until) entry.left = 0;
      // The credit is paid from the first lease, or never (the key had run out): not carried on.
      const paid = Math.min(entry.owed, lease.granted);
      entry.owed = 0;
      entry.left += lease.granted - paid;
      entry.until = lease.until;
      entry.refusedUntil = lease.granted > 0 ? 0 : Date.now() + lease.retryAfter * 1000;
    } finally {
      entry.pending = undefined;
    }
  })();
  return entry.pending;
}

/**
 * Spends one hit of `key`'s limit, or throws the 429 (with Retry-After). Waits for the object
 * only when this isolate holds no hit of the current window; then, with hits running low, it asks
 * for the next lease after the response (`ctx.waitUntil`) so the next request need not wait.
 */
export async function enforceLeasedLimit(
  ctx: ServiceContext,
  key: string,
  options: RateLimitOptions,
): Promise<void> {
  // The limit is part of the key: a lease taken under one limit is not spent under another.
  const id = `${key}|${options.limit}/${options.windowSeconds}`;
  let entry = held.get(id);
  if (!entry) {
    if (held.size >= MAX_KEYS) held.clear();
    entry = { left: 0, until: 0, refusedUntil: 0, pending: undefined, owed: 0 };
    held.set(id, entry);
    if (ctx.waitUntil) {
      // Never leased here: spend on credit, fetch the lease beside the request (not waited for).
      entry.owed = 1;
      const first = entry;
      ctx.waitUntil(uncounted(() => request(ctx, key, options, first)).catch(() => {}));
      return;
    }
  }
  for (let attempt = 0; ; attempt++) {
    const now = Date.now();
    if (entry.refusedUntil > now) throw tooManyRequests(Math.ceil((entry.refusedUntil - now) / 1000));
    if (entry.left > 0 && entry.until > now) break;
    // Another request's lease may be on its way; else ask now. A few times at most: a lease
    // that concurrent requests spent before this one got a hit is followed by another ask.
    if (attempt === 3) throw tooManyRequests(1);
    await (entry.pending ?? request(ctx, key, options, entry));
  }
  entry.left--;
  if (entry.left <= Math.floor(leaseSize(options.limit) / 2) && !entry.pending && ctx.waitUntil) {
    // Failure here only means the next request asks in line. Not a trip this response waits for.
    ctx.waitUntil(uncounted(() => request(ctx, key, options, entry as Held)).catch(() => {}));
  }
}

/** Forgets every lease held by this isolate (tests; the bench's cold-isolate mode). */
export function forgetLeases(): void {
  held.clear();
}
