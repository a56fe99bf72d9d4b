import type { Context } from 'hono';
import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env.ts';
import { type Phase, RequestTiming } from '../lib/request-timing.ts';
import { countedEnv, countRoundTrips } from '../lib/round-trips.ts';

/** Atrium's own metadata; other D1 bindings and objects hold users' databases (engines). */
export const METADATA_BINDINGS = { d1: ['DB'], objects: ['RATE_LIMITER', 'DOCUMENT_ROOM'] } as const;

/** The request's timer; a no-op one outside the middleware (direct calls in tests, sockets). */
export function timing(c: Context<AppEnv>): RequestTiming {
  return c.get('timing') ?? new RequestTiming();
}

/** Awaits `work` as part of `phase` of the request's Server-Timing. */
export const timed = <T>(c: Context<AppEnv>, phase: Phase, work: Promise<T> | (() => Promise<T>)) =>
  timing(c).measure(phase, work);

/**
 * Starts the request's timer and writes `Server-Timing` on the way out, errors included. The
 * request runs with counting bindings (lib/round-trips.ts), so the header also says how many
 * metadata round trips the response waited for in sequence.
 */
export const serverTiming = createMiddleware<AppEnv>(async (c, next) => {
  const t = new RequestTiming();
  c.set('timing', t);
  c.env = countedEnv(c.env, METADATA_BINDINGS);
  await countRoundTrips(t.roundTrips, next);
  // A streamed response's headers are sent before its body, so its timing ends at the first byte.
  try {
    c.res.headers.append('Server-Timing', t.header());
  } catch {
    // Immutable headers (a response passed through from fetch()): nothing to add to.
  }
});
