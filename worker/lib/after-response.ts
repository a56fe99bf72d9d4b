/**
 * "Run after the response": the one place that decides between Workers' `waitUntil`
 * (production, `wrangler dev`, `SELF.fetch` in tests) and awaiting the work inline
 * (`app.request()` in tests has no ExecutionContext, and Hono's `c.executionCtx` getter
 * throws there). Either way the work happens; a failure is logged, never thrown at a caller
 * whose own answer is already decided.
 */
import type { Context } from 'hono';
import type { AppEnv, Env } from '../env.ts';
import { uncounted } from './round-trips.ts';

/** What a service needs from the platform: the Worker's env, and `waitUntil` where the runtime has one. */
export interface ServiceContext {
  env: Env;
  waitUntil?: ((promise: Promise<unknown>) => void) | undefined;
}

/** The service context of a request. */
export function serviceContext(c: Context<AppEnv>): ServiceContext {
  try {
    const ec = c.executionCtx;
    return { env: c.env, waitUntil: (promise) => ec.waitUntil(promise) };
  } catch {
    // No ExecutionContext (app.request() in tests): afterResponse awaits instead.
    return { env: c.env };
  }
}

/**
 * Runs `work` after the response when the runtime allows, else awaits it. A rejection is
 * logged as `event` (a bookkeeping write must not fail the request that triggered it). Pass a
 * function, or a lazy query (a drizzle builder runs when awaited), so the work starts outside
 * the request's round-trip tally: Server-Timing then counts only trips the response waited for.
 */
export async function afterResponse(
  ctx: ServiceContext | Context<AppEnv>,
  work: PromiseLike<unknown> | (() => PromiseLike<unknown>),
  event = 'after_response_failed',
): Promise<void> {
  // Started at once, not on a later task: locally a D1 write (a SQLite commit on workerd's thread)
  // then holds the response until it is done (~7 ms a query, issue 13), and that is what keeps
  // the restart soak's "every query answered 200 is audited" true when the runtime is killed
  // right after answering. Deferring it measured faster and lost audit rows to such kills. On
  // Cloudflare the write is remote and rides waitUntil either way; see the README.
  const started = uncounted(() => Promise.resolve(typeof work === 'function' ? work() : work));
  const settled = started.then(
    () => undefined,
    (err: unknown) =>
      console.error(
        JSON.stringify({ level: 'warn', event, error: err instanceof Error ? err.name : 'unknown' }),
      ),
  );
  const { waitUntil } = 'req' in ctx ? serviceContext(ctx) : ctx;
  if (waitUntil) waitUntil(settled);
  else await settled;
}
