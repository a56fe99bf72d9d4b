import { createMiddleware } from 'hono/factory';
import type { AppEnv } from '../env.ts';

/** A request that takes at least this long is logged even when it succeeded. */
const SLOW_MS = 1000;

/**
 * One structured JSON line per failed (4xx/5xx) or slow request. Fast successes are not
 * logged: the platform's invocation log (observability in wrangler.toml; `wrangler dev`
 * prints each request) already records their method, path, status and duration, and a
 * `console.log` per request cost ~5 ms of every response under `wrangler dev` (issue 13).
 * Only the path is logged — never the query string, headers or body, which can carry
 * tokens, SQL parameters or connection strings.
 */
export const requestLog = createMiddleware<AppEnv>(async (c, next) => {
  const started = performance.now();
  await next();
  const durationMs = Math.round((performance.now() - started) * 10) / 10;
  const status = c.res.status;
  if (status < 400 && durationMs < SLOW_MS) return;
  console.log(
    JSON.stringify({
      level: status >= 500 ? 'error' : status >= 400 ? 'warn' : 'info',
      requestId: c.get('requestId'),
      method: c.req.method,
      path: c.req.path,
      status,
      durationMs,
      ...(status < 400 ? { slow: true } : {}),
    }),
  );
});
