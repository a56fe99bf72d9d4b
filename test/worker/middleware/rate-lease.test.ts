import { env } from 'cloudflare:workers';
import { describe, expect, it } from 'vitest';
import type { Env } from '../../../worker/env.ts';
import { ApiError } from '../../../worker/errors.ts';
import { RoundTrips, wrapBindings } from '../../../worker/lib/round-trips.ts';
import { enforceLeasedLimit, forgetLeases, leaseSize } from '../../../worker/middleware/rate-lease.ts';
import { METADATA_BINDINGS } from '../../../worker/middleware/server-timing.ts';

/** A service context whose Durable Object calls are counted and whose after-response work is kept. */
function context() {
  const trips = new RoundTrips();
  const later: Promise<unknown>[] = [];
  const counted = wrapBindings(
    env as unknown as Env,
    (info, call) => trips.track(info, call),
    METADATA_BINDINGS,
  );
  return { trips, later, ctx: { env: counted, waitUntil: (p: Promise<unknown>) => void later.push(p) } };
}

async function spend(ctx: ReturnType<typeof context>['ctx'], key: string, limit: number, times: number) {
  let allowed = 0;
  let refusal: ApiError | undefined;
  for (let i = 0; i < times; i++) {
    try {
      await enforceLeasedLimit(ctx, key, { limit, windowSeconds: 60 });
      allowed++;
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      refusal = err;
    }
  }
  return { allowed, refusal };
}

describe('leased rate limits', () => {
  it('allows exactly the limit in one isolate, then answers 429 with Retry-After', async () => {
    const { ctx, later } = context();
    const key = `test:exact:${crypto.randomUUID()}`;
    const { allowed, refusal } = await spend(ctx, key, 25, 30);
    await Promise.all(later);
    expect(allowed).toBe(25);
    expect(refusal?.status).toBe(429);
  });

  it('waits for the object only when the isolate holds no hit', async () => {
    const { ctx, trips, later } = context();
    const key = `test:calls:${crypto.randomUUID()}`;
    // A limit of 100 leases 10 hits at a time: 30 requests need 3 leases, asked after responses.
    await spend(ctx, key, 100, 30);
    await Promise.all(later);
    expect(leaseSize(100)).toBe(10);
    expect(trips.calls.do).toBeLessThanOrEqual(4);
    expect(trips.calls.do).toBeGreaterThanOrEqual(3);
  });

  it('never allows a hit late when an isolate goes away holding leased hits', async () => {
    const key = `test:lost:${crypto.randomUUID()}`;
    const first = context();
    const a = await spend(first.ctx, key, 40, 3);
    await Promise.all(first.later);
    forgetLeases(); // the isolate is gone; what it held is lost, not returned
    const second = context();
    const b = await spend(second.ctx, key, 40, 60);
    expect(a.allowed).toBe(3);
    expect(a.allowed + b.allowed).toBeLessThanOrEqual(40);
    expect(a.allowed + b.allowed).toBeGreaterThanOrEqual(40 - 2 * leaseSize(40));
    expect(b.refusal?.status).toBe(429);
  });

  it('spends the first hit of a key in an isolate on credit, which its first lease pays back', async () => {
    const key = `test:credit:${crypto.randomUUID()}`;
    const first = context();
    // The first hit returns before the lease is back: a cold isolate waits for no object call.
    await enforceLeasedLimit(first.ctx, key, { limit: 3, windowSeconds: 60 });
    expect(first.later).toHaveLength(1);
    await Promise.all(first.later);
    const rest = await spend(first.ctx, key, 3, 3);
    expect(1 + rest.allowed).toBe(3);
    expect(rest.refusal?.status).toBe(429);

    // The documented exception: a new isolate's first hit of a key that had run out is let
    // through (one hit late, once per key and isolate); the next one is refused.
    forgetLeases();
    const second = context();
    const late = await spend(second.ctx, key, 3, 1);
    await Promise.all(second.later);
    expect(late.allowed).toBe(1);
    const after = await spend(second.ctx, key, 3, 2);
    expect(after.allowed).toBe(0);
    expect(after.refusal?.status).toBe(429);
  });
});
